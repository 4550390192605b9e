"""The compiled network: nodes and directed arcs as arrays, plus a networkx MultiDiGraph.

Built once from a validated ``NetworkSpec``. It never changes during a run; what changes
(closures, capacity and speed factors) lives in ``NetworkState``.

Each bidirectional link becomes two *arcs* (one per direction) with the link's capacity
each. Freight time on an arc is ``length_km / min(speed_kmh, mode cap)`` hours; capacity in
tonnes/hour is ``trains_per_day × train_payload_t / 24`` for rail, ``trucks_per_hour ×
truck_payload_t`` for road, or ``tonnes_per_hour`` as given. A vehicle of the arc's mode
(train, truck, ferry departure) carries ``arc_vehicle_t`` tonnes; the distance part of the
generalized cost of a tonne on the arc is ``length_km × distance_cost_nok_per_tkm[mode]`` NOK.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from ..scenario.network_schema import LinkSpec, NetworkSpec
from ..scenario.vehicle_limits import gross_limit_t

MODES: tuple[str, ...] = ("rail", "road", "ferry")


def link_capacity_tph(link: LinkSpec, spec: NetworkSpec, direction: int = 0) -> float:
    """Freight capacity of one direction of ``link`` in tonnes/hour (for a scheduled ferry the
    weekly mean: tonnes per departure × departures per week in that direction / 168)."""
    if link.schedule is not None:
        per_departure = link.schedule.tonnes_per_departure(spec.defaults.truck_payload_t)
        return per_departure * link.schedule.departures_per_week(direction) / 168.0
    if link.tonnes_per_hour is not None:
        return link.tonnes_per_hour
    if link.trains_per_day is not None:
        return link.trains_per_day * spec.defaults.train_payload_t / 24.0
    assert link.trucks_per_hour is not None
    return link.trucks_per_hour * spec.defaults.truck_payload_t


def link_freight_speed_kmh(link: LinkSpec, spec: NetworkSpec) -> float:
    """Speed of freight on ``link``: the link speed capped by the mode's vehicle top speed."""
    cap = {
        "rail": spec.defaults.freight_train_speed_kmh,
        "road": spec.defaults.truck_speed_kmh,
    }.get(link.mode, link.speed_kmh)
    return min(link.speed_kmh, cap)


@dataclass
class Network:
    """Static network arrays. Indices: nodes ``0..n_nodes-1``, links, and arcs (directed)."""

    spec: NetworkSpec
    node_ids: list[str]
    link_ids: list[str]
    arc_link: np.ndarray
    arc_from: np.ndarray
    arc_to: np.ndarray
    arc_mode: np.ndarray  # index into MODES
    arc_length_km: np.ndarray
    arc_time_h: np.ndarray
    arc_capacity_tph: np.ndarray
    arc_electrified: np.ndarray
    arc_vehicle_t: np.ndarray  # tonnes one vehicle of the arc's mode carries (a scheduled ferry: one departure)
    arc_single_track: np.ndarray  # rail arcs of single-track links (one block per link)
    arc_block_share: np.ndarray  # share of the running time a train holds the single-track block: 1 / (loops + 1)
    arc_distance_nok_per_t: np.ndarray  # operating cost of a tonne over the arc, NOK
    arc_reverse: np.ndarray  # the arc of the same link in the other direction, or -1
    node_transfer_tph: np.ndarray  # tonnes/hour a node can move between rail and road
    node_out_arcs: list[list[int]]  # arcs leaving each node
    link_arcs: list[list[int]]  # the arcs (one or two) of each link
    mode_payload_t: dict[int, float]  # tonnes one vehicle carries, by mode index (train, truck, ferry departure)
    graph: nx.MultiDiGraph
    node_index: dict[str, int] = field(default_factory=dict)
    link_index: dict[str, int] = field(default_factory=dict)
    arc_axle_limit_t: np.ndarray | None = None  # rail: permitted axle load, t (inf: not stated; other modes inf)
    arc_gross_limit_t: np.ndarray | None = None  # road: permitted gross weight of the weight class, t (inf: none)
    # Mode bits an arc carries: its own mode's, and the road's too on a scheduled (RoRo) ferry,
    # whose trucks drive on and off without a transshipment.
    arc_mode_bits: np.ndarray | None = None

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def n_links(self) -> int:
        return len(self.link_ids)

    @property
    def n_arcs(self) -> int:
        return len(self.arc_link)

    def node(self, index: int):
        return self.spec.nodes[index]

    def link(self, index: int) -> LinkSpec:
        return self.spec.links[index]

    def resolve_target(self, name: str) -> tuple[list[int], list[int]] | None:
        """Link and node indices named by ``name`` (a link id, node id or group); None if unknown."""
        if name in self.link_index:
            return [self.link_index[name]], []
        if name in self.node_index:
            return [], [self.node_index[name]]
        if name in self.spec.groups:
            links: list[int] = []
            nodes: list[int] = []
            for member in self.spec.groups[name]:
                found = self.resolve_target(member)
                if found is None:
                    return None
                links += found[0]
                nodes += found[1]
            return links, nodes
        return None


def build_network(spec: NetworkSpec) -> Network:
    """Compile a validated network spec. Assumes ids were checked by the loader."""
    node_ids = [n.id for n in spec.nodes]
    node_index = {nid: i for i, nid in enumerate(node_ids)}
    link_ids = [link.id for link in spec.links]
    arcs: list[tuple[int, int, int, int, float, float, float]] = []
    for li, link in enumerate(spec.links):
        time_h = link.length_km / link_freight_speed_kmh(link, spec)
        cap = link_capacity_tph(link, spec)
        mode = MODES.index(link.mode)
        u, v = node_index[link.from_], node_index[link.to]
        arcs.append((li, u, v, mode, link.length_km, time_h, cap))
        if link.bidirectional:
            arcs.append((li, v, u, mode, link.length_km, time_h, link_capacity_tph(link, spec, 1)))
    cols = list(zip(*arcs))
    d = spec.defaults
    payload = {"rail": d.train_payload_t, "road": d.truck_payload_t, "ferry": d.ferry_payload_t}
    arc_link = np.array(cols[0], dtype=np.int64)
    arc_from = np.array(cols[1], dtype=np.int64)
    out_arcs: list[list[int]] = [[] for _ in node_ids]
    link_arcs: list[list[int]] = [[] for _ in link_ids]
    first_arc: dict[int, int] = {}
    reverse = np.full(len(arcs), -1, dtype=np.int64)
    for a, (li, u, *_rest) in enumerate(arcs):
        out_arcs[u].append(a)
        link_arcs[li].append(a)
        if li in first_arc:
            reverse[a], reverse[first_arc[li]] = first_arc[li], a
        else:
            first_arc[li] = a
    transfer_trucks = [n.transfer_trucks_per_day or d.transfer_trucks_per_day for n in spec.nodes]
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(range(len(node_ids)))
    for a, (li, u, v, mode, length, time_h, cap) in enumerate(arcs):
        graph.add_edge(u, v, key=a, link=li, mode=mode, time_h=time_h, length_km=length, capacity_tph=cap)
    return Network(
        spec=spec,
        node_ids=node_ids,
        link_ids=link_ids,
        arc_link=arc_link,
        arc_from=arc_from,
        arc_to=np.array(cols[2], dtype=np.int64),
        arc_mode=np.array(cols[3], dtype=np.int64),
        arc_length_km=np.array(cols[4], dtype=float),
        arc_time_h=np.array(cols[5], dtype=float),
        arc_capacity_tph=np.array(cols[6], dtype=float),
        arc_electrified=np.array([spec.links[li].electrified for li in cols[0]], dtype=bool),
        arc_vehicle_t=np.array([_vehicle_t(spec.links[li], spec, payload) for li in cols[0]], dtype=float),
        arc_single_track=np.array([spec.links[li].track == "single" for li in cols[0]], dtype=bool),
        arc_block_share=np.array([1.0 / (spec.links[li].passing_loops + 1) for li in cols[0]], dtype=float),
        arc_distance_nok_per_t=np.array(
            [length * d.distance_cost_nok_per_tkm.get(spec.links[li].mode, 0.0) for li, length in zip(cols[0], cols[4])],
            dtype=float),
        arc_reverse=reverse,
        node_transfer_tph=np.array(transfer_trucks, dtype=float) * d.truck_payload_t / 24.0,
        node_out_arcs=out_arcs,
        link_arcs=link_arcs,
        mode_payload_t={MODES.index(m): t for m, t in payload.items()},
        graph=graph,
        node_index=node_index,
        link_index={lid: i for i, lid in enumerate(link_ids)},
        arc_axle_limit_t=np.array([spec.links[li].axle_load_t or np.inf for li in cols[0]], dtype=float),
        arc_gross_limit_t=np.array([gross_limit_t(spec.links[li].weight_class) for li in cols[0]], dtype=float),
        arc_mode_bits=np.array([(1 << m) | (ROAD_BIT if spec.links[li].schedule is not None else 0)
                                for li, m in zip(cols[0], cols[3])], dtype=np.int64),
    )


ROAD_BIT = 1 << MODES.index("road")


def _vehicle_t(link: LinkSpec, spec: NetworkSpec, payload: dict[str, float]) -> float:
    """Tonnes one vehicle of the link carries: a train, a truck, or one departure of a ferry."""
    if link.schedule is not None:
        return link.schedule.tonnes_per_departure(spec.defaults.truck_payload_t)
    return payload[link.mode]
