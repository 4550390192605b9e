"""Calibration: the closure record against the hazard process, per asset and per joint pair.

The hazard process is sampled directly (``hazard_disruptions``), one calendar year per
replication stream — no freight simulation — so thousands of years take seconds.

Per named asset (a set of links) and year: **events** = the number of hazard events with a
closure touching the asset (members of one event count once); **hours closed** = the length
of the union of those closures' intervals (the drawn duration: repair work, with no crew
travel or queueing; for a staged repair, up to the first reopening). Per joint pair: events that closed both assets. Every closure is
attributed to the year its event started.

Record: k events in T years give k/T with the Jeffreys Gamma(½ + k, T) 90 % interval
(``hazard_fit.RateFit``); hours closed per year = Σ recorded hours / T, with a 90 % interval
from a Bayesian bootstrap: a rate drawn from that posterior, a Poisson number of events in T
years, each event's hours drawn from the recorded ones (none recorded: no interval). Simulated: the mean
over N years with a 90 % interval of the mean (±1.645 s/√N). **Independence** for a joint
pair: overlaps of asset a's closures in year y with asset b's closures in year y + 1 — the
joint frequency the same marginal processes would give if they were independent.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from ..scenario.closures import ClosureRecord
from ..scenario.resolved import Hazard
from .hazard_fit import RateFit
from .hazards import hazard_disruptions
from .rng import Streams

Closure = tuple[frozenset, float, float]  # links, start_h, end_h
Event = list[Closure]


@dataclass(frozen=True)
class CalibrationRow:
    """Record vs simulated for one asset (``kind`` 'asset') or joint pair ('joint')."""

    kind: str
    name: str
    record_events: int
    record_rate: float
    record_lo: float
    record_hi: float
    record_hours: float
    sim_rate: float
    sim_lo: float
    sim_hi: float
    sim_hours: float
    sim_hours_lo: float
    sim_hours_hi: float
    independent_rate: float = float("nan")
    record_hours_lo: float = float("nan")
    record_hours_hi: float = float("nan")

    @property
    def within(self) -> bool:
        """The simulated rate lies inside the record's 90 % interval."""
        return self.record_lo <= self.sim_rate <= self.record_hi


def simulated_years(hazards: list[Hazard], years: int, seed: int = 0, sample_rates: bool = False,
                    start_year: int = 2001) -> list[list[Event]]:
    """The closing events of ``years`` sampled years: per year, a list of events, each a
    list of ``(links, start_h, end_h)``."""
    out = []
    start = dt.datetime(start_year, 1, 1)
    for y in range(years):
        events: dict[str, Event] = {}
        for d in hazard_disruptions(hazards, start, 8760.0, Streams(seed, y), sample_rates):
            if d.effect.close and d.links:
                events.setdefault(d.id.split(".")[0], []).append((frozenset(d.links), d.start_h, d.start_h + closed_hours(d)))
        out.append(list(events.values()))
    return out


def closed_hours(d) -> float:
    """Hours ``d`` keeps its links closed: its duration, or up to the first reopening stage of
    a staged repair (crew travel and queueing are not part of the hazard process)."""
    stages = d.repair.stages if d.repair is not None else ()
    return d.duration_h * stages[0][0] if stages else d.duration_h


def _union_hours(intervals: list[tuple[float, float]]) -> float:
    total, end = 0.0, -math.inf
    for a, b in sorted(intervals):
        if b > end:
            total += b - max(a, end)
            end = b
    return total


def _touching(event: Event, links: frozenset) -> list[Closure]:
    return [c for c in event if c[0] & links]


def year_figures(events: list[Event], links: frozenset) -> tuple[int, float]:
    """(events touching ``links``, hours closed) of one year."""
    touched = [_touching(e, links) for e in events]
    return sum(1 for t in touched if t), _union_hours([(a, b) for t in touched for _, a, b in t])


def joint_count(events: list[Event], a: frozenset, b: frozenset) -> int:
    """Events that closed both ``a`` and ``b``."""
    return sum(1 for e in events if _touching(e, a) and _touching(e, b))


def overlap_count(first: list[Event], second: list[Event], a: frozenset, b: frozenset) -> int:
    """Pairs of an ``a`` closure from ``first`` and a ``b`` closure from ``second`` that overlap in time."""
    xs = [(s, e) for ev in first for _, s, e in _touching(ev, a)]
    ys = [(s, e) for ev in second for _, s, e in _touching(ev, b)]
    return sum(1 for s1, e1 in xs for s2, e2 in ys if s1 < e2 and s2 < e1)


def _mean_interval(values: np.ndarray) -> tuple[float, float, float]:
    mean = float(values.mean())
    half = 1.645 * float(values.std(ddof=1)) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return mean, mean - half, mean + half


def _event_hours(events: list[Event], links: frozenset) -> list[float]:
    """Hours each recorded event kept ``links`` closed (the union of its closures touching them)."""
    out = []
    for event in events:
        touched = [(a, b) for ls, a, b in event if ls & links]
        if touched:
            out.append(_union_hours(touched))
    return out


def record_hours_interval(hours: list[float], fit: RateFit, years: float, draws: int = 4000,
                          seed: int = 0) -> tuple[float, float]:
    """90 % interval of hours closed per year from the record (Bayesian bootstrap, see module doc)."""
    if not hours:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    rates = rng.gamma(fit.shape, 1.0 / fit.rate_years, size=draws)
    counts = rng.poisson(rates * years)
    recorded = np.asarray(hours)
    totals = np.array([rng.choice(recorded, size=n).sum() if n else 0.0 for n in counts]) / years
    lo, hi = np.quantile(totals, [0.05, 0.95])
    return float(lo), float(hi)


def _record_events(record: ClosureRecord) -> list[Event]:
    return [[(c.links, c.start_h, c.start_h + c.duration_h) for c in e.closures] for e in record.events if e.hazard]


def calibration_table(record: ClosureRecord, hazards: list[Hazard], years: int = 2000, seed: int = 0,
                      sample_rates: bool = False) -> list[CalibrationRow]:
    """Record vs simulated for every named asset of the record and every joint pair."""
    simulated = simulated_years(hazards, years, seed, sample_rates)
    recorded = _record_events(record)
    rows = []
    for name, links in record.assets.items():
        k, hours = year_figures(recorded, links)
        per_year = np.array([year_figures(year, links) for year in simulated], dtype=float)
        fit = RateFit.of(k, record.years)
        rate, lo, hi = _mean_interval(per_year[:, 0])
        h, h_lo, h_hi = _mean_interval(per_year[:, 1])
        hours_lo, hours_hi = record_hours_interval(_event_hours(recorded, links), fit, record.years, seed=seed)
        rows.append(CalibrationRow("asset", name, k, k / record.years, *fit.interval(), hours / record.years,
                                   rate, lo, hi, h, h_lo, h_hi, record_hours_lo=hours_lo, record_hours_hi=hours_hi))
    for pair_id, a, b, _ in record.joint:
        la, lb = record.assets[a], record.assets[b]
        k = joint_count(recorded, la, lb)
        counts = np.array([joint_count(year, la, lb) for year in simulated], dtype=float)
        independent = np.mean([overlap_count(simulated[y], simulated[(y + 1) % years], la, lb) for y in range(years)])
        fit = RateFit.of(k, record.years)
        rate, lo, hi = _mean_interval(counts)
        rows.append(CalibrationRow("joint", pair_id, k, k / record.years, *fit.interval(), float("nan"),
                                   rate, lo, hi, float("nan"), float("nan"), float("nan"), float(independent)))
    return rows
