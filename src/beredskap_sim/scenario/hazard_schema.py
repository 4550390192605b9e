"""Stochastic hazards, duration distributions and repair crews, as written in files.

Used by both the network file (default hazards and crews of a network) and the scenario file.

A **hazard** produces events at ``rate_per_year`` with a seasonal profile (``months`` it can
occur in, or twelve ``monthly_weights``). Each event hits the members of its ``footprint``,
each with its own probability — one storm may close rail and road together. A hit applies the
member's effect (default: the hazard's) for a duration drawn from the member's distribution
(default: the hazard's). With ``repair``, the drawn duration is the repair *work*: it starts
only when a crew from the named pool has arrived.

**Weather with intensity.** A hazard may declare ``intensity`` classes (e.g. strong, severe,
extreme) with their shares of events. Each event draws one class; a member's ``probability``
and ``duration`` may then be given per class. Members are independent *given* the class, so
assets that are both likely to close in severe weather close together more often than
independence says: P(A and B) = Σ_c π_c p_A(c) p_B(c) ≥ P(A)·P(B) when p_A and p_B rise
together with the intensity (Chebyshev's sum inequality).

**Fitted rates.** ``rate_posterior`` states the Gamma posterior a rate was fitted as
(``events`` recorded in ``years`` with a Gamma(``prior_events``, ``prior_years``) prior); the
rate must be its mean. With the scenario's ``hazard_rate_uncertainty: true`` each replication
draws its own rate from it (second-order Monte Carlo).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .fields import Duration, Sources, Strict


class EffectSpec(Strict):
    """A partial effect; any combination of the fields may be given."""

    capacity_factor: float | None = Field(default=None, ge=0, le=1, description="Multiplies link capacity.")
    speed_factor: float | None = Field(default=None, gt=0, le=1, description="Multiplies link speed.")
    customs_delay: Duration | None = Field(default=None, description="Added to customs time at a border.")
    demand_factor: float | None = Field(default=None, gt=0, description="Multiplies a power area's demand (cold spell).")
    food_demand_factor: float | None = Field(
        default=None, gt=0, description="Multiplies the food demand of food municipalities (a hoarding surge, e.g. 1.5).")

    @model_validator(mode="after")
    def _something(self) -> "EffectSpec":
        if all(getattr(self, f) is None for f in ("capacity_factor", "speed_factor", "customs_delay", "demand_factor",
                                                   "food_demand_factor")):
            raise ValueError(
                "the effect changes nothing, expected 'close' or one of capacity_factor, speed_factor, customs_delay, demand_factor, "
                "food_demand_factor"
            )
        return self


Effect = Literal["close"] | EffectSpec


class DistributionSpec(Strict):
    """A duration distribution (hours).

    * ``fixed``: ``value``;
    * ``exponential``: ``mean``;
    * ``lognormal``: ``median`` and ``sigma`` (of the log), optionally capped at ``max``;
    * ``empirical``: one of ``values`` drawn with ``weights`` (default equal).
    """

    distribution: Literal["fixed", "exponential", "lognormal", "empirical"]
    value: Duration | None = None
    mean: Duration | None = None
    median: Duration | None = None
    sigma: float | None = Field(default=None, gt=0)
    max: Duration | None = None
    values: list[Duration] | None = None
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _parameters(self) -> "DistributionSpec":
        need = {"fixed": ["value"], "exponential": ["mean"], "lognormal": ["median", "sigma"], "empirical": ["values"]}
        missing = [name for name in need[self.distribution] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"{self.distribution} distribution lacks {', '.join(missing)}, expected {', '.join(need[self.distribution])}")
        if self.distribution == "empirical":
            if not self.values:
                raise ValueError("empirical distribution has no values, expected at least one")
            if self.weights is not None and (len(self.weights) != len(self.values) or min(self.weights) < 0 or sum(self.weights) <= 0):
                raise ValueError("weights do not match values, expected one non-negative weight per value")
        return self


DurationLaw = Duration | DistributionSpec


class StageSpec(Strict):
    """A staged reopening: once ``at`` (a share of the repair work) is done, the closure is
    replaced by ``effect`` (e.g. ``{speed_factor: 0.4}``) until the next stage or the end."""

    at: float = Field(gt=0, lt=1, description="Share of the work done when this stage starts (0–1).")
    effect: EffectSpec


class RepairSpec(Strict):
    """The closure lasts until a crew of pool ``crew`` has arrived and done the work."""

    crew: str = Field(description="Crew pool id.")
    priority: int = Field(default=0, description="Lower numbers are served first when crews are short.")
    stages: list[StageSpec] = Field(default_factory=list, description="Reopen in stages before the work is done.")

    @model_validator(mode="after")
    def _ordered(self) -> "RepairSpec":
        shares = [stage.at for stage in self.stages]
        if shares != sorted(set(shares)):
            raise ValueError(f"stages at {shares} are not increasing, expected each stage later than the one before")
        return self


class IntensitySpec(Strict):
    """The intensity classes of a weather hazard and their shares of events."""

    classes: list[str] = Field(min_length=1, description="Class names, mildest first.")
    weights: list[float] = Field(description="Relative share of events in each class.")

    @model_validator(mode="after")
    def _match(self) -> "IntensitySpec":
        if len(set(self.classes)) != len(self.classes):
            raise ValueError(f"classes {self.classes} repeat a name, expected distinct names")
        if len(self.weights) != len(self.classes) or min(self.weights) < 0 or sum(self.weights) <= 0:
            raise ValueError("weights do not match classes, expected one non-negative weight per class")
        return self


def gamma_posterior(events: int, years: float, prior_events: float = 0.5, prior_years: float = 0.0) -> tuple[float, float]:
    """(shape, rate in years) of the Gamma posterior of a Poisson rate after ``events`` in
    ``years`` with a Gamma(prior_events, prior_years) prior: (a₀ + k, b₀ + T)."""
    return prior_events + events, prior_years + years


class RatePosteriorSpec(Strict):
    """Gamma(prior_events + events, prior_years + years) posterior of a yearly rate."""

    events: int = Field(ge=0, description="Events in the record.")
    years: float = Field(gt=0, description="Years the record covers.")
    prior_events: float = Field(default=0.5, gt=0, description="Prior shape (0.5: Jeffreys).")
    prior_years: float = Field(default=0.0, ge=0, description="Prior rate in years.")

    @property
    def shape(self) -> float:
        return gamma_posterior(self.events, self.years, self.prior_events, self.prior_years)[0]

    @property
    def rate_years(self) -> float:
        return gamma_posterior(self.events, self.years, self.prior_events, self.prior_years)[1]


class FootprintSpec(Strict):
    """One asset (or group) a hazard event may hit."""

    target: str | list[str]
    probability: float | dict[str, float] = Field(default=1.0, description="Hit probability, or one per intensity class.")
    duration: DurationLaw | dict[str, DurationLaw] | None = None
    effect: Effect | None = None
    exempt: list[str] = Field(default_factory=list)
    repair: RepairSpec | None = None

    @model_validator(mode="after")
    def _probabilities(self) -> "FootprintSpec":
        values = self.probability.values() if isinstance(self.probability, dict) else [self.probability]
        if any(not 0 <= p <= 1 for p in values):
            raise ValueError(f"probability {self.probability} is not in 0–1, expected probabilities between 0 and 1")
        return self


class HazardSpec(Strict):
    """A source of random disruptions (see module docstring)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    rate_per_year: float = Field(ge=0, description="Mean number of events per year.")
    rate_posterior: RatePosteriorSpec | None = Field(default=None, description="The fit behind rate_per_year.")
    intensity: IntensitySpec | None = Field(default=None, description="Intensity classes of a weather hazard.")
    months: list[int] | None = Field(default=None, description="Months (1–12) in which events occur, equally likely.")
    monthly_weights: list[float] | None = Field(default=None, description="Twelve relative weights, January first.")
    duration: DurationLaw
    effect: Effect = "close"
    exempt: list[str] = Field(default_factory=list)
    repair: RepairSpec | None = None
    footprint: list[FootprintSpec] = Field(min_length=1)
    sources: Sources

    @model_validator(mode="after")
    def _season(self) -> "HazardSpec":
        if self.months is not None and self.monthly_weights is not None:
            raise ValueError("both months and monthly_weights are given, expected one of them")
        if self.months is not None and (not self.months or any(m < 1 or m > 12 for m in self.months)):
            raise ValueError(f"months {self.months} are not all in 1–12, expected month numbers 1 to 12")
        if self.monthly_weights is not None and (
            len(self.monthly_weights) != 12 or min(self.monthly_weights) < 0 or sum(self.monthly_weights) <= 0
        ):
            raise ValueError("monthly_weights must be twelve non-negative numbers, expected a weight for each month")
        post = self.rate_posterior
        if post is not None and abs(post.shape / post.rate_years - self.rate_per_year) > 0.01 * max(self.rate_per_year, 0.01):
            raise ValueError(f"rate_per_year {self.rate_per_year} is not the posterior mean "
                             f"({post.shape:g}/{post.rate_years:g} = {post.shape / post.rate_years:.3g}), expected them to agree")
        classes = set(self.intensity.classes) if self.intensity else set()
        for j, member in enumerate(self.footprint):
            for name, value in (("probability", member.probability), ("duration", member.duration)):
                if isinstance(value, dict) and set(value) != classes:
                    raise ValueError(f"footprint[{j}].{name} is given for classes {sorted(value)}, "
                                     f"expected exactly the intensity classes {sorted(classes) or '(none declared)'}")
        return self

    def month_weights(self) -> list[float]:
        """Share of the yearly rate that falls in each month (sums to 1)."""
        if self.monthly_weights is not None:
            total = sum(self.monthly_weights)
            return [w / total for w in self.monthly_weights]
        months = set(self.months or range(1, 13))
        return [1 / len(months) if m in months else 0.0 for m in range(1, 13)]


class MutualAidSpec(Strict):
    """These crews may take a job of pool ``crew`` that has waited ``after`` for its own crews,
    on the links and nodes named in ``where`` (anywhere when empty)."""

    crew: str = Field(description="The pool helped.")
    after: Duration = Field(default=0.0, description="Waiting time of the job before help may be sent.")
    where: list[str] = Field(default_factory=list, description="Links, nodes or groups where help may be sent (empty: anywhere).")


class CrewSpec(Strict):
    """A pool of repair crews (a SimPy PriorityResource of ``size``)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    size: int = Field(ge=1, description="Crews that can work at the same time.")
    travel: Duration = Field(default=0.0, description="Time from assignment to arrival at the site; with `base`, "
                             "the mobilisation time before the crew sets off.")
    base: str | None = Field(default=None, description="Node the crews start from; they travel over the network as it is.")
    modes: list[Literal["road", "rail", "ferry"]] = Field(default_factory=lambda: ["road"], description="Modes the crews travel by.")
    country: str | None = Field(default=None, description="Country of the crews (for mutual-aid rules).")
    helps: list[MutualAidSpec] = Field(default_factory=list, description="Pools whose jobs these crews may take.")
    sources: Sources
