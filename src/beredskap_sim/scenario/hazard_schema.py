"""Stochastic hazards, duration distributions and repair crews, as written in files.

Used by both the network file (default hazards and crews of a network) and the scenario file.

A **hazard** produces events at ``rate_per_year`` with a seasonal profile (``months`` it can
occur in, or twelve ``monthly_weights``). Each event hits the members of its ``footprint``,
each with its own probability — one storm may close rail and road together. A hit applies the
member's effect (default: the hazard's) for a duration drawn from the member's distribution
(default: the hazard's). With ``repair``, the drawn duration is the repair *work*: it starts
only when a crew from the named pool has arrived.
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

    @model_validator(mode="after")
    def _something(self) -> "EffectSpec":
        if all(getattr(self, f) is None for f in ("capacity_factor", "speed_factor", "customs_delay", "demand_factor")):
            raise ValueError(
                "the effect changes nothing, expected 'close' or one of capacity_factor, speed_factor, customs_delay, demand_factor"
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


class RepairSpec(Strict):
    """The closure lasts until a crew of pool ``crew`` has arrived and done the work."""

    crew: str = Field(description="Crew pool id.")
    priority: int = Field(default=0, description="Lower numbers are served first when crews are short.")


class FootprintSpec(Strict):
    """One asset (or group) a hazard event may hit."""

    target: str | list[str]
    probability: float = Field(default=1.0, ge=0, le=1)
    duration: DurationLaw | None = None
    effect: Effect | None = None
    exempt: list[str] = Field(default_factory=list)
    repair: RepairSpec | None = None


class HazardSpec(Strict):
    """A source of random disruptions (see module docstring)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    rate_per_year: float = Field(ge=0, description="Mean number of events per year.")
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
        return self

    def month_weights(self) -> list[float]:
        """Share of the yearly rate that falls in each month (sums to 1)."""
        if self.monthly_weights is not None:
            total = sum(self.monthly_weights)
            return [w / total for w in self.monthly_weights]
        months = set(self.months or range(1, 13))
        return [1 / len(months) if m in months else 0.0 for m in range(1, 13)]


class CrewSpec(Strict):
    """A pool of repair crews (a SimPy PriorityResource of ``size``)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    size: int = Field(ge=1, description="Crews that can work at the same time.")
    travel: Duration = Field(default=0.0, description="Time from assignment to arrival at the site.")
    sources: Sources
