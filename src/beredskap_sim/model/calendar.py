"""Calendar facts of a run's hours, computed once per run instead of once per hour."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np


def hours_of_run(horizon_h: float) -> np.ndarray:
    """The integer hours 0, 1, … that start within the horizon (at least one)."""
    return np.arange(max(1, math.ceil(horizon_h - 1e-9)), dtype=float)


def month_of_hours(start: dt.datetime, hours: np.ndarray) -> np.ndarray:
    """Month (0 = January) of the wall-clock time ``start + h`` for each hour ``h`` — the same as
    ``(start + timedelta(hours=h)).month - 1``, for all hours at once."""
    wall = np.datetime64(start.replace(tzinfo=None), "m") + (np.asarray(hours) * 60).astype("timedelta64[m]")
    return wall.astype("datetime64[M]").astype(int) % 12
