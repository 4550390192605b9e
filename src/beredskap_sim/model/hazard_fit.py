"""Fitting hazards to a closure record: rates with their uncertainty, intensity classes,
hit probabilities, seasons and durations.

* **Rate.** k events in T years with a Gamma(a₀, b₀) prior (a₀ = ½, b₀ = 0: Jeffreys' prior
  for a Poisson rate) give the posterior Gamma(a₀ + k, b₀ + T): mean (a₀ + k)/(b₀ + T),
  equal-tailed interval from its quantiles (Gelman et al., *Bayesian Data Analysis*, §2.6).
  Hazards in one of the record's ``pools`` share the fit: the events of all of them over
  (number of hazards × T) hazard-years.
* **Shares of intensity classes.** n_c of the k events in class c: π_c = (n_c + ½)/(k + C/2)
  (the Dirichlet(½) posterior mean).
* **Hit probability of a member given the class.** h of the n_c events of class c closed the
  member: p = (h + ½)/(n_c + 1) (the Beta(½, ½) posterior mean; with no event of a class it is
  ½, a stated prior).
* **Season.** Monthly weights ∝ (events in the month + ½) over the hazard's season months.
* **Durations.** The recorded durations of the member's closures, as an empirical law.

Every number here comes from counting the record; ``hazards`` prints the fit next to what the
network file states, and a test holds them together.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy.stats import gamma

from ..scenario.closures import ClosureRecord, RecordEvent
from ..scenario.hazard_schema import gamma_posterior
from ..scenario.resolved import Hazard


@dataclass(frozen=True)
class RateFit:
    """Gamma(shape, rate_years) posterior of a yearly rate from ``events`` in ``years``;
    make it with ``RateFit.of(events, years)`` (Jeffreys' prior unless given)."""

    events: int
    years: float
    shape: float
    rate_years: float

    @classmethod
    def of(cls, events: int, years: float, prior_events: float = 0.5, prior_years: float = 0.0) -> "RateFit":
        return cls(events, years, *gamma_posterior(events, years, prior_events, prior_years))

    @property
    def mean(self) -> float:
        return self.shape / self.rate_years

    def interval(self, level: float = 0.9) -> tuple[float, float]:
        """Equal-tailed posterior interval of the rate (events per year)."""
        tail = (1 - level) / 2
        scale = 1 / self.rate_years
        return float(gamma.ppf(tail, self.shape, scale=scale)), float(gamma.ppf(1 - tail, self.shape, scale=scale))


def class_probability(hits: int, n: int) -> float:
    """Beta(½, ½) posterior mean of a hit probability: (hits + ½)/(n + 1)."""
    return (hits + 0.5) / (n + 1)


def class_shares(counts: list[int]) -> list[float]:
    """Dirichlet(½) posterior mean of class shares: (n_c + ½)/(k + C/2)."""
    total = sum(counts) + 0.5 * len(counts)
    return [(n + 0.5) / total for n in counts]


def touches(event: RecordEvent, links) -> list:
    """The closures of ``event`` on any of ``links``."""
    return [c for c in event.closures if c.links & set(links)]


@dataclass(frozen=True)
class HazardFit:
    """What the record says about one hazard."""

    hazard: str
    rate: RateFit
    class_counts: tuple[int, ...]
    class_shares: tuple[float, ...]
    probabilities: tuple[tuple[float, ...], ...]  # [member][class]
    hits: tuple[tuple[int, ...], ...]  # [member][class]
    durations_h: tuple[tuple[float, ...], ...]  # [member] recorded durations
    month_weights: tuple[float, ...]


def fit_hazard(record: ClosureRecord, hazard: Hazard) -> HazardFit:
    """Fit ``hazard``'s rate, classes, probabilities, season and durations to its events in
    ``record`` (see the module docstring). Without classes there is one class, and the hit
    probability is the plain share (every event of a one-asset hazard hits it). A pooled
    hazard takes its rate, season and durations from the events of the whole pool."""
    events = record.hazard_events(hazard.id)
    pool = record.pool_of(hazard.id)
    pooled = [e for h in pool for e in record.hazard_events(h)]
    classes = hazard.classes or ("all",)
    of_class = [[e for e in events if (e.intensity if hazard.classes else "all") == c] for c in classes]
    counts = [len(group) for group in of_class]
    hits = tuple(tuple(sum(1 for e in group if touches(e, m.links)) for group in of_class) for m in hazard.members)
    if hazard.classes:
        probabilities = tuple(tuple(class_probability(h, n) for h, n in zip(row, counts)) for row in hits)
    else:
        probabilities = tuple(tuple(h / n if n else 1.0 for h, n in zip(row, counts)) for row in hits)
    if len(pool) > 1:
        durations = tuple(tuple(sorted(c.duration_h for e in pooled for c in e.closures)) for _ in hazard.members)
    else:
        durations = tuple(tuple(sorted(c.duration_h for e in events for c in touches(e, m.links))) for m in hazard.members)
    season = [w > 0 for w in hazard.month_weights]
    raw = [(sum(1 for e in pooled if e.month == m + 1) + 0.5) if season[m] else 0.0 for m in range(12)]
    total = sum(raw)
    return HazardFit(hazard.id, RateFit.of(len(pooled), record.years * len(pool)), tuple(counts),
                     tuple(class_shares(counts)), probabilities, hits, durations, tuple(w / total for w in raw))
