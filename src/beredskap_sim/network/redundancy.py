"""Static redundancy of the network, from the graph alone (no simulation).

All functions work on a *mode set* (e.g. ``{"rail"}``, ``{"road"}``, ``{"rail", "road"}``):
only links of those modes count. Each link is treated as undirected (links carry both ways).

* ``pair_redundancy`` — between two regions (sets of nodes): number of link-disjoint and
  node-disjoint paths (Menger; ``networkx.edge_disjoint_paths`` / ``node_disjoint_paths``),
  and the minimum cut: the smallest total freight capacity (t/h) whose loss separates the
  regions, with the links in it (``networkx.minimum_cut``). Each region is contracted into one
  node (a source and a sink); every link is split by a midpoint node so that parallel links
  stay distinct and a cut names links, not node pairs.
* ``single_link_criticality`` — for every link: remove it and find the best alternative
  between its end nodes: the fastest route in the link's own mode, of equally fast ones the
  shortest (ra2ce's length weighting takes the shortest instead); each search stops at the
  link's other end (``alternatives``). Columns follow ra2ce's single-link redundancy so results
  can be held side by side: ``dist`` (link length, km), ``alt_dist`` (length of the fastest
  alternative, km), ``diff_dist = alt_dist − dist``, ``detour`` (1 when an alternative exists, 0 when not),
  plus ``time_h``/``alt_time_h``/``diff_time_h`` (generalised freight time) and, for a
  scenario, ``demand_cut_t_per_day``: freight whose undisturbed route uses the link and which
  has no route in its modes without it.
* ``multi_link_failure`` — remove a set of links together (a storm footprint): whether the
  network stays connected, which OD pairs lose their route, and the locations isolated from
  the largest component, counted by kind and population.
* ``time_to_survive_vs_recover`` — per food municipality: how long its stock lasts with all
  supply cut (TTS, days) against how long, on the hazard data's mean repair times, it takes
  until a route in the modes its supply may use is open again (TTR); flagged where TTR > TTS.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from .alternatives import ArcGraph, link_alternatives
from .graph import MODES, Network
from .routing import Router, modes_mask
from .state import Effect, NetworkState


def _carried_mode(network: Network) -> np.ndarray:
    """Mode code per arc for detours: a scheduled (RoRo) ferry's arcs count as road, since its
    trucks drive on and off, so a ferry's alternative is a road and a road's may be the ferry."""
    road = MODES.index("road")
    return np.where(network.arc_mode_bits & (1 << road), road, network.arc_mode)


def _links_of(network: Network, modes: set[str]) -> list[int]:
    return [i for i, link in enumerate(network.spec.links) if link.mode in modes]


def _split_graph(network: Network, modes: set[str], rename: dict[int, str] | None = None) -> nx.Graph:
    """Undirected graph of places and link midpoints ``('L', i)``, capacity in t/h.

    Places in ``rename`` are merged into one node each (a region contracted to "S" or "T");
    links inside a merged region are dropped.
    """
    rename = rename or {}
    g = nx.Graph()
    g.add_nodes_from(rename.get(n, n) for n in range(network.n_nodes))
    for i in _links_of(network, modes):
        link = network.spec.links[i]
        cap = float(network.arc_capacity_tph[np.flatnonzero(network.arc_link == i)[0]])
        u = rename.get(network.node_index[link.from_], network.node_index[link.from_])
        v = rename.get(network.node_index[link.to], network.node_index[link.to])
        if u == v:
            continue
        g.add_edge(u, ("L", i), capacity=cap)
        g.add_edge(("L", i), v, capacity=cap)
    return g


def pair_redundancy(network: Network, region_a: list[str], region_b: list[str], modes: set[str]) -> dict:
    """Disjoint paths and minimum cut between two regions for one mode set."""
    rename = {network.node_index[n]: "S" for n in region_a}
    overlap = [n for n in region_b if network.node_index[n] in rename]
    if overlap:
        raise ValueError(f"regions overlap in {overlap}, expected disjoint regions")
    rename.update({network.node_index[n]: "T" for n in region_b})
    g = _split_graph(network, modes, rename)
    if not nx.has_path(g, "S", "T"):
        return {"edge_disjoint_paths": 0, "node_disjoint_paths": 0, "min_cut_tph": 0.0, "min_cut_links": ""}
    edge_paths = sum(1 for _ in nx.edge_disjoint_paths(g, "S", "T"))
    # Node-disjoint: the paths share no place between the super source and sink (each region
    # node, too, serves one path at most).
    node_paths = sum(1 for _ in nx.node_disjoint_paths(g, "S", "T"))
    cut_value, (reach, _) = nx.minimum_cut(g.to_directed(), "S", "T", capacity="capacity")
    cut = set()
    for u in reach:
        for v in g.neighbors(u):
            if v not in reach:
                mid = u if isinstance(u, tuple) else v
                if isinstance(mid, tuple):
                    cut.add(network.link_ids[mid[1]])
    return {"edge_disjoint_paths": edge_paths, "node_disjoint_paths": node_paths,
            "min_cut_tph": float(cut_value), "min_cut_links": " ".join(sorted(cut))}


def _demand_routes(network: Network, demands) -> list[tuple[object, set[int], bool]]:
    """Per demand: the links of its undisturbed route, and which of them cut it off alone.

    The undisturbed route is the fastest in one of the demand's modes (ties: the first mode in
    ``MODES`` order, then the shortest path), electric traction on electrified rail only. A link
    on it cuts the demand when it lies on every path of that mode and no other of the demand's
    modes has a route at all.
    """
    graphs: dict[tuple[int, bool], ArcGraph] = {}

    def graph(mode: int, electric: bool) -> ArcGraph:
        key = (mode, electric and mode == 0)
        if key not in graphs:
            usable = (network.arc_mode_bits & (1 << mode)) != 0  # a RoRo ferry carries road vehicles
            if key[1]:
                usable &= network.arc_electrified
            graphs[key] = ArcGraph(network.n_nodes, network.arc_from, network.arc_to, network.arc_time_h,
                                   network.arc_length_km, network.arc_link, usable)
        return graphs[key]

    out = []
    for d in demands:
        found = {}
        for name in MODES:
            if name in d.modes:
                path = graph(MODES.index(name), d.electric).cheapest(d.origin, d.dest)
                if path is not None:
                    found[MODES.index(name)] = path
        if not found:
            out.append((d, set(), set()))
            continue
        mode = min(found, key=lambda m: (found[m].cost, m))
        used = {int(network.arc_link[a]) for a in found[mode].arcs}
        cutting = graph(mode, d.electric).cut_links(found[mode]) if len(found) == 1 else set()
        out.append((d, used, cutting))
    return out


_CRITICALITY_COLUMNS = ["link", "name", "mode", "from", "to", "dist", "alt_dist", "diff_dist", "detour", "time_h",
                        "alt_time_h", "diff_time_h", "demand_using_t_per_day", "demand_cut_t_per_day"]


def rank_criticality(rows: list[dict]) -> pd.DataFrame:
    """The criticality table from one row per link: extra tonne-hours added, most critical first."""
    table = pd.DataFrame(rows, columns=_CRITICALITY_COLUMNS)  # columns named even when no link is in ``modes``
    # Extra tonne-hours a day if the link is lost and its traffic detours (where it can).
    table["extra_tonne_hours_per_day"] = (table["demand_using_t_per_day"] - table["demand_cut_t_per_day"]) * \
        table["diff_time_h"].fillna(0.0)
    # Most critical first: demand cut off, then extra tonne-hours, then no alternative at all,
    # then the longest extra time.
    table["_no_alt"] = 1 - table["detour"]
    table["_extra"] = table["diff_time_h"].fillna(np.inf)
    table = table.sort_values(["demand_cut_t_per_day", "extra_tonne_hours_per_day", "_no_alt", "_extra"],
                              ascending=False, kind="stable")
    table = table.drop(columns=["_no_alt", "_extra"]).reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def single_link_criticality(network: Network, demands=(), modes: set[str] | None = None) -> pd.DataFrame:
    """One row per link (see the module docstring), most critical first.

    The alternative is the fastest path (freight time) between the link's ends in the link's own
    mode with the link removed; of equally fast ones, the shortest. Each search stops at the
    link's other end (``alternatives.link_alternatives``).
    """
    modes = modes or set(MODES)
    links = _links_of(network, modes)
    alt_time, alt_dist = link_alternatives(network.n_nodes, network.arc_from, network.arc_to, network.arc_time_h,
                                           _carried_mode(network), network.arc_link, network.arc_length_km, links=links)
    first_arc = {}
    for a, li in enumerate(network.arc_link.tolist()):
        first_arc.setdefault(li, a)
    routes = _demand_routes(network, demands)
    rows = []
    for i in links:
        link = network.spec.links[i]
        has_alt = bool(np.isfinite(alt_time[i]))
        time_h = float(network.arc_time_h[first_arc[i]])
        alt_t = float(alt_time[i]) if has_alt else np.nan
        alt_d = float(alt_dist[i]) if has_alt else np.nan
        affected = sum(d.tonnes_per_day for d, used, _ in routes if i in used)
        cut = sum(d.tonnes_per_day for d, used, cutting in routes if i in used and i in cutting)
        rows.append({
            "link": link.id, "name": link.name, "mode": link.mode, "from": link.from_, "to": link.to,
            "dist": link.length_km, "alt_dist": alt_d, "diff_dist": alt_d - link.length_km,
            "detour": int(has_alt), "time_h": time_h, "alt_time_h": alt_t,
            "diff_time_h": alt_t - time_h, "demand_using_t_per_day": float(affected),
            "demand_cut_t_per_day": float(cut),
        })
    return rank_criticality(rows)


def multi_link_failure(network: Network, removed_links: list[int], od_pairs: list[tuple[str, str]],
                       modes: set[str] | None = None) -> dict:
    """What a set of links removed together does to connectivity (see module docstring)."""
    modes = modes or set(MODES)
    g = nx.Graph()
    g.add_nodes_from(range(network.n_nodes))
    for i in _links_of(network, modes):
        if i not in removed_links:
            link = network.spec.links[i]
            g.add_edge(network.node_index[link.from_], network.node_index[link.to])
    components = sorted(nx.connected_components(g), key=len, reverse=True)
    main = components[0] if components else set()
    isolated = [n for n in range(network.n_nodes) if n not in main]
    kinds = [network.spec.nodes[n].kind for n in isolated]
    return {
        "connected": len(components) == 1,
        "components": len(components),
        "od_disconnected": [f"{a}→{b}" for a, b in od_pairs
                            if not nx.has_path(g, network.node_index[a], network.node_index[b])],
        "isolated": [network.node_ids[n] for n in isolated],
        "isolated_municipalities": kinds.count("municipality"),
        "isolated_population": int(sum(network.spec.nodes[n].population or 0 for n in isolated)),
        "isolated_border_crossings": kinds.count("border"),
    }


def _member_repair_h(scenario, member) -> float:
    """Mean hours until a hazard member's links reopen: the mean of its duration law plus, when a
    crew repairs it, the crew's travel time (queueing for busy crews is left out)."""
    travel = scenario.crews[member.repair.crew].travel_h if member.repair else 0.0
    return member.duration.mean_h() + travel


def restoration_h(network: Network, origin: int, dest: int, mask: int, closures: list[tuple[float, tuple[int, ...]]],
                  commodity: str = "food") -> tuple[float, tuple[int, ...], float]:
    """When supply from ``origin`` to ``dest`` in the modes of ``mask`` is back after the links
    of ``closures`` — ``(reopening h, links)`` each — close together at time 0.

    The groups reopen in order of their times; the answer is ``(time, links, route_h)``: the
    first time a route exists in the allowed modes, the links whose reopening restored it and
    the travel time (h, generalised freight time) of the best route then open — possibly a
    detour. ``(0, (), undisturbed time)`` when the closures never cut the supply, ``(inf, (),
    inf)`` when nothing reopens it. A link of another mode (a railway for a municipality fed by
    road) never delays the answer, however long its repair.
    """
    def route_h(closed: set[int]) -> float:
        state = NetworkState(network.n_links, network.n_nodes)
        if closed:
            state.apply("closed", tuple(sorted(closed)), (), Effect(close=True))
        router = Router(network, state)
        return router.time_to_go(origin, dest, mask, commodity) if router.best_mode(origin, dest, mask, commodity) \
            else float("inf")

    closed = {li for _, links in closures for li in links}
    if np.isfinite(now := route_h(closed)):
        return 0.0, (), now
    for t, links in sorted(closures, key=lambda c: c[0]):
        closed -= set(links)
        if np.isfinite(now := route_h(closed)):
            return t, links, now
    return float("inf"), (), float("inf")


def time_to_survive_vs_recover(scenario) -> pd.DataFrame:
    """Per food municipality: TTS (days of stock) against the TTR of what can cut it off.

    What can cut it off: each hazard member alone (its links close together) and each hazard's
    whole footprint (a storm closing rail and road at once). TTR is the longest, over those
    that leave no route from the municipality's warehouse *in the modes its supply may use*,
    of the time until such a route is back (``restoration_h``): members reopen in order of their
    mean repair time (mean of the duration law plus the crew's travel time) and the supply is
    back with the first route in its modes. So Meråker, fed by road, waits for E14 (days), not
    for the railway that the same storm closes for weeks. The means stand in for the random
    durations (a planning figure, not the expected value of the random reopening time). In
    days; nothing can cut it off: TTR = 0. ``critical_links`` lists the links of the
    undisturbed route whose loss alone cuts the supply; ``restored_by`` the links whose
    reopening ends the longest cut, and ``restored_route_extra_h`` how much longer (h) the
    route open at that moment is than the undisturbed one (a detour, or 0).
    """
    food = scenario.spec.food
    if food is None:
        return pd.DataFrame()
    network = scenario.network
    rows = []
    for m in food.municipalities:
        origin, dest = network.node_index[m.supply_from], network.node_index[m.node]
        mask = modes_mask(m.modes)
        base = Router(network, NetworkState(network.n_links, network.n_nodes))
        mode = base.best_mode(origin, dest, mask, "food")
        used = {int(network.arc_link[a]) for a in (base.path(origin, dest, mode, "food") or [])}
        critical = [li for li in sorted(used) if restoration_h(network, origin, dest, mask, [(1.0, (li,))])[0] > 0]
        ttr_h, restored_by, detour_h, cutting_hazards = 0.0, (), 0.0, []
        undisturbed_h = restoration_h(network, origin, dest, mask, [])[2]
        for hazard in scenario.hazards:
            closing = [(_member_repair_h(scenario, member), tuple(member.links)) for member in hazard.members
                       if member.effect.close and member.links]
            footprint = restoration_h(network, origin, dest, mask, closing)
            if footprint[0] == 0:  # the whole footprint leaves a route: so does each member
                continue
            cutting_hazards.append(hazard.id)
            for t, links, route in [footprint] + [restoration_h(network, origin, dest, mask, [c]) for c in closing]:
                if t > ttr_h:
                    ttr_h, restored_by, detour_h = t, links, route - undisturbed_h
        rows.append({
            "municipality": m.node, "supply_modes": " ".join(m.modes), "tts_days": m.stock_days,
            "ttr_days": ttr_h / 24.0,
            "critical_links": " ".join(network.link_ids[li] for li in critical),
            "cut_off_by_hazards": " ".join(cutting_hazards),
            "restored_by": " ".join(network.link_ids[li] for li in restored_by),
            "restored_route_extra_h": detour_h,
            "ttr_exceeds_tts": ttr_h / 24.0 > m.stock_days,
        })
    return pd.DataFrame(rows)
