"""Mass balance of freight on random networks, demands and closures (hypothesis)."""

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beredskap_sim import simulate
from builders import build, freight, link, network, node


@st.composite
def cases(draw):
    n = draw(st.integers(3, 6))
    names = [f"n{i}" for i in range(n)]
    links = []
    # A spanning path keeps every OD connected; extra links add alternatives.
    for i in range(1, n):
        links.append((names[draw(st.integers(0, i - 1))], names[i]))
    for _ in range(draw(st.integers(0, 4))):
        a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        if a != b:
            links.append((a, b))
    # The spanning path is road (consignments keep one mode); extra links may be rail.
    link_specs = [
        link(f"l{k}", a, b, length_km=draw(st.floats(1, 300)), speed_kmh=draw(st.floats(30, 120)),
             tph=draw(st.floats(0.5, 200)), mode="road" if k < n - 1 else draw(st.sampled_from(["road", "rail"])))
        for k, (a, b) in enumerate(links)
    ]
    flows = []
    for k in range(draw(st.integers(1, 4))):
        a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        if a == b:
            continue
        flows.append(freight(f"f{k}", a, b, draw(st.floats(1, 500)), modes=("road", "rail"),
                             commodity=draw(st.sampled_from(["food", "fuel"])),
                             deadline=draw(st.floats(1, 72)), slot=draw(st.sampled_from([1, 3, 6]))))
    disruptions = []
    for k in range(draw(st.integers(0, 4))):
        effect = draw(st.sampled_from(["close", {"capacity_factor": 0.3}, {"speed_factor": 0.5}]))
        disruptions.append({"id": f"d{k}", "target": f"l{draw(st.integers(0, len(link_specs) - 1))}",
                            "start": draw(st.floats(0, 60)), "duration": draw(st.floats(0.5, 48)), "effect": effect})
    return network([node(x) for x in names], link_specs), flows, disruptions


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_demanded_equals_delivered_plus_lost_plus_in_transit(case):
    net, flows, disruptions = case
    if not flows:
        return
    with tempfile.TemporaryDirectory() as tmp:
        rec = simulate(build(Path(tmp), net, flows, disruptions, horizon="3d"))
    np.testing.assert_allclose(rec.demanded_t, rec.delivered_t + rec.lost_t + rec.in_transit_t, atol=1e-6)
    for array in (rec.delivered_t, rec.lost_t, rec.in_transit_t, rec.released, rec.delivered, rec.lost):
        assert (array >= -1e-9).all()
    assert (rec.delivered_t <= rec.demanded_t + 1e-6).all()
    # The time series add up to the totals.
    assert np.isclose(rec.delivered.sum(), rec.delivered_t.sum())
    assert np.isclose(rec.released.sum(), rec.demanded_t.sum())
