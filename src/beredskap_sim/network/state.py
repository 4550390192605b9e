"""What changes in the network during a run: closures and capacity/speed/customs factors.

Effects are applied and reverted by id, so overlapping disruptions compose: a link is closed
while *any* active effect closes it, and its capacity factor is the product of the active
factors. Every change bumps ``version``, leaves the touched link and node indices in
``last_changed`` (so route tables recompute only what a change touches) and calls the listeners
(e.g. the freight model re-routes waiting consignments).

A closure may be *announced* with the time it is expected to end (``until``): a closed link's
``link_reopen_h`` is the latest announced end of the effects that close it, or infinity while
any of them has no announced end. Route choice weighs waiting for the reopening against a detour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Effect:
    """What a disruption does. ``close`` wins over the factors while it is active."""

    close: bool = False
    capacity_factor: float = 1.0
    speed_factor: float = 1.0
    customs_delay_h: float = 0.0
    exempt: frozenset[str] = frozenset()
    demand_factor: float = 1.0
    food_demand_factor: float = 1.0  # multiplies the food demand of the food municipalities hit (model/food.py)
    unpowered: bool = False  # links lose traction power: electric trains stop, diesel trains run


class NetworkState:
    """Per-link and per-node state arrays with a version counter."""

    def __init__(self, n_links: int, n_nodes: int):
        self.version = 0
        self.link_closed = np.zeros(n_links, dtype=bool)
        self.link_capacity_factor = np.ones(n_links)
        self.link_speed_factor = np.ones(n_links)
        self.link_unpowered = np.zeros(n_links, dtype=bool)
        # Python-list copies for the event loop (``open_links[i]``: link i carries traffic), updated
        # in place on every change so holders of a reference see the change: element access on
        # lists is much faster than on numpy arrays, and keeps event times plain floats.
        self.open_links = [True] * n_links
        self.capacity_factors = [1.0] * n_links
        self.speed_factors = [1.0] * n_links
        self.link_reopen_h = np.full(n_links, np.inf)
        self.last_changed: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())
        self._until: dict[str, float] = {}
        self.node_closed = np.zeros(n_nodes, dtype=bool)
        self.node_customs_delay_h = np.zeros(n_nodes)
        # node index -> list of exemption sets of the active closures on that node
        self._node_closures: dict[int, list[frozenset[str]]] = {}
        self._active: dict[str, tuple[tuple[int, ...], tuple[int, ...], Effect]] = {}
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after every change."""
        self._listeners.append(listener)

    def apply(self, key: str, links: tuple[int, ...], nodes: tuple[int, ...], effect: Effect,
              until: float | None = None) -> None:
        """Start effect ``key`` on the given links and nodes; ``until``: its announced end (hours), if known."""
        if key in self._active:
            raise KeyError(f"effect {key!r} is already active")
        self._active[key] = (links, nodes, effect)
        if until is not None:
            self._until[key] = until
        self._recompute(links, nodes)

    def announce(self, key: str, until: float) -> None:
        """Announce (or move) the expected end of active effect ``key``."""
        self._until[key] = until
        links, nodes, _ = self._active[key]
        self._recompute(links, nodes)

    def revert(self, key: str) -> None:
        """End effect ``key``."""
        links, nodes, _ = self._active.pop(key)
        self._until.pop(key, None)
        self._recompute(links, nodes)

    def is_active(self, key: str) -> bool:
        return key in self._active

    def node_closed_for(self, node: int, commodity: str) -> bool:
        """True when an active closure of ``node`` does not exempt ``commodity``."""
        return any(commodity not in exempt for exempt in self._node_closures.get(node, ()))

    def link_usable(self, link: int, electric: bool, electrified: bool) -> bool:
        """Open, and for electric traction also electrified and powered."""
        if electric and (not electrified or self.link_unpowered[link]):
            return False
        return self.link_open(link)

    def link_open(self, link: int) -> bool:
        """A link carries traffic when it is not closed and its capacity factor is above zero."""
        return self.open_links[link]

    def _recompute(self, links: tuple[int, ...], nodes: tuple[int, ...]) -> None:
        for li in set(links):
            closed, cap, speed, unpowered, reopen = False, 1.0, 1.0, False, 0.0
            for key, (ls, _, eff) in self._active.items():
                if li in ls:
                    closed |= eff.close
                    cap *= eff.capacity_factor
                    speed *= eff.speed_factor
                    unpowered |= eff.unpowered
                    if eff.close or eff.capacity_factor <= 0.0:
                        reopen = max(reopen, self._until.get(key, np.inf))
            self.link_reopen_h[li] = reopen if (closed or cap <= 0.0) else np.inf
            self.link_closed[li] = closed
            self.link_unpowered[li] = unpowered
            self.link_capacity_factor[li] = cap
            self.link_speed_factor[li] = speed
        for ni in set(nodes):
            closures, delay = [], 0.0
            for _, ns, eff in self._active.values():
                if ni in ns:
                    if eff.close:
                        closures.append(eff.exempt)
                    delay += eff.customs_delay_h
            self.node_closed[ni] = bool(closures)
            self.node_customs_delay_h[ni] = delay
            if closures:
                self._node_closures[ni] = closures
            else:
                self._node_closures.pop(ni, None)
        self.open_links[:] = ((~self.link_closed) & (self.link_capacity_factor > 0.0)).tolist()
        self.capacity_factors[:] = self.link_capacity_factor.tolist()
        self.speed_factors[:] = self.link_speed_factor.tolist()
        self.version += 1
        self.last_changed = (tuple(links), tuple(nodes))
        for listener in self._listeners:
            listener()
