"""Overlays, paired comparison with common random numbers, benefit–cost, sweeps."""

import subprocess
import sys

import pandas as pd
import pytest
import yaml

from beredskap_sim import ScenarioError
from beredskap_sim.experiment.appraisal import present_value, pv_factors
from beredskap_sim.experiment.compare import annuity_factor, compare, currency_factor
from beredskap_sim.experiment.executors import SerialExecutor
from beredskap_sim.experiment.sweep import parse_param, sweep
from beredskap_sim.scenario.appraisal import plain
from beredskap_sim.scenario.loader import load_scenario, load_variant
from beredskap_sim.scenario.overlay import OverlaySpec, apply_overlay
from builders import DEFAULTS
from conftest import ROOT


def test_plain_conventions_reproduce_the_annuity_by_hand():
    # 100 a year for 3 years at 10 %: A = 1/1.1 + 1/1.21 + 1/1.331 = 2.48685
    a = annuity_factor(0.10, 3)
    assert a == pytest.approx(1 / 1.1 + 1 / 1.21 + 1 / 1.331)
    factors = pv_factors(plain(0.10), lifetime_years=3)
    assert factors["benefit"] == pytest.approx(a) and factors["investment"] == 1.0
    out = present_value(100.0, investment=200.0, yearly_cost=10.0, factors=factors, tax_factor=1.0)
    assert out["npv"] == pytest.approx(a * 90 - 200)                    # 23.82
    assert out["bcr"] == pytest.approx(a * 100 / (200 + a * 10))        # 1.109
    assert out["nnb"] == pytest.approx((a * 90 - 200) / (200 + a * 10))
    assert annuity_factor(0.0, 5) == 5
    assert currency_factor("SEK", "NOK", 1.25) == pytest.approx(0.8) and currency_factor("NOK", "SEK", 1.25) == 1.25


def test_overlay_set_scale_add_remove():
    scen = {"name": "s", "freight": [{"id": "a", "tonnes_per_day": 10}, {"id": "b", "tonnes_per_day": 20}]}
    net = {"links": [{"id": "e14-x", "speed_kmh": 80}, {"id": "e14-y", "speed_kmh": 70}, {"id": "rv3", "speed_kmh": 60}]}
    overlay = OverlaySpec(name="o", changes=[
        {"set": "network.links[id=e14-*].speed_kmh", "value": 100},
        {"scale": "scenario.freight[id=b].tonnes_per_day", "factor": 1.5},
        {"add": "scenario.freight", "value": {"id": "c"}},
        {"remove": "network.links[id=rv3]"},
    ])
    s2, n2 = apply_overlay(overlay, scen, net, "o.yaml")
    assert [link["speed_kmh"] for link in n2["links"]] == [100, 100]
    assert s2["freight"][1]["tonnes_per_day"] == 30 and s2["freight"][2] == {"id": "c"}
    assert scen["freight"][1]["tonnes_per_day"] == 20  # the baseline data is untouched


def test_overlay_path_errors_name_the_file(tmp_path):
    overlay = tmp_path / "bad.yaml"
    overlay.write_text(yaml.safe_dump({"name": "bad", "changes": [{"set": "network.links[id=nope].speed_kmh", "value": 1},
                                                                  {"scale": "scenario.horizon", "factor": 2}]}))
    with pytest.raises(ScenarioError) as info:
        load_variant(ROOT / "scenarios" / "e14-storlien-36h.yaml", overlay)
    text = str(info.value)
    assert "bad.yaml: changes[0].set: nothing matches 'network.links[id=nope].speed_kmh'" in text
    assert "changes[1].scale: 'scenario.horizon' is '7d'" in text


@pytest.fixture()
def bottleneck(tmp_path):
    net = {"name": "b", "defaults": dict(DEFAULTS),
           "nodes": [{"id": n, "name": n, "kind": "municipality", "country": "NO", "lon": 10, "lat": 63} for n in "ab"],
           "links": [{"id": "ab", "name": "ab", "from": "a", "to": "b", "mode": "road", "length_km": 100, "speed_kmh": 100,
                      "tonnes_per_hour": 8}]}
    (tmp_path / "net.yaml").write_text(yaml.safe_dump(net))
    scen = {"name": "bottleneck", "network": "net.yaml", "start": "2024-01-01", "horizon": "10d", "record_step": "1h",
            "freight": [{"id": "f", "from": "a", "to": "b", "commodity": "goods", "tonnes_per_day": 240, "modes": ["road"],
                         "deadline": "30d", "arrivals": "poisson"}],
            "hazards": [{"id": "slow", "rate_per_year": 60, "duration": {"distribution": "exponential", "mean": "12h"},
                         "effect": {"capacity_factor": 0.5}, "footprint": [{"target": "ab"}]}],
            "values": {"per_tonne_hour": {"default": 10}}}
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(scen))
    (tmp_path / "same.yaml").write_text(yaml.safe_dump({"name": "same", "changes": [{"scale": "network.links[id=ab].tonnes_per_hour", "factor": 1}],
                                                        "investment": {"cost": 1000, "lifetime_years": 10}}))
    (tmp_path / "double.yaml").write_text(yaml.safe_dump({"name": "double", "changes": [{"scale": "network.links[id=ab].tonnes_per_hour", "factor": 2}],
                                                          "investment": {"cost": 1000, "lifetime_years": 10}}))
    return tmp_path


def test_identical_variant_differs_by_exactly_zero_and_doubling_the_bottleneck_always_helps(bottleneck):
    base = load_scenario(bottleneck / "base.yaml")
    variants = [load_variant(bottleneck / "base.yaml", bottleneck / name) for name in ("same.yaml", "double.yaml")]
    folder = compare(base, variants, 8, 4, bottleneck / "out", SerialExecutor(), progress=False)
    diffs = pd.read_csv(folder / "differences.csv")
    same = diffs[diffs.variant == "same"]
    assert (same["mean_diff"] == 0).all() and (same["ci95_low"] == same["ci95_high"]).all()
    delay = diffs[(diffs.variant == "double") & (diffs.kpi == "tonne_hours_delay") & (diffs.scope == "all")].iloc[0]
    assert delay["mean_diff"] < 0 and delay["share_better"] == 1.0 and delay["ci95_high"] < 0
    money = pd.read_csv(folder / "benefit_cost.csv").set_index("variant")
    assert money.loc["same", "benefit_per_year"] == 0 and money.loc["double", "benefit_per_year"] > 0
    assert money.loc["double", "rank"] == 1


def test_sweep_runs_a_grid(bottleneck):
    params = [parse_param("network.links[id=ab].tonnes_per_hour=8,16"), parse_param("scenario.freight[id=f].deadline=1d,30d")]
    folder = sweep(bottleneck / "base.yaml", params, 2, 1, bottleneck / "out", SerialExecutor(), progress=False)
    table = pd.read_csv(folder / "sweep.csv")
    lost = table[(table.kpi == "tonnes_lost") & (table.scope == "all")]
    assert len(lost) == 4
    grid = lost.set_index(["network.links[id=ab].tonnes_per_hour", "scenario.freight[id=f].deadline"])["mean"]
    assert grid.loc[(8, "1d")] > grid.loc[(16, "1d")] >= 0  # more capacity, fewer lost
    assert grid.loc[(8, "30d")] == 0
    assert (folder / "sweep.png").stat().st_size > 5_000


def test_parse_param_errors():
    with pytest.raises(ValueError, match="expected PATH=V1,V2"):
        parse_param("no-equals-sign")


def test_shipped_overlays_apply_to_their_baselines():
    for name in ("electrify-meraakerbanen", "e14-upgrade-stjordal-meraker", "meraakerbanen-passing-loops",
                 "food-stock-meraker", "stronger-nea-jarpstrommen"):
        scenario, overlay = load_variant(ROOT / "scenarios" / "winter-year-stochastic.yaml", ROOT / "overlays" / f"{name}.yaml")
        assert overlay.investment is not None and overlay.investment.sources
        assert all(change.source for change in overlay.changes)
    for name in ("varmlandsbanan-double-track", "varmlandsbanan-passing-loops"):
        scenario, overlay = load_variant(ROOT / "scenarios" / "oslo-stockholm-rail-year.yaml", ROOT / "overlays" / f"{name}.yaml")
        assert overlay.investment.currency == "SEK" and all(change.source for change in overlay.changes)
    electrified, _ = load_variant(ROOT / "scenarios" / "winter-year-stochastic.yaml", ROOT / "overlays" / "electrify-meraakerbanen.yaml")
    assert all(link.electrified for link in electrified.network_spec.links if link.id.startswith("meraker-"))
    assert any(d.electric for d in electrified.demands)


def test_compare_cli_prints_ranking(bottleneck):
    proc = subprocess.run([sys.executable, "-m", "beredskap_sim.cli", "compare", str(bottleneck / "base.yaml"),
                           "--variant", str(bottleneck / "double.yaml"), "-n", "3", "--executor", "serial",
                           "--out", str(bottleneck / "cli")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "BCR" in proc.stdout and "double" in proc.stdout and "results:" in proc.stdout


def test_compare_without_a_variant_says_what_it_needs(tmp_path):
    from conftest import ROOT

    proc = subprocess.run([sys.executable, "-m", "beredskap_sim.cli", "compare", str(ROOT / "scenarios" / "baseline-week.yaml"),
                           "-n", "1", "--out", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 2 and "needs at least one --variant" in proc.stderr and "Traceback" not in proc.stderr
    assert not list(tmp_path.iterdir())  # nothing was run
