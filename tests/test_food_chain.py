"""The food supply chain by hand: sources in order of preference, distribution centres with their
own stock, delivery schedules, visitors by month, and the retail buffer."""

import numpy as np
import pytest

from beredskap_sim import kpi_table, simulate
from builders import build, link, network, node


def kpis(rec):
    return {(k.kpi, k.scope): k.value for k in kpi_table(rec)}


def store(**extra):
    """A store of 24,000 people at 1 kg/day: 24 t a day, 1 t an hour; hourly orders keep 7 days."""
    return {"node": "town", "stock_days": 7, "supply_from": "dc1", "reorder_days": 6.99, "order_up_to_days": 7,
            "deadline": "30d", **extra}


def chain(tmp_path, municipality, warehouses, disruptions=(), horizon="5d", **food):
    net = network([node("up", kind="warehouse"), node("dc1", kind="warehouse"), node("dc2", kind="warehouse"),
                   node("town", population=24000)],
                  [link("r1", "dc1", "town", length_km=100, speed_kmh=100, tph=1e9),
                   link("r2", "dc2", "town", length_km=300, speed_kmh=100, tph=1e9),
                   link("r0", "up", "dc1", length_km=100, speed_kmh=100, tph=1e9)])
    spec = {"kg_per_person_day": 1.0, "review": 1, "municipalities": [municipality], "warehouses": warehouses, **food}
    return simulate(build(tmp_path, net, [], list(disruptions), horizon=horizon, food=spec))


def test_cut_route_switches_to_the_alternative_source_at_its_time_and_cost(tmp_path):
    cut = [{"id": "cut", "target": "r1", "start": "24h", "duration": "48h", "effect": "close"}]
    warehouses = [{"node": "dc1"}, {"node": "dc2"}]
    muni = store(alternatives=["dc2"])
    base = chain(tmp_path, muni, warehouses, transport_cost_per_tonne_km=2.0)
    rec = chain(tmp_path, muni, warehouses, cut, transport_cost_per_tonne_km=2.0)
    table = kpis(rec)
    # Orders placed while r1 is cut (48 hourly orders of 1 t) go to dc2, then back to dc1.
    assert table[("food_ordered_t", "town←dc2")] == pytest.approx(48, abs=1.0)
    assert table[("food_source_switches", "town")] == 2
    # Cost: every tonne from dc1 travels 100 km, from dc2 300 km, at 2 per tonne-km.
    t1, t2 = table[("food_ordered_t", "town←dc1")], table[("food_ordered_t", "town←dc2")]
    assert table[("food_transport_cost", "town")] == pytest.approx(2.0 * (100 * t1 + 300 * t2))
    # The switch costs 48 t × 200 km × 2 = 19,200 more than the undisturbed week.
    assert table[("food_transport_cost", "town")] - kpis(base)[("food_transport_cost", "town")] == pytest.approx(19200, abs=2 * 200 * 2)
    # Time: dc2 is 3 h away instead of 1 h, so the stock dips by 2 h of consumption (2 t), not
    # by the 48 h of the cut; nobody goes without.
    assert base.food.min_days[0] - rec.food.min_days[0] == pytest.approx(2 / 24, abs=1 / 24)
    assert rec.food.unmet.sum() == 0
    assert any(kind == "food-source" and "town now supplied with food from dc2" in d for _, kind, _, d in rec.events)


def test_distribution_centre_stock_bridges_part_of_an_upstream_cut(tmp_path):
    # dc1 holds about 48 t (two days of the store's demand) and reorders hourly from `up`. The
    # road up→dc1 is cut for 3 days: dc1 ships its 48 t, then the store lives 24 h on its own
    # stock, which dips by 1 day (± a few hours of where dc1's stock stood at the cut).
    warehouses = [{"node": "up"}, {"node": "dc1", "stock_t": 48, "supply_from": ["up"], "reorder_t": 47, "order_up_to_t": 48}]
    cut = [{"id": "cut", "target": "r0", "start": "24h", "duration": "3d", "effect": "close"}]
    base = chain(tmp_path, store(), warehouses, horizon="6d")
    rec = chain(tmp_path, store(), warehouses, cut, horizon="6d")
    assert base.food.min_days[0] - rec.food.min_days[0] == pytest.approx(1.0, abs=3 / 24)
    assert kpis(rec)[("food_warehouse_min_t", "dc1")] == pytest.approx(0, abs=1e-6)
    assert kpis(base)[("food_warehouse_min_t", "dc1")] > 40  # undisturbed, dc1 never runs low


def test_retail_buffer_of_eight_days_empties_the_shelves_on_day_eight(tmp_path):
    # Swedish stores hold about 8 days of fresh goods (facts §7). With the only source cut from
    # the start, a store starting on that buffer has empty shelves from day 8: 2 of 10 days.
    cut = [{"id": "cut", "target": "r1", "start": "0h", "duration": "10d", "effect": "close"}]
    rec = chain(tmp_path, store(stock_days=8, reorder_days=7.99, order_up_to_days=8), [{"node": "dc1"}], cut, horizon="10d")
    assert rec.food.stockout_hours[0] == pytest.approx(48, abs=1)
    assert rec.food.unmet.sum() == pytest.approx(48, abs=1)  # 2 days × 24 t


def test_delivery_schedule_orders_only_at_its_times(tmp_path):
    # One order a day at 05:00 topping stock + on-order up to 7 days (168 t). It arrives an
    # hour later; by the next delivery a day's 24 t is gone, and the lowest recorded level (at
    # the end of the hour before the delivery lands) is 168 − 24 − 2 = 142 t = 6 − 2/24 days.
    rec = chain(tmp_path, store(order_times=["05:00"]), [{"node": "dc1"}], horizon="4d")
    days = rec.food.days[0]
    assert days.min() == pytest.approx(6.0 - 2 / 24, abs=0.5 / 24)
    assert kpis(rec)[("food_ordered_t", "town←dc1")] == pytest.approx(4 * 24, abs=24)


def test_visitors_by_month_add_to_consumption(tmp_path):
    # 6,000 visitors on an average January day (the run starts 1 January) eat 6 t/day more.
    visitors = [6000.0] + [0.0] * 11
    rec = chain(tmp_path, store(extra_population_by_month=visitors), [{"node": "dc1"}], horizon="2d")
    assert rec.food.consumed.sum() == pytest.approx(2 * 30.0)
    np.testing.assert_allclose(rec.food.unmet, 0)


def test_import_stop_at_the_preferred_source_switches_to_the_next(tmp_path):
    # dc1 stops shipping from 24 h for 48 h (an import stop): orders go to dc2, as when its road is cut.
    warehouses = [{"node": "dc1", "outages": [{"start": "24h", "duration": "48h"}]}, {"node": "dc2"}]
    table = kpis(chain(tmp_path, store(alternatives=["dc2"]), warehouses))
    assert table[("food_ordered_t", "town←dc2")] == pytest.approx(48, abs=1.0)
    assert table[("food_source_switches", "town")] == 2


def test_grain_stock_supplies_only_its_group(tmp_path):
    # dc2 holds only dry goods (a grain stock). With dc1 stopped, dry orders switch to dc2 while
    # chilled orders keep going to dc1 and wait there: chilled shelves empty, dry do not.
    warehouses = [{"node": "dc1", "outages": [{"start": "24h", "duration": "10d"}]},
                  {"node": "dc2", "stock_t": 1000, "groups": ["dry"]}]
    rec = chain(tmp_path, store(stock_days=2, reorder_days=1.99, order_up_to_days=2, alternatives=["dc2"]), warehouses,
                horizon="6d", groups={"chilled": 0.25, "dry": 0.75}, chilled=["chilled"])
    chilled, dry = rec.food.groups.index("chilled"), rec.food.groups.index("dry")
    assert rec.food.unmet[0, dry] == 0
    # Chilled: 6 t a day; 2 days of stock after the stop at day 1, so 3 days short = 18 t.
    assert rec.food.unmet[0, chilled] == pytest.approx(18, abs=0.5)
    assert kpis(rec)[("food_warehouse_min_t", "dc2")] == pytest.approx(1000 - 18 * 5, abs=3)  # 5 days of dry goods


def test_production_area_losing_its_feed_shows_in_its_stock(tmp_path):
    # A production area makes 24 t a day into its own stock and ships it to the store (1 t/h).
    # Losing imported feed halves production for 2 days: its stock ends 24 t lower.
    base_wh = {"node": "dc1", "stock_t": 100, "production_t_per_day": 24}
    hit = dict(base_wh, outages=[{"start": "1d", "duration": "2d", "ships": True, "production_factor": 0.5}])
    base = chain(tmp_path, store(), [base_wh], horizon="4d")
    rec = chain(tmp_path, store(), [hit], horizon="4d")
    assert kpis(base)[("food_warehouse_min_t", "dc1")] - kpis(rec)[("food_warehouse_min_t", "dc1")] == pytest.approx(24, abs=1)


def test_national_supply_shock_draws_the_grain_stock_and_innherred():
    # The bundled shock: Trondheim's wholesale stops 21 days. Chilled goods switch to Innherred
    # (Levanger), dry goods to the grain stock, whose level falls by exactly what was ordered.
    # Without the grain stock the stores' dry goods run out.
    import copy
    from pathlib import Path

    import yaml

    from beredskap_sim.scenario.loader import scenario_from_data

    path = Path(__file__).parent.parent / "scenarios" / "national-supply-shock.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    table = kpis(simulate(scenario_from_data(copy.deepcopy(data), {}, str(path), path.parent)))
    from_grain = table[("food_ordered_t", "meraker←oslo")] + table[("food_ordered_t", "stjordal←oslo")]
    assert from_grain > 0 and table[("food_ordered_t", "stjordal←levanger")] > 0
    assert table[("food_warehouse_min_t", "oslo")] == pytest.approx(2640 - from_grain)
    assert table[("food_unmet_t", "all")] == 0
    for m in data["food"]["municipalities"]:
        m["alternatives"] = ["levanger"]
    without = kpis(simulate(scenario_from_data(data, {}, str(path), path.parent)))
    assert without[("food_unmet_t", "all")] > 0


def test_unknown_alternative_source_is_a_clear_error(tmp_path):
    from beredskap_sim.scenario.errors import ScenarioError

    with pytest.raises(ScenarioError) as err:
        chain(tmp_path, store(alternatives=["dc9"], order_times=["25:00"]), [{"node": "dc1"}])
    text = str(err.value)
    assert "food.municipalities[0].alternatives[0]: unknown node 'dc9'" in text
    assert "food.municipalities[0].order_times[0]: got '25:00' (expected a time of day HH:MM)" in text
