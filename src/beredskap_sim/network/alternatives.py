"""Cheapest paths and single-link alternatives on plain arc arrays (no networkx).

The input is a directed multigraph given as one entry per *arc*: tail node ``arc_from``,
head node ``arc_to``, a non-negative ``arc_cost`` (e.g. hours), a secondary non-negative
``arc_length`` (e.g. km) and the ``arc_link`` it belongs to (both directions of a two-way
link share one link index; parallel links are distinct links). Arcs that are not usable, or
that start or end at a closed node, are left out when the graph is built.

``ArcGraph.cheapest(source, target, skip_link)`` is Dijkstra's algorithm (Dijkstra 1959) on
adjacency lists with a binary heap, ordered lexicographically by ``(cost, length)``: of the
paths of least cost it returns the shortest, so the answer does not depend on visiting order.
It stops as soon as ``target`` is settled, which is what makes single-link criticality cheap:
the alternative to a link is usually found a few links away, so each search touches only the
neighbourhood of the link (ra2ce's single-link redundancy stops at the link's other end the
same way). Every arc of ``skip_link`` (both directions) is treated as absent; a path from a
node to itself is empty (cost 0).

``link_alternatives`` runs that search for every link: remove the link and find the cheapest
path from its ``from`` node to its ``to`` node using only arcs of the link's own mode.

``cut_links`` answers which links of a found path lie on *every* path between its ends (their
loss alone disconnects the pair), in one backward sweep (see the method). A simple path uses at
most one arc of a link, and if every path used one arc or the other, joining the prefix of one
to the suffix of the other would give a path using neither; so a link cuts the pair exactly
when one of its arcs does, and only arcs of the found path can.
"""

from __future__ import annotations

from dataclasses import dataclass
from heapq import heappop, heappush

import numpy as np

INF = float("inf")


@dataclass(frozen=True)
class Path:
    """A found path: its total cost and length, and its arcs in order."""

    cost: float
    length: float
    arcs: tuple[int, ...]


class ArcGraph:
    """Forward adjacency lists of the usable arcs of a directed multigraph.

    ``arc_usable`` (bool per arc, default all) drops arcs; ``node_closed`` (bool per node,
    default none) drops every arc whose tail or head is closed. ``arc_length`` defaults to
    zero (no tie-break) and ``arc_link`` to one link per arc.
    """

    def __init__(self, n_nodes: int, arc_from, arc_to, arc_cost, arc_length=None, arc_link=None,
                 arc_usable=None, node_closed=None):
        arc_from = np.asarray(arc_from, dtype=np.int64)
        arc_to = np.asarray(arc_to, dtype=np.int64)
        arc_cost = np.asarray(arc_cost, dtype=float)
        n_arcs = len(arc_from)
        if len(arc_to) != n_arcs or len(arc_cost) != n_arcs:
            raise ValueError("arc_from, arc_to and arc_cost must have one entry per arc")
        if n_arcs and (arc_cost.min() < 0 or np.isnan(arc_cost).any()):
            raise ValueError("arc costs must be non-negative numbers")
        arc_length = np.zeros(n_arcs) if arc_length is None else np.asarray(arc_length, dtype=float)
        arc_link = np.arange(n_arcs) if arc_link is None else np.asarray(arc_link, dtype=np.int64)
        keep = np.ones(n_arcs, dtype=bool) if arc_usable is None else np.asarray(arc_usable, dtype=bool).copy()
        if node_closed is not None:
            closed = np.asarray(node_closed, dtype=bool)
            keep &= ~closed[arc_from] & ~closed[arc_to]
        self.n_nodes = n_nodes
        self._arc_link = arc_link.tolist()
        self._arc_from, self._arc_to = arc_from.tolist(), arc_to.tolist()
        self._reverse: list[list[int]] | None = None
        self.adjacency: list[list[tuple[int, float, float, int, int]]] = [[] for _ in range(n_nodes)]
        for a in np.flatnonzero(keep).tolist():
            self.adjacency[int(arc_from[a])].append(
                (int(arc_to[a]), float(arc_cost[a]), float(arc_length[a]), int(arc_link[a]), a))

    def cheapest(self, source: int, target: int, skip_link: int = -1) -> Path | None:
        """Least-cost path ``source`` → ``target`` (ties: shortest), avoiding ``skip_link``; None if none."""
        if source == target:
            return Path(0.0, 0.0, ())
        adjacency = self.adjacency
        best = {source: (0.0, 0.0)}
        via: dict[int, tuple[int, int]] = {}  # node -> (arc into it, its tail)
        settled = set()
        heap = [(0.0, 0.0, source)]
        while heap:
            cost, length, node = heappop(heap)
            if node in settled:
                continue
            if node == target:
                arcs = []
                while node != source:
                    arc, node = via[node]
                    arcs.append(arc)
                return Path(cost, length, tuple(reversed(arcs)))
            settled.add(node)
            for head, c, ln, link, arc in adjacency[node]:
                if link == skip_link:
                    continue
                key = (cost + c, length + ln)
                old = best.get(head)
                if old is None or key < old:
                    best[head] = key
                    via[head] = (arc, node)
                    heappush(heap, (key[0], key[1], head))
        return None

    def cut_links(self, path: Path) -> set[int]:
        """Links of ``path`` that lie on *every* path between its ends (see the module docstring).

        With the path's nodes ``x0 … xk`` and arcs ``a1 … ak``: a *detour* leaves the path at
        ``xi`` by an arc that is not a path arc and reaches ``xl`` through nodes off the path.
        Without ``aj``, the end is reachable exactly when some detour from ``i ≤ j − 1`` lands at
        ``l ≥ j``; so ``aj`` cuts when the furthest landing of the detours from ``x0 … x(j−1)``
        is below ``j``. The furthest landing of every node off the path is found by searching
        backwards from ``xk``, then ``x(k−1)``, …, each node marked once: linear in the arcs.
        """
        if not path.arcs:
            return set()
        nodes = [self._arc_from[path.arcs[0]]] + [self._arc_to[a] for a in path.arcs]
        pos = {x: i for i, x in enumerate(nodes)}
        if self._reverse is None:
            self._reverse = [[] for _ in range(self.n_nodes)]
            for tail, arcs in enumerate(self.adjacency):
                for head, *_ in arcs:
                    self._reverse[head].append(tail)
        landing: dict[int, int] = {}  # node off the path -> furthest path index it reaches
        for index in range(len(nodes) - 1, -1, -1):
            stack = [u for u in self._reverse[nodes[index]] if u not in pos and u not in landing]
            for u in stack:
                landing[u] = index
            while stack:
                for u in self._reverse[stack.pop()]:
                    if u not in pos and u not in landing:
                        landing[u] = index
                        stack.append(u)
        on_path = set(path.arcs)
        cut, furthest = set(), -1
        for j, arc in enumerate(path.arcs, start=1):
            for head, _, _, _, a in self.adjacency[nodes[j - 1]]:
                if a not in on_path:
                    furthest = max(furthest, pos[head] if head in pos else landing.get(head, -1))
            if furthest < j:
                cut.add(self._arc_link[arc])
        return cut


def link_alternatives(n_nodes: int, arc_from, arc_to, arc_cost, arc_mode, arc_link, arc_length=None,
                      arc_usable=None, node_closed=None, links=None) -> tuple[np.ndarray, np.ndarray]:
    """Per link: cost and length of the cheapest path between its ends without it, in its own mode.

    A link's ends are the tail and head of its first arc (for a compiled ``Network``: its
    ``from`` and ``to`` node). Only arcs of the link's mode (``arc_mode``, any integer code) take
    part. Returns ``(alt_cost, alt_length)`` indexed by link (``max(arc_link) + 1`` entries; NaN
    for links not asked for in ``links``, inf where no alternative exists). Ties in cost are
    broken by the shorter length.
    """
    arc_from = np.asarray(arc_from, dtype=np.int64)
    arc_to = np.asarray(arc_to, dtype=np.int64)
    arc_mode = np.asarray(arc_mode, dtype=np.int64)
    arc_link = np.asarray(arc_link, dtype=np.int64)
    n_links = int(arc_link.max()) + 1 if len(arc_link) else 0
    first_arc = np.full(n_links, -1, dtype=np.int64)
    first_arc[arc_link[::-1]] = np.arange(len(arc_link))[::-1]  # lowest arc index per link wins
    usable = np.ones(len(arc_from), dtype=bool) if arc_usable is None else np.asarray(arc_usable, dtype=bool)
    graphs = {int(m): ArcGraph(n_nodes, arc_from, arc_to, arc_cost, arc_length, arc_link,
                               usable & (arc_mode == m), node_closed)
              for m in np.unique(arc_mode)}
    wanted = range(n_links) if links is None else links
    alt_cost = np.full(n_links, np.nan)
    alt_length = np.full(n_links, np.nan)
    for link in wanted:
        arc = int(first_arc[link])
        found = graphs[int(arc_mode[arc])].cheapest(int(arc_from[arc]), int(arc_to[arc]), skip_link=link)
        alt_cost[link], alt_length[link] = (found.cost, found.length) if found is not None else (INF, INF)
    return alt_cost, alt_length
