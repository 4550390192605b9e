"""The congestion snapshot behind the route tables: small moves must not add up unseen."""

import numpy as np
import pytest

from beredskap_sim.network.routing import Router
from beredskap_sim.network.state import NetworkState
from builders import build, freight, link, network, node


def test_a_wait_growing_in_steps_below_the_tolerance_still_reaches_the_tables(tmp_path):
    # a → b over one link of 1 h. The wait ahead on it grows by 0.04 h per snapshot, below the
    # 0.05 h tolerance each time, while the wait on a link elsewhere (c → d) jumps by an hour, so
    # every snapshot moves something. After five snapshots the wait on a → b is 0.2 h; the
    # table's cost-to-go from a must be within the tolerance of 1.2 h (a table that never saw
    # the small steps says 1.0 h).
    net_spec = network([node("a"), node("b"), node("c"), node("d")], [link("ab", "a", "b"), link("cd", "c", "d")])
    scenario = build(tmp_path, net_spec, [freight("f", "a", "b", 1)])
    net = scenario.network
    router = Router(net, NetworkState(net.n_links, net.n_nodes))
    a, b = net.node_index["a"], net.node_index["b"]
    arc = next(i for i in range(net.n_arcs) if net.arc_from[i] == a)
    elsewhere = next(i for i in range(net.n_arcs) if net.arc_from[i] == net.node_index["c"])
    mask = 1 << 1  # road
    assert router.time_to_go(a, b, mask, "food") == pytest.approx(1.0)
    waits = np.zeros(net.n_arcs)
    for step in range(1, 6):
        waits[arc] = 0.04 * step
        waits[elsewhere] = float(step)
        router.set_waits(waits)
        assert abs(router.time_to_go(a, b, mask, "food") - (1.0 + waits[arc])) <= 0.05 + 1e-9, step
