"""Calendar months over a horizon: the segments in which a hazard's monthly rate is constant."""

from __future__ import annotations

import calendar
import datetime as dt


def month_segments(start: dt.datetime, horizon_h: float):
    """Yield ``(month_index 0–11, segment_start_h, segment_end_h, month_hours)`` covering the horizon."""
    t = 0.0
    moment = start
    while t < horizon_h:
        days = calendar.monthrange(moment.year, moment.month)[1]
        month_start = dt.datetime(moment.year, moment.month, 1)
        next_month = month_start + dt.timedelta(days=days)
        end = min(horizon_h, t + (next_month - moment).total_seconds() / 3600.0)
        yield moment.month - 1, t, end, days * 24.0
        t = end
        moment = next_month
