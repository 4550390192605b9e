"""Customs at a border crossing: ``c`` parallel lanes serving consignments first come, first served.

The engine hands consignments over in the order they arrive, so keeping each lane's
*free-at* time in a heap gives the exact FIFO M/G/c waiting times without a SimPy process or
``Resource`` per consignment: a consignment starts at ``max(arrival, earliest free lane)``.

Service time of q tonnes is ``fixed_h + q / rate_tph`` (its mean, when exponential). An active
``customs_delay`` adds waiting outside the lanes (e.g. a second inspection) without
occupying them. With opening hours, service starts only while the office is open; a
clearance under way at closing time is finished.
"""

from __future__ import annotations

import heapq

import numpy as np


class CustomsQueue:
    """FIFO multi-lane customs stop."""

    def __init__(self, lanes: int, rate_tph: float, fixed_h: float, exponential: bool, rng: np.random.Generator,
                 hours: tuple[float, float] | None = None, days: set[int] | None = None, start_hour: float = 0.0,
                 start_weekday: int = 0):
        self._free_at = [0.0] * lanes
        self.hours = hours
        self.days = days
        self._start_hour = start_hour  # hour of the day at t = 0
        self._start_weekday = start_weekday  # Monday = 0 at t = 0
        self.rate_tph = rate_tph
        self.fixed_h = fixed_h
        self.exponential = exponential
        self._rng = rng
        self.served = 0
        self.total_wait_h = 0.0

    def mean_service_h(self, tonnes: float) -> float:
        """Mean time one lane needs for ``tonnes``."""
        return self.fixed_h + tonnes / self.rate_tph

    def next_open(self, t: float) -> float:
        """The first time ≥ ``t`` (hours after the run start) at which the office is open."""
        if self.hours is None and self.days is None:
            return t
        open_h, close_h = self.hours or (0.0, 24.0)
        clock = self._start_hour + t
        for day in range(8):
            day_start = (int(clock // 24) + day) * 24.0
            weekday = (self._start_weekday + int(day_start // 24)) % 7
            if self.days is not None and weekday not in self.days:
                continue
            opens, closes = day_start + open_h, day_start + close_h
            moment = max(clock, opens)
            if moment < closes:
                return moment - self._start_hour
        raise ValueError("customs office is never open, expected at least one open day")

    def clear(self, now: float, tonnes: float, extra_h: float = 0.0) -> float:
        """Time at which a consignment arriving at ``now`` has cleared customs."""
        free = heapq.heappop(self._free_at)
        start = self.next_open(max(now, free))
        service = self.mean_service_h(tonnes)
        if self.exponential:
            service = float(self._rng.exponential(service))
        heapq.heappush(self._free_at, start + service)
        self.served += 1
        self.total_wait_h += start - now
        return start + service + extra_h
