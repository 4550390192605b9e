"""One replication as a compact, picklable result: KPI rows, time series arrays, event log.

This is what travels back from worker processes or a Dask cluster — numpy arrays and tuples,
never SimPy objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..metrics.kpis import Kpi, kpi_table
from ..metrics.curve import freight_curve
from ..model.engine import simulate
from ..model.hazards import replication_rate
from ..model.recording import Recording
from ..model.rng import Streams
from ..model.strata import replication_weight
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
    disruptions: list[tuple] = None  # (id, start_h, end_h, link ids, node ids, kind, cause, targets)
    supply: list[tuple[str, str, str, np.ndarray]] = None  # (system, name, series, values per step)
    weight: float = 1.0  # stratified rare hazards: Π p_s / q_s (see model.strata); 1 for plain Monte Carlo
    stratum: str = ""  # the replication's strata of the rare kinds, e.g. "0.1.0" ("" without stratification)

    def kpi_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.kpis, columns=list(Kpi._fields))
        frame.insert(0, "replication", self.replication)
        frame["weight"] = self.weight
        if self.stratum:
            frame["stratum"] = self.stratum
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

    def supply_frame(self) -> pd.DataFrame:
        """Long table of supply time series: replication, time_h, system, name, series, value."""
        frames = []
        for system, name, series, values in self.supply or []:
            frames.append(pd.DataFrame({"time_h": np.arange(len(values)) * self.step_h, "system": system,
                                        "name": name, "series": series, "value": values}))
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["time_h", "system", "name", "series", "value"])
        frame.insert(0, "replication", self.replication)
        return frame

    def disruption_frame(self) -> pd.DataFrame:
        """Disruption intervals: id, start_h, end_h, links and nodes (space-separated ids), kind, cause, targets."""
        frame = pd.DataFrame(self.disruptions or [], columns=["id", "start_h", "end_h", "links", "nodes", "kind", "cause", "targets"])
        frame.insert(0, "replication", self.replication)
        return frame

    def event_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.events, columns=["time_h", "kind", "target", "detail"])
        frame.insert(0, "replication", self.replication)
        return frame


def summarise_recording(rec: Recording, values=None, link_ids: list[str] | None = None, defaults=None) -> ReplicationResult:
    """Reduce a Recording to what is stored per replication (``values``: the scenario's unit values;
    ``defaults``: the network's, for distance and transshipment costs)."""
    rec_link_ids = link_ids or []
    backlog = rec.backlog_t()
    q = np.vstack([freight_curve(rec, commodity=i).step_means(rec.step_h, rec.n_steps)
                   for i in range(len(rec.commodities))]) if rec.commodities else np.zeros((0, rec.n_steps))
    return ReplicationResult(
        replication=rec.replication,
        seed=rec.seed,
        kpis=kpi_table(rec, values, defaults),
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
        disruptions=[(d[0], d[1], d[2], " ".join(rec_link_ids[i] for i in d[3]), " ".join(rec.node_ids[i] for i in d[4]),
                      d[5], d[6], d[7]) for d in rec.disruptions],
        supply=_supply_series(rec),
    )


def _supply_series(rec: Recording) -> list[tuple[str, str, str, np.ndarray]]:
    out = []
    if rec.food is not None:
        for m, name in enumerate(rec.food.municipalities):
            out.append(("food", name, "days_of_supply", rec.food.days[m]))
    if rec.power is not None:
        for a, name in enumerate(rec.power.areas):
            out.append(("power", name, "demand_mwh", rec.power.demand[a]))
            out.append(("power", name, "served_mwh", rec.power.served[a]))
        for g, name in enumerate(rec.power.grids):
            out.append(("local-grid", name, "customers_out", rec.power.grid_customers_out[g]))
    pax = rec.passengers
    if pax is not None and pax.commuter_critical is not None:
        steps = pax.critical_absent_steps(rec.step_h, rec.n_steps)
        out += [("workforce", flow, "critical_staff_absent", steps[i])
                for i, flow in enumerate(pax.commuters) if pax.commuter_critical[i] > 0]
    if getattr(rec, "care", None) is not None:
        for p, name in enumerate(rec.care.places):
            out.append(("care", name, "hours_no_road", rec.care.steps_no_road[p]))
            out.append(("care", name, "hours_no_access", rec.care.steps_no_access[p]))
    return out


def run_replication(scenario: Scenario, seed: int, replication: int) -> ReplicationResult:
    """Simulate replication ``replication`` of ``scenario`` under root ``seed``, with its weight."""
    result = summarise_recording(simulate(scenario, seed, replication), scenario.spec.values, scenario.network.link_ids,
                                scenario.network_spec.defaults)
    result.weight = stratum_weight(scenario, seed, replication)
    if scenario.stratification is not None:
        result.stratum = ".".join(str(s) for s in scenario.stratification.strata[replication])
    return result


def stratum_weight(scenario: Scenario, seed: int, replication: int) -> float:
    """The replication's weight under the scenario's stratification plan (1 without one)."""
    plan = scenario.stratification
    if plan is None:
        return 1.0
    rates = None
    if scenario.spec.hazard_rate_uncertainty:  # the same draw as the simulation's, from a fresh stream
        streams = Streams(seed, replication)
        rates = {h.id: replication_rate(h, streams, True) for h in scenario.hazards}
    return replication_weight(scenario.hazards, plan, replication, scenario.start, scenario.horizon_h, rates)
