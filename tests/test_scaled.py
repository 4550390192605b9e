"""The ×k benchmark scenario (benchmarks/scaled.py): loads, doubles, stays connected, and its
copies behave exactly like the original."""

import sys

import networkx as nx
import pytest

from beredskap_sim.model.engine import simulate
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from scaled import load_scaled  # noqa: E402


@pytest.fixture(scope="module")
def one_and_two():
    return load_scaled(1), load_scaled(2, strict_sources=True)


def test_times_two_has_twice_everything(one_and_two):
    one, two = one_and_two
    externals = [n.id for n in one.network_spec.nodes if n.kind == "external"]
    assert two.network.n_nodes == 2 * one.network.n_nodes
    assert two.network.n_links == 2 * one.network.n_links + len(externals)  # plus one join per supply node
    assert len(two.demands) == 2 * len(one.demands)
    assert len(two.hazards) == 2 * len(one.hazards)
    assert len(two.spec.food.municipalities) == 2 * len(one.spec.food.municipalities)
    assert len(two.network_spec.power.areas) == 2 * len(one.network_spec.power.areas)


def test_copies_are_one_network_and_refer_to_their_own_ids(one_and_two):
    _, two = one_and_two
    net = two.network
    g = nx.Graph(zip(net.arc_from.tolist(), net.arc_to.tolist()))
    g.add_nodes_from(range(net.n_nodes))
    assert nx.is_connected(g)
    for hazard in two.hazards:
        copy2 = hazard.id.endswith("-k2")
        for member in hazard.members:
            assert all(net.link_ids[li].endswith("-k2") == copy2 for li in member.links), hazard.id
    for d in two.demands:
        assert net.node_ids[d.origin].endswith("-k2") == net.node_ids[d.dest].endswith("-k2") == d.id.endswith("-k2")


def test_each_copy_delivers_what_the_original_does():
    """Without hazards, every place of copy 2 receives exactly what the same place gets at ×1."""
    one = simulate(load_scaled(1, horizon="20d", network_hazards=False), 0, 0)
    two = simulate(load_scaled(2, horizon="20d", network_hazards=False), 0, 0)
    assert two.demanded_t.sum() == pytest.approx(2 * one.demanded_t.sum())
    for i, node in enumerate(one.node_ids):
        for twin in (node, f"{node}-k2"):
            j = two.node_ids.index(twin)
            assert two.delivered_t[:, j] == pytest.approx(one.delivered_t[:, i], rel=1e-9), twin
