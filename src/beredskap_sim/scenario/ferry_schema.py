"""The timetable and capacity of a scheduled ferry link (``schedule:`` on a ``mode: ferry`` link).

A RoRo ferry such as the Kvarken ferry Umeå–Vaasa (Aurora Botnia: 1,500 lane metres and 800
passengers, facts §5) is not a road: it leaves at set times and each departure carries what
fits on its car deck. The schedule gives

* ``departures`` — the times the ferry leaves the link's ``from`` end, as rows of days and
  clock times on the run's clock (the scenario's start sets the weekday and hour of run time
  0; a route across a time-zone border gives both ends in one zone); ``return_departures`` the
  times it leaves the ``to`` end (default: the same times);
* the freight room of one departure, from its lane metres::

      trucks per departure = floor(lane_metres × freight_lane_share / metres_per_truck)
      tonnes per departure = trucks per departure × truck_payload_t   (network defaults)

  so a deck of 1,500 m, 80 % of it for freight, at 17.5 m per truck and trailer (length plus
  lashing gap) takes floor(68.6) = 68 trucks, 68 × 15.9 = 1,081 t;
* ``passengers`` per departure.

Trucks drive on and off, so road freight uses a scheduled ferry without a transshipment (the
link carries road vehicles as well as its own mode). Its crossing time is the link's
``length_km / speed_kmh``.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from pydantic import Field, model_validator

from .fields import Sources, Strict

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = r"^([01]\d|2[0-3]):[0-5]\d$"


class FerryDepartures(Strict):
    """Departure times (``HH:MM``) on the listed days (default: every day)."""

    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS), description="Days these departures run.")
    times: list[str] = Field(min_length=1, description="Clock times of the departures, 'HH:MM' local time.")

    @model_validator(mode="after")
    def _clock_times(self) -> "FerryDepartures":
        for t in self.times:
            if not re.match(_CLOCK, t):
                raise ValueError(f"departure time {t!r}, expected 'HH:MM' (00:00-23:59)")
        return self

    def week_hours(self) -> list[float]:
        """The departures as hours after Monday 00:00 (0 ≤ h < 168)."""
        clock = [int(t[:2]) + int(t[3:]) / 60 for t in self.times]
        return [WEEKDAYS.index(d) * 24.0 + h for d in self.days for h in clock]


class FerrySchedule(Strict):
    """Timetable and capacity of one scheduled ferry link."""

    departures: list[FerryDepartures] = Field(
        min_length=1, description="Departures from the link's 'from' end: rows of days and times.")
    return_departures: list[FerryDepartures] | None = Field(
        default=None, description="Departures from the link's 'to' end; default: the same times as 'departures'.")
    lane_metres: float = Field(gt=0, description="Lane metres on the vehicle decks of one departure.")
    freight_lane_share: float = Field(default=1.0, gt=0, le=1, description="Share of the lane metres taken by freight.")
    metres_per_truck: float = Field(gt=0, description="Lane metres one truck with trailer takes, gaps included.")
    passengers: int = Field(default=0, ge=0, description="Passengers one departure may carry.")
    sources: Sources

    @model_validator(mode="after")
    def _room_for_a_truck(self) -> "FerrySchedule":
        if self.trucks_per_departure() < 1:
            raise ValueError(
                f"lane_metres × freight_lane_share = {self.lane_metres * self.freight_lane_share:g} m leaves no room "
                f"for one truck of {self.metres_per_truck:g} m, expected at least metres_per_truck")
        return self

    def trucks_per_departure(self) -> int:
        """Whole trucks with trailer the freight lanes of one departure take."""
        return math.floor(self.lane_metres * self.freight_lane_share / self.metres_per_truck + 1e-9)

    def tonnes_per_departure(self, truck_payload_t: float) -> float:
        """Freight tonnes one departure carries: trucks per departure × the mean truck payload."""
        return self.trucks_per_departure() * truck_payload_t

    def week_hours(self, direction: int) -> list[float]:
        """Sorted departure times in hours after Monday 00:00, from 'from' (0) or from 'to' (1)."""
        rows = self.departures if direction == 0 or self.return_departures is None else self.return_departures
        return sorted({h for row in rows for h in row.week_hours()})

    def departures_per_week(self, direction: int = 0) -> int:
        return len(self.week_hours(direction))
