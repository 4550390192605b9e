"""Food hours booked in arrears (``model.food``, ``model.food_hours``) against the hourly rule.

The stores' hours are booked many at a time, between the hours where something is decided.
Each test here fails when the batched booking departs from booking every hour at its tick:
the stock path against the rule written out hour by hour, by hand and on random cases, and
whole runs (every bundled scenario with food, and a small case that empties the shelves,
spoils chilled goods, surges, loses orders and stops a warehouse's production) against the
same runs with ``MAX_BATCH_H = 1``.
"""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beredskap_sim import kpi_table, load_scenario, simulate
from beredskap_sim.model import food
from beredskap_sim.model.food_hours import sell
from beredskap_sim.model.recording import FoodRecord
from builders import build, link, network, node

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def hourly_rule(stock, want, adds):
    """The rule one hour at a time: deliveries before hour j, then ``take = min(s, w)``, ``s −= take``."""
    s = stock.copy()
    after, take = np.empty_like(want), np.empty_like(want)
    for j in range(want.shape[0]):
        for p, m, g, q in adds:
            if p == j:
                s[m, g] += q
        take[j] = np.minimum(s, want[j])
        s = s - take[j]
        after[j] = s
    for p, m, g, q in adds:
        if p == want.shape[0]:
            s[m, g] += q
    return after, take, s


def test_a_shelf_that_runs_empty_stays_empty_until_the_next_delivery():
    # 3 t on the shelf, 1 t wanted an hour for 6 hours, 2 t delivered before hour 4 and 5 t
    # after the last hour: 3 → 2 → 1 → 0, hour 3 finds nothing, then 2 → 1 → 0, and 5 t at the end.
    want = np.ones((6, 1, 1))
    after, take, end = sell(np.array([[3.0]]), want, [(4, 0, 0, 2.0), (6, 0, 0, 5.0)])
    assert after[:, 0, 0].tolist() == [2, 1, 0, 0, 1, 0]
    assert take[:, 0, 0].tolist() == [1, 1, 1, 0, 1, 1]
    assert end[0, 0] == 5


def test_a_delivery_is_booked_between_the_hours_it_fell_between():
    # Two cells, the second receives 1 t before hour 1: only its path shifts, from that hour on.
    want = np.full((3, 1, 2), 0.5)
    after, take, end = sell(np.array([[2.0, 2.0]]), want, [(1, 0, 1, 1.0)])
    assert after[:, 0, 0].tolist() == [1.5, 1.0, 0.5]
    assert after[:, 0, 1].tolist() == [1.5, 2.0, 1.5]
    assert take is want and end.tolist() == [[0.5, 1.5]]


cells = st.tuples(st.integers(1, 3), st.integers(1, 3))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_the_stock_path_of_many_hours_is_the_hourly_rule_exactly(data):
    m_n, g_n = data.draw(cells)
    k = data.draw(st.integers(1, 30))
    amount = st.floats(0, 5, allow_subnormal=False)
    stock = np.array(data.draw(st.lists(amount, min_size=m_n * g_n, max_size=m_n * g_n))).reshape(m_n, g_n)
    want = np.array(data.draw(st.lists(st.floats(0, 1, allow_subnormal=False), min_size=k * m_n * g_n,
                                       max_size=k * m_n * g_n))).reshape(k, m_n, g_n)
    adds = sorted(data.draw(st.lists(st.tuples(st.integers(0, k), st.integers(0, m_n - 1), st.integers(0, g_n - 1),
                                               amount), max_size=6)), key=lambda a: a[0])
    after, take, end = sell(stock, want, adds)
    expected = hourly_rule(stock, want, adds)
    # Not merely close: the same floating-point operations in the same order.
    for got, wanted in zip((after, take, end), expected):
        assert np.array_equal(got, wanted)


# ------------------------------------------------------------ the order of events, by hand
class Courier:
    """Stands in for freight: each shipment is delivered (or lost) after a fixed time."""

    def __init__(self, env, after_h: float, delivered: bool):
        self.env, self.after_h, self.delivered = env, after_h, delivered

    def ship(self, origin, dest, commodity, tonnes, modes, deadline_h, on_done):
        self.env.timeout(self.after_h).callbacks.append(lambda _: on_done(None, self.delivered))


def one_store(tmp_path, monkeypatch, batch, after_h, delivered, surge_at=None):
    """A store of 24,000 people at 1 kg/day (1 t an hour, 24 t on the shelf), reordering at 1.5
    days up to 2 (24 t) from a centre that holds only 10 t; six hours, one review at hour 0."""
    import simpy

    from beredskap_sim.model.recording import Recorder

    monkeypatch.setattr(food, "MAX_BATCH_H", batch)
    net = network([node("dc", kind="warehouse"), node("town", population=24000)], [link("r", "dc", "town")])
    spec = {"kg_per_person_day": 1.0, "review": "12h", "warehouses": [{"node": "dc", "stock_t": 10}],
            "municipalities": [{"node": "town", "stock_days": 1, "supply_from": "dc", "reorder_days": 1.5,
                                "order_up_to_days": 2}]}
    sc = build(tmp_path, net, [], [], horizon="6h", record_step="1h", food=spec)
    env = simpy.Environment()
    recorder = Recorder(sc.name, 0, 0, sc.horizon_h, sc.record_step_h, sc.commodities, sc.network.node_ids)
    system = food.FoodSystem(env, sc, recorder, Courier(env, after_h, delivered))
    if surge_at is not None:  # scheduled now, so at its time it comes before that hour's tick
        town = [sc.network.node_index["town"]]
        env.timeout(surge_at).callbacks.append(lambda _: system.apply_demand("hoard", town, 2.0))
    system.start()
    env.run(until=sc.horizon_h)
    return system.record()


@pytest.mark.parametrize("batch", [1, 168])
def test_a_delivery_and_a_surge_at_an_exact_hour_count_from_that_hour(tmp_path, monkeypatch, batch):
    # The review at hour 0 orders 24 t and gets the centre's 10 t, delivered at exactly 3.0 h;
    # a surge doubles demand from exactly 4.0 h. Both were scheduled before the ticks of hours
    # 3 and 4, so those hours see them: 24 − 1 − 1 − 1 = 21, + 10 − 1 = 30, − 2 = 28, − 2 = 26.
    f = one_store(tmp_path, monkeypatch, batch, 3.0, True, surge_at=4.0)
    assert (f.days[0] * 24).tolist() == pytest.approx([23, 22, 21, 30, 28, 26], abs=1e-12)
    assert f.consumed.sum() == pytest.approx(8) and f.surged.sum() == pytest.approx(2)
    assert f.warehouse_min_t.tolist() == [0.0]


@pytest.mark.parametrize("batch", [1, 168])
def test_a_lost_order_is_back_in_the_centre_only_from_its_hour(tmp_path, monkeypatch, batch):
    # The 10 t leave the centre at hour 0 and come back when the order is lost at 2.5 h: the
    # centre held nothing at the end of hours 0, 1 and 2, whatever was booked when.
    f = one_store(tmp_path, monkeypatch, batch, 2.5, False)
    assert f.warehouse_min_t.tolist() == [0.0]
    assert (f.days[0] * 24).tolist() == pytest.approx([23, 22, 21, 20, 19, 18], abs=1e-12)


# ------------------------------------------------------------------------ whole runs
def stress_case(tmp_path, production_t_per_day=7):
    """Two stores fed through a distribution centre that produces (half as much during an
    outage) and reorders for itself; a cold spell sheds the area's load (chilled goods spoil),
    a hoarding surge, and a road cut long enough to empty the shelves and lose orders."""
    power = {"areas": [{"id": "A", "demand": {"mean_mw": 1000, "seasonal": 0.2, "daily": 0.1},
                        "generation": [{"type": "hydro", "capacity_mw": 1400}]},
                       {"id": "B", "external": True, "export_mw": 5000}],
             "interconnectors": [{"id": "l", "from": "A", "to": "B", "capacity_mw": 100, "reverse_capacity_mw": 50}],
             "dependencies": [{"id": "cold", "kind": "cold-chain", "municipality": "town", "area": "A"}]}
    net = network([node("up", kind="warehouse"), node("dc", kind="warehouse"), node("town", population=8000),
                   node("village", population=3000)],
                  [link("r0", "up", "dc", length_km=130, speed_kmh=80, tph=1e6),
                   link("r1", "dc", "town", length_km=70, speed_kmh=90, tph=1e6),
                   link("r2", "dc", "village", length_km=45, speed_kmh=70, tph=1e6)], power=power)
    spec = {"kg_per_person_day": 1.5, "groups": {"chilled": 0.35, "dry": 0.65}, "chilled": ["chilled"],
            "spoil_rate_per_day": 0.2, "review": "6h", "threshold_days": 2,
            "municipalities": [
                {"node": "town", "stock_days": 3, "supply_from": "dc", "reorder_days": 2.5, "order_up_to_days": 3,
                 "deadline": "20h"},
                {"node": "village", "stock_days": 2, "supply_from": "dc", "reorder_days": 1.5, "order_up_to_days": 2.5,
                 "order_times": ["07:00", "15:00"], "deadline": "2d"}],
            "warehouses": [{"node": "up"},
                           {"node": "dc", "stock_t": 40, "production_t_per_day": production_t_per_day, "supply_from": ["up"],
                            "reorder_t": 30, "order_up_to_t": 40, "deadline": "1d",
                            "outages": [{"start": "2d", "duration": "3d", "ships": True, "production_factor": 0.5}]}]}
    events = [{"id": "cold", "target": "A", "start": "30h", "duration": "2d", "effect": {"demand_factor": 1.3}},
              {"id": "hoard", "target": "town", "start": "50h", "duration": "20h",
               "effect": {"food_demand_factor": 1.6}},
              {"id": "cut", "target": "r1", "start": "3d", "duration": "5d", "effect": "close"}]
    return build(tmp_path, net, [], events, horizon="10d", record_step="5h", food=spec)


def run_both(monkeypatch, scenario, seed=2):
    """The same run booked every hour at its tick (``MAX_BATCH_H = 1``) and in arrears."""
    records = []
    for batch in (1, food.MAX_BATCH_H):
        monkeypatch.setattr(food, "MAX_BATCH_H", batch)
        records.append(simulate(scenario, seed=seed))
    return records


def assert_same(hourly, batched):
    """Every FoodRecord array identical (the booking makes the same floating-point operations in
    the same order, so not even round-off may differ), every KPI equal to 1e-9 relative."""
    for f in dataclasses.fields(FoodRecord):
        a, b = getattr(batched.food, f.name), getattr(hourly.food, f.name)
        if isinstance(b, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=f.name)
        else:
            assert a == b, f.name
    got = {(k.kpi, k.scope): k.value for k in kpi_table(batched)}
    want = {(k.kpi, k.scope): k.value for k in kpi_table(hourly)}
    assert got.keys() == want.keys()
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-12, nan_ok=True), key


def test_a_stressed_food_chain_books_the_same_in_arrears_as_every_hour(monkeypatch, tmp_path):
    hourly, batched = run_both(monkeypatch, stress_case(tmp_path))
    f = hourly.food
    # The case reaches every part of the booking: empty shelves, spoilage, a surge, lost orders
    # returned to a producing warehouse in an outage, deliveries to that warehouse.
    assert f.unmet.sum() > 0 and f.stockout_hours.sum() > 0 and f.spoiled.sum() > 0 and f.surged.sum() > 0
    assert f.hours_below.sum() > 0 and f.warehouse_min_t[0] < 40
    assert hourly.lost_t.sum() > 0  # orders lost before departure, their goods back at the centre
    assert_same(hourly, batched)


@pytest.mark.parametrize("name", sorted(p.name for p in SCENARIOS.glob("*.yaml") if "\nfood:" in p.read_text()))
def test_every_bundled_food_scenario_books_the_same_in_arrears_as_every_hour(monkeypatch, name):
    hourly, batched = run_both(monkeypatch, load_scenario(SCENARIOS / name))
    assert_same(hourly, batched)
