"""Each dynamic measure on a hand-made recording with a known answer."""

import numpy as np
import pytest

from beredskap_sim.metrics.costs import cost_kpis
from beredskap_sim.metrics.kpis import Kpi, kpi_table
from beredskap_sim.metrics.curve import Curve
from beredskap_sim.metrics.resilience import (
    ecs, episode_stats, episodes, equivalent_outage_hours, hours_below, pcs, performance, recovery_rapidity,
    resilience_loss, robustness, weighted_performance,
)
from beredskap_sim.model.recording import Recording
from beredskap_sim.scenario.supply_schema import ValuesSpec

STEP = 2.0
DUE = np.array([10, 10, 10, 10, 10, 10], float)
DELIVERED = np.array([10, 0, 5, 10, 20, 10], float)  # Q = 1, 0, .5, 1, 1(capped), 1


def test_curve_measures():
    q = performance(DELIVERED, DUE)
    assert q.tolist() == [1, 0, 0.5, 1, 1, 1]
    curve = Curve.from_steps(q, STEP)
    assert resilience_loss(curve) == pytest.approx((1 + 0.5) * STEP)
    assert robustness(curve) == 0
    found = episodes(curve)
    assert episode_stats(found)["time_to_recover_h"] == pytest.approx(2 * STEP)      # steps 1..2 below 95 %
    assert hours_below(curve) == pytest.approx(2 * STEP)
    assert recovery_rapidity(found) == pytest.approx(1 / (2 * STEP))
    late = episodes(Curve.from_steps(np.array([1, 0.5, 1, 0.9]), 1.0))   # 1 h apart (< a day): one episode,
    assert [(e.start_h, e.end_h, e.censored) for e in late] == [(1, 4, True)]  # not recovered: censored


def test_service_indices_pcs_ecs_eoh():
    # Two consumers: a city (demand 90) fully served, a village (demand 10) cut off in step 1.
    served = np.array([[90, 90], [10, 0]], float)
    expected = np.array([[90, 90], [10, 10]], float)
    assert pcs(served, expected).tolist() == pytest.approx([1.0, 0.9])
    assert ecs(served, expected).tolist() == pytest.approx([1.0, 0.5])   # the village counts as much as the city
    assert equivalent_outage_hours(Curve.from_steps(pcs(served, expected), STEP)) == pytest.approx(0.1 * STEP)


def test_weighted_performance():
    served = np.array([[0.0], [10.0]])
    expected = np.array([[10.0], [10.0]])
    assert weighted_performance(served, expected, np.array([3.0, 1.0]))[0] == pytest.approx(10 / 40)


def hand_recording() -> Recording:
    n = len(DUE)
    due = DUE[None, :]
    delivered = DELIVERED[None, :]
    return Recording(
        scenario="hand", seed=0, replication=0, horizon_h=n * STEP, step_h=STEP, commodities=["food"], node_ids=["a", "b"],
        released=due.copy(), due=due, delivered=delivered, lost=np.zeros((1, n)),
        demanded_t=np.array([[0, 60.0]]), delivered_t=np.array([[0, 55.0]]), lost_t=np.array([[0, 5.0]]),
        in_transit_t=np.zeros((1, 2)), delivery_commodity=np.array([0, 0]), delivery_dest=np.array([1, 1]),
        delivery_tonnes=np.array([30.0, 25.0]), delivery_delay_h=np.array([0.0, 4.0]), delivery_time_h=np.array([1.0, 9.0]),
        delivery_release_h=np.array([0.0, 2.0]),
        due_by_dest=np.vstack([np.zeros(n), DUE]), delivered_by_dest=np.vstack([np.zeros(n), DELIVERED]),
    )


def test_kpi_table_on_a_hand_made_recording():
    rows = {(k.kpi, k.scope): k.value for k in kpi_table(hand_recording())}
    assert rows[("tonnes_lost", "all")] == 5
    assert rows[("delay_mean_h", "all")] == pytest.approx(25 * 4 / 55)
    assert rows[("delay_p95_h", "all")] == 4.0
    assert rows[("tonne_hours_delay", "all")] == 100
    assert rows[("tonnes_late", "all")] == 25  # the consignment 4 h late; the on-time one is not
    # Without due events the deliveries stand for them: 30 t due and arrived at 1 h, 25 t due
    # at 5 h (9 − 4) arriving at 9 h, counted from 9 − τ = 8 h: Q = 30/55 on [5, 8).
    assert rows[("resilience_loss_h", "food")] == pytest.approx(3 * 25 / 55)
    assert rows[("eoh_h", "destinations")] == pytest.approx(3 * 25 / 55)
    assert rows[("ecs_min", "destinations")] == pytest.approx(30 / 55)   # one destination: ECS = PCS
    assert rows[("episodes", "food→b")] == 1 and rows[("time_to_recover_h", "food→b")] == pytest.approx(3)


def test_costs_value_the_losses():
    values = ValuesSpec(per_tonne_hour={"default": 10, "food": 50}, per_lost_tonne={"default": 1000})
    rec = hand_recording()
    rows = kpi_table(rec, values)
    costs = {k.scope: k.value for k in rows if k.kpi == "cost"}
    assert costs["freight_delay"] == 100 * 50
    assert costs["freight_lost"] == 5 * 1000
    assert costs["total"] == 100 * 50 + 5 * 1000
    per_year = next(k.value for k in rows if k.kpi == "cost_per_year")
    assert per_year == pytest.approx(costs["total"] * 8760 / 12.0)
    assert cost_kpis([Kpi("tonnes_lost", "food", float("nan"), "t")], rec, values)[1].value == 0  # NaN costs nothing
