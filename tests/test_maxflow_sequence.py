"""maxflow.FlowGraph asked many times on one graph (the kept residual network is reused when the
pattern of positive capacities repeats) against a fresh networkx Edmonds–Karp on every call.

``tests/test_maxflow.py`` solves each random graph once, which goes through networkx's own
``build_residual_network``; here every graph is solved with a sequence of capacity vectors that
repeat patterns with new values (and zero, tiny and tied capacities, self-loops, two-way arcs), so
the reuse path is the one compared."""

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from networkx.algorithms.flow import edmonds_karp

from beredskap_sim.model.maxflow import FlowGraph

VALUE = st.one_of(st.just(0.0), st.sampled_from([1.0, 2.0, 3.0, 5.0, 10.0]), st.just(1e-12),
                  st.floats(min_value=0.1, max_value=5000.0, allow_nan=False))


@st.composite
def sequences(draw):
    n = draw(st.integers(2, 6))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=1, max_size=16, unique=True))
    nodes = draw(st.permutations(range(n)))
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from(pairs)
    arcs = list(g.edges())
    s, t = draw(st.sampled_from([(a, b) for a in range(n) for b in range(n) if a != b]))
    patterns = draw(st.lists(st.lists(st.booleans(), min_size=len(arcs), max_size=len(arcs)), min_size=1, max_size=3))
    calls = []
    for _ in range(draw(st.integers(2, 8))):
        pattern = draw(st.sampled_from(patterns))
        calls.append([draw(VALUE.filter(lambda x: x > 0)) if p else 0.0 for p in pattern])
    return list(g), arcs, s, t, calls


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(sequences())
def test_every_call_on_a_kept_residual_equals_a_fresh_networkx_maximum_flow(case):
    nodes, arcs, s, t, calls = case
    graph = FlowGraph(nodes, arcs)
    for capacities in calls:
        g = nx.DiGraph()
        g.add_nodes_from(nodes)
        for (u, v), c in zip(arcs, capacities):
            g.add_edge(u, v, capacity=c)
        _, oracle = nx.maximum_flow(g, s, t, flow_func=edmonds_karp)
        assert graph.solve(capacities, s, t) == [oracle[u][v] for u, v in arcs], (arcs, s, t, capacities)
