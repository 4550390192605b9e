"""Maximum flow of a small graph solved many times with new capacities: networkx's Edmonds–Karp
on a residual network that is built once and kept.

``FlowGraph(nodes, arcs)`` holds a directed graph (arcs in ``networkx.DiGraph.edges`` order);
``solve(capacities, s, t)`` returns the flow on every arc as
``networkx.maximum_flow(G, s, t, flow_func=edmonds_karp)`` gives it on that graph with those
capacities. What costs time there is not the search but building the graph and its residual
network (``build_residual_network``) every call. The residual network's *structure* depends
only on which capacities are positive (arcs of capacity 0 are left out), so it is built by
networkx once per such pattern and kept; a later call with the same pattern writes the new
capacities (and the residual network's stand-in for infinity, ``3 × Σ capacities``, as
``build_residual_network`` sets it) into it and hands it to ``edmonds_karp(..., residual=R)``,
which resets the flows and searches as usual. The augmenting paths, and so the split where the
maximum can be reached in several ways, are therefore networkx's. Edmonds–Karp is O(V E²)
(Edmonds & Karp 1972, J. ACM 19(2):248–264).
"""

from __future__ import annotations

from typing import Hashable, Sequence

import networkx as nx
from networkx.algorithms.flow import build_residual_network, edmonds_karp


class FlowGraph:
    """A directed graph whose maximum flow is asked for many times with new capacities."""

    def __init__(self, nodes: Sequence[Hashable], arcs: Sequence[tuple[Hashable, Hashable]]):
        self.arcs = list(arcs)
        self._graph = nx.DiGraph()
        self._graph.add_nodes_from(nodes)
        self._graph.add_edges_from(self.arcs, capacity=0.0)
        if self._graph.number_of_edges() != len(self.arcs):
            raise ValueError("FlowGraph: an arc is listed twice")
        # per pattern of positive capacities: the residual network and its arcs' attribute dicts
        self._residuals: dict[tuple[bool, ...], tuple[nx.DiGraph, list[dict | None]]] = {}

    def solve(self, capacities: Sequence[float], s: Hashable, t: Hashable) -> list[float]:
        """Flow on every arc (same order as ``arcs``) of a maximum ``s``–``t`` flow."""
        positive = tuple(c > 0 for c in capacities)
        kept = self._residuals.get(positive)
        if kept is None:
            for (u, v), c in zip(self.arcs, capacities):
                self._graph[u][v]["capacity"] = c
            residual = build_residual_network(self._graph, "capacity")
            kept = self._residuals[positive] = (
                residual, [residual[u][v] if p and u != v else None for (u, v), p in zip(self.arcs, positive)])
        else:
            residual, attrs = kept
            total = 0.0
            for attr, c in zip(attrs, capacities):
                if attr is not None:
                    attr["capacity"] = c
                    total += c
            residual.graph["inf"] = 3 * total or 1
        residual, attrs = kept
        edmonds_karp(self._graph, s, t, capacity="capacity", residual=residual)
        return [attr["flow"] if attr is not None and attr["flow"] > 0 else 0 for attr in attrs]
