"""One replication as a compact, picklable result: KPI rows, time series arrays, event log.

This is what travels back from worker processes or a Dask cluster — numpy arrays and tuples,
never SimPy objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..metrics.kpis import Kpi, kpi_table
from ..metrics.resilience import performance
from ..model.engine import simulate
from ..model.recording import Recording
from ..scenario.resolved import Scenario


@dataclass
class ReplicationResult:
    """The part of a Recording that is kept on disk."""

    replication: int
    seed: int
    kpis: list[Kpi]
    commodities: list[str]
    step_h: float
    series: dict[str, np.ndarray]  # name -> (n_commodities, n_steps)
    events: list[tuple[float, str, str, str]]
    sim_events: int
    wall_s: float

    def kpi_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.kpis, columns=list(Kpi._fields))
        frame.insert(0, "replication", self.replication)
        return frame

    def series_frame(self) -> pd.DataFrame:
        """Long table: replication, time_h, commodity, and one column per series (tonnes per step, Q)."""
        n_comm, n_steps = self.series["delivered_t"].shape
        frame = pd.DataFrame({
            "replication": self.replication,
            "time_h": np.tile(np.arange(n_steps) * self.step_h, n_comm),
            "commodity": np.repeat(self.commodities, n_steps),
        })
        for name, values in self.series.items():
            frame[name] = values.reshape(-1)
        return frame

    def event_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.events, columns=["time_h", "kind", "target", "detail"])
        frame.insert(0, "replication", self.replication)
        return frame


def summarise_recording(rec: Recording) -> ReplicationResult:
    """Reduce a Recording to what is stored per replication."""
    backlog = rec.backlog_t()
    q = np.vstack([performance(rec.delivered[i], rec.due[i]) for i in range(len(rec.commodities))]) \
        if rec.commodities else np.zeros((0, rec.n_steps))
    return ReplicationResult(
        replication=rec.replication,
        seed=rec.seed,
        kpis=kpi_table(rec),
        commodities=list(rec.commodities),
        step_h=rec.step_h,
        series={
            "released_t": rec.released,
            "due_t": rec.due,
            "delivered_t": rec.delivered,
            "lost_t": rec.lost,
            "backlog_t": backlog,
            "performance_q": q,
        },
        events=list(rec.events),
        sim_events=rec.sim_events,
        wall_s=rec.wall_s,
    )


def run_replication(scenario: Scenario, seed: int, replication: int) -> ReplicationResult:
    """Simulate replication ``replication`` of ``scenario`` under root ``seed``."""
    return summarise_recording(simulate(scenario, seed, replication))
