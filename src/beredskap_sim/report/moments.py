"""Which moment of a run to draw: the one when the most demand is affected.

Between two consecutive starts or ends of disruptions the network state is constant, so the
candidate moments are the midpoints of those intervals. At each, three kinds of demand are
counted from the scenario and the disruptions of one replication (read from disk):

* **freight** (t/day): the flows whose undisturbed fastest route (in their allowed modes)
  uses a disrupted link or passes a closed node;
* **people**: the population of the food municipalities that no open route in their allowed
  modes connects to their warehouse — the place is cut off;
* **critical load** (MW): the critical loads that are themselves targets of a disruption.

Each is divided by its largest value over the candidates (so each kind counts equally
against its own peak) and the three shares are added; the worst moment has the largest sum
(the earliest on a tie). ``links_used`` gives every link the freight and food routes use,
undisturbed and at the worst moment — what the map's frame must hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import pandas as pd


@dataclass
class Affected:
    time_h: float
    tonnes_per_day: float = 0.0
    people: int = 0
    critical_mw: float = 0.0
    links: set[int] = field(default_factory=set)  # disrupted link indices
    nodes: set[int] = field(default_factory=set)  # closed node indices

    def describe(self) -> str:
        parts = []
        if self.tonnes_per_day > 0:
            parts.append(f"{self.tonnes_per_day:,.0f} t/day of freight on disrupted routes")
        if self.people > 0:
            parts.append(f"{self.people:,} people cut off")
        if self.critical_mw > 0:
            parts.append(f"{self.critical_mw:,.1f} MW of critical load out")
        return ", ".join(parts) or "no demand affected"


def _graph(network, modes, blocked_links=frozenset(), blocked_nodes=frozenset()) -> nx.DiGraph:
    """The fastest arc between each pair of nodes in ``modes``, without the blocked ones."""
    from ..network.graph import MODES

    allowed = {MODES.index(m) for m in modes}
    g = nx.DiGraph()
    for u, v, data in network.graph.edges(data=True):
        if data["mode"] not in allowed or data["link"] in blocked_links or u in blocked_nodes or v in blocked_nodes:
            continue
        if not g.has_edge(u, v) or g[u][v]["time_h"] > data["time_h"]:
            g.add_edge(u, v, time_h=data["time_h"], link=data["link"])
    return g


def _route_links(g: nx.DiGraph, a: int, b: int) -> list[int] | None:
    try:
        path = nx.shortest_path(g, a, b, weight="time_h")
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None
    return [g[u][v]["link"] for u, v in zip(path, path[1:])]


def _flows(scenario):
    """(from, to, modes, tonnes/day, population) of the freight flows and food supply routes."""
    spec = scenario.spec
    out = [(f.from_, f.to, tuple(f.modes), f.tonnes_per_day, 0) for f in spec.freight]
    if spec.food is not None:
        for m in spec.food.municipalities:
            node = scenario.network_spec.nodes[scenario.network.node_index[m.node]]
            out.append((m.supply_from, m.node, tuple(m.modes), 0.0, node.population or 0))
    return out


def affected_at(scenario, disruptions: pd.DataFrame, t: float) -> Affected:
    """What is affected at time ``t`` by the disruptions (rows of one replication)."""
    network = scenario.network
    active = disruptions[(disruptions["start_h"] <= t) & (disruptions["end_h"] > t)]
    out = Affected(t)
    loads = {c.id: c.mw for c in scenario.network_spec.power.critical_loads} if scenario.network_spec.power else {}
    for row in active.itertuples():
        out.links |= {network.link_index[x] for x in str(row.links).split() if x in network.link_index}
        if row.kind == "closed":
            out.nodes |= {network.node_index[x] for x in str(row.nodes).split() if x in network.node_index}
        out.critical_mw += sum(loads.get(x, 0.0) for x in str(row.targets).split())
    graphs: dict[tuple, tuple[nx.DiGraph, nx.DiGraph]] = {}
    for a, b, modes, tonnes, people in _flows(scenario):
        if modes not in graphs:
            graphs[modes] = (_graph(network, modes), _graph(network, modes, out.links, out.nodes))
        whole, now = graphs[modes]
        ia, ib = network.node_index[a], network.node_index[b]
        usual = _route_links(whole, ia, ib) or []
        if tonnes and (set(usual) & out.links or ia in out.nodes or ib in out.nodes):
            out.tonnes_per_day += tonnes
        if people and _route_links(now, ia, ib) is None:
            out.people += people
    return out


def candidate_times(disruptions: pd.DataFrame, horizon_h: float) -> list[float]:
    """Midpoints of the intervals in which no disruption starts or ends."""
    edges = sorted({0.0, horizon_h, *[min(max(x, 0.0), horizon_h) for x in disruptions["start_h"]],
                    *[min(max(x, 0.0), horizon_h) for x in disruptions["end_h"]]})
    return [(a + b) / 2 for a, b in zip(edges, edges[1:]) if b > a]


def worst_moment(scenario, disruptions: pd.DataFrame, replication: int = 0) -> Affected | None:
    """The candidate moment with the largest sum of affected shares; None without disruptions."""
    mine = disruptions[disruptions["replication"] == replication]
    if mine.empty:
        return None
    moments = [affected_at(scenario, mine, t) for t in candidate_times(mine, scenario.horizon_h)]
    peaks = [max(getattr(m, k) for m in moments) or 1.0 for k in ("tonnes_per_day", "people", "critical_mw")]

    def score(m: Affected) -> float:
        return m.tonnes_per_day / peaks[0] + m.people / peaks[1] + m.critical_mw / peaks[2]

    best = max(score(m) for m in moments)
    return next(m for m in moments if score(m) >= best - 1e-12)


def links_used(scenario, moment: Affected | None) -> set[int]:
    """Every link on the freight and food routes, undisturbed and (if given) at ``moment``."""
    network = scenario.network
    used: set[int] = set()
    for a, b, modes, _, _ in _flows(scenario):
        ia, ib = network.node_index[a], network.node_index[b]
        used |= set(_route_links(_graph(network, modes), ia, ib) or [])
        if moment is not None:
            used |= set(_route_links(_graph(network, modes, moment.links, moment.nodes), ia, ib) or [])
    return used


def local_links(scenario, disrupted: set[int]) -> set[int]:
    """The study area around the disruptions: the disrupted links, the links that touch them,
    and the links at the food municipalities (all links when nothing is disrupted and no food
    is modelled)."""
    network = scenario.network
    ends = {e for i in disrupted for e in (network.spec.links[i].from_, network.spec.links[i].to)}
    if scenario.spec.food is not None:
        ends |= {m.node for m in scenario.spec.food.municipalities}
    if not ends:
        return set(range(network.n_links))
    return set(disrupted) | {i for i, link in enumerate(network.spec.links) if link.from_ in ends or link.to in ends}


def commodity_routes(scenario) -> dict[str, tuple[set[int], set[int]]]:
    """Commodity → (links, nodes) of the undisturbed routes of its flows: the freight flows,
    the food groups' supply routes (each group of ``food.groups``) and the backup generators'
    fuel (commodity ``fuel``). A disruption touches a commodity when it hits one of these."""
    network = scenario.network
    routes: dict[str, list[tuple[str, str, tuple]]] = {}
    for f in scenario.spec.freight:
        routes.setdefault(f.commodity, []).append((f.from_, f.to, tuple(f.modes)))
    if scenario.spec.food is not None:
        for group in scenario.spec.food.groups:
            routes.setdefault(group, []).extend((m.supply_from, m.node, tuple(m.modes))
                                                for m in scenario.spec.food.municipalities)
    power = scenario.network_spec.power
    if power is not None and scenario.spec.power:
        routes.setdefault("fuel", []).extend((c.backup.depot, c.node, tuple(c.backup.modes))
                                             for c in power.critical_loads if c.backup is not None)
    out = {}
    for commodity, pairs in routes.items():
        links: set[int] = set()
        nodes: set[int] = set()
        for a, b, modes in pairs:
            path = _route_links(_graph(network, modes), network.node_index[a], network.node_index[b]) or []
            links |= set(path)
            for i in path:
                nodes |= {network.node_index[network.spec.links[i].from_], network.node_index[network.spec.links[i].to]}
        out[commodity] = (links, nodes)
    return out
