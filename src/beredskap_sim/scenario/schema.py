"""The scenario file format (``scenarios/*.yaml``) as pydantic models.

A scenario names a network, a start date and a horizon, the freight demand that flows over
the network, and the disruptions that strike it. ``beredskap-sim schema`` exports the JSON
Schema of this format for editors.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .appraisal_schema import AppraisalSpec
from .fields import Duration, Instant, Sources, Strict
from .care_schema import CareScenarioSpec
from .hazard_schema import CrewSpec, Effect, HazardSpec, RepairSpec
from .supply_schema import FoodSpec, PassengerSpec, ValuesSpec
from .movement_schema import MovementSpec
from .network_schema import Mode
from .units import DEFAULT_ZONE, local_time, zone


class FreightDemandSpec(Strict):
    """A steady flow of one commodity from an origin to a destination.

    ``tonnes_per_day`` is released as one consignment every ``slot`` hours. Without ``slot`` a
    consignment is one vehicle load of the flow's first mode (a train of ``train_payload_t``, a
    truck of ``truck_payload_t``), released at least once a day and at most once an hour (see
    ``default_slot_h``). A consignment whose route cannot meet ``release + deadline`` is
    cancelled before it departs; once departed it is delivered late rather than dropped.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    from_: str = Field(alias="from", description="Origin node id.")
    to: str = Field(description="Destination node id.")
    commodity: str = Field(description="Commodity name, e.g. food, fuel, medical, general, timber.")
    tonnes_per_day: float = Field(gt=0)
    modes: list[Mode] = Field(min_length=1, description="Modes the consignments may use.")
    deadline: Duration = Field(default=168.0, gt=0, description="Time after release by which it must arrive.")
    slot: Duration | None = Field(
        default=None, gt=0,
        description="Interval between consignments (the mean, with poisson arrivals); default one vehicle load, 1–24 h.",
    )
    traction: Literal["diesel", "electric"] = Field(
        default="diesel", description="Rail traction: electric trains need electrified, powered links."
    )
    arrivals: Literal["regular", "poisson"] = Field(
        default="regular", description="Release every `slot` hours, or as a Poisson process with that mean interval."
    )
    start: Instant | None = Field(default=None, description="First release (default: the scenario start).")
    end: Instant | None = Field(default=None, description="No releases from this time on (default: the horizon).")
    priority: int | None = Field(
        default=None, ge=0, le=9,
        description="Priority class 0–9: queues serve higher classes first, first come first served within a "
                    "class. Default: the scenario's priorities entry for the commodity, else 0.",
    )
    axle_load_t: float | None = Field(
        default=None, gt=0, le=50,
        description="Axle load of its rail wagons, t: it does not use rail links that permit less (axle_load_t).",
    )
    gross_weight_t: float | None = Field(
        default=None, gt=0, le=500,
        description="Gross weight of its road vehicles, t: it does not use road links whose weight_class permits less.",
    )
    movement: str | None = Field(
        default=None, description="Id of a `movements:` entry whose reserved paths and road shares it uses.",
    )
    sources: Sources


class DisruptionSpec(Strict):
    """A scheduled disruption: from ``start`` for ``duration``, ``effect`` applies to ``target``.

    ``target`` is a link id, a node id or a group name from the network, or a list of them.
    Closing a border node closes the border crossing to all traffic except the ``exempt``
    commodities; closing any other node closes passage through it.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    target: str | list[str]
    start: Instant
    duration: Duration = Field(gt=0)
    effect: Effect
    exempt: list[str] = Field(default_factory=list, description="Commodities that may still pass a closed border.")
    repair: RepairSpec | None = Field(default=None, description="If given, `duration` is repair work that starts when a crew arrives.")
    announced: bool = Field(
        default=True,
        description="Whether carriers learn the expected end when it starts (or when a crew is assigned), and so "
                    "weigh waiting against a detour; false: the end comes as a surprise.",
    )
    sources: Sources

    @field_validator("duration")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError(f"got {value}, expected a duration longer than zero")
        return value


class ScenarioSpec(Strict):
    """A whole scenario file."""

    name: str
    description: str = ""
    network: str = Field(description="Path of the network file, relative to this file.")
    start: dt.datetime = Field(description="Scenario start, ISO date or date-time (local time).")
    horizon: Duration = Field(gt=0, description="How long to simulate.")
    record_step: Duration = Field(default=1.0, gt=0, description="Resolution of the recorded time series.")
    freight: list[FreightDemandSpec] = Field(default_factory=list)
    disruptions: list[DisruptionSpec] = Field(default_factory=list)
    hazards: list[HazardSpec] = Field(default_factory=list, description="Random disruptions.")
    network_hazards: bool = Field(default=False, description="Also use the hazards the network file defines.")
    hazard_rate_uncertainty: bool = Field(default=False, description="Draw each hazard's rate per replication from its rate_posterior (second-order Monte Carlo).")
    crews: list[CrewSpec] = Field(default_factory=list, description="Repair crew pools (added to the network's).")
    food: FoodSpec | None = Field(default=None, description="Food stocks, consumption and replenishment.")
    passengers: PassengerSpec | None = Field(default=None, description="Passenger services and commuters.")
    power: bool = Field(default=True, description="Run the hourly power model when the network has a power section.")
    values: ValuesSpec | None = Field(default=None, description="Unit values for costs and benefit–cost.")
    movements: list[MovementSpec] = Field(
        default_factory=list, description="Military movement windows: reserved rail paths and road capacity shares.",
    )
    appraisal: AppraisalSpec | None = Field(default=None, description="Appraisal conventions: a preset file and overrides.")
    care: CareScenarioSpec | None = Field(default=None, description="Access to emergency care: threshold, agreements, weather.")
    priorities: dict[str, int] = Field(
        default_factory=dict,
        description="Priority class (0–9, higher served first) by commodity, for flows and supply shipments, "
                    "e.g. {military: 3, food: 2, fuel: 2}; commodities not named are class 0.",
    )
    sources: Sources

    @field_validator("priorities")
    @classmethod
    def _classes(cls, value: dict[str, int]) -> dict[str, int]:
        for name, level in value.items():
            if not 0 <= level <= 9:
                raise ValueError(f"{name}: got {level}, expected a priority class from 0 to 9")
        return value

    @field_validator("start", mode="before")
    @classmethod
    def _iso(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return dt.datetime.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"got {value!r}, expected an ISO date such as 2022-01-12 or 2022-01-12T06:00") from None
        return value

    timezone: str = Field(default=DEFAULT_ZONE, description="IANA time zone of the scenario's local times (default Europe/Oslo).")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        zone(value)
        return value

    @model_validator(mode="after")
    def _local_start(self) -> "ScenarioSpec":
        """A start written with a zone or offset becomes wall-clock time of ``timezone``."""
        self.start = local_time(self.start, self.timezone)
        return self
