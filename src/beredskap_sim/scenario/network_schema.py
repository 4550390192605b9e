"""The network file format (``networks/*.yaml``) as pydantic models.

A network is places (nodes) and the links between them. Every figure carries its source in
the entry's ``sources`` map (field name → citation), or in the file's ``default_sources`` for
figures that share one (e.g. coordinates read off a map). A source text that starts with
``assumption:`` marks an assumed figure; reports list them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .ferry_schema import FerrySchedule
from .fields import Duration, Sources, Strict
from .care_schema import CareNetworkSpec
from .hazard_schema import CrewSpec, HazardSpec
from .supply_schema import PowerSpec
from .vehicle_limits import WEIGHT_CLASSES

NodeKind = Literal[
    "municipality",
    "junction",
    "terminal",
    "border",
    "port",
    "airport",
    "warehouse",
    "production",
    "external",
]
Mode = Literal["rail", "road", "ferry"]
Country = Literal["NO", "SE", "FI"]


class CustomsSpec(Strict):
    """Customs at a border crossing, modelled as ``lanes`` parallel FIFO servers.

    A consignment of q tonnes occupies one lane for ``fixed + q / tonnes_per_hour_per_lane``
    hours (on average, when ``service`` is exponential).
    """

    lanes: int = Field(ge=1, description="Parallel customs lanes (servers).")
    tonnes_per_hour_per_lane: float = Field(gt=0, description="Clearance rate of one lane, tonnes/hour.")
    fixed: Duration = Field(default=0.0, description="Fixed clearance time per consignment.")
    service: Literal["deterministic", "exponential"] = Field(
        default="deterministic", description="Whether service times are fixed or exponentially distributed."
    )
    open_hours: str | None = Field(
        default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$",
        description="Opening hours 'HH:MM-HH:MM' (local time); default: always open.",
    )
    open_days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] | None = Field(
        default=None, description="Days the office is open; default: every day.",
    )
    sources: Sources

    def window(self) -> tuple[float, float] | None:
        """Opening hours as (open, close) in hours of the day, or None when always open.

        An overnight window such as ``15:30-08:00`` (open from 15:30 until 08:00 the next
        morning) is returned as ``(-8.5, 8.0)``: each day's window starts the evening before."""
        if self.open_hours is None:
            return None
        a, b = self.open_hours.split("-")
        to_h = lambda t: int(t[:2]) + int(t[3:]) / 60  # noqa: E731
        opens, closes = to_h(a), to_h(b)
        return (opens - 24.0 if opens > closes else opens), closes


class NodeSpec(Strict):
    """A place: municipality, terminal, border crossing, port, airport, warehouse, external supply."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Short id used by links and scenarios.")
    name: str
    kind: NodeKind
    country: Country
    lon: float = Field(ge=-180, le=180, description="Longitude, degrees east (WGS84).")
    lat: float = Field(ge=-90, le=90, description="Latitude, degrees north (WGS84).")
    population: int | None = Field(default=None, ge=0, description="Inhabitants (municipalities).")
    customs: CustomsSpec | None = Field(default=None, description="Customs stop (border crossings only).")
    transfer_trucks_per_day: float | None = Field(
        default=None, gt=0,
        description="Trucks a day available here to take over rail freight (or the reverse); "
                    "default: the network's defaults.transfer_trucks_per_day.",
    )
    note: str = ""
    sources: Sources

    @model_validator(mode="after")
    def _customs_only_at_borders(self) -> "NodeSpec":
        if self.customs is not None and self.kind != "border":
            raise ValueError(f"node {self.id!r} has customs but is a {self.kind}, expected kind: border")
        return self


class LinkSpec(Strict):
    """A link between two nodes in one mode, with capacity per direction.

    Capacity is given in the mode's natural unit: ``trains_per_day`` for rail, ``trucks_per_hour``
    for road, or ``tonnes_per_hour`` for any mode; the network defaults convert trains and
    trucks to tonnes.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    from_: str = Field(alias="from")
    to: str
    mode: Mode
    length_km: float = Field(gt=0)
    speed_kmh: float = Field(gt=0, description="Line or road speed; freight is further capped by the defaults.")
    trains_per_day: float | None = Field(default=None, gt=0, description="Rail freight paths per day and direction.")
    trucks_per_hour: float | None = Field(default=None, gt=0, description="Heavy trucks per hour and direction.")
    tonnes_per_hour: float | None = Field(default=None, gt=0, description="Freight capacity per direction, t/h.")
    electrified: bool = False
    track: Literal["single", "double"] | None = Field(
        default=None,
        description="Rail only, required there: 'single' makes the link one block between passing points at "
                    "its end nodes (opposing trains may not share it); 'double' gives each direction its own track.",
    )
    passing_loops: int = Field(
        default=0, ge=0,
        description="Single track only: passing loops inside the link, evenly spaced. Opposing trains then wait "
                    "for one stretch between loops (running time / (loops + 1)), not for the whole link.",
    )
    bidirectional: bool = True
    axle_load_t: float | None = Field(
        default=None, gt=0, le=50,
        description="Rail only: maximum permitted axle load, tonnes (Meråkerbanen 22.5). Flows with a heavier "
                    "axle_load_t do not use the link.",
    )
    weight_class: Literal[tuple(WEIGHT_CLASSES)] | None = Field(  # type: ignore[valid-type]
        default=None,
        description="Road only: Norwegian bruksklasse (Bk10/60, Bk10/50, BkT8/50, BkT8/40, Bk8/32, Bk6/28) or "
                    "Swedish bärighetsklass (BK1–BK4). Flows with a heavier gross_weight_t do not use the link.",
    )
    schedule: FerrySchedule | None = Field(
        default=None,
        description="Ferry only: timetable and capacity per departure (model.sections.FerryService); the link's "
                    "capacity then comes from it, so no trains_per_day, trucks_per_hour or tonnes_per_hour.",
    )
    note: str = ""
    sources: Sources

    @model_validator(mode="after")
    def _vehicle_limit_of_mode(self) -> "LinkSpec":
        if self.axle_load_t is not None and self.mode != "rail":
            raise ValueError(f"link {self.id!r} gives axle_load_t on a {self.mode} link, expected it on rail links "
                             "only (road links give weight_class)")
        if self.weight_class is not None and self.mode != "road":
            raise ValueError(f"link {self.id!r} gives weight_class on a {self.mode} link, expected it on road links "
                             "only (rail links give axle_load_t)")
        return self

    @model_validator(mode="after")
    def _one_capacity(self) -> "LinkSpec":
        given = [n for n in ("trains_per_day", "trucks_per_hour", "tonnes_per_hour") if getattr(self, n) is not None]
        if self.schedule is not None:
            if self.mode != "ferry":
                raise ValueError(f"link {self.id!r} gives a schedule on a {self.mode} link, expected it on ferry links only")
            if given:
                raise ValueError(f"ferry link {self.id!r} has a schedule and gives {given}, expected its capacity "
                                 "from the schedule only (lane metres per departure)")
        elif len(given) != 1:
            raise ValueError(
                f"link {self.id!r} gives capacity as {given or 'nothing'}, "
                "expected exactly one of trains_per_day, trucks_per_hour, tonnes_per_hour"
            )
        if self.trains_per_day is not None and self.mode != "rail":
            raise ValueError(f"link {self.id!r} gives trains_per_day on a {self.mode} link, expected a rail link")
        if self.trucks_per_hour is not None and self.mode != "road":
            raise ValueError(f"link {self.id!r} gives trucks_per_hour on a {self.mode} link, expected a road link")
        if self.mode == "rail" and self.track is None:
            raise ValueError(f"rail link {self.id!r} does not say its track, expected track: single or double")
        if self.passing_loops and self.track != "single":
            raise ValueError(f"link {self.id!r} gives passing_loops, expected them on single-track rail links only")
        if self.mode != "rail" and self.track is not None:
            raise ValueError(f"link {self.id!r} gives track on a {self.mode} link, expected it on rail links only")
        return self


class NetworkDefaults(Strict):
    """Conversions and caps that apply to every link of the network."""

    truck_payload_t: float = Field(gt=0, description="Mean payload of a loaded truck, tonnes.")
    train_payload_t: float = Field(gt=0, description="Mean net payload of a freight train, tonnes.")
    truck_speed_kmh: float = Field(gt=0, description="Top speed of a heavy truck; caps road link speeds.")
    freight_train_speed_kmh: float = Field(gt=0, description="Top speed of a freight train; caps rail link speeds.")
    mode_transfer_h: Duration = Field(
        default=4.0, description="Time to move a consignment from one mode to another (truck ↔ train)."
    )
    transfer_trucks_per_day: float = Field(
        default=48.0, gt=0,
        description="Trucks a day a place can muster to take over rail freight (or load a train from trucks); "
                    "sets the tonnes/hour of mode changes there. A node's own figure overrides it.",
    )
    rail_clearance: Duration = Field(
        default=0.05,
        description="On single track: time after a train has left a block before an opposing train may enter it "
                    "(route setting, signal clearing).",
    )
    ferry_payload_t: float = Field(default=1000.0, gt=0, description="Freight tonnes one ferry departure carries.")
    distance_cost_nok_per_tkm: dict[Mode, float] = Field(
        default_factory=lambda: {"rail": 0.5, "road": 1.5, "ferry": 1.0},
        description="Operating cost per tonne-km by mode, NOK: the distance part of the generalized cost.",
    )
    value_of_time_nok_per_tonne_hour: dict[str, float] = Field(
        default_factory=lambda: {"default": 50.0},
        description="What an hour of a tonne's time is worth to the shipper, NOK, by commodity (a 'default' "
                    "entry for the rest): weighs time against distance cost in route choice.",
    )
    transfer_cost_nok_per_t: float = Field(
        default=60.0, ge=0, description="Cost of moving a tonne from one mode to another at a terminal, NOK."
    )
    sources: Sources

    @model_validator(mode="after")
    def _positive_values(self) -> "NetworkDefaults":
        for name, value in self.value_of_time_nok_per_tonne_hour.items():
            if not value > 0:
                raise ValueError(f"value_of_time_nok_per_tonne_hour.{name}: got {value}, expected a value above zero")
        for name, value in self.distance_cost_nok_per_tkm.items():
            if not value >= 0:
                raise ValueError(f"distance_cost_nok_per_tkm.{name}: got {value}, expected zero or more")
        return self

    def value_of_time(self, commodity: str) -> float:
        """NOK per tonne-hour for ``commodity`` (its own entry, else 'default', else 50)."""
        table = self.value_of_time_nok_per_tonne_hour
        return table.get(commodity, table.get("default", 50.0))


class NetworkSpec(Strict):
    """A whole network file."""

    name: str
    description: str = ""
    defaults: NetworkDefaults
    nodes: list[NodeSpec] = Field(min_length=2)
    links: list[LinkSpec] = Field(min_length=1)
    groups: dict[str, list[str]] = Field(
        default_factory=dict, description="Named sets of link/node ids, e.g. a storm footprint or a whole line."
    )
    regions: dict[str, list[str]] = Field(
        default_factory=dict, description="Named sets of nodes for redundancy analysis, e.g. trondelag, jamtland."
    )
    region_pairs: list[list[str]] = Field(
        default_factory=list, description="Default pairs to analyse, each [A, B] with a region name or node id."
    )
    hazards: list[HazardSpec] = Field(
        default_factory=list, description="Default random disruptions of this network; scenarios opt in with network_hazards: true."
    )
    crews: list[CrewSpec] = Field(default_factory=list, description="Repair crew pools.")
    power: PowerSpec | None = Field(default=None, description="Power areas, interconnectors, critical loads, dependencies.")
    default_sources: dict[str, str] = Field(
        default_factory=dict, description="Source for a field wherever an entry does not name its own."
    )
    care: CareNetworkSpec | None = Field(default=None, description="Hospitals, air ambulances and cross-border care agreements.")
