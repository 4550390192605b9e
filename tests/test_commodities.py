"""Commodity families: `food` stands for every food group wherever a commodity is named."""

import numpy as np
import pytest

from beredskap_sim import kpi_table, simulate
from beredskap_sim.scenario.errors import ScenarioError
from builders import build, freight, link, network, node


def border_food_case(tmp_path, exempt, flows=(), values=None):
    """A warehouse in Norway supplies a Swedish town over a border node closed for 10 days."""
    net = network([node("wh", kind="warehouse"), node("x", kind="border"), node("town", country="SE", population=10000)],
                  [link("wx", "wh", "x", length_km=50, speed_kmh=100, tph=1e9),
                   link("xt", "x", "town", length_km=50, speed_kmh=100, tph=1e9)])
    food = {"kg_per_person_day": 1.5, "groups": {"chilled": 0.35, "dry": 0.65}, "chilled": ["chilled"], "review": 1,
            "municipalities": [{"node": "town", "stock_days": 3, "supply_from": "wh", "reorder_days": 2.9,
                                "order_up_to_days": 3, "deadline": "30d"}]}
    closed = {"id": "border", "target": "x", "start": "1d", "duration": "10d", "effect": "close", "exempt": exempt}
    extra = {"values": values} if values else {}
    return build(tmp_path, net, list(flows), [closed], horizon="8d", food=food, **extra)


def test_exempt_food_exempts_every_food_group(tmp_path):
    shut = simulate(border_food_case(tmp_path, []))
    family = simulate(border_food_case(tmp_path, ["food"]))
    spelled_out = simulate(border_food_case(tmp_path, ["chilled", "dry"]))
    # Closed to all: 3 days of stock, no deliveries for the remaining 7 days → shelves empty.
    assert shut.food.unmet.sum() > 0
    # `food` lets both groups through, exactly as naming the groups does: nothing unmet.
    assert family.food.unmet.sum() == 0
    np.testing.assert_allclose(family.food.delivered, spelled_out.food.delivered)
    np.testing.assert_allclose(family.food.days, spelled_out.food.days)


def test_unknown_commodity_in_exempt_is_an_error_listing_the_known_ones(tmp_path):
    with pytest.raises(ScenarioError) as err:
        border_food_case(tmp_path, ["fod"])
    text = str(err.value)
    assert "disruptions[0].exempt: unknown commodity 'fod'" in text
    for name in ("chilled", "dry", "food", "fuel", "passengers"):
        assert name in text


def test_food_flow_to_a_food_system_municipality_is_an_error(tmp_path):
    with pytest.raises(ScenarioError) as err:
        border_food_case(tmp_path, ["food"], flows=[freight("f", "wh", "town", 15, commodity="food")])
    assert "freight[0]: food flow to 'town', which the food system already supplies" in str(err.value)


def test_family_kpis_and_values_stand_for_the_groups(tmp_path):
    scenario = border_food_case(tmp_path, [], values={"per_lost_tonne": {"food": 1000.0}, "sources": {}})
    # A family's unit value applies to each group without its own.
    assert scenario.spec.values.per_lost_tonne["chilled"] == 1000.0
    assert scenario.spec.values.per_lost_tonne["dry"] == 1000.0
    rec = simulate(scenario)
    rows = {(k.kpi, k.scope): k.value for k in kpi_table(rec)}
    for kpi in ("tonnes_delivered", "tonnes_demanded", "tonnes_lost"):
        assert rows[(kpi, "food")] == pytest.approx(rows[(kpi, "chilled")] + rows[(kpi, "dry")])
    assert rows[("tonnes_delivered", "food")] > 0


def test_family_delays_and_q_pool_the_groups(tmp_path):
    """The family column is never blank: its delay is the tonne-weighted mean of its groups'
    deliveries, its late tonnes their sum, and its Q the curve of the pooled consignments."""
    rec = simulate(border_food_case(tmp_path, []))
    rows = {(k.kpi, k.scope): k.value for k in kpi_table(rec)}
    tonnes = {g: rows[("tonnes_delivered", g)] for g in ("chilled", "dry")}
    mean = sum(rows[("delay_mean_h", g)] * tonnes[g] for g in tonnes) / sum(tonnes.values())
    assert rows[("delay_mean_h", "food")] == pytest.approx(mean)
    assert rows[("tonnes_late", "food")] == pytest.approx(rows[("tonnes_late", "chilled")] + rows[("tonnes_late", "dry")])
    # Q of the family is the exact curve of the pooled consignments (Σ arrived / Σ due in the
    # window), so its loss is a due-weighted blend of the groups' and lies between them.
    from beredskap_sim.metrics.curve import freight_curve
    from beredskap_sim.metrics.resilience import resilience_loss

    idx = [rec.commodities.index(g) for g in ("chilled", "dry")]
    assert rows[("resilience_loss_h", "food")] == pytest.approx(resilience_loss(freight_curve(rec, commodity=idx)))
    losses = [rows[("resilience_loss_h", g)] for g in ("chilled", "dry")]
    assert min(losses) - 1e-9 <= rows[("resilience_loss_h", "food")] <= max(losses) + 1e-9
    assert rows[("resilience_loss_h", "food")] > 0  # the border is closed to food for the whole run
