"""Static redundancy on small graphs with known answers, and the analyze command."""

import subprocess
import sys

import pytest

from beredskap_sim.network.redundancy import (
    multi_link_failure, pair_redundancy, single_link_criticality, time_to_survive_vs_recover,
)
from builders import build, freight, link, network, node
from conftest import ROOT


def net_of(tmp_path, nodes, links, flows=()):
    return build(tmp_path, network([node(n) for n in nodes], links), list(flows))


def test_ring_has_two_disjoint_paths_and_a_two_link_cut(tmp_path):
    s = net_of(tmp_path, "abcd", [link("ab", "a", "b", tph=10), link("bc", "b", "c", tph=20),
                                  link("cd", "c", "d", tph=30), link("da", "d", "a", tph=40)])
    r = pair_redundancy(s.network, ["a"], ["c"], {"road"})
    assert r["edge_disjoint_paths"] == 2 and r["node_disjoint_paths"] == 2
    assert r["min_cut_tph"] == pytest.approx(10 + 30)  # the two weakest links, one on each side
    assert set(r["min_cut_links"].split()) == {"ab", "cd"}


def test_two_parallel_paths(tmp_path):
    s = net_of(tmp_path, "abc", [link("ab1", "a", "b", tph=5), link("ab2", "a", "b", tph=7), link("bc", "b", "c", tph=100)])
    r = pair_redundancy(s.network, ["a"], ["b"], {"road"})
    assert r["edge_disjoint_paths"] == 2 and r["min_cut_tph"] == pytest.approx(12)
    r = pair_redundancy(s.network, ["a"], ["c"], {"road"})
    assert r["edge_disjoint_paths"] == 1 and r["min_cut_tph"] == pytest.approx(12)


def test_a_bridge_is_the_most_critical_link(tmp_path):
    links = [link("ab", "a", "b"), link("bc", "b", "c"), link("ca", "c", "a"),  # triangle 1
             link("bridge", "c", "d", length_km=10),
             link("de", "d", "e"), link("ef", "e", "f"), link("fd", "f", "d")]  # triangle 2
    s = net_of(tmp_path, "abcdef", links, [freight("x", "a", "e", 100)])
    table = single_link_criticality(s.network, s.demands)
    top = table.iloc[0]
    assert top["link"] == "bridge" and top["detour"] == 0 and top["demand_cut_t_per_day"] == 100
    assert top["rank"] == 1
    ab = table.set_index("link").loc["ab"]
    # Without a–b, a reaches b via c: 200 km instead of 100.
    assert ab["detour"] == 1 and ab["alt_dist"] == pytest.approx(200) and ab["diff_dist"] == pytest.approx(100)


def test_multi_link_failure_isolates_a_triangle(tmp_path):
    links = [link("ab", "a", "b"), link("bc", "b", "c"), link("ca", "c", "a"), link("cd", "c", "d"), link("de", "d", "e")]
    s = build(tmp_path, network([node("a"), node("b"), node("c"), node("d", population=500), node("e", kind="border")], links), [])
    r = multi_link_failure(s.network, [s.network.link_index["cd"]], [("a", "e"), ("a", "b")])
    assert r["connected"] is False and r["od_disconnected"] == ["a→e"]
    assert sorted(r["isolated"]) == ["d", "e"]
    assert r["isolated_population"] == 500 and r["isolated_border_crossings"] == 1 and r["isolated_municipalities"] == 1


def test_analyze_command_writes_tables_and_map(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "beredskap_sim.cli", "analyze", str(ROOT / "scenarios" / "winter-year-stochastic.yaml"),
                           "--footprint", "storm-stjordal-meraker", "--out", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    folder = next((tmp_path / "trondelag-jamtland").glob("analysis-*"))
    names = {p.name for p in folder.iterdir()}
    assert {"pairs.csv", "single_link.csv", "multi_link.csv", "tts_ttr.csv", "criticality-map.png"} <= names
    assert "trondelag ↔ jamtland" in proc.stdout
    # A winter storm closes rail and road to Meråker together, but its food comes by road: the
    # supply is back when the first road route reopens (the E14 via Sweden, hours), well within
    # its five days of stock — not after the railway's weeks of repair.
    line = next(line for line in proc.stdout.splitlines() if line.strip().startswith("meraker"))
    assert "TTR > TTS" not in line and "by road: back when" in line


def _storm_scenario(tmp_path, modes):
    """Warehouse w feeds municipality m. Road r1 w–m direct, road r2 w–x with r3 x–m (a detour),
    rail w–m. A storm closes r1 (36 h), r2 (60 h) and the railway (500 h of work + 4 h crew
    travel) together."""
    net = network([node("w", kind="warehouse"), node("x"), node("m", population=2400)],
                  [link("r1", "w", "m"), link("r2", "w", "x"), link("r3", "x", "m"),
                   link("rail", "w", "m", mode="rail", electrified=False)],
                  crews=[{"id": "crew", "size": 1, "travel": "4h"}])
    fixed = lambda h: {"distribution": "fixed", "value": h}  # noqa: E731
    hazards = [{"id": "storm", "rate_per_year": 1, "duration": "1h", "footprint": [
        {"target": "r1", "probability": 1, "duration": fixed("36h")},
        {"target": "r2", "probability": 1, "duration": fixed("60h")},
        {"target": "rail", "probability": 1, "duration": fixed("500h"), "repair": {"crew": "crew"}}]}]
    food = {"kg_per_person_day": 1.0, "warehouses": [{"node": "w"}],
            "municipalities": [{"node": "m", "stock_days": 5, "supply_from": "w", "modes": modes,
                                "reorder_days": 3, "order_up_to_days": 5}]}
    return build(tmp_path, net, [], horizon="5d", hazards=hazards, food=food)


@pytest.mark.parametrize("modes,ttr_h,restored_by,flagged", [
    (["road"], 36.0, "r1", False),          # the road reopens first; the railway's weeks do not count
    (["road", "rail"], 36.0, "r1", False),  # either mode will do: the first route back
    (["rail"], 504.0, "rail", True),        # fed by rail alone: the railway's work plus the crew's travel
])
def test_time_to_recover_counts_only_the_modes_the_supply_uses(tmp_path, modes, ttr_h, restored_by, flagged):
    # The whole footprint cuts m off in every mode. Reopening in order of mean repair time:
    # r1 at 36 h gives a road route back; r2 at 60 h alone would not (r1 or the detour r2–r3);
    # the railway at 500 + 4 h. Each member alone leaves a road route (the other road), so for
    # road the footprint decides: 36 h = 1.5 d < 5 d of stock. Before, the footprint's slowest
    # link in any mode (the railway, 21 d) was counted and m was flagged.
    table = time_to_survive_vs_recover(_storm_scenario(tmp_path, modes))
    row = table.iloc[0]
    assert row["ttr_days"] == pytest.approx(ttr_h / 24)
    assert row["restored_by"] == restored_by
    assert bool(row["ttr_exceeds_tts"]) is flagged
    assert row["cut_off_by_hazards"] == "storm"
    assert row["restored_route_extra_h"] == pytest.approx(0.0)   # the direct link itself is back
    assert row["critical_links"] == ("rail" if modes == ["rail"] else "")
