"""The typed, cross-checked scenario the model runs: times in hours, ids as indices.

Everything here is plain data (picklable, small) so a scenario can travel to worker
processes or a Dask cluster; it knows nothing of SimPy or of files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field

from ..network.graph import Network
from ..network.state import Effect
from .network_schema import NetworkSpec
from .schema import ScenarioSpec


MIN_DEFAULT_SLOT_H = 1.0
MAX_DEFAULT_SLOT_H = 24.0


def default_slot_h(tonnes_per_day: float, vehicle_payload_t: float) -> float:
    """Release interval of a flow without ``slot``: one vehicle load per consignment,
    ``24 × payload / tonnes_per_day`` hours, clamped to 1–24 h.

    A consignment is then what leaves a terminal together — one truck of a 150 t/day road flow
    every 2.5 h rather than 0.4 of a truck every hour. The clamp keeps a small flow visible
    within a day (one part-load a day) and batches a large one into an hour's vehicles, so the
    event count stays proportional to hours, not to trucks. Results do not depend on the slicing
    (per-vehicle customs and entry spread; README "Slicing").
    """
    return min(max(24.0 * vehicle_payload_t / tonnes_per_day, MIN_DEFAULT_SLOT_H), MAX_DEFAULT_SLOT_H)


@dataclass(frozen=True)
class FreightDemand:
    """A steady OD flow: ``tonnes_per_day`` released as one consignment every ``slot_h`` hours."""

    id: str
    origin: int
    dest: int
    commodity: str
    tonnes_per_day: float
    modes: tuple[str, ...]
    deadline_h: float
    slot_h: float
    start_h: float = 0.0
    end_h: float = float("inf")
    poisson: bool = False
    electric: bool = False
    priority: int = 0
    limits: tuple[float, float] = (0.0, 0.0)  # (axle load t, gross weight t) of its vehicles; 0: not stated
    movement: int = -1  # index of the military movement whose reserved capacity it uses, or -1

    @property
    def consignment_t(self) -> float:
        """Tonnes per consignment."""
        return self.tonnes_per_day * self.slot_h / 24.0


@dataclass(frozen=True)
class DurationLaw:
    """A duration distribution in hours: ``kind`` is fixed | exponential | lognormal | empirical.

    ``params``: fixed (value,), exponential (mean,), lognormal (median, sigma, max or inf),
    empirical (values tuple, weights tuple).
    """

    kind: str
    params: tuple

    def mean_h(self) -> float:
        """Expected value in hours (for the lognormal without a cap: median·exp(σ²/2))."""
        if self.kind in ("fixed", "exponential"):
            return float(self.params[0])
        if self.kind == "lognormal":
            median, sigma, _ = self.params
            return median * math.exp(sigma * sigma / 2)
        values, weights = self.params
        return sum(v * w for v, w in zip(values, weights)) / sum(weights)


@dataclass(frozen=True)
class Repair:
    """Repair by a crew of pool ``crew``; lower ``priority`` is served first.

    ``stages``: ``(share of work done, effect from then on)`` in increasing order — the
    closure is replaced by a lighter effect (reduced speed or capacity) before the end.
    """

    crew: str
    priority: int = 0
    stages: tuple[tuple[float, Effect], ...] = ()


@dataclass(frozen=True)
class Crew:
    """``size`` crews that need ``travel_h`` hours to reach a site.

    With a ``base`` (node index) ``travel_h`` is the mobilisation time, after which the crew
    travels over the network by ``modes`` as it is (``network/travel.py``). ``helps``:
    ``(pool id, hours, link indices, node indices)`` — jobs of that pool waiting this long, on
    those links or nodes (both empty: anywhere), may be taken by these crews.
    """

    id: str
    size: int
    travel_h: float
    base: int | None = None
    modes: tuple[str, ...] = ("road",)
    country: str | None = None
    helps: tuple[tuple[str, float, frozenset, frozenset], ...] = ()


@dataclass(frozen=True)
class HazardMember:
    """One footprint entry of a hazard, resolved."""

    targets: tuple[str, ...]
    links: tuple[int, ...]
    nodes: tuple[int, ...]
    probability: float
    duration: DurationLaw
    effect: Effect
    repair: Repair | None
    power: tuple[str, ...] = ()
    class_probability: tuple[float, ...] = ()  # per intensity class of the hazard (empty: none)
    class_duration: tuple[DurationLaw, ...] = ()


@dataclass(frozen=True)
class Hazard:
    """Random events at ``rate_per_year`` spread over months by ``month_weights`` (sum 1).

    ``classes``/``class_weights`` (sum 1): the intensity classes of a weather hazard.
    ``rate_shape``/``rate_years``: the Gamma posterior of the rate (0: none given).
    """

    id: str
    description: str
    rate_per_year: float
    month_weights: tuple[float, ...]
    members: tuple[HazardMember, ...]
    classes: tuple[str, ...] = ()
    class_weights: tuple[float, ...] = ()
    rate_shape: float = 0.0
    rate_years: float = 0.0


@dataclass(frozen=True)
class Disruption:
    """An effect on some links and nodes from ``start_h`` for ``duration_h`` hours."""

    id: str
    description: str
    targets: tuple[str, ...]
    links: tuple[int, ...]
    nodes: tuple[int, ...]
    start_h: float
    duration_h: float
    effect: Effect
    repair: Repair | None = None
    cause: str = ""
    power: tuple[str, ...] = ()  # power assets hit: area ids, "<area>:<generation type>", interconnector and load ids
    announced: bool = True  # the expected end is made known when the disruption starts (or a crew is assigned)

    @property
    def end_h(self) -> float:
        return self.start_h + self.duration_h


@dataclass
class Scenario:
    """A loaded scenario: its spec, its compiled network and the resolved inputs of the model."""

    spec: ScenarioSpec
    network_spec: NetworkSpec
    network: Network
    source_file: str
    network_file: str
    demands: list[FreightDemand]
    disruptions: list[Disruption]
    hazards: list[Hazard] = field(default_factory=list)
    crews: dict[str, Crew] = field(default_factory=dict)
    raw: dict = field(repr=False, default_factory=dict)
    network_raw: dict = field(repr=False, default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    movements: list = field(default_factory=list)  # scenario.movements.Movement: reserved capacity windows
    appraisal: object = None  # the resolved appraisal ``Conventions`` (``scenario.appraisal``), None without a section
    care: object = None  # a ``care_plan.CarePlan`` when the scenario asks about emergency care
    stratification: object = field(default=None, repr=False)
    """A ``model.strata.StratumPlan`` when rare hazards are stratified (set by the experiment
    layer for a run, never by a file); None for plain Monte Carlo."""

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def start(self) -> dt.datetime:
        return self.spec.start

    @property
    def horizon_h(self) -> float:
        return self.spec.horizon

    @property
    def record_step_h(self) -> float:
        return self.spec.record_step

    @property
    def commodities(self) -> list[str]:
        """Freight commodity names: the flows', then food groups and backup fuel where those systems ship."""
        names = [d.commodity for d in self.demands]
        if self.spec.food is not None:
            names += list(self.spec.food.groups)
        power = self.network_spec.power
        if self.spec.power and power is not None and any(load.backup for load in power.critical_loads):
            names.append("fuel")
        return list(dict.fromkeys(names))

    @property
    def power_enabled(self) -> bool:
        return self.spec.power and self.network_spec.power is not None

    def digest(self) -> str:
        """SHA-256 of the scenario and network content (not of file names, paths or formatting)."""
        scenario = {k: v for k, v in self.raw.items() if k != "network"}
        blob = json.dumps({"scenario": scenario, "network": self.network_raw}, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()
