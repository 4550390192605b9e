"""Can a warehouse reach a store *now*? The open route a food order would take, and its length.

A grocery planner switches a store to another distribution centre when the usual road is cut.
To choose, the food system asks for the fastest route from a source to a store over links open
now (``NetworkState.link_open``), through nodes not closed to the commodity
(``NetworkState.node_closed_for``, so a closed border stops what it does not exempt), in one
of the allowed modes (as freight travels). It uses only the network's arrays and the public
state queries, not the freight router, so the freight core can change underneath it.

Dijkstra on travel time (``arc_time_h``); returns ``(hours, km)`` of the fastest route or
``None``. Answers are cached for the current hour, as orders are placed on the hour.
"""

from __future__ import annotations

import heapq

from ..network.graph import MODES


class RouteCheck:
    """Open-route queries for food orders over one run's network state."""

    def __init__(self, net, state) -> None:
        self.net, self.state = net, state
        self._out: list[list[int]] = [[] for _ in range(net.n_nodes)]
        for arc, u in enumerate(net.arc_from.tolist()):
            self._out[u].append(arc)
        self._time = net.arc_time_h.tolist()
        self._km = net.arc_length_km.tolist()
        self._to = net.arc_to.tolist()
        self._link = net.arc_link.tolist()
        self._mode = net.arc_mode.tolist()
        self._cache: dict[tuple, tuple[float, float] | None] = {}
        self._cache_hour = None

    def route(self, origin: int, dest: int, modes, commodity: str, now: float) -> tuple[float, float] | None:
        """``(hours, km)`` of the fastest open route in one allowed mode, or None."""
        hour = int(now)
        if hour != self._cache_hour:
            self._cache, self._cache_hour = {}, hour
        key = (origin, dest, tuple(modes), commodity)
        if key not in self._cache:
            found = [r for r in (self._fastest(origin, dest, MODES.index(m), commodity) for m in modes) if r is not None]
            self._cache[key] = min(found) if found else None
        return self._cache[key]

    def _fastest(self, origin: int, dest: int, mode: int, commodity: str) -> tuple[float, float] | None:
        best = {origin: 0.0}
        heap = [(0.0, 0.0, origin)]
        while heap:
            t, km, u = heapq.heappop(heap)
            if u == dest:
                return t, km
            if t > best.get(u, float("inf")):
                continue
            for arc in self._out[u]:
                v = self._to[arc]
                if self._mode[arc] != mode or not self.state.link_open(self._link[arc]):
                    continue
                if self.state.node_closed_for(v, commodity):
                    continue
                nt = t + self._time[arc]
                if nt < best.get(v, float("inf")):
                    best[v] = nt
                    heapq.heappush(heap, (nt, km + self._km[arc], v))
        return None
