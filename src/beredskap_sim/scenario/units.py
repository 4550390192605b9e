"""Durations and instants as planners write them.

The model's clock is **float hours from the scenario start**. Files speak in text:

* a duration is ``"90m"``, ``"36h"``, ``"3d"``, ``"2w"`` or a plain number (hours);
  several parts may be combined: ``"1d 6h"``;
* an instant is a duration from the start (``"36h"``) or an ISO date/time
  (``"2022-01-12"``, ``"2022-01-12T14:00"``) that is converted against the scenario's
  ``start`` date. A date-time with a zone (``2024-01-15T06:00Z``, ``...+01:00``) is
  converted to the scenario's zone (``Europe/Oslo`` unless the scenario says otherwise).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HOURS_PER_UNIT = {"m": 1 / 60, "min": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}

_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(min|m|h|d|w)\s*")


def parse_duration(value: object) -> float:
    """Return a duration in hours.

    Accepts a non-negative number (hours) or text made of ``<number><unit>`` parts with
    units ``m``/``min`` (minutes), ``h``, ``d`` (24 h) and ``w`` (168 h).

    Raises ``ValueError`` with a message a planner can act on.
    """
    if isinstance(value, bool):
        raise ValueError(f"got {value!r}, expected a duration such as '36h', '3d' or '2w'")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"got {value}, expected a duration that is not negative")
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"got {value!r}, expected a duration such as '36h', '3d' or '2w'")
    text = value.strip().lower()
    pos, total, parts = 0, 0.0, 0
    while pos < len(text):
        match = _PART.match(text, pos)
        if not match:
            raise ValueError(
                f"cannot read {value!r} as a duration, expected e.g. '90m', '36h', '3d', '2w' or '1d 6h'"
            )
        total += float(match.group(1)) * HOURS_PER_UNIT[match.group(2)]
        pos = match.end()
        parts += 1
    if parts == 0:
        raise ValueError("empty duration, expected e.g. '36h' or '3d'")
    return total


DEFAULT_ZONE = "Europe/Oslo"
"""The scenario's time zone unless it names another (``timezone:``)."""


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; ``ValueError`` in words when it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone {name!r}, expected an IANA name such as Europe/Oslo or Europe/Stockholm") from None


def local_time(moment: dt.datetime, zone_name: str = DEFAULT_ZONE) -> dt.datetime:
    """``moment`` as wall-clock time of the scenario's zone (naive). A time written with a
    zone (``2024-01-15T06:00Z``, ``+01:00``) is converted; one without is taken as local."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment
    try:
        return moment.astimezone(zone(zone_name)).replace(tzinfo=None)
    except OverflowError:
        raise ValueError(f"{moment.isoformat()} is outside the calendar, expected a date between 1900 and 2200") from None


def parse_instant(value: object, start: dt.datetime, zone_name: str = DEFAULT_ZONE) -> float:
    """Return an instant in hours after ``start`` (local time of the scenario).

    ISO dates and date-times are local wall-clock time of the scenario; those written with a
    zone or offset are converted to the scenario's zone first. Anything else is read as a
    duration from the start.
    """
    if isinstance(value, dt.datetime):
        return (local_time(value, zone_name) - start).total_seconds() / 3600.0
    if isinstance(value, dt.date):
        return (dt.datetime.combine(value, dt.time()) - start).total_seconds() / 3600.0
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"cannot read {value!r} as an ISO date or date-time ({exc})") from None
        return (local_time(moment, zone_name) - start).total_seconds() / 3600.0
    return parse_duration(value)


def format_hours(hours: float) -> str:
    """Render hours compactly for people: ``'36h'``, ``'3d'``, ``'2d 6h'``."""
    if hours != hours:  # NaN
        return "n/a"
    days, rest = divmod(round(hours * 60) / 60, 24)
    if days and rest:
        return f"{int(days)}d {rest:g}h"
    if days:
        return f"{int(days)}d"
    return f"{rest:g}h"
