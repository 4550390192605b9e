"""Durations and instants as planners write them.

The model's clock is **float hours from the scenario start**. Files speak in text:

* a duration is ``"90m"``, ``"36h"``, ``"3d"``, ``"2w"`` or a plain number (hours);
  several parts may be combined: ``"1d 6h"``;
* an instant is a duration from the start (``"36h"``) or an ISO date/time
  (``"2022-01-12"``, ``"2022-01-12T14:00"``) that is converted against the scenario's
  ``start`` date.
"""

from __future__ import annotations

import datetime as dt
import re

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


def parse_instant(value: object, start: dt.datetime) -> float:
    """Return an instant in hours after ``start``.

    ISO dates and date-times are taken as local wall-clock time of the scenario (no time
    zones); anything else is read as a duration from the start.
    """
    if isinstance(value, dt.datetime):
        return (value - start).total_seconds() / 3600.0
    if isinstance(value, dt.date):
        return (dt.datetime.combine(value, dt.time()) - start).total_seconds() / 3600.0
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"cannot read {value!r} as an ISO date or date-time ({exc})") from None
        return (moment.replace(tzinfo=None) - start).total_seconds() / 3600.0
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
