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
