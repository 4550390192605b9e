"""Can a warehouse reach a store *now*? The open route a food order would take, and its length.

A grocery planner switches a store to another distribution centre when the usual road is cut.
To choose, the food system asks for the fastest route from a source to a store over links open
now, through nodes not closed to the commodity (a closed border stops what it does not exempt),
in one of the allowed modes (as freight travels). The answer comes from a travel-time
``Router`` on the run's network state (no distance cost, no waiting for reopenings), so it sees
closures, speed factors and border rules exactly as routing does; ``(hours, km)`` of the
fastest route, or ``None``.
"""

from __future__ import annotations

from ..network.graph import MODES
from ..network.routing import Router


class RouteCheck:
    """Open-route queries for food orders over one run's network state."""

    def __init__(self, net, state) -> None:
        self.net = net
        self.router = Router(net, state, wait_for_reopening=False)
        self._km = net.arc_length_km.tolist()
        self._found: dict[tuple, tuple[object, float, float]] = {}  # (origin, dest, bit, commodity) → (table, h, km)

    def route(self, origin: int, dest: int, modes, commodity: str, now: float = 0.0) -> tuple[float, float] | None:
        """``(hours, km)`` of the fastest open route in one allowed mode, or None."""
        found = []
        for mode in modes:
            bit = 1 << MODES.index(mode)
            hours, km = self._fastest(origin, dest, bit, commodity)
            if hours < float("inf"):
                found.append((hours, km))
        return min(found) if found else None

    def _fastest(self, origin: int, dest: int, bit: int, commodity: str) -> tuple[float, float]:
        """(hours, km) in one mode; kept while the router's table for it stays the same object
        and valid (the router replaces or invalidates a table whenever a change touches it)."""
        table = self.router.table(dest, bit, commodity)
        key = (origin, dest, bit, commodity)
        kept = self._found.get(key)
        if kept is not None and kept[0] is table and table.valid:
            return kept[1], kept[2]
        hours = float(table.to_go[origin])
        km = 0.0
        if hours < float("inf"):
            km = sum(self._km[a] for a in self.router.path(origin, dest, bit, commodity) or [])
        self._found[key] = (table, hours, km)
        return hours, km
