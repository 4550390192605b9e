"""Stratified sampling of rare hazards, so a 0.1-a-year storm is in a 20-replication run
with its proper weight.

**Rare kinds.** A hazard with ``rate_per_year`` ≤ ``RARE_RATE`` (0.2) is a rare kind as a whole.
A hazard with intensity classes whose own rate is higher may still have rare *classes*: by
thinning a Poisson process, the events of class c form an independent Poisson process of
rate λ·π_c, so a class with λ·π_c ≤ 0.2 (winter storms of class ``extreme``: the Gyda
class) is a rare kind of its own and the other classes stay plain Monte Carlo.

**Strata.** The number N of events of a rare kind within the horizon is Poisson(Λ), Λ the
expected count over the horizon (the rate times the month weights over the months covered).
Its strata are N = 0, N = 1 and N ≥ 2 with probabilities p₀ = e^−Λ, p₁ = Λe^−Λ and
p₂₊ = 1 − p₀ − p₁. Of n replications, ``allocate`` gives each non-zero stratum
max(minimum, round(n·p_s)) replications and stratum 0 the rest. Given the stratum, N is
drawn from Poisson(Λ) conditioned on it and the event times from the hazard's own intensity
(months by their expected counts, uniform within a month).

**Several rare kinds.** For each kind its stratum labels (n₀ zeros, n₁ ones, n₂ twos) are
put in a random order of its own (stream ``strata:<kind>``, which depends on the seed and the
kind only), as in Latin hypercube sampling. Replication r then has the stratum vector s(r);
marginally each kind's stratum is s with probability q_s = n_s / n, independently across
kinds, so with the weight

    w_r = Π_kinds p_{s_k(r)} / q_{s_k(r)}

E[w f] = E[f] for every KPI f (importance sampling over the strata, unbiased; with a single
rare kind it is exactly the stratified estimator Σ_s p_s · mean of stratum s). Means are the
self-normalised Σ w f / Σ w (``experiment.summary``), which is exact for a KPI that does not
depend on the hazards. Every variant of a comparison uses the same plan, so replication r
has the same strata and, from the same streams, the same events in every variant (common
random numbers); each variant's weight uses its own Λ.

Reference: Rubinstein & Kroese, *Simulation and the Monte Carlo Method* (3rd ed., 2017),
§5.5 (stratified sampling) and §5.7 (importance sampling).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..scenario.resolved import Hazard
from .months import month_segments
from .rng import Streams, stream

RARE_RATE = 0.2
"""Events per year at or below which a hazard (or an intensity class) is stratified."""

STRATA = (0, 1, 2)
"""Stratum labels: no event, one event, two or more."""


@dataclass(frozen=True)
class RareKind:
    """A stratified part of a hazard: the whole hazard (``cls`` = −1) or one intensity class."""

    hazard: str
    cls: int = -1
    label: str = ""

    @property
    def key(self) -> str:
        return self.hazard if self.cls < 0 else f"{self.hazard}:{self.label}"


@dataclass(frozen=True)
class StratumPlan:
    """The strata of every replication: ``strata[r][k]`` is replication r's stratum of ``kinds[k]``.

    ``shares[k]`` = (q₀, q₁, q₂₊), the share of replications in each stratum of kind k.
    """

    kinds: tuple[RareKind, ...]
    shares: tuple[tuple[float, float, float], ...]
    strata: tuple[tuple[int, ...], ...]

    def of(self, replication: int) -> dict[str, int]:
        """Kind key → stratum of ``replication`` (empty past the plan's replications)."""
        if replication >= len(self.strata):
            return {}
        return {kind.key: s for kind, s in zip(self.kinds, self.strata[replication])}

    def describe(self) -> dict:
        """A JSON-ready account of the plan for the manifest."""
        counts = np.array(self.strata).reshape(len(self.strata), len(self.kinds))
        return {"rare_rate_per_year": RARE_RATE,
                "kinds": [{"kind": k.key, "replications_per_stratum": [int((counts[:, i] == s).sum()) for s in STRATA]}
                          for i, k in enumerate(self.kinds)]}


def plan_to_json(plan: StratumPlan) -> dict:
    """The plan as JSON-ready data (for the manifest, so ``--resume`` uses the same plan)."""
    return {"kinds": [[k.hazard, k.cls, k.label] for k in plan.kinds], "shares": [list(s) for s in plan.shares],
            "strata": [list(r) for r in plan.strata]}


def plan_from_json(data: dict) -> StratumPlan:
    """The inverse of ``plan_to_json``."""
    return StratumPlan(tuple(RareKind(h, int(c), str(label)) for h, c, label in data["kinds"]),
                       tuple(tuple(float(x) for x in s) for s in data["shares"]),
                       tuple(tuple(int(x) for x in r) for r in data["strata"]))


def kind_rate(hazard: Hazard, kind: RareKind, rate: float | None = None) -> float:
    """Events per year of ``kind`` (λ, or λ·π_c for a class) at the hazard's rate or ``rate``."""
    lam = hazard.rate_per_year if rate is None else rate
    return lam if kind.cls < 0 else lam * hazard.class_weights[kind.cls]


def rare_kinds(hazards: list[Hazard], threshold: float = RARE_RATE) -> list[RareKind]:
    """The rare kinds of ``hazards`` (see the module docstring), in file order."""
    out = []
    for h in hazards:
        if h.rate_per_year <= 0:
            continue
        if h.rate_per_year <= threshold:
            out.append(RareKind(h.id))
        elif h.classes:
            out += [RareKind(h.id, c, name) for c, name in enumerate(h.classes)
                    if 0 < h.rate_per_year * h.class_weights[c] <= threshold]
    return out


def segment_means(hazard: Hazard, start: dt.datetime, horizon_h: float, rate: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Month segments of the horizon: (starts h, ends h, expected events at ``rate`` per year)."""
    rows = [(a, b, rate * hazard.month_weights[m] * (b - a) / mh) for m, a, b, mh in month_segments(start, horizon_h)]
    arr = np.array(rows, dtype=float).reshape(-1, 3)
    return arr[:, 0], arr[:, 1], arr[:, 2]


def stratum_probabilities(expected: float) -> tuple[float, float, float]:
    """(P[N = 0], P[N = 1], P[N ≥ 2]) for N ~ Poisson(``expected``); the last from the survival function."""
    p0 = math.exp(-expected)
    return p0, expected * p0, float(stats.poisson.sf(1, expected)) if expected > 0 else 0.0


def allocate(n: int, probabilities: tuple[float, float, float], minimum: int = 1) -> tuple[int, int, int]:
    """Replications per stratum: non-zero strata max(minimum, round(n·p)), stratum 0 the rest.

    A stratum of probability 0 gets none. Needs n ≥ 1 + 2·minimum.
    """
    if n < 1 + 2 * minimum:
        raise ValueError(f"stratifying needs at least {1 + 2 * minimum} replications, got {n}")
    n1, n2 = (max(minimum, round(n * p)) if p > 0 else 0 for p in probabilities[1:])
    return n - n1 - n2, n1, n2


def make_plan(hazards: list[Hazard], start: dt.datetime, horizon_h: float, replications: int, seed: int,
              minimum: int = 1) -> StratumPlan | None:
    """The plan for ``replications`` replications of ``hazards`` (None when nothing is rare)."""
    kinds = rare_kinds(hazards)
    if not kinds:
        return None
    by_id = {h.id: h for h in hazards}
    shares, columns = [], []
    for kind in kinds:
        hazard = by_id[kind.hazard]
        expected = float(segment_means(hazard, start, horizon_h, kind_rate(hazard, kind))[2].sum())
        counts = allocate(replications, stratum_probabilities(expected), minimum)
        labels = np.repeat(np.array(STRATA), counts)
        columns.append(stream(seed, 0, f"strata:{kind.key}").permutation(labels))
        shares.append(tuple(c / replications for c in counts))
    strata = tuple(tuple(int(col[r]) for col in columns) for r in range(replications))
    return StratumPlan(tuple(kinds), tuple(shares), strata)


def conditional_count(expected: float, stratum: int, u: float) -> int:
    """N ~ Poisson(``expected``) given its stratum, by inverting the conditional distribution at ``u``."""
    if stratum < 2:
        return stratum
    tail = float(stats.poisson.sf(1, expected))
    cumulative = 0.0
    for n in range(2, 10_000):
        cumulative += float(stats.poisson.pmf(n, expected)) / tail
        if cumulative >= u:
            return n
    return n


def conditional_times(starts: np.ndarray, ends: np.ndarray, means: np.ndarray, count: int,
                      rng: np.random.Generator) -> np.ndarray:
    """``count`` event times, each independently from the intensity (month by expected count, uniform within)."""
    if count == 0:
        return np.zeros(0)
    segment = rng.choice(len(means), size=count, p=means / means.sum())
    return np.sort(rng.uniform(starts[segment], ends[segment]))


def kind_events(hazard: Hazard, kind: RareKind, stratum: int, start: dt.datetime, horizon_h: float,
                streams: Streams, rate: float | None = None) -> np.ndarray:
    """Event times of ``kind`` in its stratum, from its own stream ``hazard-stratum:<kind>``."""
    rng = streams[f"hazard-stratum:{kind.key}"]
    starts, ends, means = segment_means(hazard, start, horizon_h, kind_rate(hazard, kind, rate))
    count = conditional_count(float(means.sum()), stratum, float(rng.random()))
    return conditional_times(starts, ends, means, count, rng)


def replication_weight(hazards: list[Hazard], plan: StratumPlan | None, replication: int, start: dt.datetime,
                       horizon_h: float, rates: dict[str, float] | None = None) -> float:
    """w_r = Π p_s / q_s over the plan's kinds that ``hazards`` has (1 without a plan).

    ``rates``: the replication's rate per hazard id when rates are drawn (second-order Monte Carlo).
    """
    if plan is None or replication >= len(plan.strata):
        return 1.0
    by_id = {h.id: h for h in hazards}
    weight = 1.0
    for kind, share, s in zip(plan.kinds, plan.shares, plan.strata[replication]):
        hazard = by_id.get(kind.hazard)
        if hazard is None or (kind.cls >= 0 and kind.label not in hazard.classes):
            continue  # this variant has no such kind: its outcome does not depend on the stratum
        cls = hazard.classes.index(kind.label) if kind.cls >= 0 else -1
        rate = kind_rate(hazard, RareKind(kind.hazard, cls, kind.label), (rates or {}).get(kind.hazard))
        expected = float(segment_means(hazard, start, horizon_h, rate)[2].sum())
        weight *= stratum_probabilities(expected)[s] / share[s]
    return weight


def kish_ess(weights) -> float:
    """Kish's effective sample size (Σw)² / Σw² (= n for equal weights)."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w ** 2).sum()) if w.size and (w ** 2).sum() > 0 else 0.0
