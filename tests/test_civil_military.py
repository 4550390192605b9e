"""Civil–military transport by hand: vehicle limits per link, reserved paths, priority.

Every case is small enough to compute on paper; the comments give the arithmetic.
"""

from pathlib import Path

import numpy as np
import pytest
import yaml

from beredskap_sim import kpi_table, simulate
from beredskap_sim.scenario.errors import ScenarioError
from beredskap_sim.scenario.loader import load_scenario, load_variant
from builders import build, freight, link, network, node

ROOT = Path(__file__).resolve().parents[1]


def _times(rec, commodity_index: int | None = None):
    """(release h, door-to-door hours, delay h) per delivered consignment, in release order."""
    keep = np.ones(len(rec.delivery_release_h), bool)
    if commodity_index is not None:
        keep = rec.delivery_commodity == commodity_index
    order = np.argsort(rec.delivery_release_h[keep], kind="stable")
    release = rec.delivery_release_h[keep][order]
    return release, rec.delivery_time_h[keep][order] - release, rec.delivery_delay_h[keep][order]


def _triangle(mode: str, direct: dict, detour: dict) -> dict:
    """a–b direct (1 h) and a–c–b (0.75 h + 0.75 h): the direct link is the fast one."""
    extra = {"track": "double"} if mode == "rail" else {}
    return network(
        [node("a"), node("b"), node("c")],
        [link("ab", "a", "b", length_km=100, speed_kmh=100, tph=1e6, mode=mode, **extra, **direct),
         link("ac", "a", "c", length_km=75, speed_kmh=100, tph=1e6, mode=mode, **extra, **detour),
         link("cb", "c", "b", length_km=75, speed_kmh=100, tph=1e6, mode=mode, **extra, **detour)],
    )


@pytest.mark.parametrize("mode,direct,detour,heavy,light", [
    ("rail", {"axle_load_t": 22.5}, {"axle_load_t": 25.0}, {"axle_load_t": 25.0}, {"axle_load_t": 22.5}),
    ("road", {"weight_class": "BkT8/50"}, {"weight_class": "Bk10/60"}, {"gross_weight_t": 60.0},
     {"gross_weight_t": 50.0}),
])
def test_heavy_load_refuses_the_link_below_its_class_and_takes_the_permitted_route(
        tmp_path, mode, direct, detour, heavy, light):
    # Direct a–b takes 1 h, a–c–b 1.5 h. A load within the direct link's class goes direct (1 h);
    # one above it (25 t axles on a 22.5 t line; 60 t gross on a BkT8/50 road, 50 t at most)
    # must take a–c–b: 1.5 h door to door — and that is its undisturbed time, so no delay.
    net = _triangle(mode, direct, detour)
    net["defaults"]["distance_cost_nok_per_tkm"] = {mode: 0}
    flows = [freight("light", "a", "b", 10, modes=(mode,), commodity="general", slot="24h", **light),
             freight("heavy", "a", "b", 10, modes=(mode,), commodity="military", slot="24h", **heavy)]
    scenario = build(tmp_path, net, flows, horizon="1d")
    rec = simulate(scenario)
    general, military = scenario.commodities.index("general"), scenario.commodities.index("military")
    assert _times(rec, general)[1] == pytest.approx([1.0])
    assert _times(rec, military)[1] == pytest.approx([1.5])
    assert _times(rec, military)[2] == pytest.approx([0.0])


def test_no_permitted_route_is_an_error_naming_the_flow(tmp_path):
    net = _triangle("rail", {"axle_load_t": 22.5}, {"axle_load_t": 22.5})
    flows = [freight("tanks", "a", "b", 240, modes=("rail",), commodity="military", axle_load_t=25)]
    with pytest.raises(ScenarioError) as err:
        build(tmp_path, net, flows)
    text = str(err.value)
    assert "freight[0]" in text and "'tanks'" in text and "axle load 25 t" in text


def test_a_vehicle_limit_on_the_wrong_mode_is_an_error(tmp_path):
    net = _triangle("road", {"axle_load_t": 22.5}, {})
    with pytest.raises(ScenarioError, match="axle_load_t on a road link"):
        build(tmp_path, net, [freight("f", "a", "b", 240)])


# ------------------------------------------------------------------ movements
def _line() -> dict:
    # One double-track link a–b, 1 h running time, C = 6 paths a day: 6 × 500 t / 24 = 125 t/h,
    # so a 500 t train enters every 4 h.
    return network([node("a"), node("b")],
                   [link("ab", "a", "b", length_km=100, speed_kmh=100, tph=125.0, mode="rail")])


def _flows(movement: str | None) -> list[dict]:
    # Civilian: a 500 t train every 4 h from 0 to 20 h (6 trains) — the link's whole capacity.
    # Military: a 500 t train at 0 h and 4 h, priority 9.
    military = {"movement": movement} if movement else {}
    return [freight("civil", "a", "b", 3000, modes=("rail",), commodity="general", slot="4h", end="24h",
                    deadline="30d"),
            freight("allied", "a", "b", 3000, modes=("rail",), commodity="military", slot="4h", end="8h",
                    deadline="30d", priority=9, **military)]


def test_a_movement_with_reserved_paths_displaces_civilian_trains_as_computed_by_hand(tmp_path):
    # The movement reserves r = 2 of the C = 6 paths a day from 0 h for 2 days. Civilian trains
    # keep C − r = 4 paths: one every 24/4 = 6 h, so the trains released at 0, 4, …, 20 h enter at
    # 0, 6, 12, 18, 24, 30 h: delays 0, 2, 4, 6, 8, 10 h (30 train-hours, 15,000 t·h).
    # The military trains run in their own paths, one every 24/2 = 12 h: they enter at 0 and 12 h,
    # delays 0 and 8 h — they do not take civilian paths, and civilians do not take theirs.
    movement = {"id": "m", "start": "0h", "duration": "2d", "rail_paths": [{"target": "ab", "trains_per_day": 2}]}
    scenario = build(tmp_path, _line(), _flows("m"), horizon="3d", movements=[movement])
    rec = simulate(scenario)
    general, military = scenario.commodities.index("general"), scenario.commodities.index("military")
    release, _, delay = _times(rec, general)
    assert release == pytest.approx([0, 4, 8, 12, 16, 20])
    assert delay == pytest.approx([0, 2, 4, 6, 8, 10])
    assert _times(rec, military)[2] == pytest.approx([0, 8])
    assert {e[1] for e in rec.events} >= {"movement-start", "movement-end"}
    # What it costs and what it gets, in the KPI table: 30 train-hours × 500 t of civilian delay;
    # one military train on time, one late (8 h > 1 h).
    rows = {(k.kpi, k.scope): k.value for k in kpi_table(rec)}
    assert rows[("tonne_hours_delay", "general")] == pytest.approx(15000.0)
    assert rows[("tonnes_on_time", "military")] == pytest.approx(500.0)
    assert rows[("tonnes_late", "military")] == pytest.approx(500.0)


def test_without_reserved_paths_priority_alone_displaces_civilian_trains_as_computed_by_hand(tmp_path):
    # The same trains with no reservation share the link's 6 paths (one every 4 h). Service is
    # non-preemptive, higher class first: civil(0) enters at 0; military(0) waits to 4; at 8 the
    # military train released at 4 goes before civil(4), which enters at 12; the rest follow
    # every 4 h: civil entries 0, 12, 16, 20, 24, 28 → delays 0, 8, 8, 8, 8, 8 h; military 4, 4 h.
    rec = simulate(scenario := build(tmp_path, _line(), _flows(None), horizon="3d"))
    general, military = scenario.commodities.index("general"), scenario.commodities.index("military")
    assert _times(rec, general)[2] == pytest.approx([0, 8, 8, 8, 8, 8])
    assert _times(rec, military)[2] == pytest.approx([4, 4])


def test_a_storm_on_a_reserved_link_slows_the_reserved_paths_too(tmp_path):
    # A capacity factor of 0.5 from 0 h on the same link: civilian trains get 4 × 0.5 = 2 paths a
    # day (one every 12 h), the movement 2 × 0.5 = 1 (one every 24 h): military delays 0 and 20 h.
    movement = {"id": "m", "start": "0h", "duration": "3d", "rail_paths": [{"target": "ab", "trains_per_day": 2}]}
    storm = {"id": "s", "target": "ab", "start": "0h", "duration": "3d", "effect": {"capacity_factor": 0.5}}
    scenario = build(tmp_path, _line(), _flows("m"), [storm], horizon="4d", movements=[movement])
    rec = simulate(scenario)
    general, military = scenario.commodities.index("general"), scenario.commodities.index("military")
    assert _times(rec, military)[2] == pytest.approx([0, 20])
    assert _times(rec, general)[2] == pytest.approx([0, 8, 16, 24, 32, 40])


def test_a_closure_pulls_military_trains_out_of_their_reserved_paths_until_it_reopens(tmp_path):
    # Two military trains at 0 h and 1 h; 2 reserved paths a day: the first enters at once, the
    # second must wait for 12 h. A closure from 5 h to 15 h (announced) pulls it out of the queue;
    # it waits for the reopening and enters at 15 h, its path being free since 12 h: delays 0, 14 h.
    movement = {"id": "m", "start": "0h", "duration": "2d", "rail_paths": [{"target": "ab", "trains_per_day": 2}]}
    closure = {"id": "c", "target": "ab", "start": "5h", "duration": "10h", "effect": "close"}
    flows = [freight("allied", "a", "b", 12000, modes=("rail",), commodity="military", end="2h", deadline="30d",
                     priority=9, movement="m")]
    scenario = build(tmp_path, _line(), flows, [closure], horizon="2d", movements=[movement])
    assert _times(simulate(scenario))[2] == pytest.approx([0, 14])


@pytest.mark.parametrize("movement,needle", [
    ({"id": "m", "start": "0h", "duration": "1d", "rail_paths": [{"target": "ab", "trains_per_day": 6}]},
     "movements[0].rail_paths[0].trains_per_day: reserves 6 paths a day on 'ab', which has 6"),
    ({"id": "m", "start": "0h", "duration": "1d", "road_shares": [{"target": "ab", "share": 0.5}]},
     "movements[0].road_shares[0].target: 'ab' is a rail link"),
    ({"id": "m", "start": "0h", "duration": "1d", "rail_paths": [{"target": "nowhere", "trains_per_day": 1}]},
     "unknown link or group 'nowhere'"),
])
def test_bad_movements_are_named_by_their_field(tmp_path, movement, needle):
    with pytest.raises(ScenarioError) as err:
        build(tmp_path, _line(), _flows("m"), movements=[movement])
    assert needle in str(err.value)


def test_a_flow_naming_an_unknown_movement_is_an_error(tmp_path):
    with pytest.raises(ScenarioError, match=r"freight\[1\]\.movement: unknown movement 'x'"):
        build(tmp_path, _line(), _flows("x"))


@pytest.mark.parametrize("path", ["networks/trondelag-jamtland.yaml", "networks/oslo-varmland-stockholm.yaml"])
def test_every_bundled_link_states_its_vehicle_limit_with_a_source(path):
    data = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))
    for item in data["links"]:
        field = {"rail": "axle_load_t", "road": "weight_class"}.get(item["mode"])
        if field is None:
            continue
        assert field in item, f"{item['id']} has no {field}"
        assert field in item.get("sources", {}), f"{item['id']}: {field} has no source"


BUNDLED = ROOT / "scenarios" / "allied-reinforcement-storm.yaml"


def test_the_bundled_movement_delivers_its_tonnes_and_its_counterfactual_has_none():
    scenario = load_scenario(BUNDLED, strict_sources=True)
    rows = {(k.kpi, k.scope): k.value for k in kpi_table(simulate(scenario, seed=1))}
    # 4 trains × 600 t a day and 480 t a day by road for 5 days: 12,000 + 2,400 t.
    assert rows[("tonnes_demanded", "military")] == pytest.approx(14400.0)
    assert rows[("tonnes_delivered", "military")] == pytest.approx(14400.0)
    assert rows[("tonnes_on_time", "military→sundsvall")] == pytest.approx(12000.0)  # in its reserved paths
    variant, _ = load_variant(BUNDLED, ROOT / "overlays" / "without-allied-movement.yaml")
    assert not variant.movements and all(d.commodity != "military" for d in variant.demands)


def test_heavier_wagons_than_meraakerbanen_permits_find_no_route_in_the_bundled_scenario():
    change = {"set": "scenario.freight[id=allied-rail-*].axle_load_t", "value": 25, "source": "assumption: test"}
    with pytest.raises(ScenarioError, match="allied-rail-vaernes-sundsvall.*axle load 25 t"):
        load_variant(BUNDLED, changes=[change])
