"""The emergency-care sections of the file formats: hospitals, air ambulances and cross-border
agreements in a network file (``care:``), the access question in a scenario file (``care:``).

The question is the planner's "can the people of this municipality reach an emergency
department?": a place has *road access* while a hospital it may use is reachable by road
within the scenario's ``threshold``; without road access it may still have *air access* while
an air ambulance that may serve it is on the ground able to fly (no weather window grounds it)
and has a free aircraft (see ``model/care.py``).

Which hospitals a place may use: those of its own country, and those of another country that
an ``agreements`` entry opens to it. Which places a helicopter may serve: those of its base's
country, and those across the border when an agreement names the helicopter.
"""

from __future__ import annotations

from pydantic import Field

from .fields import Duration, Instant, Sources, Strict


class HospitalSpec(Strict):
    """An emergency department at a node of the network."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    node: str = Field(description="The node whose roads reach the hospital.")
    note: str = ""
    sources: Sources


class ResidentsSpec(Strict):
    """People at a node that is not a municipality (a village with its health centre), counted
    as a place of the care measure with its own population."""

    node: str
    population: int = Field(gt=0, description="Inhabitants who live here.")
    sources: Sources


class GroundingSpec(Strict):
    """Events of a network or scenario hazard ground a helicopter: each event of ``hazard`` of
    one of ``classes`` (all classes when empty) grounds it from the event's start for
    ``duration`` (the weather window, not the closures the event causes)."""

    hazard: str
    classes: list[str] = Field(default_factory=list, description="Intensity classes that ground it; empty: all.")
    duration: Duration = Field(gt=0, description="How long the weather keeps it on the ground.")
    sources: Sources


class HelicopterSpec(Strict):
    """An air-ambulance base: ``aircraft`` machines that each take ``mission`` hours per mission.

    A mission to a place flies ``dispatch`` + base→place + place→hospital at ``speed_kmh`` on
    great-circle distances, and counts as access when that is within the scenario's threshold."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    country: str = Field(pattern=r"^[A-Z]{2}$", description="Country of the base (NO, SE, FI).")
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    aircraft: int = Field(ge=1, description="Machines on call at once.")
    mission: Duration = Field(gt=0, description="Time a machine is busy with one mission, door to door, hours.")
    speed_kmh: float = Field(gt=0, description="Cruise speed, km/h.")
    dispatch: Duration = Field(default=0.0, ge=0, description="From the call to take-off, hours.")
    grounded_by: list[GroundingSpec] = Field(default_factory=list, description="Hazards whose events ground it.")
    note: str = ""
    sources: Sources


class AgreementSpec(Strict):
    """A cross-border care agreement: the ``places`` (node ids) may use the ``hospitals`` of the
    other country, and the ``helicopters`` may fly missions across the border."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    places: list[str] = Field(default_factory=list)
    hospitals: list[str] = Field(default_factory=list)
    helicopters: list[str] = Field(default_factory=list)
    sources: Sources


class CareNetworkSpec(Strict):
    """The emergency care of a network: every municipality node with a population is a place;
    ``residents`` adds other places."""

    hospitals: list[HospitalSpec] = Field(min_length=1)
    helicopters: list[HelicopterSpec] = Field(default_factory=list)
    agreements: list[AgreementSpec] = Field(default_factory=list)
    residents: list[ResidentsSpec] = Field(default_factory=list)
    sources: Sources


class WeatherWindowSpec(Strict):
    """Weather that grounds helicopters (wind, icing, no visibility) from ``start`` for ``duration``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    helicopters: list[str] = Field(default_factory=list, description="Helicopter ids; empty: all.")
    start: Instant
    duration: Duration = Field(gt=0)
    sources: Sources


class CareScenarioSpec(Strict):
    """Access to emergency care in a scenario."""

    threshold: Duration = Field(gt=0, description="A hospital counts as reachable within this time, e.g. 60m or 90m.")
    agreements: list[str] | None = Field(
        default=None, description="Ids of the network's cross-border agreements in force; default: all of them.")
    missions_per_1000_per_day: float = Field(
        default=0.3, ge=0,
        description="Emergency missions a day per 1,000 inhabitants of a place without road access: the load "
                    "on the helicopters.")
    weather: list[WeatherWindowSpec] = Field(default_factory=list, description="Windows in which helicopters are grounded.")
    sources: Sources
