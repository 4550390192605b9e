"""Customs at a border crossing: ``c`` parallel lanes serving consignments first come, first served.

The engine hands consignments over in the order they arrive, so keeping each lane's
*free-at* time in a heap gives the exact FIFO M/G/c waiting times without a SimPy process or
``Resource`` per consignment: a consignment starts at ``max(arrival, earliest free lane)``.

Service time of q tonnes is ``fixed_h + q / rate_tph`` (its mean, when exponential). An active
``customs_delay`` adds waiting outside the lanes (e.g. a second inspection) without
occupying them.
"""

from __future__ import annotations

import heapq

import numpy as np


class CustomsQueue:
    """FIFO multi-lane customs stop."""

    def __init__(self, lanes: int, rate_tph: float, fixed_h: float, exponential: bool, rng: np.random.Generator):
        self._free_at = [0.0] * lanes
        self.rate_tph = rate_tph
        self.fixed_h = fixed_h
        self.exponential = exponential
        self._rng = rng
        self.served = 0
        self.total_wait_h = 0.0

    def mean_service_h(self, tonnes: float) -> float:
        """Mean time one lane needs for ``tonnes``."""
        return self.fixed_h + tonnes / self.rate_tph

    def clear(self, now: float, tonnes: float, extra_h: float = 0.0) -> float:
        """Time at which a consignment arriving at ``now`` has cleared customs."""
        free = heapq.heappop(self._free_at)
        start = max(now, free)
        service = self.mean_service_h(tonnes)
        if self.exponential:
            service = float(self._rng.exponential(service))
        heapq.heappush(self._free_at, start + service)
        self.served += 1
        self.total_wait_h += start - now
        return start + service + extra_h
