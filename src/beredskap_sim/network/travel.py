"""How long a repair crew needs from its base to a site over the network as it is now.

A crew drives (or runs a track machine) over open links of its modes at the link's speed
times the current speed factor — vehicles of the crew, not freight, so the freight speed
caps do not apply. Closed nodes (a border closed to travellers) do not stop crews. The
shortest time is Dijkstra's algorithm (``scipy.sparse.csgraph.dijkstra``) on the open arcs;
a site is reached at the nearest of its nodes (for a link: either end).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from .graph import MODES, Network


def arc_speed_kmh(network: Network) -> np.ndarray:
    """The link speed of every arc (km/h)."""
    return np.array([network.link(int(li)).speed_kmh for li in network.arc_link], dtype=float)


def site_nodes(network: Network, links, nodes) -> list[int]:
    """Nodes from which a crew can work on a disruption of ``links`` and ``nodes``."""
    found = set(int(n) for n in nodes)
    for li in links:
        found.update(int(n) for n in network.arc_from[network.arc_link == li])
        found.update(int(n) for n in network.arc_to[network.arc_link == li])
    return sorted(found)


def travel_time_h(network: Network, is_open, speed_factors, origin: int, targets: list[int],
                  modes: tuple[str, ...] = ("road",), speeds: np.ndarray | None = None) -> float:
    """Shortest travel time in hours from node ``origin`` to the nearest of ``targets`` over
    arcs of ``modes`` whose link is open (``is_open(link) -> bool``), each taking
    ``length / (speed × speed_factors[link])``; ``inf`` when none can be reached."""
    if origin in targets:
        return 0.0
    dist = travel_times_h(network, is_open, speed_factors, [origin], modes, speeds)[0]
    return float(min(dist[t] for t in targets))


def travel_times_h(network: Network, is_open, speed_factors, origins: list[int],
                   modes: tuple[str, ...] = ("road",), speeds: np.ndarray | None = None) -> np.ndarray:
    """Shortest travel times (hours) from each of ``origins`` to every node, shape
    ``(len(origins), n_nodes)``, over open arcs of ``modes`` as in ``travel_time_h``; ``inf``
    where a node cannot be reached. One Dijkstra run for all origins."""
    n = network.n_nodes
    speeds = arc_speed_kmh(network) if speeds is None else speeds
    wanted = np.isin(network.arc_mode, [MODES.index(m) for m in modes])
    usable = np.array([bool(w) and is_open(int(li)) for w, li in zip(wanted, network.arc_link)], dtype=bool)
    if not usable.any():
        out = np.full((len(origins), n), np.inf)
        out[np.arange(len(origins)), origins] = 0.0
        return out
    factors = np.asarray(speed_factors, dtype=float)[network.arc_link[usable]]
    hours = network.arc_length_km[usable] / (speeds[usable] * factors)
    # Parallel arcs: csr_matrix sums duplicates, so keep only the fastest per node pair.
    order = np.lexsort((hours, network.arc_to[usable], network.arc_from[usable]))
    frm, to, hrs = network.arc_from[usable][order], network.arc_to[usable][order], hours[order]
    first = np.ones(len(frm), dtype=bool)
    first[1:] = (frm[1:] != frm[:-1]) | (to[1:] != to[:-1])
    graph = csr_matrix((np.maximum(hrs[first], 1e-9), (frm[first], to[first])), shape=(n, n))
    return np.atleast_2d(dijkstra(graph, directed=True, indices=list(origins)))
