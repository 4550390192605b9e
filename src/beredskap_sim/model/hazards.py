"""Sampling random disruptions from hazards, one named stream per hazard.

Event times follow a Poisson process whose rate is constant within each calendar month:
month m of a year carries ``rate_per_year × month_weights[m]`` expected events, spread
uniformly over the month. Over the horizon, each (partial) month segment gets a Poisson
count with mean ``rate × w_m × segment_hours / month_hours`` and uniform times within it.

For common random numbers, every event draws, for every footprint member and in a fixed
order, one uniform number (hit or not) and one duration — whether or not the member is hit.
So a variant that changes a probability, an effect or a repair still sees the same event
times and the same durations as its baseline.
"""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np

from ..scenario.resolved import Disruption, DurationLaw, Hazard
from .rng import Streams


def sample_duration(law: DurationLaw, rng: np.random.Generator) -> float:
    """One draw of ``law`` in hours (always consumes exactly one draw of the stream)."""
    if law.kind == "fixed":
        rng.random()
        return float(law.params[0])
    if law.kind == "exponential":
        return float(rng.exponential(law.params[0]))
    if law.kind == "lognormal":
        median, sigma, cap = law.params
        return float(min(cap, median * np.exp(sigma * rng.standard_normal())))
    values, weights = law.params
    p = np.asarray(weights, dtype=float)
    cumulative = np.cumsum(p / p.sum())
    index = int(np.searchsorted(cumulative, rng.random(), side="right"))
    return float(values[min(index, len(values) - 1)])


def month_segments(start: dt.datetime, horizon_h: float):
    """Yield ``(month_index 0–11, segment_start_h, segment_end_h, month_hours)`` covering the horizon."""
    t = 0.0
    moment = start
    while t < horizon_h:
        days = calendar.monthrange(moment.year, moment.month)[1]
        month_start = dt.datetime(moment.year, moment.month, 1)
        next_month = month_start + dt.timedelta(days=days)
        end = min(horizon_h, t + (next_month - moment).total_seconds() / 3600.0)
        yield moment.month - 1, t, end, days * 24.0
        t = end
        moment = next_month


def sample_event_times(hazard: Hazard, start: dt.datetime, horizon_h: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted event times (hours after ``start``) of ``hazard`` within the horizon."""
    times: list[np.ndarray] = []
    for month, a, b, month_hours in month_segments(start, horizon_h):
        mean = hazard.rate_per_year * hazard.month_weights[month] * (b - a) / month_hours
        count = rng.poisson(mean) if mean > 0 else 0
        if count:
            times.append(np.sort(rng.uniform(a, b, size=count)))
    return np.concatenate(times) if times else np.zeros(0)


def hazard_disruptions(hazards: list[Hazard], start: dt.datetime, horizon_h: float, streams: Streams) -> list[Disruption]:
    """All disruptions the hazards cause in one replication, in time order."""
    out: list[Disruption] = []
    for hazard in hazards:
        rng = streams[f"hazard:{hazard.id}"]
        for k, t in enumerate(sample_event_times(hazard, start, horizon_h, rng)):
            for j, member in enumerate(hazard.members):
                hit = rng.random() < member.probability
                duration = sample_duration(member.duration, rng)
                if hit:
                    out.append(Disruption(
                        id=f"{hazard.id}#{k}.{j}", description=hazard.description, targets=member.targets,
                        links=member.links, nodes=member.nodes, start_h=float(t), duration_h=duration,
                        effect=member.effect, repair=member.repair, cause=hazard.id, power=member.power,
                    ))
    out.sort(key=lambda d: (d.start_h, d.id))
    return out
