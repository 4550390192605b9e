"""A hoarding surge by hand: households buy ``food_demand_factor`` × the normal consumption while
the disruption is active; the stock drops that much faster, orders follow the raised demand, and
the factor ends with the disruption."""

import numpy as np
import pytest

from beredskap_sim import kpi_table, simulate
from beredskap_sim.scenario.errors import ScenarioError
from builders import build, link, network, node


def town_net(**groups):
    return network([node("dc1", kind="warehouse"), node("town", population=24000), node("village", population=2400)],
                   [link("r1", "dc1", "town", length_km=100, speed_kmh=100, tph=1e9),
                    link("r2", "dc1", "village", length_km=100, speed_kmh=100, tph=1e9)], **groups)


def run(tmp_path, municipalities, disruptions, horizon="5d", net=None, **food):
    spec = {"kg_per_person_day": 1.0, "review": 1, "municipalities": municipalities, "warehouses": [{"node": "dc1"}], **food}
    return simulate(build(tmp_path, net or town_net(), [], disruptions, horizon=horizon, food=spec))


def surge(target="town", factor=1.5, start="24h", duration="48h"):
    return {"id": "hoarding", "target": target, "start": start, "duration": duration,
            "effect": {"food_demand_factor": factor}}


NO_RESUPPLY = {"node": "town", "stock_days": 7, "supply_from": "dc1", "reorder_days": 0, "order_up_to_days": 7}


def test_surge_without_resupply_empties_the_stock_by_hand(tmp_path):
    # 24,000 people × 1 kg/day = 24 t/day = 1 t/h; 7 days = 168 t; reorder_days 0: no orders.
    # Day 1 normal (24 t), then 48 h at 1.5 t/h (72 t), then normal again.
    rec = run(tmp_path, [NO_RESUPPLY], [surge()])
    days = rec.food.days[0]  # step k: after hour k, i.e. at k + 1 h
    assert days[23] == pytest.approx((168 - 24) / 24)               # 6.0 d when the surge starts
    assert days[71] == pytest.approx((168 - 24 - 72) / 24)          # 72 t = 3.0 d when it ends
    assert days[95] == pytest.approx((168 - 24 - 72 - 24) / 24)     # back to 1 t/h: 2.0 d a day later
    assert days[119] == pytest.approx(1.0)                          # 24 t left after 5 days
    # The days-of-supply figure falls 1.5 days per day during the surge, 1 per day outside it.
    assert days[71] - days[47] == pytest.approx(-1.5)
    assert days[119] - days[95] == pytest.approx(-1.0)
    # Counted as consumed (it left the shelves), of which 24 t beyond normal need; nobody short.
    assert rec.food.consumed.sum() == pytest.approx(24 + 72 + 48)
    assert rec.food.surged.sum() == pytest.approx(24)
    assert {(k.kpi, k.scope): k.value for k in kpi_table(rec)}[("food_surged_t", "town")] == pytest.approx(24)
    assert rec.food.unmet.sum() == 0
    assert rec.food.start.sum() == pytest.approx(rec.food.consumed.sum() + rec.food.end.sum())
    starts = [d for _, kind, _, d in rec.events if kind == "disruption-start"]
    assert starts == ["hoarding: food demand ×1.5"]
    # Without the surge the same 5 days leave 2 days (48 t): the surge cost one day of supply.
    base = run(tmp_path, [NO_RESUPPLY], [])
    assert base.food.days[0][119] - days[119] == pytest.approx(1.0)
    assert base.food.surged.sum() == 0


def test_surge_hits_only_its_target_and_surges_multiply(tmp_path):
    village = {**NO_RESUPPLY, "node": "village"}
    rec = run(tmp_path, [NO_RESUPPLY, village], [surge("village", 1.5), surge("village", 2.0) | {"id": "second"}],
              horizon="3d")
    # The town is untouched: 72 h at 1 t/h.
    assert rec.food.consumed[0].sum() == pytest.approx(72)
    # The village (0.1 t/h): 24 h normal, 48 h at 1.5 × 2 = 3 ×: 2.4 + 14.4 t.
    assert rec.food.consumed[1].sum() == pytest.approx(2.4 + 0.1 * 3 * 48)
    assert rec.food.surged[1].sum() == pytest.approx(0.1 * 2 * 48)


def test_empty_shelves_in_a_surge_count_only_the_normal_need_as_unmet(tmp_path):
    # 1 day of stock (24 t), no resupply, demand ×2 from the start: empty after 12 h. Of the
    # 48 h, the normal need not met is 48 − 12 = 36 t; the 12 t bought beyond need are surged.
    short = {**NO_RESUPPLY, "stock_days": 1}
    rec = run(tmp_path, [short], [surge(factor=2.0, start="0h", duration="48h")], horizon="2d")
    assert rec.food.surged.sum() == pytest.approx(12)
    assert rec.food.unmet.sum() == pytest.approx(36)
    assert rec.food.stockout_hours[0] == pytest.approx(36)


def test_orders_follow_the_raised_demand_and_fall_back_when_it_ends(tmp_path):
    # Hourly orders keep stock + on-order at 7 days; the road takes 1 h. During the surge 7 days
    # of the raised demand are 7 × 36 t = 252 t: the shelves are filled to about 10.5 days of
    # normal consumption (less the hour's consumption and what is on the road).
    store = {"node": "town", "stock_days": 7, "supply_from": "dc1", "reorder_days": 6.99, "order_up_to_days": 7,
             "deadline": "30d"}
    rec = run(tmp_path, [store], [surge(start="24h", duration="48h")], horizon="8d")
    days = rec.food.days[0]
    assert days[:23].min() == pytest.approx(7 - 2 / 24, abs=1e-6)  # undisturbed: 7 days less the road's hour and the hour's use
    assert days[70] == pytest.approx(7 * 1.5 - 2 * 1.5 / 24, abs=1e-6)
    # When it ends, the last surge order (1.5 t) lands and 1 t is eaten: 252 − 1.5 − 1 t. Then no
    # order until the stock is back under 6.99 days: about 3.5 days at 1 t/h.
    assert days[72] == pytest.approx((252 - 1.5 - 1) / 24)
    assert np.diff(days[72:72 + 80]) == pytest.approx(np.full(80 - 1, -1 / 24))
    assert days[-1] == pytest.approx(7 - 2 / 24, abs=1e-6)
    table = {(k.kpi, k.scope): k.value for k in kpi_table(rec)}
    # Ordered: what was consumed in 8 days (192 t + 24 t surged) plus the stock built up, give or
    # take the last hour's order still on the road.
    assert table[("food_ordered_t", "town←dc1")] == pytest.approx(
        rec.food.consumed.sum() + rec.food.end.sum() - rec.food.start.sum(), abs=1.5)
    assert rec.food.consumed.sum() == pytest.approx(192 + 24)
    assert rec.food.surged.sum() == pytest.approx(24)
    assert rec.food.unmet.sum() == 0


def test_a_surge_must_point_at_a_food_municipality(tmp_path):
    for target, says in (("r1", "'r1' is not a food municipality (food_demand_factor cannot act on r1)"),
                         ("dc1", "'dc1' is not a food municipality (food_demand_factor cannot act on dc1)"),
                         ("both", "'both' is not a food municipality (food_demand_factor cannot act on dc1)")):
        with pytest.raises(ScenarioError) as err:
            run(tmp_path, [NO_RESUPPLY], [surge(target)], net=town_net(groups={"both": ["town", "dc1"]}))
        text = str(err.value)
        assert f"disruptions[0].target: {says} (expected a food municipality or a group of them (town))" in text
    with pytest.raises(ScenarioError) as err:
        run(tmp_path, [NO_RESUPPLY], [surge("nowhere")])
    assert "disruptions[0].target" in str(err.value) and "'nowhere'" in str(err.value)
    with pytest.raises(ScenarioError) as err:
        simulate(build(tmp_path, town_net(), [], [surge()]))
    assert "disruptions[0].effect.food_demand_factor: the scenario has no `food:` section" in str(err.value)


def test_a_group_of_municipalities_is_a_valid_target(tmp_path):
    village = {**NO_RESUPPLY, "node": "village"}
    rec = run(tmp_path, [NO_RESUPPLY, village], [surge("towns")], horizon="3d",
              net=town_net(groups={"towns": ["town", "village"]}))
    assert rec.food.surged.sum(axis=1) == pytest.approx([0.5 * 48, 0.05 * 48])


def test_a_hazard_may_cause_a_surge_on_a_municipality_only(tmp_path):
    def hazard(target):
        return [{"id": "panic", "rate_per_year": 365, "duration": "12h", "effect": {"food_demand_factor": 2.0},
                 "footprint": [{"target": target}], "sources": {"rate_per_year": "assumption: test"}}]

    spec = {"kg_per_person_day": 1.0, "review": 1, "municipalities": [{**NO_RESUPPLY, "stock_days": 30}],
            "warehouses": [{"node": "dc1"}]}
    with pytest.raises(ScenarioError) as err:
        build(tmp_path, town_net(), [], [], horizon="5d", food=spec, hazards=hazard("r1"))
    assert "hazards[0].footprint[0].target: 'r1' is not a food municipality" in str(err.value)
    # On the town, the hazard's events (about one a day, 12 h at 2 ×) take extra food off the
    # shelves: each hour (the food model's tick) the town buys 2^k t where k events are active.
    scenario = build(tmp_path, town_net(), [], [], horizon="5d", food=spec, hazards=hazard("town"))
    rec = simulate(scenario, seed=3)
    spans = [(start, end) for _, start, end, *_ in rec.disruptions]
    active = [sum(start <= h < end for start, end in spans) for h in range(120)]
    assert max(active) >= 1
    assert rec.food.surged.sum() == pytest.approx(sum(2.0 ** k - 1 for k in active))
