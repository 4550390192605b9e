"""Repair crews on the network: travel over closed roads, mutual aid, staged reopening — by hand."""

import pytest
import simpy

from beredskap_sim import simulate
from beredskap_sim.model.disruptions import DisruptionRunner
from beredskap_sim.model.recording import Recorder
from beredskap_sim.network.state import NetworkState
from builders import build, freight, link, network, node


def _ends(rec):
    return {detail.split(":")[0]: t for t, kind, _, detail in rec.events if kind == "disruption-end"}


def _arrivals(rec):
    return {detail.split(":")[0]: t for t, kind, _, detail in rec.events if kind == "crew-arrived"}


def _site_network(detour: bool):
    """Base b; the road b–x is 100 km (1 h at 100 km/h), the detour b–m–x 300 km (3 h).
    The rail link x–y is the repair site; crews drive (road only)."""
    links = [link("bx", "b", "x"), link("xy", "x", "y", mode="rail")]
    if detour:
        links += [link("bm", "b", "m", length_km=150), link("mx", "m", "x", length_km=150)]
    else:
        links += [link("bm", "b", "m", length_km=150)]
    return network([node("b"), node("x"), node("y"), node("m")], links,
                   crews=[{"id": "rail", "size": 1, "travel": 0.5, "base": "b", "modes": ["road"]}])


def _crew_run(tmp_path, detour: bool, road_closed_h: float):
    disruptions = [
        {"id": "road", "target": "bx", "start": 0, "duration": road_closed_h, "effect": "close"},
        {"id": "slide", "target": "xy", "start": "1h", "duration": "5h", "effect": "close", "repair": {"crew": "rail"}},
    ]
    scenario = build(tmp_path, _site_network(detour), [freight("f", "b", "m", 24)], disruptions, horizon="3d")
    return simulate(scenario)


@pytest.mark.parametrize("detour,road_closed_h,arrival", [
    (True, 2.0, 2.0 + 1.0),        # reopening first: leaves at 2 h (after 0.5 h mobilising from 1 h), drives 1 h
    (True, 10.0, 1.0 + 0.5 + 3.0),  # detour first: mobilised at 1.5 h, 3 h round the closure
    (False, 10.0, 10.0 + 1.0),      # no detour: waits for the reopening at 10 h, then 1 h
    (True, 0.5, 1.0 + 0.5 + 1.0),   # road open again before dispatch: the direct road
])
def test_crew_takes_the_detour_or_waits_for_the_reopening_whichever_is_first(tmp_path, detour, road_closed_h, arrival):
    rec = _crew_run(tmp_path, detour, road_closed_h)
    assert _arrivals(rec)["slide"] == pytest.approx(arrival)
    assert _ends(rec)["slide"] == pytest.approx(arrival + 5.0)


def test_staged_repair_capacity_and_speed_by_stage():
    """Closed 2 h of travel + 40 % of 10 h work; then speed ×0.4 (Meråkerbanen July 2023: 40 of
    100 km/h) and capacity ×0.5 until 80 % of the work; then speed ×0.8; full at the end."""
    from beredskap_sim.network.state import Effect
    from beredskap_sim.scenario.resolved import Crew, Disruption, Repair

    env = simpy.Environment()
    state = NetworkState(2, 2)
    recorder = Recorder("t", 0, 0, 30.0, 1.0, [], ["a", "b"])
    stages = ((0.4, Effect(speed_factor=0.4, capacity_factor=0.5)), (0.8, Effect(speed_factor=0.8)))
    d = Disruption("slide", "", ("ab",), (0,), (), 1.0, 10.0, Effect(close=True), Repair("crew", 0, stages))
    runner = DisruptionRunner(env, state, recorder, {"crew": Crew("crew", 1, 2.0)})
    runner.schedule([d], 30.0)
    seen = {}
    for t in (2.0, 6.5, 7.5, 10.5, 11.5, 13.5):
        env.run(until=t)
        seen[t] = (state.link_open(0), state.speed_factors[0], state.capacity_factors[0])
    # start 1 h, crew arrives 3 h, work 10 h: stage 1 at 3 + 4 = 7 h, stage 2 at 3 + 8 = 11 h, end 13 h
    assert seen[2.0] == (False, 1.0, 1.0) and seen[6.5] == (False, 1.0, 1.0)
    assert seen[7.5] == (True, 0.4, 0.5) and seen[10.5] == (True, 0.4, 0.5)
    assert seen[11.5] == (True, 0.8, 1.0)
    assert seen[13.5] == (True, 1.0, 1.0)
    kinds = [kind for _, kind, _, _ in recorder.events]
    assert kinds.count("disruption-stage") == 2


def _aid_network(helps):
    crews = [{"id": "home", "size": 1, "travel": 1},
             {"id": "neighbour", "size": 1, "travel": 2, "helps": helps}]
    return network([node("a"), node("b"), node("c")], [link("ab", "a", "b"), link("bc", "b", "c")], crews=crews)


@pytest.mark.parametrize("helps,second_end", [
    ([], 1 + 100 + 1 + 5),                          # waits for the home crew: free at 101 h, 1 h travel, 5 h work
    ([{"crew": "home", "after": "24h"}], 5 + 24 + 2 + 5),  # the neighbour may take it after 24 h of waiting
    ([{"crew": "home", "after": "24h", "where": ["bc"]}], 5 + 24 + 2 + 5),  # ... where it may help
    ([{"crew": "home", "after": "24h", "where": ["ab"]}], 1 + 100 + 1 + 5),  # not on bc: the job waits for its own crew
])
def test_mutual_aid_takes_a_job_after_the_stated_wait(tmp_path, helps, second_end):
    disruptions = [
        {"id": "first", "target": "ab", "start": 0, "duration": "100h", "effect": "close", "repair": {"crew": "home"}},
        {"id": "second", "target": "bc", "start": "5h", "duration": "5h", "effect": "close", "repair": {"crew": "home"}},
    ]
    rec = simulate(build(tmp_path, _aid_network(helps), [freight("f", "a", "c", 24)], disruptions, horizon="10d"))
    assert _ends(rec)["second"] == pytest.approx(second_end)
    assert _ends(rec)["first"] == pytest.approx(101)


def test_unknown_crew_base_and_helped_pool_are_reported(tmp_path):
    from beredskap_sim import ScenarioError

    net = network([node("a"), node("b")], [link("ab", "a", "b")],
                  crews=[{"id": "c", "size": 1, "base": "zz", "helps": [{"crew": "nobody"}]}])
    with pytest.raises(ScenarioError) as info:
        build(tmp_path, net, [freight("f", "a", "b", 10)])
    text = str(info.value)
    assert "crews[0].base: unknown node 'zz'" in text
    assert "crews[0].helps[0].crew: unknown crew pool 'nobody'" in text
