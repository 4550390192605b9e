"""Route tables reused without a search (network/routing.py ``_same_solution``) must equal a new
Dijkstra bit for bit; scipy's own Dijkstra on the changed costs is the oracle."""

import random

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from beredskap_sim.network.routing import _same_solution, _Table


def _to_go(n, arc_from, arc_to, cost, dest):
    """Cost-to-go to ``dest`` over the reversed graph, as the router builds it (one arc per pair)."""
    graph = csr_matrix((cost, (arc_to, arc_from)), shape=(n, n))
    return dijkstra(graph, directed=True, indices=dest)


def _case(rng):
    n = rng.randint(3, 9)
    pairs = sorted({(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randint(3, 24))} - {(i, i) for i in range(n)})
    pairs = pairs or [(0, 1)]
    arc_from = np.array([u for u, _ in pairs])
    arc_to = np.array([v for _, v in pairs])
    # small integers make ties (paths of equal cost), the case a loose test gets wrong
    basis = np.array([float(rng.choice([1, 2, 3, 4, 0.5, 1.5, np.inf])) for _ in pairs])
    cost = basis.copy()
    for a in rng.sample(range(len(pairs)), rng.randint(min(1, len(pairs)), min(3, len(pairs)))):
        cost[a] = rng.choice([np.inf, 0.0, 0.25, 1.0, 2.0, 3.5, 8.0, basis[a] + 1e-13])
    return n, arc_from, arc_to, basis, cost, rng.randrange(n)


def test_a_table_is_reused_only_when_a_new_search_gives_the_same_bits():
    rng = random.Random(7)
    reused = searched = 0
    for _ in range(4000):
        n, arc_from, arc_to, basis, cost, dest = _case(rng)
        to_go = _to_go(n, arc_from, arc_to, basis, dest)
        table = _Table(to_go, np.inf, basis.tolist(), basis)
        fresh = _to_go(n, arc_from, arc_to, cost, dest)
        if _same_solution(cost, table, arc_from, arc_to):
            reused += 1
            assert fresh.tobytes() == to_go.tobytes()
        else:
            searched += 1
    # both outcomes are common, so the check above is not vacuous
    assert reused > 800 and searched > 800


def test_an_arc_off_every_shortest_path_leaves_the_table_and_one_on_it_does_not():
    # a → b → d costs 2, a → d costs 5: the direct arc is slack, b → d is on the path.
    arc_from, arc_to = np.array([0, 1, 0]), np.array([1, 2, 2])
    basis = np.array([1.0, 1.0, 5.0])
    to_go = _to_go(3, arc_from, arc_to, basis, 2)
    table = _Table(to_go, np.inf, basis.tolist(), basis)
    assert _same_solution(np.array([1.0, 1.0, 4.0]), table, arc_from, arc_to)  # still slack
    assert not _same_solution(np.array([1.0, 1.0, 2.0]), table, arc_from, arc_to)  # a tie now
    assert not _same_solution(np.array([1.0, 1.5, 5.0]), table, arc_from, arc_to)  # on the path


def _repaired(n, arc_from, arc_to, basis, cost, to_go, limit=10_000):
    from beredskap_sim.network.repair import repair

    in_arcs, out_arcs = [[] for _ in range(n)], [[] for _ in range(n)]
    for a, (u, v) in enumerate(zip(arc_from.tolist(), arc_to.tolist())):
        in_arcs[v].append(a)
        out_arcs[u].append(a)
    changed = np.flatnonzero(basis != cost).tolist()
    found = repair(to_go.tolist(), basis.tolist(), cost.tolist(), changed, arc_from.tolist(), arc_to.tolist(),
                   in_arcs, out_arcs, limit)
    if found is None:
        return None
    out = to_go.copy()
    for node, value in found.items():
        out[node] = value
    return out


def test_a_repaired_table_equals_a_new_dijkstra_bit_for_bit():
    """Dynamic shortest paths (network/repair.py) against scipy's Dijkstra on the new costs, on
    random graphs with ties (small integer costs) and with arbitrary float costs."""
    rng = random.Random(11)
    repaired = 0
    for i in range(4000):
        n, arc_from, arc_to, basis, cost, dest = _case(rng)
        cost[cost == 0.0] = 0.75  # repair's precondition: positive costs (the router checks it)
        if i % 2:  # arbitrary floats: sums round differently along different paths
            factor = np.array([rng.uniform(0.3, 3.0) for _ in basis])
            same = cost == basis
            basis = basis * factor
            cost = np.where(same, basis, cost * factor)
        to_go = _to_go(n, arc_from, arc_to, basis, dest)
        fresh = _to_go(n, arc_from, arc_to, cost, dest)
        out = _repaired(n, arc_from, arc_to, basis, cost, to_go)
        assert out is not None
        assert out.tobytes() == fresh.tobytes(), (n, arc_from.tolist(), arc_to.tolist(), basis.tolist(), cost.tolist(), dest)
        repaired += not np.array_equal(to_go, fresh)
    assert repaired > 1000  # most cases really moved some cost-to-go


def test_repair_gives_up_above_its_limit():
    # a chain 0 → 1 → 2 → 3 → 4 (destination 4): raising the last arc raises every node
    arc_from, arc_to = np.arange(4), np.arange(1, 5)
    basis = np.ones(4)
    to_go = _to_go(5, arc_from, arc_to, basis, 4)
    cost = basis.copy()
    cost[3] = 2.0
    assert _repaired(5, arc_from, arc_to, basis, cost, to_go, limit=2) is None
    assert _repaired(5, arc_from, arc_to, basis, cost, to_go).tolist() == [5.0, 4.0, 3.0, 2.0, 0.0]
