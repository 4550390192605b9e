"""Single-link criticality on arrays against the old networkx implementation (the oracle), and
the bounded search against hand-computed cases and brute force over all simple paths."""

from __future__ import annotations

from types import SimpleNamespace

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beredskap_sim.network.alternatives import ArcGraph, link_alternatives
from beredskap_sim.network.graph import MODES
from beredskap_sim.network.redundancy import single_link_criticality
from builders import build, link, network, node
from criticality_oracle import OldRouter, old_single_link_criticality

NO_CAP = {"truck_payload_t": 10.0, "train_payload_t": 500.0, "truck_speed_kmh": 1000.0, "freight_train_speed_kmh": 1000.0}  # at the 1,000 km/h limit: above every link speed here


@st.composite
def random_network(draw, tie_free: bool):
    """Up to 6 nodes and 10 links in three modes, some one-way, parallel links allowed.

    ``tie_free``: link k's time is a distinct power of two (exact in floating point), so two
    different paths never take the same time and the fastest path is unique. Otherwise times
    are small multiples of 1/64 h, exact too, with many equally fast paths.
    """
    n = draw(st.integers(2, 6))
    n_links = draw(st.integers(1, 10))
    exponents = draw(st.permutations(range(n_links)))
    links = []
    for k in range(n_links):
        a = draw(st.integers(0, n - 1))
        b = draw(st.integers(0, n - 2))
        b = b + 1 if b >= a else b  # a link joins two different places
        mode = draw(st.sampled_from(MODES))
        length = float(draw(st.integers(1, 500)))
        time_h = 2.0 ** exponents[k] if tie_free else float(draw(st.integers(1, 6)))  # speeds stay within 1,000 km/h
        extra = {"electrified": draw(st.booleans())} if mode == "rail" else {}
        links.append(link(f"l{k}", f"n{a}", f"n{b}", length_km=length, speed_kmh=length / time_h, mode=mode,
                          bidirectional=draw(st.booleans()), **extra))
    closed = draw(st.lists(st.integers(0, n - 1), max_size=2, unique=True))
    demands = []
    for _ in range(draw(st.integers(0, 4))):
        o = draw(st.integers(0, n - 1))
        d = draw(st.integers(0, n - 2))
        d = d + 1 if d >= o else d
        demands.append(SimpleNamespace(origin=o, dest=d, tonnes_per_day=float(draw(st.integers(1, 1000))),
                                       modes=draw(st.lists(st.sampled_from(MODES), min_size=1, max_size=3, unique=True)),
                                       electric=draw(st.booleans()), commodity="food"))
    return [f"n{i}" for i in range(n)], links, closed, demands


def _load(tmp_path_factory, nodes, links):
    net = network([node(x) for x in nodes], links)
    net["defaults"] = dict(NO_CAP)
    return build(tmp_path_factory.mktemp("net"), net, []).network


def _alternatives(net, closed):
    return link_alternatives(net.n_nodes, net.arc_from, net.arc_to, net.arc_time_h, net.arc_mode, net.arc_link,
                             net.arc_length_km, node_closed=np.isin(np.arange(net.n_nodes), closed))


def _oracle_alternative(net, i, closed):
    """(alt time, alt km) of link i by the old router, (None, None) without an alternative."""
    spec = net.spec.links[i]
    router = OldRouter(net, removed=i, closed_nodes=closed)
    u, v, mask = net.node_index[spec.from_], net.node_index[spec.to], 1 << MODES.index(spec.mode)
    path = router.path(u, v, mask)
    if path is None:
        return None, None
    return float(router.table(v, mask)[1][u]), float(sum(net.arc_length_km[a] for a in path))


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(random_network(tie_free=True))
def test_same_table_as_the_old_implementation(tmp_path_factory, case):
    """Where the fastest path is unique, every column and the ranking equal the old ones."""
    nodes, links, _, demands = case
    net = _load(tmp_path_factory, nodes, links)
    for modes in (None, {"rail"}, {"road", "ferry"}):
        new = single_link_criticality(net, demands, modes)
        old = old_single_link_criticality(net, demands, modes)
        pd.testing.assert_frame_equal(new, old, check_dtype=False)


@SETTINGS
@given(random_network(tie_free=True))
def test_same_alternatives_as_the_old_router_with_closed_nodes(tmp_path_factory, case):
    nodes, links, closed, _ = case
    net = _load(tmp_path_factory, nodes, links)
    alt_time, alt_km = _alternatives(net, closed)
    for i in range(net.n_links):
        t, km = _oracle_alternative(net, i, closed)
        if t is None:
            assert alt_time[i] == np.inf
        else:
            assert (alt_time[i], alt_km[i]) == (t, km)


def _brute_force(net, i, closed):
    """Min over all simple paths in the link's mode without it: (time, then km), None if none."""
    spec = net.spec.links[i]
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(net.n_nodes))
    for a in range(net.n_arcs):
        tail, head = int(net.arc_from[a]), int(net.arc_to[a])
        if net.arc_link[a] != i and MODES[net.arc_mode[a]] == spec.mode and tail not in closed and head not in closed:
            g.add_edge(tail, head, key=a)
    u, v = net.node_index[spec.from_], net.node_index[spec.to]
    if u == v:
        return 0.0, 0.0
    best = None
    for path in nx.all_simple_edge_paths(g, u, v):
        arcs = [key for _, _, key in path]
        cand = (sum(net.arc_time_h[a] for a in arcs), sum(net.arc_length_km[a] for a in arcs))
        best = cand if best is None or cand < best else best
    return best


@SETTINGS
@given(random_network(tie_free=False))
def test_equally_fast_alternatives_resolve_to_the_shortest(tmp_path_factory, case):
    """With ties: the time equals the old router's; of the equally fast paths the shortest is
    reported (brute force over all simple paths), never longer than the one the old router picked."""
    nodes, links, closed, _ = case
    net = _load(tmp_path_factory, nodes, links)
    alt_time, alt_km = _alternatives(net, closed)
    for i in range(net.n_links):
        t, km = _oracle_alternative(net, i, closed)
        brute = _brute_force(net, i, closed)
        if t is None:
            assert brute is None and alt_time[i] == np.inf
            continue
        assert alt_time[i] == t and alt_km[i] <= km
        assert (alt_time[i], alt_km[i]) == pytest.approx(brute)


def test_bounded_search_on_a_ladder(tmp_path):
    """Hand case: a ladder a-b-c over d-e-f with rungs; without b–c the way is b–e–f–c."""
    links = [link("ab", "a", "b"), link("bc", "b", "c", length_km=50), link("de", "d", "e"), link("ef", "e", "f"),
             link("ad", "a", "d", length_km=10), link("be", "b", "e", length_km=20), link("cf", "c", "f", length_km=30),
             link("bc-rail", "b", "c", mode="rail", trains_per_day=10, tph=None)]
    net = build(tmp_path, network([node(x) for x in "abcdef"], links), []).network
    alt_time, alt_km = _alternatives(net, [])
    bc = net.link_index["bc"]
    assert alt_km[bc] == pytest.approx(20 + 100 + 30)  # b–e, e–f, f–c; the rail link does not count
    assert alt_time[bc] == pytest.approx(150 / 100)
    assert alt_time[net.link_index["bc-rail"]] == np.inf  # the only rail link
    # Closing e leaves b–a–d… no way back to c: no road alternative.
    alt_time, _ = _alternatives(net, [net.node_index["e"]])
    assert alt_time[bc] == np.inf


def test_one_way_links_and_parallel_links():
    """A parallel link is an alternative; a one-way link back is not."""
    # arcs: 0: 0->1 (link 0, two-way), 1: 1->0 (link 0), 2: 0->1 (link 1, parallel, slower), 3: 1->0 (link 2, one-way)
    arc_from, arc_to = [0, 1, 0, 1], [1, 0, 1, 0]
    cost, length, links, modes = [1.0, 1.0, 3.0, 0.5], [10.0, 10.0, 40.0, 5.0], [0, 0, 1, 2], [0, 0, 0, 0]
    alt_cost, alt_length = link_alternatives(2, arc_from, arc_to, cost, modes, links, length)
    assert alt_cost.tolist() == [3.0, 1.0, 1.0]  # link 0 -> the parallel; link 1 -> link 0; link 2 (1->0) -> link 0
    assert alt_length.tolist() == [40.0, 10.0, 10.0]
    graph = ArcGraph(2, arc_from, arc_to, cost, length, links)
    assert graph.cheapest(0, 1).arcs == (0,) and graph.cheapest(1, 0).arcs == (3,)


def test_cut_links_of_a_chain_with_a_bypass():
    """a→b→c→d with a bypass b→d: a–b cuts a→d, b–c and c–d do not."""
    arc_from, arc_to = [0, 1, 2, 1], [1, 2, 3, 3]
    graph = ArcGraph(4, arc_from, arc_to, [1.0, 1.0, 1.0, 5.0])
    path = graph.cheapest(0, 3)
    assert path.arcs == (0, 1, 2) and graph.cut_links(path) == {0}
    # A detour that first goes back: a→b→c→d plus c→x→a is no way round a–b; adding x→d is.
    graph = ArcGraph(5, [0, 1, 2, 2, 4], [1, 2, 3, 4, 0], [1.0] * 5)
    assert graph.cut_links(graph.cheapest(0, 3)) == {0, 1, 2}
    graph = ArcGraph(5, [0, 1, 2, 2, 4, 4], [1, 2, 3, 4, 0, 3], [1.0] * 6)
    assert graph.cut_links(graph.cheapest(0, 3)) == {0, 1}
    # a→b→c with a loop b→x→b: it lands back at b, before b–c, which still cuts.
    graph = ArcGraph(4, [0, 1, 1, 3], [1, 2, 3, 1], [1.0] * 4)
    assert graph.cut_links(graph.cheapest(0, 2)) == {0, 1}


def test_negative_cost_is_refused():
    with pytest.raises(ValueError, match="non-negative"):
        ArcGraph(2, [0], [1], [-1.0])
