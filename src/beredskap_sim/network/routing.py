"""Best open route to a destination, cached by network-state version.

For a destination, a traffic class (allowed modes, commodity) and the current state, one
Dijkstra run from the destination over the *reversed* graph gives every node's time-to-go and
its next hop. Consignments ask only for the next arc at the node where they stand, so a link
that closes mid-journey is routed around at the next node.

A traffic class is (allowed modes, commodity, electric traction). Electric traction may use
rail arcs only where the link is electrified and has traction power.

Generalised cost of an arc, in hours: ``time_h / speed_factor`` plus, when the arc enters a
border node, that node's expected customs time (fixed clearance + any customs delay). Closed
links, links with capacity factor 0 and nodes closed to the commodity are impassable.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from .graph import MODES, Network
from .state import NetworkState


def mode_bits(mask: int) -> list[int]:
    """The single-mode masks contained in ``mask``, in ``MODES`` order."""
    return [1 << i for i in range(len(MODES)) if (mask >> i) & 1]


def modes_mask(modes) -> int:
    """Bit mask of allowed modes (bit i for ``MODES[i]``)."""
    mask = 0
    for mode in modes:
        mask |= 1 << MODES.index(mode)
    return mask


class Router:
    """Next-hop tables per (destination, modes mask, commodity), recomputed when the state changes."""

    def __init__(self, network: Network, state: NetworkState, node_entry_h: np.ndarray | None = None):
        self.network = network
        self.state = state
        self.node_entry_h = node_entry_h if node_entry_h is not None else np.zeros(network.n_nodes)
        self._reversed = network.graph.reverse(copy=False)
        self._cache: dict[tuple[int, int, str, bool], tuple[np.ndarray, np.ndarray, list[int]]] = {}
        self._version = state.version
        self.recomputations = 0

    def _arc_cost(self, arc: int, mask: int, commodity: str, electric: bool) -> float | None:
        net, state = self.network, self.state
        mode = int(net.arc_mode[arc])
        if not (mask >> mode) & 1:
            return None
        link = int(net.arc_link[arc])
        if not state.link_usable(link, electric and mode == 0, bool(net.arc_electrified[arc])):
            return None
        head = int(net.arc_to[arc])
        if state.node_closed[head] and state.node_closed_for(head, commodity):
            return None
        tail = int(net.arc_from[arc])
        if state.node_closed[tail] and state.node_closed_for(tail, commodity):
            return None
        return (
            net.arc_time_h[arc] / state.link_speed_factor[link]
            + self.node_entry_h[head]
            + state.node_customs_delay_h[head]
        )

    def _best_arc(self, edges: dict, mask: int, commodity: str, electric: bool) -> tuple[float, int] | None:
        best = None
        for arc in edges:
            cost = self._arc_cost(arc, mask, commodity, electric)
            if cost is not None and (best is None or cost < best[0]):
                best = (cost, arc)
        return best

    def table(self, dest: int, mask: int, commodity: str, electric: bool = False):
        """``(next_arc, time_to_go_h, next_arc as a list)`` for every node; next_arc is -1 where no route exists."""
        if self._version != self.state.version:
            self._cache.clear()
            self._version = self.state.version
        key = (dest, mask, commodity, electric)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        self.recomputations += 1

        def weight(u, v, edges):  # reversed view: original arc runs v -> u
            best = self._best_arc(edges, mask, commodity, electric)
            return None if best is None else best[0]

        pred, dist = nx.dijkstra_predecessor_and_distance(self._reversed, dest, weight=weight)
        n = self.network.n_nodes
        next_arc = np.full(n, -1, dtype=np.int64)
        to_go = np.full(n, np.inf)
        graph = self.network.graph
        for node, d in dist.items():
            to_go[node] = d
            if node == dest or not pred.get(node):
                continue
            best = self._best_arc(graph[node][pred[node][0]], mask, commodity, electric)
            next_arc[node] = best[1]
        entry = (next_arc, to_go, next_arc.tolist())  # the list serves fast lookups in the event loop
        self._cache[key] = entry
        return entry

    def next_arc(self, node: int, dest: int, mask: int, commodity: str, electric: bool = False) -> int:
        """Arc to take from ``node`` towards ``dest``; -1 if no open route exists."""
        return self.table(dest, mask, commodity, electric)[2][node]

    def time_to_go(self, node: int, dest: int, mask: int, commodity: str, electric: bool = False) -> float:
        """Generalised time of the best route, hours; inf if there is none."""
        return float(self.table(dest, mask, commodity, electric)[1][node])

    def best_mode(self, node: int, dest: int, mask: int, commodity: str, electric: bool = False) -> int:
        """The single-mode mask among ``mask`` with the shortest time to ``dest``; 0 if none has a route."""
        best, best_time = 0, np.inf
        for bit in mode_bits(mask):
            time_h = self.table(dest, bit, commodity, electric)[1][node]
            if time_h < best_time:
                best, best_time = bit, time_h
        return best

    def path(self, origin: int, dest: int, mask: int, commodity: str, electric: bool = False) -> list[int] | None:
        """Arcs of the current best route, or None if there is none."""
        next_arc = self.table(dest, mask, commodity, electric)[0]
        node, arcs = origin, []
        while node != dest:
            arc = int(next_arc[node])
            if arc < 0:
                return None
            arcs.append(arc)
            node = int(self.network.arc_to[arc])
        return arcs
