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
from beredskap_sim.scenario.network_schema import NetworkDefaults
from beredskap_sim.scenario.supply_schema import ValuesSpec
from builders import DEFAULTS

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
    """The generalized cost of a hand-made replication, term by term (``metrics.costs``)."""
    values = ValuesSpec(per_tonne_hour={"default": 10, "food": 50}, per_lost_tonne={"default": 1000})
    rec = hand_recording()
    rec.modes, rec.tonne_km, rec.transshipped_t = ["rail", "road"], np.array([[1000.0, 200.0]]), np.array([10.0])
    defaults = NetworkDefaults(**DEFAULTS, distance_cost_nok_per_tkm={"rail": 0.5, "road": 1.5}, transfer_cost_nok_per_t=60)
    rows = kpi_table(rec, values, defaults)
    table = {(k.kpi, k.scope): k.value for k in rows}
    # 30 t delivered 1 h after release, 25 t 7 h after: 30 + 175 tonne-hours in transport
    assert table[("tonne_hours_in_transport", "food")] == 205
    assert table[("tonne_km_rail", "all")] == 1000 and table[("tonnes_transshipped", "all")] == 10
    costs = {k.scope: k.value for k in rows if k.kpi == "cost"}
    assert costs["freight_time"] == 205 * 50
    assert costs["freight_distance"] == 1000 * 0.5 + 200 * 1.5
    assert costs["freight_transfer"] == 10 * 60
    assert costs["freight_lost"] == 5 * 1000
    assert costs["total"] == 205 * 50 + 800 + 600 + 5 * 1000
    per_year = next(k.value for k in rows if k.kpi == "cost_per_year")
    assert per_year == pytest.approx(costs["total"] * 8760 / 12.0)
    assert cost_kpis([Kpi("tonnes_lost", "food", float("nan"), "t")], rec, values)[3].value == 0  # NaN costs nothing
    # A scenario in SEK prices the network's NOK figures at its exchange rate.
    sek = ValuesSpec(currency="SEK", sek_per_nok=1.25, per_tonne_hour={"default": 10})
    assert {k.scope: k.value for k in cost_kpis([], rec, sek, defaults)}["freight_distance"] == pytest.approx(800 * 1.25)


def test_supply_costs_by_customer_group_and_food():
    values = ValuesSpec(per_mwh_not_served=100, per_mwh_not_served_by_group={"households": 20_000, "critical": 90_000},
                        per_person_day_below_threshold=1000, per_tonne_food_unmet=30_000, per_passenger_hour=200,
                        per_passenger_trip_lost=500, per_commuter_trip_lost=400)
    rows = [Kpi("energy_not_served_mwh", "all", 5.0, "MWh"), Kpi("ens_priority_general_mwh", "all", 3.0, "MWh"),
            Kpi("ens_local_households_mwh", "all", 2.0, "MWh"), Kpi("ens_local_businesses_mwh", "all", 1.0, "MWh"),
            Kpi("food_person_days_below_threshold", "all", 7.0, "person·d"), Kpi("food_unmet_t", "all", 0.5, "t"),
            Kpi("stranded_passenger_hours", "all", 10.0, "pax·h"), Kpi("extra_passenger_hours", "nabotoget", 4.0, "pax·h"),
            Kpi("commuter_extra_hours", "flow", 6.0, "pax·h"), Kpi("trips_abandoned", "all", 2.0, "pax"),
            Kpi("commuter_trips_lost", "all", 3.0, "trips")]
    costs = {k.scope: k.value for k in cost_kpis(rows, hand_recording(), values)}
    # general 3 MWh at the plain value, critical 2 MWh, households 2 MWh, businesses 1 MWh at the plain value
    assert costs["energy_not_served"] == 3 * 100 + 2 * 90_000 + 2 * 20_000 + 1 * 100
    assert costs["food_shortage"] == 7 * 1000 + 0.5 * 30_000
    assert costs["passengers"] == (10 + 4 + 6) * 200 + 2 * 500
    assert costs["commuters"] == 3 * 400
