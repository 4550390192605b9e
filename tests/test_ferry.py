"""The scheduled ferry (``model.sections.FerryService``), checked by hand.

The small network: quay ``u`` — ferry — quay ``v``, 100 km at 25 km/h (a 4 h crossing), with
departures at 08:00 and 20:00 every day from both ends. Trucks carry 10 t (builders.DEFAULTS);
100 lane metres at 20 m a truck take 5 trucks = 50 t a departure. The run starts on Monday
2024-01-01 at 00:00, so run hour h is clock hour h mod 24.
"""

import numpy as np
import pytest
import simpy

from beredskap_sim import simulate
from beredskap_sim.model.sections import FerryService
from beredskap_sim.scenario.errors import ScenarioError
from builders import build, freight, link, network, node

SCHEDULE = {"departures": [{"times": ["08:00", "20:00"]}], "lane_metres": 100, "metres_per_truck": 20,
            "sources": {"lane_metres": "assumption: test", "metres_per_truck": "assumption: test"}}


def ferry(lid="uv", a="u", b="v", schedule=None, **extra) -> dict:
    spec = link(lid, a, b, length_km=100, speed_kmh=25, mode="ferry", schedule=dict(schedule or SCHEDULE), **extra)
    del spec["tonnes_per_hour"]
    return spec


@pytest.fixture
def scenario_factory(tmp_path):
    def make(flows, disruptions=None, links=None, horizon="4d", nodes=None):
        net = network(nodes or [node("u", "port"), node("v", "port", country="SE")], links or [ferry()])
        return build(tmp_path, net, flows, disruptions, horizon=horizon)
    return make


def test_capacity_per_departure_by_hand(scenario_factory):
    rec = simulate(scenario_factory([freight("f", "u", "v", 240, deadline="30d", end="24h")]))
    order = np.argsort(rec.delivery_release_h)
    release, arrive = rec.delivery_release_h[order], rec.delivery_time_h[order]
    assert release.tolist() == list(range(24))
    expected = 8 + 12 * np.floor(release / 5) + 4
    assert arrive == pytest.approx(expected)
    assert rec.delivered_t.sum() == pytest.approx(240)
    tonnes_at = {t: 10 * int((arrive == t).sum()) for t in np.unique(arrive)}
    assert tonnes_at == {12.0: 50, 24.0: 50, 36.0: 50, 48.0: 50, 60.0: 40}
    # The undisturbed time is the wait for the next departure plus the crossing, so delay is
    # only the wait for room: release r would leave at 8 h (r ≤ 8), 20 h (r ≤ 20) or 32 h.
    undisturbed = np.select([release <= 8, release <= 20], [8.0, 20.0], 32.0) + 4
    assert rec.delivery_delay_h[order] == pytest.approx(arrive - undisturbed)
    assert rec.delivery_delay_h[order][:5] == pytest.approx(np.zeros(5))  # the first five fit


def test_a_cancelled_departure_sends_its_load_with_the_next(scenario_factory):
    # One 10 t consignment at 0 h. The ferry link is closed 07:00–09:00, so the 08:00 departure is
    # cancelled and the consignment leaves at 20:00, landing at 24:00 (instead of 12:00).
    closure = {"id": "storm", "target": "uv", "start": "7h", "duration": "2h", "effect": "close"}
    rec = simulate(scenario_factory([freight("f", "u", "v", 240, deadline="30d", end="1h")], [closure]))
    assert rec.delivery_release_h.tolist() == [0.0]
    assert rec.delivery_time_h.tolist() == pytest.approx([24.0])
    assert rec.lost_t.sum() == 0


def test_a_cancelled_departure_doubles_the_queue_for_the_next(scenario_factory):
    # 40 t released at 0..3 h (4 × 10 t) and 40 t at 12..15 h. Without the storm each group fits
    # one departure (08:00, 20:00). With the 08:00 departure cancelled, 80 t wait for the 20:00
    # one, which takes 50 t (the first five in line: 0, 1, 2, 3, 12 h); the other 30 t leave the
    # next morning at 32 h.
    flows = [freight("f1", "u", "v", 240, deadline="30d", end="4h"),
             freight("f2", "u", "v", 240, deadline="30d", start="12h", end="16h")]
    closure = {"id": "storm", "target": "uv", "start": "7h", "duration": "2h", "effect": "close"}
    rec = simulate(scenario_factory(flows, [closure]))
    order = np.argsort(rec.delivery_release_h)
    assert rec.delivery_release_h[order].tolist() == [0, 1, 2, 3, 12, 13, 14, 15]
    assert rec.delivery_time_h[order] == pytest.approx([24, 24, 24, 24, 24, 36, 36, 36])


def test_capacity_factor_shrinks_each_departure(scenario_factory):
    # A smaller replacement ship: capacity factor 0.5 → 25 t a departure, two 10 t consignments.
    # Releases 0..5 h (6 × 10 t) leave two per departure: 8, 20, 32 h.
    smaller = {"id": "small", "target": "uv", "start": "0h", "duration": "10d", "effect": {"capacity_factor": 0.5}}
    rec = simulate(scenario_factory([freight("f", "u", "v", 240, deadline="30d", end="6h")], [smaller]))
    order = np.argsort(rec.delivery_release_h)
    assert rec.delivery_time_h[order] == pytest.approx([12, 12, 24, 24, 36, 36])


def test_a_consignment_larger_than_a_departure_fills_consecutive_departures(scenario_factory):
    # 120 t released at once (slot 24 h) needs three departures of 50 t: 08:00, 20:00 and 08:00
    # the next day; it is delivered when its last trucks land, 32 + 4 = 36 h.
    rec = simulate(scenario_factory([freight("f", "u", "v", 120, slot="24h", deadline="30d", end="1h")]))
    assert rec.delivery_time_h.tolist() == pytest.approx([36.0])


def test_routing_uses_the_ferry_when_it_is_the_only_way(scenario_factory):
    # Road a–u (1 h), the ferry u–v, road v–b (1 h). A road flow a → b crosses on the ferry as
    # trucks (no transshipment): released at 0 h, it reaches u at 1 h, leaves at 08:00, lands at
    # 12:00 and reaches b at 13:00.
    nodes = [node("a"), node("u", "port"), node("v", "port", country="SE"), node("b", country="SE")]
    links = [link("au", "a", "u"), ferry(), link("vb", "v", "b")]
    rec = simulate(scenario_factory([freight("f", "a", "b", 240, deadline="30d", end="1h")], links=links, nodes=nodes))
    assert rec.delivery_time_h.tolist() == pytest.approx([13.0])


def test_routing_takes_the_land_route_while_the_ferry_is_cancelled_for_days(scenario_factory):
    # As above plus a road round the gulf a–b of 2,000 km (20 h at 100 km/h). With the ferry
    # open, the ferry way (13 h) is taken. With it closed for three days (announced), the land
    # route is the quicker: the consignment arrives at 20 h.
    nodes = [node("a"), node("u", "port"), node("v", "port", country="SE"), node("b", country="SE")]
    links = [link("au", "a", "u"), ferry(), link("vb", "v", "b"), link("round", "a", "b", length_km=2000)]
    flows = [freight("f", "a", "b", 240, deadline="30d", end="1h")]
    rec = simulate(scenario_factory(flows, links=links, nodes=nodes))
    assert rec.delivery_time_h.tolist() == pytest.approx([13.0])
    closure = {"id": "storm", "target": "uv", "start": "0h", "duration": "3d", "effect": "close"}
    rec = simulate(scenario_factory(flows, [closure], links=links, nodes=nodes))
    assert rec.delivery_time_h.tolist() == pytest.approx([20.0])


def test_timetable_by_day_and_mean_wait():
    # Departures Monday and Wednesday 12:00 only: headways 48 h and 120 h, mean wait from a random
    # moment (48² + 120²)/(2 · 168) = 49.71 h. The run starts on Tuesday 06:00 (offset 30 h).
    env = simpy.Environment()
    service = FerryService(env, lambda user, d: 0.0, 50.0, [12.0, 60.0], [True], [1.0], 0, start_offset_h=30.0)
    assert service.next_departure(0.0) == pytest.approx(30.0)  # Wednesday 12:00
    assert service.next_departure(30.0) == pytest.approx(30.0)  # at the departure itself
    assert service.next_departure(30.5) == pytest.approx(150.0)  # next Monday 12:00
    assert service.mean_wait_h() == pytest.approx((48**2 + 120**2) / (2 * 168))


def test_schedule_errors_name_the_field(tmp_path):
    bad_time = dict(SCHEDULE, departures=[{"times": ["8:00"]}])
    with pytest.raises(ScenarioError) as err:
        build(tmp_path, network([node("u"), node("v")], [ferry(schedule=bad_time)]), [])
    assert "links[0].schedule.departures[0]" in str(err.value) and "HH:MM" in str(err.value)
    road = link("uv", "u", "v", schedule=dict(SCHEDULE))
    del road["tonnes_per_hour"]
    with pytest.raises(ScenarioError) as err:
        build(tmp_path, network([node("u"), node("v")], [road]), [])
    assert "expected it on ferry links only" in str(err.value)
    no_room = dict(SCHEDULE, lane_metres=10)
    with pytest.raises(ScenarioError) as err:
        build(tmp_path, network([node("u"), node("v")], [ferry(schedule=no_room)]), [])
    assert "no room for one truck" in str(err.value)


def test_freight_waiting_on_the_quay_turns_back_when_a_gale_is_announced(scenario_factory, tmp_path):
    # Time alone decides (no distance cost). Released at 0 h at a, the consignment reaches the
    # quay u at 1 h and waits for the 08:00 departure. At 2 h a gale closes the ferry for three
    # days, end announced: waiting means leaving at 80 h (the first departure after 74 h),
    # while back to a (1 h) and round the gulf (20 h) arrives at 2 + 1 + 20 = 23 h.
    nodes = [node("a"), node("u", "port"), node("v", "port", country="SE"), node("b", country="SE")]
    links = [link("au", "a", "u"), ferry(), link("vb", "v", "b"), link("round", "a", "b", length_km=2000)]
    net = network(nodes, links)
    net["defaults"]["distance_cost_nok_per_tkm"] = {"road": 0, "ferry": 0}
    gale = {"id": "gale", "target": "uv", "start": "2h", "duration": "3d", "effect": "close"}
    rec = simulate(build(tmp_path, net, [freight("f", "a", "b", 240, deadline="30d", end="1h")], [gale], horizon="4d"))
    assert rec.delivery_time_h.tolist() == pytest.approx([23.0])
    # A short gale (2–9 h) is waited out: the 08:00 departure is cancelled; at the reopening the
    # wait for 20:00 (11 h) plus crossing and road (5 h) beats 21 h round the gulf.
    gale["duration"] = "7h"
    rec = simulate(build(tmp_path, net, [freight("f", "a", "b", 240, deadline="30d", end="1h")], [gale], horizon="4d"))
    assert rec.delivery_time_h.tolist() == pytest.approx([20.0 + 4 + 1])


def test_the_ferry_s_detour_in_the_criticality_table_is_the_road(scenario_factory):
    # Trucks drive on and off, so the alternative to the ferry u–v (100 km) is the road round
    # the gulf (2,000 km): alt_dist 2,000 km, diff_dist 1,900 km, and 20 h − 4 h = +16 h.
    from beredskap_sim.network.redundancy import single_link_criticality

    links = [ferry(), link("round", "u", "v", length_km=2000)]
    scenario = scenario_factory([freight("f", "u", "v", 240)], links=links)
    row = single_link_criticality(scenario.network, scenario.demands).set_index("link").loc["uv"]
    assert row["detour"] == 1 and row["alt_dist"] == pytest.approx(2000) and row["diff_dist"] == pytest.approx(1900)
    assert row["diff_time_h"] == pytest.approx(16.0)
