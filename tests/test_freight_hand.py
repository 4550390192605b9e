"""Hand-computable freight cases: capacity, a closure on the only route, a detour."""

import numpy as np
import pytest

from beredskap_sim import kpi_table, simulate
from builders import build, freight, link, network, node


def kpi(rec, name, scope="all"):
    return next(k.value for k in kpi_table(rec) if k.kpi == name and k.scope == scope)


@pytest.mark.parametrize("capacity,expected", [(5.0, 120.0), (20.0, 240.0)])
def test_one_link_delivers_min_of_demand_and_capacity_times_hours(tmp_path, capacity, expected):
    # 10 t (one truck) released hourly for T = 24 h over a link of 1 h running time. Capacity C
    # lets a consignment of q tonnes enter q/C h after the previous one, so entries before T
    # number C·T/q and, one running time later (T + 1 h = the horizon), the link has delivered
    # exactly min(demand, C·T) = min(240, 24·C).
    net = network([node("a"), node("b")], [link("ab", "a", "b", length_km=100, speed_kmh=100, tph=capacity)])
    scenario = build(tmp_path, net, [freight("f", "a", "b", 240, deadline="30d", end="24h")], horizon="25h")
    rec = simulate(scenario)
    assert rec.delivered_t.sum() == pytest.approx(min(240.0, capacity * 24))
    assert rec.delivered_t.sum() == pytest.approx(expected)


def test_closure_of_the_only_route_delays_by_its_duration(tmp_path):
    D = 7.0
    net = network([node("a"), node("b")], [link("ab", "a", "b", length_km=100, speed_kmh=100, tph=1e9)])
    closure = {"id": "c", "target": "ab", "start": "5h", "duration": D, "effect": "close"}
    scenario = build(tmp_path, net, [freight("f", "a", "b", 240, deadline="30d")], [closure], horizon="2d")
    rec = simulate(scenario)
    # The consignment released when the link closes waits the whole closure.
    assert rec.delivery_delay_h.max() == pytest.approx(D, abs=1e-6)
    during = (rec.delivery_release_h >= 5) & (rec.delivery_release_h < 12)  # each waits until 12 h
    assert rec.delivery_delay_h[during] == pytest.approx(12.0 - rec.delivery_release_h[during], abs=0.1)
    assert rec.delivery_delay_h[~during] == pytest.approx(np.zeros((~during).sum()), abs=1e-6)
    assert rec.lost_t.sum() == 0


def test_open_alternative_route_loses_nothing_and_delay_is_the_detour(tmp_path):
    # Direct a–b is 1 h; the detour a–c–b is 1.5 h (time alone decides: no distance cost). While
    # a–b is closed, everything detours: even at 19 h, waiting (1 h + 1 h) costs more than 1.5 h.
    net = network(
        [node("a"), node("b"), node("c")],
        [link("ab", "a", "b", length_km=100, speed_kmh=100, tph=1e9),
         link("ac", "a", "c", length_km=75, speed_kmh=100, tph=1e9),
         link("cb", "c", "b", length_km=75, speed_kmh=100, tph=1e9)],
    )
    net["defaults"]["distance_cost_nok_per_tkm"] = {"road": 0}
    closure = {"id": "c", "target": "ab", "start": "10h", "duration": "10h", "effect": "close"}
    scenario = build(tmp_path, net, [freight("f", "a", "b", 240, deadline="3h")], [closure], horizon="2d")
    rec = simulate(scenario)
    assert rec.lost_t.sum() == 0
    detoured = (rec.delivery_release_h >= 10) & (rec.delivery_release_h < 20)
    assert detoured.sum() == 10
    assert rec.delivery_delay_h[detoured] == pytest.approx(np.full(10, 0.5), abs=1e-6)
    assert rec.delivery_delay_h[~detoured] == pytest.approx(np.zeros((~detoured).sum()), abs=1e-6)


def test_announced_closure_cancels_at_release_what_cannot_make_its_deadline(tmp_path):
    # The only link is closed 0–24 h and the end is announced. A consignment released at t
    # expects to arrive at 24 + 1 h; with a 6 h deadline it is cancelled at once (before it
    # departs) when 25 > t + 6, i.e. for t = 0..18: 19 consignments of 10 t.
    net = network([node("a"), node("b")], [link("ab", "a", "b", length_km=100, speed_kmh=100, tph=1e9)])
    closure = {"id": "c", "target": "ab", "start": "0h", "duration": "24h", "effect": "close"}
    rec = simulate(build(tmp_path, net, [freight("f", "a", "b", 240, deadline="6h")], [closure], horizon="2d"))
    assert rec.lost_t.sum() == pytest.approx(19 * 10)
    assert kpi(rec, "tonnes_lost") == pytest.approx(190)
    assert np.flatnonzero(rec.lost.sum(axis=0)).tolist() == list(range(19))  # each at its own release hour
    waited = rec.delivery_release_h < 24
    assert rec.delivery_release_h[waited].tolist() == [19, 20, 21, 22, 23]
    assert rec.delivery_time_h[waited] == pytest.approx(np.full(5, 25.0))


def test_unannounced_closure_cancels_when_the_deadline_passes(tmp_path):
    # Without an announced end nobody knows: consignments wait at the origin and those whose
    # deadline (t + 6 h) passes before the reopening at 23.5 h are cancelled then, t = 0..17.
    # At the reopening the one released at 18 h sees it would arrive at 24.5 h > 24 h: cancelled.
    net = network([node("a"), node("b")], [link("ab", "a", "b", length_km=100, speed_kmh=100, tph=1e9)])
    closure = {"id": "c", "target": "ab", "start": "0h", "duration": "23.5h", "effect": "close", "announced": False}
    rec = simulate(build(tmp_path, net, [freight("f", "a", "b", 240, deadline="6h")], [closure], horizon="2d"))
    assert rec.lost_t.sum() == pytest.approx(19 * 10)
    lost_by_hour = rec.lost.sum(axis=0)
    assert np.flatnonzero(lost_by_hour).tolist() == list(range(6, 24))
    assert lost_by_hour[23] == pytest.approx(20)
    assert rec.delivery_release_h.min() == 19


def test_capacity_factor_halves_throughput(tmp_path):
    net = network([node("a"), node("b")], [link("ab", "a", "b", length_km=100, speed_kmh=100, tph=10)])
    half = {"id": "h", "target": "ab", "start": "0h", "duration": "100h", "effect": {"capacity_factor": 0.5}}
    scenario = build(tmp_path, net, [freight("f", "a", "b", 240, deadline="30d", end="24h")], [half], horizon="25h")
    assert simulate(scenario).delivered_t.sum() == pytest.approx(120)


def test_customs_queue_waits_grow_with_arrivals_faster_than_service(tmp_path):
    # One lane clears 10 t in 2 h; 10 t arrive every hour: the k-th waits k hours.
    border = node("x", kind="border", customs={"lanes": 1, "tonnes_per_hour_per_lane": 5.0})
    net = network([node("a"), border, node("b", country="SE")],
                  [link("ax", "a", "x", length_km=1, speed_kmh=1000, tph=1e9),
                   link("xb", "x", "b", length_km=1, speed_kmh=1000, tph=1e9)])
    scenario = build(tmp_path, net, [freight("f", "a", "b", 240, deadline="30d", end="10h")], horizon="3d")
    rec = simulate(scenario)
    assert np.sort(rec.delivery_delay_h) == pytest.approx(np.arange(10.0), abs=1e-6)


def test_closed_border_lets_exempt_commodities_pass(tmp_path):
    border = node("x", kind="border")
    net = network([node("a"), border, node("b", country="SE")],
                  [link("ax", "a", "x", length_km=100, speed_kmh=100, tph=1e9),
                   link("xb", "x", "b", length_km=100, speed_kmh=100, tph=1e9)])
    closed = {"id": "border", "target": "x", "start": "0h", "duration": "10d", "effect": "close", "exempt": ["food"]}
    flows = [freight("f", "a", "b", 24, commodity="food", deadline="1d"),
             freight("g", "a", "b", 24, commodity="general", deadline="1d")]
    rec = simulate(build(tmp_path, net, flows, [closed], horizon="3d"))
    food, general = rec.commodities.index("food"), rec.commodities.index("general")
    assert rec.lost_t[general].sum() > 0 and rec.delivered_t[general].sum() == 0
    assert rec.lost_t[food].sum() == 0 and rec.delivered_t[food].sum() > 0


def test_mode_change_when_transshipment_beats_waiting_for_the_reopening(tmp_path):
    # Rail a–b takes 1 h, road a–b 2 h; the flow's own mode is rail, so road means a 4 h
    # transshipment first (no distance or transfer cost here: time alone decides). Rail closes
    # 3.5–23.5 h, announced. Released at t, waiting costs (23.5 − t) + 1 h, changing mode 4 + 2 h:
    # t = 4..18 go by road (delay 6 − 1 = 5 h), t = 19..23 wait for the rail (arrive 24.5 h).
    net = network([node("a"), node("b")],
                  [link("rail", "a", "b", mode="rail", length_km=100, speed_kmh=100, tph=1e9),
                   link("road", "a", "b", mode="road", length_km=200, speed_kmh=100, tph=1e9)])
    net["defaults"].update(mode_transfer_h=4, transfer_cost_nok_per_t=0, distance_cost_nok_per_tkm={"rail": 0, "road": 0})
    closure = {"id": "c", "target": "rail", "start": "3.5h", "duration": "20h", "effect": "close"}
    rec = simulate(build(tmp_path, net, [freight("f", "a", "b", 240, modes=("rail", "road"), deadline="2d")],
                         [closure], horizon="2d"))
    assert rec.lost_t.sum() == 0
    release = rec.delivery_release_h
    by_road = (release >= 4) & (release <= 18)
    assert by_road.sum() == 15
    assert rec.delivery_delay_h[by_road] == pytest.approx(np.full(15, 5.0), abs=1e-6)
    late_rail = (release >= 19) & (release <= 23)
    assert rec.delivery_time_h[late_rail] == pytest.approx(np.full(5, 24.5), abs=1e-6)
    changes = [e for e in rec.events if e[1] == "mode-change"]
    assert len(changes) == 15


def test_customs_opening_hours_hold_traffic_until_the_office_opens(tmp_path):
    # Open Mon–Fri 08:00–15:30. The scenario starts Friday 2024-01-05 00:00: a consignment at the
    # border on Friday 20:00 waits for Monday 08:00 (60 h); one at 10:00 passes at once.
    border = node("x", kind="border", customs={"lanes": 1, "tonnes_per_hour_per_lane": 1e9, "open_hours": "08:00-15:30",
                                               "open_days": ["mon", "tue", "wed", "thu", "fri"]})
    net = network([node("a"), border, node("b", country="SE")],
                  [link("ax", "a", "x", length_km=0.001, speed_kmh=1000, tph=1e9),
                   link("xb", "x", "b", length_km=0.001, speed_kmh=1000, tph=1e9)])
    flows = [freight("f", "a", "b", 240, deadline="30d", slot="10h", start="10h", end="21h")]
    rec = simulate(build(tmp_path, net, flows, horizon="4d", start="2024-01-05"))
    by_release = dict(zip(np.round(rec.delivery_release_h), rec.delivery_delay_h))
    assert by_release[10.0] == pytest.approx(0, abs=1e-3)
    assert by_release[20.0] == pytest.approx(60, abs=1e-3)
