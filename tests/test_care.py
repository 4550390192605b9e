"""Access to emergency care, checked against hand computation.

The small network (all roads, speeds as given, no freight caps for care)::

    A ──50 km, 100 km/h── H (hospital)        A→H  0.5 h
    A ──40 km,  80 km/h── B                   A→B  0.5 h
    B ──60 km, 100 km/h── H                   B→H  0.6 h

With a 45-minute threshold A reaches H in 30 min and B in 36 min. With A–H closed A's best way
is A→B→H = 1.1 h > 0.75 h, so A has no road access while it is closed; B keeps its own road.
With A–H at half speed A→H takes 1.0 h > 0.75 h: again no access (and A→B→H is 1.1 h).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from beredskap_sim.metrics.kpis import kpi_table
from beredskap_sim.model.care import access_shares, hazard_windows
from beredskap_sim.model.engine import simulate
from beredskap_sim.scenario.errors import ScenarioError
from beredskap_sim.scenario.loader import load_scenario
from beredskap_sim.scenario.resolved import Disruption
from beredskap_sim.network.state import Effect

from builders import build, link, network, node

ROOT = Path(__file__).resolve().parents[1]


def small_net(care_extra: dict | None = None, extra_nodes=(), extra_links=()) -> dict:
    nodes = [node("a", population=1000, lon=10.0, lat=63.0), node("b", population=500, lon=10.5, lat=63.3),
             node("h", kind="junction", lon=11.0, lat=63.0), *extra_nodes]
    links = [link("a-h", "a", "h", length_km=50, speed_kmh=100), link("a-b", "a", "b", length_km=40, speed_kmh=80),
             link("b-h", "b", "h", length_km=60, speed_kmh=100), *extra_links]
    care = {"hospitals": [{"id": "hosp", "name": "Hospital", "node": "h"}], **(care_extra or {})}
    return network(nodes, links, care=care)


def care_kpi(rec, name: str, scope: str) -> float:
    return next(k.value for k in kpi_table(rec) if k.kpi == name and k.scope == scope)


def test_access_hours_one_closure_and_a_slowdown_by_hand(tmp_path):
    disruptions = [
        {"id": "slide", "target": "a-h", "start": "10h", "duration": "6h", "effect": "close"},
        {"id": "snow", "target": "a-h", "start": "20h", "duration": "4h", "effect": {"speed_factor": 0.5}},
    ]
    scenario = build(tmp_path, small_net(), [], disruptions, horizon="2d", care={"threshold": "45m"})
    rec = simulate(scenario)
    a, b = rec.care.places.index("a"), rec.care.places.index("b")
    # 6 h closed + 4 h at half speed; B never loses its road.
    assert rec.care.no_road_h[a] == pytest.approx(10.0)
    assert rec.care.no_road_h[b] == 0.0
    assert care_kpi(rec, "care_person_hours_no_road", "a") == pytest.approx(10.0 * 1000)
    # No helicopter: every hour without road is an hour without access.
    assert care_kpi(rec, "care_hours_no_access", "all") == pytest.approx(10.0)
    # Per step (1 h): exactly steps 10–15 and 20–23.
    expected = np.zeros(48)
    expected[10:16] = 1.0
    expected[20:24] = 1.0
    assert np.allclose(rec.care.steps_no_road[a], expected)
    # At 90 minutes the detour (66 min) and the slow road (60 min) are both good enough.
    again = build(tmp_path, small_net(), [], disruptions, horizon="2d", care={"threshold": "90m"})
    assert simulate(again).care.no_road_h[a] == 0.0


def heli(**extra) -> dict:
    return {"id": "heli", "name": "Helicopter", "country": "NO", "lon": 11.0, "lat": 63.0, "aircraft": 1,
            "mission": "2h", "speed_kmh": 200, "dispatch": "6m", **extra}


def test_helicopter_fallback_weather_and_capacity_by_hand(tmp_path):
    # Base at the hospital: A is d = 50.48 km away (same latitude, 1° of longitude), so a
    # mission's air time is 0.1 + (d + d) / 200 = 0.605 h, within the 45-minute threshold.
    net = small_net({"helicopters": [heli()]})
    closure = [{"id": "slide", "target": "a-h", "start": "10h", "duration": "6h", "effect": "close"}]
    care = {"threshold": "45m", "missions_per_1000_per_day": 6,
            "weather": [{"id": "gale", "start": "12h", "duration": "2h"}]}
    scenario = build(tmp_path, net, [], closure, horizon="2d", care=care)
    d = 6371.0 * math.acos(math.sin(math.radians(63)) ** 2 + math.cos(math.radians(63)) ** 2 * math.cos(math.radians(1)))
    a = scenario.care.places.index("a")
    assert scenario.care.helicopters[0].air_h[a] == pytest.approx(0.1 + 2 * d / 200, rel=1e-6)
    rec = simulate(scenario)
    # 6 h without road; 2 of them grounded by the gale; load 1000 × 6/1000/24 = 0.25 missions/h
    # against a capacity of 1 aircraft / 2 h = 0.5 missions/h: every mission served.
    assert rec.care.no_road_h[a] == pytest.approx(6.0)
    assert rec.care.air_h[a] == pytest.approx(4.0)
    assert rec.care.no_access_h[a] == pytest.approx(2.0)
    # Saturated: 24 missions/1000/day → 1 mission/h offered, 0.5 served → half of the 4 flyable hours.
    care["missions_per_1000_per_day"] = 24
    rec = simulate(build(tmp_path, net, [], closure, horizon="2d", care=care))
    assert rec.care.air_h[a] == pytest.approx(2.0)
    assert rec.care.no_access_h[a] == pytest.approx(4.0)
    # Too slow to be back within the threshold: 0.1 + 100.96/100 = 1.11 h > 0.75 h, no air access.
    slow = build(tmp_path, small_net({"helicopters": [heli(speed_kmh=100)]}), [], closure, horizon="2d", care=care)
    assert simulate(slow).care.air_h[a] == 0.0


def test_offered_load_shares_by_hand(tmp_path):
    # Two cut-off places on one helicopter: 1500 people × 24/1000/24 = 1.5 missions/h against
    # 0.5/h capacity → each gets a third; a grounded helicopter serves nobody.
    net = small_net({"helicopters": [heli(lon=10.2, lat=63.1)]})
    scenario = build(tmp_path, net, [], [], horizon="1d", care={"threshold": "45m", "missions_per_1000_per_day": 24})
    shares = access_shares(scenario.care, np.array([False, False]), [0])
    assert shares == pytest.approx([1 / 3, 1 / 3])
    assert access_shares(scenario.care, np.array([True, False]), [0]) == pytest.approx([0.0, 1.0])
    assert access_shares(scenario.care, np.array([False, False]), [1]) == pytest.approx([0.0, 0.0])


def border_net(agreements: list[dict]) -> dict:
    # S (Sweden) is 30 min from the Norwegian hospital over the border and 3 h from its own.
    extra_nodes = [node("s", population=2000, country="SE", lon=11.5, lat=63.0),
                   node("x", kind="border", country="SE", lon=11.2, lat=63.0),
                   node("far", kind="junction", country="SE", lon=14.0, lat=63.0)]
    extra_links = [link("h-x", "h", "x", length_km=20, speed_kmh=80), link("x-s", "x", "s", length_km=20, speed_kmh=80),
                   link("s-far", "s", "far", length_km=300, speed_kmh=100)]
    care = {"hospitals": [{"id": "hosp", "name": "Hospital", "node": "h"}, {"id": "sjukhus", "name": "Sjukhus", "node": "far"}],
            "agreements": agreements}
    net = small_net(extra_nodes=extra_nodes, extra_links=extra_links)
    net["care"] = care
    return net


def test_agreement_switches_cross_border_access(tmp_path):
    net = border_net([{"id": "border-care", "places": ["s"], "hospitals": ["hosp"]}])
    with_it = simulate(build(tmp_path, net, [], [], horizon="1d", care={"threshold": "45m"}))
    s = with_it.care.places.index("s")
    assert with_it.care.no_road_h[s] == 0.0
    without = simulate(build(tmp_path, net, [], [], horizon="1d", care={"threshold": "45m", "agreements": []}))
    assert without.care.no_road_h[s] == pytest.approx(24.0)
    # The agreement does not open Swedish hospitals to Norwegian places: A's access is unchanged.
    assert without.care.no_road_h[without.care.places.index("a")] == 0.0


def test_helicopter_crosses_the_border_only_under_an_agreement(tmp_path):
    # No agreement for the place: S may use only its own hospital, 3 h away, so only the
    # Norwegian helicopter (air time 0.1 + (25 + 126 km) / 400 = 0.48 h) can give it access.
    net = border_net([{"id": "hems", "helicopters": ["heli"]}])
    net["care"]["helicopters"] = [heli(lon=12.0, lat=63.0, speed_kmh=400)]
    scenario = build(tmp_path, net, [], [], horizon="1d", care={"threshold": "45m"})
    s = scenario.care.places.index("s")
    assert scenario.care.helicopters[0].air_h[s] < 0.75
    assert simulate(scenario).care.air_h[s] == pytest.approx(24.0)
    closed = build(tmp_path, net, [], [], horizon="1d", care={"threshold": "45m", "agreements": []})
    assert closed.care.helicopters[0].air_h[s] == math.inf
    assert simulate(closed).care.no_access_h[s] == pytest.approx(24.0)


def test_hazard_events_ground_helicopters_by_class():
    from beredskap_sim.scenario.care_plan import CarePlan

    plan = CarePlan(("a",), (0,), (100,), ("h",), (1,), ((0,),), (), 1.0, 0.0,
                    groundings=((0, "storm", ("severe",), 12.0), (1, "storm", (), 6.0)))
    hit = lambda i, cause, t: Disruption(i, "", (), (), (), t, 5.0, Effect(close=True), cause=cause)  # noqa: E731
    events = [hit("storm#0.0", "storm:severe", 30.0), hit("storm#0.1", "storm:severe", 30.0),
              hit("storm#1.0", "storm:strong", 90.0), hit("slide", "", 5.0)]
    assert hazard_windows(plan, events) == [(0, 30.0, 42.0), (1, 30.0, 36.0), (1, 90.0, 96.0)]


def test_gyda_replay_meraker_reached_only_by_helicopter():
    """Storm Gyda (facts §9, NRK): E14 closed, Meråker reachable by ambulance only by helicopter."""
    scenario = load_scenario(ROOT / "scenarios" / "storm-gyda-2022.yaml")
    rec = simulate(scenario)
    m = rec.care.places.index("meraker")
    assert rec.care.no_road_h[m] == pytest.approx(36.0)  # e14-norway-slides
    assert rec.care.air_h[m] == pytest.approx(36.0)
    assert rec.care.no_access_h[m] == 0.0
    # Trondheim and Levanger keep their hospitals; Stjørdal keeps E6.
    for place in ("trondheim", "stjordal", "levanger", "steinkjer"):
        assert rec.care.no_road_h[rec.care.places.index(place)] == 0.0


@pytest.mark.parametrize("change, field, words", [
    (lambda net, sc: net["care"]["hospitals"].append({"id": "x", "name": "X", "node": "nowhere"}),
     "care.hospitals[1].node", "unknown node 'nowhere'"),
    (lambda net, sc: net["care"].update(agreements=[{"id": "g", "hospitals": ["nope"]}]),
     "care.agreements[0].hospitals[0]", "unknown hospital 'nope'"),
    (lambda net, sc: sc.update(weather=[{"id": "w", "helicopters": ["ghost"], "start": "1h", "duration": "1h"}]),
     "care.weather[0].helicopters[0]", "unknown helicopter 'ghost'"),
    (lambda net, sc: sc.update(agreements=["nothing"]), "care.agreements[0]", "unknown agreement 'nothing'"),
    (lambda net, sc: net.pop("care"), "care", "network has no care section"),
    (lambda net, sc: sc.update(threshold=0), "care.threshold", ""),
])
def test_bad_care_input_names_file_and_field(tmp_path, change, field, words):
    net, care = small_net(), {"threshold": "45m"}
    change(net, care)
    with pytest.raises(ScenarioError) as err:
        build(tmp_path, net, [], [], horizon="1d", care=care)
    text = str(err.value)
    assert field in text and words in text


def test_worst_care_step_is_the_step_with_most_people_without_road():
    import pandas as pd

    from beredskap_sim.report.care_map import worst_care_step

    def rows(name, series, values):
        return pd.DataFrame({"replication": 0, "time_h": [0.0, 1.0, 2.0], "system": "care", "name": name,
                             "series": series, "value": values})

    supply = pd.concat([rows("a", "hours_no_road", [0, 1, 1]), rows("a", "hours_no_access", [0, 0, 0.5]),
                        rows("b", "hours_no_road", [0, 0, 1]), rows("b", "hours_no_access", [0, 0, 0])])
    # Step 1: 1000 people cut (a); step 2: 1000 + 500 (a and b) → step 2, a partly without access, b by air.
    assert worst_care_step(supply, {"a": 1000, "b": 500}) == (2.0, {"a": "none", "b": "air"})
    quiet = supply.assign(value=0.0)
    assert worst_care_step(quiet, {"a": 1000, "b": 500}) is None


def test_analyze_time_to_hospital_with_and_without_each_link(tmp_path):
    from beredskap_sim.network.care_access import care_access

    scenario = build(tmp_path, small_net(), [], [], horizon="1d", care={"threshold": "45m"})
    tables = care_access(scenario.network, scenario)
    access = tables["care_access"].set_index("place")
    assert access.loc["a", "minutes"] == pytest.approx(30.0) and access.loc["b", "minutes"] == pytest.approx(36.0)
    links = {(r.link, r.place): r for r in tables["care_links"].itertuples()}
    # Without A–H: A goes A→B→H, 30 + 36 = 66 min; without B–H: B goes B→A→H, 30 + 30 = 60 min.
    assert links[("a-h", "a")].minutes_without == pytest.approx(66.0) and links[("a-h", "a")].loses_access
    assert links[("b-h", "b")].minutes_without == pytest.approx(60.0) and links[("b-h", "b")].loses_access
    # A–B is nobody's way to hospital: removing it changes nothing.
    assert not any(link == "a-b" for link, _ in links)
