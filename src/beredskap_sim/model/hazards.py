"""Sampling random disruptions from hazards, one named stream per hazard.

Event times follow a Poisson process whose rate is constant within each calendar month:
month m of a year carries ``rate_per_year × month_weights[m]`` expected events, spread
uniformly over the month. Over the horizon, each (partial) month segment gets a Poisson
count with mean ``rate × w_m × segment_hours / month_hours`` and uniform times within it.

**Intensity.** A weather hazard with intensity classes draws, per event, one uniform number
that picks the class c with probability π_c; member j is then hit with probability p_j(c),
independently of the other members given c. Joint closures therefore happen at
``rate × Σ_c π_c p_i(c) p_j(c)`` per year — more often than independence when p_i and p_j
rise with the intensity.

**Common random numbers.** Every event draws, in a fixed order: the class uniform (always,
with or without classes), then for every footprint member one uniform (hit or not) and one
uniform for the duration — whether or not the member is hit. Durations are drawn by
inverting the law's distribution function at that uniform, so a variant that changes a
probability, a class, a duration law, an effect or a repair still sees the same event times,
and the same quantile of every duration, as its baseline.

**Rate uncertainty.** With ``sample_rates`` each hazard that has a Gamma posterior draws
its rate for the replication from its own stream ``hazard-rate:<id>``:
λ ~ Gamma(shape, scale = 1 / years) (second-order Monte Carlo).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from scipy.special import ndtri

from ..scenario.resolved import Disruption, DurationLaw, Hazard
from .months import month_segments
from .rng import Streams
from .strata import RareKind, kind_events


def duration_quantile(law: DurationLaw, u: float) -> float:
    """The ``u``-quantile (0 ≤ u < 1) of ``law`` in hours.

    exponential: −mean·ln(1−u); lognormal: min(max, median·exp(σ·Φ⁻¹(u)));
    empirical: the value whose cumulative weight first exceeds u; fixed: the value.
    """
    if law.kind == "fixed":
        return float(law.params[0])
    if law.kind == "exponential":
        return float(-law.params[0] * math.log1p(-u))
    if law.kind == "lognormal":
        median, sigma, cap = law.params
        return float(min(cap, median * math.exp(sigma * float(ndtri(min(max(u, 1e-12), 1 - 1e-12))))))
    values, weights = law.params
    p = np.asarray(weights, dtype=float)
    cumulative = np.cumsum(p / p.sum())
    index = int(np.searchsorted(cumulative, u, side="right"))
    return float(values[min(index, len(values) - 1)])


def sample_duration(law: DurationLaw, rng: np.random.Generator) -> float:
    """One draw of ``law`` in hours (always consumes exactly one uniform of the stream)."""
    return duration_quantile(law, float(rng.random()))


def sample_event_times(hazard: Hazard, start: dt.datetime, horizon_h: float, rng: np.random.Generator,
                       rate_per_year: float | None = None) -> np.ndarray:
    """Sorted event times (hours after ``start``) of ``hazard`` within the horizon."""
    rate = hazard.rate_per_year if rate_per_year is None else rate_per_year
    times: list[np.ndarray] = []
    for month, a, b, month_hours in month_segments(start, horizon_h):
        mean = rate * hazard.month_weights[month] * (b - a) / month_hours
        count = rng.poisson(mean) if mean > 0 else 0
        if count:
            times.append(np.sort(rng.uniform(a, b, size=count)))
    return np.concatenate(times) if times else np.zeros(0)


def replication_rate(hazard: Hazard, streams: Streams, sample_rates: bool) -> float:
    """The hazard's rate in this replication: fixed, or drawn from its Gamma posterior."""
    if not sample_rates or hazard.rate_shape <= 0:
        return hazard.rate_per_year
    return float(streams[f"hazard-rate:{hazard.id}"].gamma(hazard.rate_shape, 1.0 / hazard.rate_years))


def event_class(hazard: Hazard, u: float) -> int:
    """Index of the intensity class the uniform ``u`` picks (0 without classes)."""
    if not hazard.classes:
        return 0
    index = int(np.searchsorted(np.cumsum(hazard.class_weights), u, side="right"))
    return min(index, len(hazard.classes) - 1)


def hazard_disruptions(hazards: list[Hazard], start: dt.datetime, horizon_h: float, streams: Streams,
                       sample_rates: bool = False, strata: dict[str, int] | None = None) -> list[Disruption]:
    """All disruptions the hazards cause in one replication, in time order.

    A hit's ``cause`` is the hazard id, with the intensity class after a colon when the
    hazard has classes (``winter-storm:severe``); disruptions of one event share the id
    prefix ``<hazard>#<k>``.

    ``strata`` (kind key → stratum 0, 1 or 2 for "two or more", see ``model.strata``): the
    rare kinds named there are drawn conditioned on their stratum from their own streams
    ``hazard-stratum:<kind>``; the rest of each hazard (its other classes) stays a Poisson
    process on ``hazard:<id>``. Without ``strata`` every hazard is plain Monte Carlo.
    """
    out: list[Disruption] = []
    for hazard in hazards:
        rate = replication_rate(hazard, streams, sample_rates)
        if strata and hazard.id in strata:
            rng = streams[f"hazard-stratum:{hazard.id}"]
            times = kind_events(hazard, RareKind(hazard.id), strata[hazard.id], start, horizon_h, streams, rate)
            for k, t in enumerate(times):
                _event(hazard, k, float(t), event_class(hazard, float(rng.random())), rng, out)
            continue
        rare = {c: strata[f"{hazard.id}:{name}"] for c, name in enumerate(hazard.classes)
                if strata and f"{hazard.id}:{name}" in strata}
        plain = [c for c in range(len(hazard.classes)) if c not in rare] if hazard.classes else [0]
        rng = streams[f"hazard:{hazard.id}"]
        share = sum(hazard.class_weights[c] for c in plain) if rare else 1.0
        k = 0
        for t in sample_event_times(hazard, start, horizon_h, rng, rate * share):
            u = float(rng.random())
            _event(hazard, k, float(t), _class_among(hazard, plain, u) if rare else event_class(hazard, u), rng, out)
            k += 1
        for c, stratum in rare.items():
            kind = RareKind(hazard.id, c, hazard.classes[c])
            kind_rng = streams[f"hazard-stratum:{kind.key}"]
            for t in kind_events(hazard, kind, stratum, start, horizon_h, streams, rate):
                kind_rng.random()  # the class uniform, drawn as for every event (the class is given)
                _event(hazard, k, float(t), c, kind_rng, out)
                k += 1
    out.sort(key=lambda d: (d.start_h, d.id))
    return out


def _class_among(hazard: Hazard, allowed: list[int], u: float) -> int:
    """The class among ``allowed`` that ``u`` picks, with their weights renormalised."""
    weights = np.array([hazard.class_weights[c] for c in allowed])
    index = int(np.searchsorted(np.cumsum(weights / weights.sum()), u, side="right"))
    return allowed[min(index, len(allowed) - 1)]


def _event(hazard: Hazard, k: int, t: float, c: int, rng: np.random.Generator, out: list[Disruption]) -> None:
    """Event k of ``hazard`` at ``t`` of class ``c``: one hit and one duration uniform per member."""
    cause = f"{hazard.id}:{hazard.classes[c]}" if hazard.classes else hazard.id
    for j, member in enumerate(hazard.members):
        probability = member.class_probability[c] if hazard.classes else member.probability
        law = member.class_duration[c] if hazard.classes else member.duration
        hit = rng.random() < probability
        duration = sample_duration(law, rng)
        if hit:
            out.append(Disruption(
                id=f"{hazard.id}#{k}.{j}", description=hazard.description, targets=member.targets,
                links=member.links, nodes=member.nodes, start_h=t, duration_h=duration,
                effect=member.effect, repair=member.repair, cause=cause, power=member.power,
            ))
