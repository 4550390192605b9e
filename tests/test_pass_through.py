"""Passing through a line of free links on one event (``freight.PASS_THROUGH``) changes no result.

A consignment that reaches a node on a line (one way on, no customs, not its destination)
enters the next link at once when it is free. The run books those entries ahead and schedules
one event where the line ends; whoever touches a booked link first (another consignment, a
change of the network state) has the booking recalled, so the order of entries is the one of
one event per link. The hand cases below fail if a booking is not recalled; the bundled
scenarios must give the same numbers either way, with fewer events.
"""

from pathlib import Path

import numpy as np
import pytest

from beredskap_sim import load_scenario, simulate
from beredskap_sim.model import freight as freight_model
from builders import build, freight, link, network, node

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def line(tph: float = 10.0) -> dict:
    """a–b–c–d, 100 km links at 100 km/h (1 h each); a 10 t truck spaces the next by 10 t / tph."""
    return network([node(n) for n in "abcd"],
                   [link(f"{x}{y}", x, y, length_km=100, speed_kmh=100, tph=tph) for x, y in ("ab", "bc", "cd")])


@pytest.fixture(params=[True, False], ids=["pass-through", "event-per-link"])
def mode(request, monkeypatch):
    monkeypatch.setattr(freight_model, "PASS_THROUGH", request.param)
    return request.param


def by_origin(rec, scenario) -> dict[float, float]:
    return {float(r): float(d) for r, d in zip(rec.delivery_release_h, rec.delivery_delay_h)}


def test_a_consignment_joining_mid_line_goes_first_when_it_comes_first(tmp_path, mode):
    # Truck 1 leaves a at 0 for d and reaches c at 2.0 h. Truck 2 enters c–d at 1.5 h, so c–d is
    # spaced until 1.5 + 10/10 = 2.5 h: truck 1 enters at 2.5 and arrives at 3.5 (delay 0.5 h);
    # truck 2 arrives at 2.5, undelayed. A booking of c–d for truck 1 at 2.0 that were not taken
    # back would give truck 1 no delay and truck 2 a delay of 0.5 h.
    flows = [freight("through", "a", "d", 10, slot="24h", end="1h"),
             freight("joining", "c", "d", 10, slot="24h", start="2024-01-01T01:30", end="2h")]
    rec = simulate(build(tmp_path, line(), flows, horizon="6h"))
    delay = by_origin(rec, None)
    assert delay[0.0] == pytest.approx(0.5, abs=1e-9)
    assert delay[1.5] == pytest.approx(0.0, abs=1e-9)
    assert sorted(rec.delivery_time_h.tolist()) == pytest.approx([2.5, 3.5])


def test_a_closure_ahead_stops_a_consignment_at_the_node_before_it(tmp_path, mode):
    # Truck leaves a at 0; c–d closes from 1 h to 3 h. It reaches c at 2 h, waits for the
    # reopening and arrives at d at 4 h: a delay of 1 h (its entry into c–d, booked at 0 for
    # 2 h, is taken back when the link closes).
    closure = {"id": "x", "target": "cd", "start": "1h", "duration": "2h", "effect": "close"}
    rec = simulate(build(tmp_path, line(tph=1000), [freight("f", "a", "d", 10, slot="24h", end="1h")], [closure],
                         horizon="6h"))
    assert rec.delivery_time_h.tolist() == pytest.approx([4.0])
    assert rec.delivery_delay_h.tolist() == pytest.approx([1.0])


def test_links_booked_past_the_horizon_carry_nothing(tmp_path, mode):
    # At the 1.5 h horizon the truck has entered a–b (0 h) and b–c (1 h), not c–d (2 h):
    # 10 t × 200 km of transport work, and it is still on its way.
    rec = simulate(build(tmp_path, line(tph=1000), [freight("f", "a", "d", 10, slot="24h", end="1h")],
                         horizon="90min"))
    assert rec.tonne_km.sum() == pytest.approx(2000.0)
    assert rec.in_transit_t.sum() == pytest.approx(10.0)


FIELDS = ("delivered_t", "lost_t", "in_transit_t", "in_transit_delay_th", "delivery_delay_h", "delivery_time_h",
          "delivery_release_h", "delivery_tonnes", "tonne_km", "delivered", "due", "released", "lost")


@pytest.mark.parametrize("name,seed", [
    ("winter-year-stochastic.yaml", 3), ("storm-gyda-2022.yaml", 1), ("meraakerbanen-slide-11d.yaml", 1),
    ("allied-reinforcement-storm.yaml", 1), ("kvarken-corridor-storm.yaml", 2),
    ("border-closed-freight-exempt.yaml", 1), ("national-supply-shock.yaml", 1),
])
def test_bundled_scenarios_give_the_same_numbers_with_fewer_events(monkeypatch, name, seed):
    scenario = load_scenario(SCENARIOS / name)
    runs = {}
    for flag in (False, True):
        monkeypatch.setattr(freight_model, "PASS_THROUGH", flag)
        runs[flag] = simulate(scenario, seed=seed)
    one, passing = runs[False], runs[True]
    for field in FIELDS:
        np.testing.assert_allclose(getattr(passing, field), getattr(one, field), rtol=1e-9, atol=1e-6, err_msg=field)
    if one.food is not None:
        np.testing.assert_allclose(passing.food.days, one.food.days, rtol=1e-9, atol=1e-9, err_msg="food days")
    assert passing.sim_events < one.sim_events
