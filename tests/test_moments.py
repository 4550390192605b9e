"""The map's worst moment and frame, checked against the Gyda record (facts §9): E14 closed
by slides 13–14 January while Meråkerbanen was already closed, so Meråker was cut off."""

import pandas as pd

from beredskap_sim.report.moments import affected_at, candidate_times, links_used, worst_moment
from beredskap_sim.scenario.loader import load_scenario
from conftest import ROOT


def gyda_disruptions(scenario) -> pd.DataFrame:
    rows = []
    for d in scenario.disruptions:
        rows.append({"replication": 0, "id": d.id, "start_h": d.start_h, "end_h": d.end_h,
                     "links": " ".join(scenario.network.link_ids[i] for i in d.links),
                     "nodes": " ".join(scenario.network.node_ids[i] for i in d.nodes),
                     "kind": "closed", "targets": " ".join(d.targets)})
    return pd.DataFrame(rows)


def test_worst_moment_of_gyda_is_when_meraker_is_cut_off():
    scenario = load_scenario(ROOT / "scenarios" / "storm-gyda-2022.yaml")
    disruptions = gyda_disruptions(scenario)
    e14 = disruptions[disruptions["id"] == "e14-norway-slides"].iloc[0]
    moment = worst_moment(scenario, disruptions)
    assert e14.start_h <= moment.time_h < e14.end_h  # not the hours before E14 closes
    meraker = next(n for n in scenario.network_spec.nodes if n.id == "meraker")
    assert moment.people >= meraker.population  # Meråker (2,426 people, facts §8) cut off
    before = affected_at(scenario, disruptions, e14.start_h - 1)
    assert before.people < moment.people  # with only the railway closed, the road still reaches Meråker
    assert all(a < b for a, b in zip(candidate_times(disruptions, scenario.horizon_h),
                                      candidate_times(disruptions, scenario.horizon_h)[1:]))


def test_frame_holds_the_timber_detour():
    """With Meråkerbanen closed the timber train Östersund → Muruvik detours south; the links
    the map must frame include the undisturbed route and the detour."""
    scenario = load_scenario(ROOT / "scenarios" / "storm-gyda-2022.yaml")
    disruptions = gyda_disruptions(scenario)
    moment = worst_moment(scenario, disruptions)
    used = {scenario.network.link_ids[i] for i in links_used(scenario, moment)}
    undisturbed = {scenario.network.link_ids[i] for i in links_used(scenario, None)}
    assert "meraker-hell-hegra" in undisturbed  # the timber train's usual route
    detour = used - undisturbed
    assert detour and not any(lid.startswith("meraker-") for lid in detour)


def test_performance_per_flow_period_does_not_turn_a_late_train_into_a_failure():
    """A train a day, due at 10:00 each day, arrives at 13:00 on day 1: hour by hour Q drops
    to 0 at 10:00 (hand check), day by day Q stays 1 because the day's tonnes arrived that day."""
    from beredskap_sim.report.figures import period_q

    rows = []
    for h in range(48):
        due = 600.0 if h % 24 == 10 else 0.0
        delivered = 600.0 if h in (13, 34) else 0.0  # day 0 late by 3 h; day 1 on time
        rows.append({"replication": 0, "time_h": float(h), "delivered_t": delivered, "due_t": due})
    series = pd.DataFrame(rows)
    hourly = period_q(series, 1.0)[0]
    daily = period_q(series, 24.0)[0]
    assert hourly.loc[10.0] == 0.0
    assert list(daily) == [1.0, 1.0]


def test_food_curves_are_not_shaded_by_the_railway_closure():
    """Food (the food system's chilled goods) goes to Meråker by road, so the 21-day closure of
    Meråkerbanen touches the timber train's routes but not the food's."""
    from beredskap_sim.report.figures import touching
    from beredskap_sim.report.moments import commodity_routes

    scenario = load_scenario(ROOT / "scenarios" / "storm-gyda-2022.yaml")
    disruptions = gyda_disruptions(scenario)
    routes = commodity_routes(scenario)
    assert "meraakerbanen-fill" not in set(touching(disruptions, scenario, *routes["chilled"])["id"])
    assert "e14-norway-slides" in set(touching(disruptions, scenario, *routes["chilled"])["id"])
    assert "meraakerbanen-fill" in set(touching(disruptions, scenario, *routes["timber"])["id"])
