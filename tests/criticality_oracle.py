"""The single-link criticality as it was before the array rewrite, kept as the test oracle.

For every link: remove it, run a full networkx Dijkstra from the link's ``to`` node over the
reversed multigraph with a Python weight callback (the fastest usable parallel arc between two
nodes), and follow the predecessors from the ``from`` node. Demands: the undisturbed route is
the fastest single-mode route; a link on it cuts the demand when no mode of the demand has a
route without it. Self-contained (builds its own graph from the network's arc arrays) so that
it stays the old algorithm whatever happens to the production router. ``closed_nodes`` (node
indices) extends the old code with node closures the way the old router applied them: an arc
whose tail or head is closed is impassable. It is slow (edges^2.1); the benchmarks time it.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from beredskap_sim.network.redundancy import rank_criticality

MODES = ("rail", "road", "ferry")


def _mask(modes) -> int:
    out = 0
    for mode in modes:
        out |= 1 << MODES.index(mode)
    return out


def arc_graph(network) -> nx.MultiDiGraph:
    """The network's arcs as a networkx multigraph keyed by arc index (built once per network)."""
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(network.n_nodes))
    for a in range(network.n_arcs):
        g.add_edge(int(network.arc_from[a]), int(network.arc_to[a]), key=a)
    return g


class OldRouter:
    """Today's router in a fresh state, with one link removed and some nodes closed."""

    def __init__(self, network, removed: int = -1, closed_nodes=(), graph: nx.MultiDiGraph | None = None):
        self.net = network
        self.removed = removed
        self.closed = set(closed_nodes)
        self.graph = graph if graph is not None else arc_graph(network)
        self.reversed = self.graph.reverse(copy=False)
        self.cache = {}

    def _arc_cost(self, arc, mask, electric):
        net = self.net
        mode = int(net.arc_mode[arc])
        if not (mask >> mode) & 1:
            return None
        if int(net.arc_link[arc]) == self.removed:
            return None
        if electric and mode == 0 and not net.arc_electrified[arc]:
            return None
        if int(net.arc_to[arc]) in self.closed or int(net.arc_from[arc]) in self.closed:
            return None
        return net.arc_time_h[arc]

    def _best_arc(self, edges, mask, electric):
        best = None
        for arc in edges:
            cost = self._arc_cost(arc, mask, electric)
            if cost is not None and (best is None or cost < best[0]):
                best = (cost, arc)
        return best

    def table(self, dest, mask, electric=False):
        key = (dest, mask, electric)
        if key in self.cache:
            return self.cache[key]

        def weight(u, v, edges):
            best = self._best_arc(edges, mask, electric)
            return None if best is None else best[0]

        pred, dist = nx.dijkstra_predecessor_and_distance(self.reversed, dest, weight=weight)
        n = self.net.n_nodes
        next_arc = np.full(n, -1, dtype=np.int64)
        to_go = np.full(n, np.inf)
        for node, d in dist.items():
            to_go[node] = d
            if node == dest or not pred.get(node):
                continue
            next_arc[node] = self._best_arc(self.graph[node][pred[node][0]], mask, electric)[1]
        self.cache[key] = (next_arc, to_go)
        return self.cache[key]

    def best_mode(self, node, dest, mask, electric=False):
        best, best_time = 0, np.inf
        for i in range(len(MODES)):
            bit = 1 << i
            if mask & bit:
                t = self.table(dest, bit, electric)[1][node]
                if t < best_time:
                    best, best_time = bit, t
        return best

    def path(self, origin, dest, mask, electric=False):
        next_arc = self.table(dest, mask, electric)[0]
        node, arcs = origin, []
        while node != dest:
            arc = int(next_arc[node])
            if arc < 0:
                return None
            arcs.append(arc)
            node = int(self.net.arc_to[arc])
        return arcs


def old_single_link_criticality(network, demands=(), modes=None, closed_nodes=()):
    """The old ``single_link_criticality`` (same columns and ranking)."""
    modes = modes or set(MODES)
    graph = arc_graph(network)
    base = OldRouter(network, closed_nodes=closed_nodes, graph=graph)
    base_routes = []
    for d in demands:
        mode = base.best_mode(d.origin, d.dest, _mask(d.modes), d.electric)
        arcs = base.path(d.origin, d.dest, mode, d.electric) or []
        base_routes.append((d, {int(network.arc_link[a]) for a in arcs}))
    rows = []
    for i, link in enumerate(network.spec.links):
        if link.mode not in modes:
            continue
        router = OldRouter(network, removed=i, closed_nodes=closed_nodes, graph=graph)
        u, v = network.node_index[link.from_], network.node_index[link.to]
        mask = _mask([link.mode])
        time_h = float(network.arc_time_h[np.flatnonzero(network.arc_link == i)[0]])
        alt = router.path(u, v, mask)
        alt_time = float(router.table(v, mask)[1][u]) if alt is not None else np.nan
        alt_dist = float(sum(network.arc_length_km[a] for a in alt)) if alt is not None else np.nan
        cut = 0.0
        affected = 0.0
        for d, used in base_routes:
            if i in used:
                affected += d.tonnes_per_day
                if not router.best_mode(d.origin, d.dest, _mask(d.modes), d.electric):
                    cut += d.tonnes_per_day
        rows.append({
            "link": link.id, "name": link.name, "mode": link.mode, "from": link.from_, "to": link.to,
            "dist": link.length_km, "alt_dist": alt_dist, "diff_dist": alt_dist - link.length_km,
            "detour": int(alt is not None), "time_h": time_h, "alt_time_h": alt_time,
            "diff_time_h": alt_time - time_h, "demand_using_t_per_day": affected, "demand_cut_t_per_day": cut,
        })
    return rank_criticality(rows)  # the ranking itself is unchanged and shared
