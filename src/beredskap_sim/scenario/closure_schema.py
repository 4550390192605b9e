"""The closure record of a network, as written in ``<network>.closures.yaml`` beside it.

The record lists what actually closed: one **event** (a storm, a heavy-rain spell, a slide, a
bridge collapse) with the **closures** it caused — asset, start, duration and source of each.
Each event names the network ``hazard`` it is counted in (exactly one, so no event is counted
twice), and for a weather hazard with intensity classes, its ``intensity``. Planned closures
(works) carry no hazard and are listed for completeness only. ``assets`` names the parts of
the network the calibration reports on (link ids or groups); ``joint`` names pairs of assets
whose closures in the same event are counted (E14 and Fv72 closed together); ``pools`` names
hazards that share one rate fit (a rare failure pooled over the region's lines).
"""

from __future__ import annotations

from pydantic import Field, field_validator

from .fields import Duration, Strict


def _iso(value: str) -> str:
    import datetime as dt

    try:
        dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"cannot read {value!r} as a date, expected an ISO date such as 2022-01-12 or 2022-01-12T06:00") from None
    return str(value)


class PeriodSpec(Strict):
    """The years the record covers (the exposure T of every rate)."""

    start: str
    end: str
    source: str = Field(min_length=1, description="Why the record is taken as complete over this period, or how far it is not.")

    _dates = field_validator("start", "end")(_iso)


class ClosureSpec(Strict):
    """One asset closed by an event."""

    asset: str | list[str] = Field(description="A named asset of `assets`, a link id or a group of the network, or a list of them.")
    start: str = Field(description="ISO date or date-time the closure began.")
    duration: Duration = Field(description="How long it was closed.")
    source: str = Field(min_length=1, description="Where the closure is recorded ('assumption: why' for an estimated figure).")
    reopened: str = Field(default="", description="How it reopened, e.g. 'at 40 km/h'.")

    _date = field_validator("start")(_iso)


class EventSpec(Strict):
    """One storm, rain spell, slide or failure and what it closed."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    cause: str = Field(min_length=1)
    hazard: str | None = Field(default=None, description="The network hazard this event is counted in; none for planned works.")
    intensity: str | None = Field(default=None, description="The hazard's intensity class of this event.")
    closures: list[ClosureSpec] = Field(min_length=1)


class JointSpec(Strict):
    """A named pair of assets whose closures in one event are counted together."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    assets: list[str] = Field(min_length=2, max_length=2)
    description: str = ""


class ClosureRecordSpec(Strict):
    """A network's closure record (see the module docstring)."""

    network: str = Field(description="The name of the network the record belongs to.")
    description: str = ""
    period: PeriodSpec
    assets: dict[str, list[str]] = Field(default_factory=dict, description="Named assets: link ids or groups.")
    joint: list[JointSpec] = Field(default_factory=list)
    pools: dict[str, list[str]] = Field(default_factory=dict, description=(
        "Hazards that share one rate fit: their events are pooled over (number of hazards × years), "
        "e.g. structural failures on every line of the region."))
    events: list[EventSpec] = Field(min_length=1)
