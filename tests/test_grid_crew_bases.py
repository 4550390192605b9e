"""Grid repair crews from a base drive on the live road network: a closed road delays repair.

Hand cases on a small network: the depot ``d`` is 100 km from the town ``a`` by road at
100 km/h (1 h); the town's grid loses 0.2 × 1,100 = 220 customers in a storm from 2 h to 6 h
(faults of 100, 100 and 20), two crews, 1 h from the road to a fault, 3 h of repair.
"""

import pytest

from beredskap_sim import kpi_table, simulate
from builders import build, link, network, node
from test_local_grids import grid, power, storm


def case(tmp_path, road_closure=None, base="d", detour=False):
    crews = grid()
    crews["crews"]["base"] = base
    links = [link("da", "d", "a", length_km=100, speed_kmh=100)]
    if detour:  # a longer road round: 300 km at 100 km/h
        links += [link("dx", "d", "x", length_km=150, speed_kmh=100), link("xa", "x", "a", length_km=150, speed_kmh=100)]
    nodes = [node("a"), node("d", kind="junction")] + ([node("x", kind="junction")] if detour else [])
    net = network(nodes, links, power=power([crews]))
    disruptions = [storm("grid-town")]
    if road_closure:
        disruptions.append({"id": "road", "target": "da", "start": "0h", "duration": road_closure, "effect": "close"})
    rec = simulate(build(tmp_path, net, [], disruptions, horizon="2d"))
    return {(k.kpi, k.scope): k.value for k in kpi_table(rec)}[("customer_hours_out", "grid-town")], rec


def hours_out(end: float) -> float:
    """Customer-hours when the crews start at ``end`` (storm end + drive): two crews take the
    100-customer faults (back at end + 4 h), one then the 20 (back at end + 8 h); out from 2 h."""
    return 100 * (end + 4 - 2) * 2 + 20 * (end + 8 - 2)


def test_crews_drive_from_their_base_before_the_first_fault(tmp_path):
    hours, _ = case(tmp_path)
    assert hours == pytest.approx(hours_out(6 + 1))  # storm end 6 h + 1 h drive


def test_a_crew_based_in_the_town_does_not_drive(tmp_path):
    hours, _ = case(tmp_path, base="a")
    assert hours == pytest.approx(hours_out(6))  # as the local crews of test_local_grids


def test_a_closed_road_makes_the_crews_wait_until_it_reopens(tmp_path):
    # The only road is closed from 0 h for 20 h: the crews leave when it reopens at 20 h.
    hours, rec = case(tmp_path, road_closure="20h")
    assert hours == pytest.approx(hours_out(20 + 1))


def test_a_closed_road_sends_the_crews_round_by_the_detour(tmp_path):
    # With a 300 km road round, the crews drive 3 h instead of waiting.
    hours, _ = case(tmp_path, road_closure="20h", detour=True)
    assert hours == pytest.approx(hours_out(6 + 3))


def test_an_unknown_base_is_an_error_naming_the_field(tmp_path):
    from beredskap_sim.scenario.errors import ScenarioError

    with pytest.raises(ScenarioError) as error:
        case(tmp_path, base="nowhere")
    assert "power.distribution[0].crews.base" in str(error.value) and "nowhere" in str(error.value)
