"""File formats of the supply systems: food, power, passengers, and the dependencies between them.

* ``power`` lives in the **network** file (infrastructure): areas, interconnectors, critical
  loads with backup generators, and the dependencies of rail links and cold stores on power.
* ``food`` and ``passengers`` live in the **scenario** file (stocks, consumption, timetables).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .fields import Duration, Instant, Sources, Strict


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


# ------------------------------------------------------------------------------- power
class GeneratorSpec(Strict):
    """Generation of one type in an area: capacity (MW) apart from energy (MWh).

    In hour h it can give ``capacity_mw × availability × profile[h]`` MW (times any active
    ``capacity_factor`` on ``AREA:TYPE``). A generator with ``energy_mwh`` is a **reservoir**:
    it also cannot give more than its stored energy above ``reserve_mwh``; each hour it gains
    ``inflow_mw`` MWh and loses what it produced. A ``capacity_factor`` on ``AREA:TYPE:energy``
    scales the start content and the inflow (a dry year lowers energy, not MW).
    """

    type: str = Field(description="hydro, wind, thermal, ...")
    capacity_mw: float = Field(ge=0, description="Installed capacity, MW.")
    availability: float = Field(default=1.0, ge=0, le=1, description="Share of capacity available on average (for wind: the mean capacity factor).")
    profile: list[float] | None = Field(default=None, description="Factors on the capacity for consecutive `profile_step` periods from the scenario start, repeated (e.g. a wind series).")
    profile_step: Duration = Field(default=24.0, gt=0, description="Length of one profile period.")
    energy_mwh: float | None = Field(default=None, ge=0, description="Reservoir: energy stored at the scenario start, MWh (none: no energy limit unless reservoir_mwh is given).")
    reservoir_mwh: float | None = Field(default=None, gt=0, description="Reservoir: capacity, MWh; content above it spills.")
    filling_by_month: list[float] | None = Field(
        default=None, min_length=12, max_length=12,
        description="Reservoir: typical filling (share of reservoir_mwh) at the start of each month, January first; gives the start content when energy_mwh is not set.",
    )
    inflow_mw: float = Field(default=0.0, ge=0, description="Reservoir: inflow as mean power, MW (MWh per hour).")
    inflow_by_month: list[float] | None = Field(
        default=None, min_length=12, max_length=12, description="Reservoir: inflow of each month as mean power, MW (replaces inflow_mw)."
    )
    reserve_mwh: float = Field(default=0.0, ge=0, description="Reservoir: energy held back (not dispatched), MWh.")

    @property
    def is_reservoir(self) -> bool:
        return self.energy_mwh is not None or self.reservoir_mwh is not None

    @model_validator(mode="after")
    def _profile(self) -> "GeneratorSpec":
        if self.profile is not None and (not self.profile or min(self.profile) < 0):
            raise ValueError("profile is empty or has a negative factor, expected a list of factors ≥ 0")
        if self.energy_mwh is None and self.reservoir_mwh is not None and self.filling_by_month is None:
            raise ValueError("reservoir_mwh without energy_mwh or filling_by_month, expected one of them for the start content")
        if self.filling_by_month is not None and (self.reservoir_mwh is None or not all(0 <= f <= 1 for f in self.filling_by_month)):
            raise ValueError("filling_by_month needs reservoir_mwh and shares between 0 and 1, expected both")
        return self


class DemandProfileSpec(Strict):
    """Hourly demand: ``mean_mw × (1 + seasonal·cos(2π(day−15)/365)) × (1 + daily·shape(hour))``.

    ``seasonal`` is the relative winter swing (peak in mid-January); ``daily`` the relative
    swing between night and the day plateau (07–20 h).
    """

    mean_mw: float = Field(gt=0)
    seasonal: float = Field(default=0.0, ge=0, lt=1)
    daily: float = Field(default=0.0, ge=0, lt=1)


class PowerAreaSpec(Strict):
    """A bidding area. ``external`` areas only export, up to ``export_mw`` (their own balance is not modelled)."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    name: str = ""
    external: bool = False
    export_mw: float | None = Field(default=None, ge=0, description="External areas: what they can send in total.")
    demand: DemandProfileSpec | None = None
    generation: list[GeneratorSpec] = Field(default_factory=list)
    sources: Sources

    @model_validator(mode="after")
    def _kind(self) -> "PowerAreaSpec":
        if self.external and self.export_mw is None:
            raise ValueError(f"external area {self.id!r} has no export_mw, expected the MW it can export")
        if not self.external and self.demand is None:
            raise ValueError(f"area {self.id!r} has no demand, expected a demand profile")
        return self


class InterconnectorSpec(Strict):
    """A transmission corridor between two areas with a limit in each direction (MW)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = ""
    from_: str = Field(alias="from")
    to: str
    capacity_mw: float = Field(ge=0, description="from → to")
    reverse_capacity_mw: float = Field(ge=0, description="to → from")
    sources: Sources


class BackupSpec(Strict):
    """A backup generator with a fuel tank refilled by road freight from ``depot``."""

    mw: float = Field(gt=0)
    fuel_l_per_mwh: float = Field(gt=0, description="Diesel burnt per MWh, litres.")
    tank_l: float = Field(gt=0)
    initial_l: float | None = Field(default=None, ge=0, description="Default: a full tank.")
    reorder_l: float = Field(ge=0, description="Order fuel when the tank (plus what is on its way) is below this.")
    depot: str = Field(description="Node the fuel comes from.")
    modes: list[Literal["road", "rail"]] = Field(default_factory=lambda: ["road"])
    deadline: Duration = Field(default=48.0)


class CriticalLoadSpec(Strict):
    """A load served before the general load of its area (lower ``priority`` first)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = ""
    area: str
    node: str = Field(description="Network node where the load is.")
    mw: float = Field(gt=0)
    priority: int = Field(default=1, ge=1, description="1 = most critical.")
    kind: Literal["hospital", "water", "telecom", "rail-feeding", "cold-store", "other"] = "other"
    backup: BackupSpec | None = None
    grid: str | None = Field(default=None, description="Local grid that feeds it: a storm on that grid cuts it until its line is repaired.")
    sources: Sources


class DependencySpec(Strict):
    """A declared dependency that turns one failure into another.

    * ``rail-power``: the electrified rail ``links`` need critical load ``load`` powered; trains
      with electric traction cannot use them otherwise (diesel and bimodal trains can).
    * ``cold-chain``: chilled food at ``municipality`` needs power from ``area`` (via its general
      load: when the area sheds a share s of it, cold stores are without power a share s of the time).
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    kind: Literal["rail-power", "cold-chain"]
    load: str | None = None
    links: list[str] = Field(default_factory=list, description="Link ids or group names.")
    municipality: str | None = None
    area: str | None = None
    note: str = ""

    @model_validator(mode="after")
    def _fields(self) -> "DependencySpec":
        if self.kind == "rail-power" and (self.load is None or not self.links):
            raise ValueError(f"rail-power dependency {self.id!r} needs load and links, expected both")
        if self.kind == "cold-chain" and (self.municipality is None or self.area is None):
            raise ValueError(f"cold-chain dependency {self.id!r} needs municipality and area, expected both")
        return self


class GridCrewSpec(Strict):
    """The grid company's repair crews for one local grid."""

    size: int = Field(ge=1, description="Crews that can work at once.")
    travel: Duration = Field(ge=0, description="Time from the municipality's road network to a fault (the last stretch), "
                                               "added to every fault's repair.")
    repair: Duration = Field(gt=0, description="Work at one fault once the crew is there.")
    base: str | None = Field(default=None, description="Node the crews set out from (the grid company's depot). Given: "
                             "a crew first drives from it to the grid's node on the open roads as they are at the "
                             "storm's end, and waits while no road leads there. Left out: the crews are local.")


class CustomerGroupSpec(Strict):
    """Customers of one kind on a local grid and their mean winter load."""

    customers: int = Field(ge=0)
    kw: float = Field(ge=0, description="Mean load per customer in winter, kW.")


class DistributionGridSpec(Strict):
    """The local (distribution) grid of a municipality.

    A storm — a disruption whose target is this grid's id — puts ``fragility`` of its customers
    out at the storm's start, in faults of ``customers_per_fault`` customers (every group in
    proportion). Crews start when the storm is over and take one fault at a time: travel, then
    repair. Critical loads of the area with ``grid:`` this id are fed
    through it: the storm cuts them too, and their lines are repaired first.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    node: str = Field(description="Municipality node of the grid.")
    area: str = Field(description="Power area the grid hangs from.")
    households: CustomerGroupSpec
    businesses: CustomerGroupSpec
    critical: CustomerGroupSpec = Field(description="Critical customers (care homes, pumps, base stations ...) not listed as critical loads.")
    fragility: float = Field(ge=0, le=1, description="Share of customers a storm puts out.")
    customers_per_fault: int = Field(gt=0, description="Customers behind one fault (a feeder section).")
    crews: GridCrewSpec
    sources: Sources


class PowerSpec(Strict):
    """The power system of a network."""

    areas: list[PowerAreaSpec] = Field(min_length=1)
    interconnectors: list[InterconnectorSpec] = Field(default_factory=list)
    critical_loads: list[CriticalLoadSpec] = Field(default_factory=list)
    dependencies: list[DependencySpec] = Field(default_factory=list)
    distribution: list[DistributionGridSpec] = Field(default_factory=list, description="Local grids per municipality.")


# -------------------------------------------------------------------------------- food
class MunicipalityFoodSpec(Strict):
    """Food at one municipality node: stock, replenishment from warehouse nodes in order of preference."""

    node: str
    stock_days: float = Field(ge=0, description="Household + retail stock at the start, days of consumption.")
    supply_from: str = Field(description="Warehouse (distribution centre) node that replenishes it by preference.")
    alternatives: list[str] = Field(
        default_factory=list,
        description="Further warehouse nodes in order of preference, used when the ones before have no open route or no stock.",
    )
    order_times: list[str] = Field(
        default_factory=list,
        description="Delivery schedule: times of day HH:MM (on the hour) when the stores order; default every `review`.",
    )
    extra_population_by_month: list[float] | None = Field(
        default=None, min_length=12, max_length=12,
        description="Tourists and holiday-home visitors present on an average day of each month (January first), persons.",
    )
    reorder_days: float = Field(ge=0, description="Order when stock plus what is on its way falls below this.")
    order_up_to_days: float = Field(gt=0, description="Order enough to bring stock plus on-order up to this.")
    modes: list[Literal["road", "rail", "ferry"]] = Field(default_factory=lambda: ["road"])
    deadline: Duration = Field(default=72.0, description="An order not delivered by then is lost (and re-ordered).")
    sources: Sources

    @model_validator(mode="after")
    def _levels(self) -> "MunicipalityFoodSpec":
        if self.order_up_to_days <= self.reorder_days:
            raise ValueError(
                f"order_up_to_days {self.order_up_to_days} is not above reorder_days {self.reorder_days}, expected a larger order-up-to level"
            )
        return self


class WarehouseOutageSpec(Strict):
    """A warehouse or production area out of action for a while: an import stop, a fire at a
    distribution centre, disease in a production area, or lost inputs (imported feed).

    While it lasts the warehouse ships nothing (unless ``ships``) and produces
    ``production_factor`` × its ``production_t_per_day``.
    """

    start: Instant
    duration: Duration = Field(gt=0)
    ships: bool = Field(default=False, description="Whether it still ships from its stock.")
    production_factor: float = Field(default=0.0, ge=0, le=1)


class WarehouseSpec(Strict):
    """A warehouse (distribution centre), production area or national stock.

    ``stock_t: null`` means unlimited (national supply). A warehouse with a finite stock and
    ``supply_from`` is replenished by freight: when its stock plus what is on its way falls
    below ``reorder_t`` it orders up to ``order_up_to_t`` from the first of ``supply_from``
    with an open route and stock, split over the food groups by their shares.
    """

    node: str
    stock_t: float | None = Field(default=None, ge=0)
    production_t_per_day: float = Field(default=0.0, ge=0)
    production_municipalities: list[str] = Field(
        default_factory=list, description="Municipalities whose production comes here: adds Σ their shares × the "
        "county total of food.production (t/day). Use instead of production_t_per_day.")
    supply_from: list[str] = Field(default_factory=list, description="Upstream warehouses in order of preference.")
    groups: list[str] | None = Field(default=None, description="Food groups it can supply (default: all), e.g. [dry] for a grain stock.")
    outages: list[WarehouseOutageSpec] = Field(default_factory=list)
    reorder_t: float = Field(default=0.0, ge=0)
    order_up_to_t: float = Field(default=0.0, ge=0)
    modes: list[Literal["road", "rail", "ferry"]] = Field(default_factory=lambda: ["road"])
    deadline: Duration = Field(default=72.0)
    sources: Sources

    @model_validator(mode="after")
    def _replenishment(self) -> "WarehouseSpec":
        if self.supply_from and (self.stock_t is None or self.order_up_to_t <= self.reorder_t):
            raise ValueError("a warehouse with supply_from needs a finite stock_t and order_up_to_t above reorder_t, expected both")
        return self


class FoodProductionSpec(Strict):
    """The county's food production that can be turned to the modelled stores, split over its
    municipalities: a production area with ``production_municipalities`` produces
    ``county_t_per_day × Σ shares`` of them (t/day). So the geography of production is an input:
    "four Innherred municipalities hold 56 % of the county's meat production" is four shares,
    and an overlay that moves shares asks what concentration costs."""

    county_t_per_day: float = Field(gt=0, description="County production available to these stores, t/day.")
    shares: dict[str, float] = Field(min_length=1, description="Municipality name → its share of the county total (0–1).")
    sources: Sources

    @model_validator(mode="after")
    def _shares(self) -> "FoodProductionSpec":
        bad = {m: v for m, v in self.shares.items() if not 0 <= v <= 1}
        if bad:
            raise ValueError(f"shares {bad} out of range, expected each between 0 and 1")
        if sum(self.shares.values()) > 1 + 1e-6:
            raise ValueError(f"shares sum to {sum(self.shares.values()):g}, expected at most 1 (of the county total)")
        return self


class FoodSpec(Strict):
    """Food supply of the scenario."""

    kg_per_person_day: float = Field(gt=0, description="Food consumed per person and day, kg.")
    groups: dict[str, float] = Field(
        default_factory=lambda: {"food": 1.0},
        description="Consumption shares by commodity group, e.g. {chilled: 0.35, dry: 0.65}.",
    )
    chilled: list[str] = Field(default_factory=list, description="Groups that need cold storage.")
    spoil_rate_per_day: float = Field(default=0.0, ge=0, le=1, description="Share of chilled stock lost per day without power.")
    threshold_days: float = Field(default=3.0, gt=0, description="Planner's alarm level of days of supply.")
    review: Duration = Field(default=24.0, gt=0, description="How often stocks are checked for orders.")
    transport_cost_per_tonne_km: float = Field(default=0.0, ge=0, description="Cost of moving a tonne of food one km (for the cost of switching source).")
    municipalities: list[MunicipalityFoodSpec] = Field(min_length=1)
    warehouses: list[WarehouseSpec] = Field(default_factory=list)
    production: FoodProductionSpec | None = Field(default=None, description="The county's production by municipality.")
    sources: Sources

    def production_t_per_day(self, w: WarehouseSpec) -> float:
        """What warehouse ``w`` produces a day (t): its own figure plus its municipalities'
        shares of the county total."""
        if not w.production_municipalities or self.production is None:
            return w.production_t_per_day
        return w.production_t_per_day + self.production.county_t_per_day * sum(
            self.production.shares[m] for m in w.production_municipalities)

    @model_validator(mode="after")
    def _production(self) -> "FoodSpec":
        for w in self.warehouses:
            if not w.production_municipalities:
                continue
            if self.production is None:
                raise ValueError(f"warehouse {w.node!r} has production_municipalities but food has no production, "
                                 "expected food.production with county_t_per_day and shares")
            unknown = [m for m in w.production_municipalities if m not in self.production.shares]
            if unknown:
                raise ValueError(f"warehouse {w.node!r} names municipalities {unknown} without a share, expected names "
                                 f"from food.production.shares ({', '.join(self.production.shares)})")
        return self

    @model_validator(mode="after")
    def _groups(self) -> "FoodSpec":
        total = sum(self.groups.values())
        if abs(total - 1.0) > 1e-6 or min(self.groups.values()) < 0:
            raise ValueError(f"group shares sum to {total:g}, expected non-negative shares that sum to 1")
        unknown = [g for g in self.chilled if g not in self.groups]
        if unknown:
            raise ValueError(f"chilled names unknown groups {unknown}, expected names from groups")
        for w in self.warehouses:
            bad = [g for g in (w.groups or []) if g not in self.groups]
            if bad:
                raise ValueError(f"warehouse {w.node!r} names unknown groups {bad}, expected names from groups")
        return self


# -------------------------------------------------------------------------- passengers
class BusSpec(Strict):
    """Replacement buses for a closed rail service."""

    buses: int = Field(ge=0, description="Buses available per departure.")
    seats: int = Field(gt=0, description="Seats per bus.")
    max_detour_factor: float = Field(
        default=2.0, gt=0, description="Buses run only if the open road takes at most this × the train's time."
    )


class ServiceSpec(Strict):
    """A timetabled passenger rail service between two nodes, in both directions.

    Each departure runs if the rail route is open (and powered, for electric traction);
    otherwise replacement buses run over the road if the road is open; otherwise it is
    cancelled. Passengers left behind wait for the next departure in their direction.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = ""
    from_: str = Field(alias="from")
    to: str
    via: list[str] = Field(default_factory=list, description="Nodes the train must pass, e.g. a change at Storlien.")
    departures: list[str] = Field(min_length=1, description="Times of day HH:MM, the same in both directions.")
    passengers_per_departure: float = Field(ge=0)
    seats: int = Field(gt=0)
    traction: Literal["diesel", "electric", "bimodal"] = "diesel"
    bus: BusSpec | None = None
    max_wait: Duration = Field(default=24.0, gt=0, description="Passengers waiting longer than this give up their trip.")
    commodity: str = Field(default="passengers", description="Name used for border exemptions.")
    departures_on: dict[Weekday, list[str]] = Field(
        default_factory=dict,
        description="Timetables of particular weekdays (mon … sun) that differ from `departures`; [] = no service that day.",
    )
    sources: Sources


class CommuterSpec(Strict):
    """Commuters between two nodes by any allowed mode (cars, no capacity limit).

    ``pattern: daily`` — ``per_day`` commuters go out at ``out_at`` and back at ``back_at`` on
    every working day (every day unless ``weekdays_only``).
    ``pattern: weekly`` — ``persons`` live at ``from`` and work at ``to`` from ``out_day`` to
    ``back_day``: out on ``out_day`` at ``out_at`` (whoever finds no route tries again at
    ``out_at`` each following working day up to ``back_day``), home on ``back_day`` at
    ``back_at`` (whoever finds no route stays at work and is there the next week).

    ``critical_share`` of the commuters are staff of critical services (health and care); they
    travel under ``critical_commodity``, so a border closure can exempt them alone.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    from_: str = Field(alias="from")
    to: str
    pattern: Literal["daily", "weekly"] = Field(default="daily", description="daily: out and back every working day; weekly: out on out_day, back on back_day.")
    per_day: float | None = Field(default=None, ge=0, description="Daily pattern: commuters each way per working day.")
    persons: float | None = Field(default=None, ge=0, description="Weekly pattern: persons who commute weekly.")
    out_at: str = Field(default="07:00")
    back_at: str = Field(default="16:00")
    out_day: Weekday = Field(default="mon", description="Weekly pattern: day of the trip to work.")
    back_day: Weekday = Field(default="fri", description="Weekly pattern: day of the trip home.")
    modes: list[Literal["road", "rail"]] = Field(default_factory=lambda: ["road"])
    weekdays_only: bool = True
    commodity: str = Field(default="commuters", description="Name used for border exemptions.")
    critical_share: float = Field(default=0.0, ge=0, le=1, description="Share of the commuters who are staff of critical services (health and care).")
    critical_commodity: str = Field(default="critical-staff", description="Name under which the critical staff pass border closures.")
    sources: Sources

    @model_validator(mode="after")
    def _count_of_its_pattern(self) -> "CommuterSpec":
        if self.pattern == "daily" and (self.per_day is None or self.persons is not None):
            raise ValueError("a daily commuter flow needs per_day (commuters each way per working day) and no persons")
        if self.pattern == "weekly":
            if self.persons is None or self.per_day is not None:
                raise ValueError("a weekly commuter flow needs persons (who commute weekly) and no per_day")
            if WEEKDAYS.index(self.back_day) <= WEEKDAYS.index(self.out_day):
                raise ValueError(f"back_day {self.back_day!r} must come after out_day {self.out_day!r} in the week (mon … sun)")
        return self

    @property
    def count(self) -> float:
        """Persons per trip: ``per_day`` (daily) or ``persons`` (weekly)."""
        return float(self.per_day if self.pattern == "daily" else self.persons)


class PassengerSpec(Strict):
    services: list[ServiceSpec] = Field(default_factory=list)
    commuters: list[CommuterSpec] = Field(default_factory=list)


# ------------------------------------------------------------------------------ values
class ValuesSpec(Strict):
    """Unit values that turn losses into money, and weights for the weighted performance.

    Amounts are in ``currency`` (NOK or SEK); ``sek_per_nok`` converts SEK amounts of
    investment overlays at a fixed rate. Per-commodity tables take a ``default`` entry.
    """

    currency: Literal["NOK", "SEK"] = "NOK"
    sek_per_nok: float = Field(default=1.0, gt=0, description="Fixed exchange rate, SEK per NOK.")
    per_tonne_hour: dict[str, float] = Field(default_factory=dict, description="Value of a tonne-hour of freight in transport, by commodity (default: the network's value of time).")
    per_lost_tonne: dict[str, float] = Field(default_factory=dict, description="Cost of a tonne of demand not delivered.")
    per_passenger_hour: float = Field(default=0.0, ge=0, description="Value of time of a stranded or delayed passenger.")
    per_commuter_trip_lost: float = Field(default=0.0, ge=0)
    per_mwh_not_served: float = Field(default=0.0, ge=0, description="Value of lost load.")
    per_person_day_below_threshold: float = Field(default=0.0, ge=0, description="Cost of a person-day with too little food.")
    per_passenger_trip_lost: float = Field(default=0.0, ge=0, description="Cost of a passenger trip given up.")
    per_mwh_not_served_by_group: dict[Literal["general", "critical", "households", "businesses"], float] = Field(
        default_factory=dict, description="Value of lost load by customer group (else per_mwh_not_served).")
    per_tonne_food_unmet: float = Field(default=0.0, ge=0, description="Cost of a tonne of food consumption not met.")
    commodity_weights: dict[str, float] = Field(default_factory=dict, description="Weights for the weighted Q(t); default 1.")
    discount_rate: float = Field(default=0.04, ge=0, lt=1, description="Real discount rate for net present values.")
    sources: Sources

    def table(self, values: dict[str, float], commodity: str) -> float:
        return values.get(commodity, values.get("default", 0.0))
