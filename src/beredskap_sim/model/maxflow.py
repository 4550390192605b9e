"""Maximum flow by Edmonds–Karp on plain lists, step for step as networkx does it.

``FlowGraph(nodes, arcs)`` holds a directed graph whose arcs are listed in the order
``networkx.DiGraph.edges`` would give them (node order, then each node's insertion order);
``solve(capacities, s, t)`` returns the flow on every arc, equal *bit for bit* to
``networkx.maximum_flow(G, s, t, flow_func=edmonds_karp)`` on that graph: the same residual
network (arcs of capacity ≤ 0 and self-loops left out, a reverse arc of capacity 0 per arc, in
``build_residual_network``'s insertion order), the same bidirectional breadth-first search for a
shortest augmenting path (the smaller frontier grows first, neighbours in insertion order), and
the same float operations (bottleneck = min of ``capacity − flow`` along the path; flow added on
the path's arcs and taken off their reverses). Where the maximum can be reached in several ways
the split is therefore networkx's; only the graph building and dictionary lookups are gone.

The residual structure depends only on which capacities are positive, so it is built once per
such pattern and kept. Edmonds–Karp is O(V E²) (Edmonds & Karp 1972, J. ACM 19(2):248–264).
"""

from __future__ import annotations

from typing import Hashable, Sequence


class _Residual:
    """The residual network for one pattern of positive arcs (see ``build_residual_network``)."""

    __slots__ = ("arc_of", "head", "tail", "rev", "out", "into")

    def __init__(self, n_nodes: int, arcs: Sequence[tuple[int, int]], positive: Sequence[bool]):
        self.arc_of: list[int] = []  # residual arc -> input arc that gives its capacity, or -1 (capacity 0)
        self.head: list[int] = []
        self.tail: list[int] = []
        self.rev: list[int] = []
        self.out: list[list[int]] = [[] for _ in range(n_nodes)]  # residual arcs leaving a node, in order
        self.into: list[list[int]] = [[] for _ in range(n_nodes)]  # residual arcs entering a node, in order
        index: dict[tuple[int, int], int] = {}
        for k, (u, v) in enumerate(arcs):
            if u == v or not positive[k]:
                continue
            found = index.get((u, v))
            if found is not None:  # added as the reverse of (v, u) before
                self.arc_of[found] = k
                continue
            forward, backward = len(self.head), len(self.head) + 1
            index[(u, v)], index[(v, u)] = forward, backward
            self.arc_of += [k, -1]
            self.tail += [u, v]
            self.head += [v, u]
            self.rev += [backward, forward]
            self.out[u].append(forward)
            self.into[v].append(forward)
            self.out[v].append(backward)
            self.into[u].append(backward)


class FlowGraph:
    """A directed graph with arcs in a fixed order; ``solve`` gives Edmonds–Karp's maximum flow."""

    def __init__(self, nodes: Sequence[Hashable], arcs: Sequence[tuple[Hashable, Hashable]]):
        self.index = {node: i for i, node in enumerate(nodes)}
        self.arcs = [(self.index[u], self.index[v]) for u, v in arcs]
        self._residuals: dict[tuple[bool, ...], _Residual] = {}

    def solve(self, capacities: Sequence[float], s: Hashable, t: Hashable) -> list[float]:
        """Flow on each arc (same units as ``capacities``); 0 where networkx's flow dict has 0."""
        positive = tuple(c > 0 for c in capacities)
        res = self._residuals.get(positive)
        if res is None:
            res = self._residuals[positive] = _Residual(len(self.index), self.arcs, positive)
        cap = [capacities[k] if k >= 0 else 0 for k in res.arc_of]
        flow = [0] * len(cap)
        source, sink = self.index[s], self.index[t]
        head, tail, rev, out, into = res.head, res.tail, res.rev, res.out, res.into
        while True:
            path = _shortest_augmenting_path(source, sink, head, tail, out, into, cap, flow)
            if path is None:
                break
            bottleneck = min(cap[a] - flow[a] for a in path)
            for a in path:
                flow[a] += bottleneck
                flow[rev[a]] -= bottleneck
        result = [0] * len(self.arcs)
        for a, k in enumerate(res.arc_of):
            if k >= 0 and flow[a] > 0:
                result[k] = flow[a]
        return result


def _shortest_augmenting_path(s: int, t: int, head: list[int], tail: list[int], out: list[list[int]],
                              into: list[list[int]], cap: list, flow: list) -> list[int] | None:
    """Residual arcs of a shortest s–t path, found as networkx's ``bidirectional_bfs`` finds it:
    the smaller frontier grows by one layer at a time, until the two searches meet."""
    pred = {s: -1}  # node -> residual arc it was reached by, from the source side
    succ = {t: -1}  # node -> residual arc it leaves by, towards the sink
    q_s, q_t = [s], [t]
    while True:
        if len(q_s) <= len(q_t):
            q_s, meet = _layer(q_s, out, head, pred, succ, cap, flow)
            grown = q_s
        else:
            q_t, meet = _layer(q_t, into, tail, succ, pred, cap, flow)
            grown = q_t
        if meet >= 0:
            break
        if not grown:
            return None
    path = []
    u = meet
    while u != s:
        a = pred[u]
        path.append(a)
        u = tail[a]
    path.reverse()
    u = meet
    while u != t:
        a = succ[u]
        path.append(a)
        u = head[a]
    return path


def _layer(frontier: list[int], arcs_at: list[list[int]], far_end: list[int], reached: dict[int, int],
           other: dict[int, int], cap: list, flow: list) -> tuple[list[int], int]:
    """One breadth-first layer over residual arcs with room left: (next frontier, the node where
    it met the other search or -1). ``reached`` records the arc each new node was reached by."""
    grown = []
    for u in frontier:
        for a in arcs_at[u]:
            v = far_end[a]
            if v not in reached and flow[a] < cap[a]:
                reached[v] = a
                if v in other:
                    return grown, v
                grown.append(v)
    return grown, -1
