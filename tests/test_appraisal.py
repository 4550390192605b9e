"""Appraisal against one reference: costs in money by hand, the everyday/resilience split, the presets.

Each case has an answer worked out by hand (closed-form annuities, a single consignment held
by a closure) or read from the rule texts cited in docs/sources.md §20.
"""

import numpy as np
import pandas as pd
import pytest
import yaml

from beredskap_sim import ScenarioError, simulate
from beredskap_sim.experiment.appraisal import appraise, discount_factors, pv_factors, present_value, weighted_mean_ci
from beredskap_sim.experiment.compare import compare
from beredskap_sim.experiment.executors import SerialExecutor
from beredskap_sim.experiment.summary import confidence_halfwidth
from beredskap_sim.metrics.kpis import kpi_table
from beredskap_sim.scenario.appraisal import conventions_of_preset, load_preset, resolve
from beredskap_sim.scenario.appraisal_schema import AppraisalSpec
from beredskap_sim.scenario.loader import load_scenario, load_variant
from beredskap_sim.scenario.supply_schema import ValuesSpec
from beredskap_sim.scenario.undisturbed import undisturbed
from builders import DEFAULTS, build, freight, link, network, node
from conftest import ROOT

VOT = 50.0  # the network's default value of time, NOK per tonne-hour (builders: no table given)
ROAD_NOK_PER_TKM = 1.5  # the default distance cost of road


def annuity(rate: float, years: int) -> float:
    return (1 - (1 + rate) ** -years) / rate


def growing(rate: float, growth: float, years: int) -> float:
    """Σ_{t=1..years} ((1+g)/(1+r))^t, the closed-form geometric sum."""
    q = (1 + growth) / (1 + rate)
    return q * (1 - q ** years) / (1 - q)


def conventions_of(preset: str):
    conv, problems = resolve(AppraisalSpec(preset=f"appraisal/{preset}.yaml"), "test.yaml", ROOT, {})
    assert problems == []
    return conv


# ------------------------------------------------------------------------------- presets
def test_norwegian_preset_is_the_circular_and_reproduces_a_hand_computed_npv():
    conv = conventions_of("norway-r109")
    assert conv.rates == ((0, 0.04), (40, 0.03), (75, 0.02))  # R-109/21
    assert conv.tax_factor == 1.2 and conv.analysis_years == 40 and conv.residual_value  # R-109/21, V712
    g = conv.value_growth
    # 1,000 invested at opening (year 0), 100 a year in base-year values, lifetime 50 years:
    # years 1–40 grow and are discounted at 4 %; years 41–50 are the residual value, at the year-40
    # level, discounted at 4 % to year 40 and 3 % beyond.
    benefit = 100 * growing(0.04, g, 40) + 100 * (1 + g) ** 40 * 1.04 ** -40 * annuity(0.03, 10)
    yearly = 5 * (annuity(0.04, 40) + 1.04 ** -40 * annuity(0.03, 10))
    npv = benefit - 1.2 * (1000 + yearly)
    out = present_value(100, 1000, 5, pv_factors(conv, lifetime_years=50), conv.tax_factor)
    assert out["npv"] == pytest.approx(npv, rel=1e-12)
    assert out["bcr"] == pytest.approx(benefit / (1.2 * (1000 + yearly)))
    assert out["nnb"] == pytest.approx(npv / (1000 + yearly))
    # An investment that lasts 20 years is counted for 20, not for the 40-year analysis period.
    short = pv_factors(conv, lifetime_years=20)
    assert short["analysis_years"] == 20 and short["yearly_cost"] == pytest.approx(annuity(0.04, 20))
    # Beyond 75 years the rate is 2 %: the discount factor of year 80
    assert discount_factors(conv, 80)[80] == pytest.approx(1.04 ** -40 * 1.03 ** -35 * 1.02 ** -5)


def test_swedish_preset_is_asek_and_reproduces_a_hand_computed_npv():
    conv = conventions_of("sweden-asek")
    assert conv.rates == ((0, 0.035),) and conv.tax_factor == 1.3 and conv.max_analysis_years == 60  # ASEK
    g = conv.value_growth
    # 1,000 spent over two construction years (500 at t = 0 and 500 at t = 1), opening at t = 2,
    # 100 a year for a lifetime of 70 years: 60 years counted (k = 1..60 at t = 2 + k), growing
    # from the base year, then 10 residual years at the level of the 60th.
    d = 1.035
    benefit = 100 * (1 + g) ** 2 * d ** -2 * growing(0.035, g, 60) \
        + 100 * (1 + g) ** 62 * d ** -62 * annuity(0.035, 10)
    invest = 500 + 500 / d
    npv = benefit - 1.3 * invest
    factors = pv_factors(conv, lifetime_years=70, construction_years=2)
    assert factors["analysis_years"] == 60
    assert present_value(100, 1000, 0, factors, conv.tax_factor)["npv"] == pytest.approx(npv, rel=1e-12)


def test_a_scenario_overrides_its_preset_and_a_bad_preset_is_named(tmp_path):
    conv, problems = resolve(AppraisalSpec(preset="appraisal/norway-r109.yaml", tax_factor=1.0,
                                           sources={"tax_factor": "assumption: a test"}), "s.yaml", ROOT, {})
    assert problems == [] and conv.tax_factor == 1.0 and conv.rates[0] == (0, 0.04)
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({"discount_rates": [{"from_year": 5, "rate": 0.04}], "tax_factor": 0.5}))
    _, problems = resolve(AppraisalSpec(preset="bad.yaml"), "s.yaml", tmp_path, {})
    text = "\n".join(str(p) for p in problems)
    assert "bad.yaml: discount_rates" in text and "bad.yaml: tax_factor" in text
    (tmp_path / "unsourced.yaml").write_text(yaml.safe_dump({"discount_rates": [{"from_year": 0, "rate": 0.04}]}))
    with pytest.raises(ScenarioError, match=r"unsourced.yaml: discount_rates\[0\].rate: figure has no source"):
        load_preset(tmp_path / "unsourced.yaml")
    _, problems = resolve(AppraisalSpec(preset="nowhere.yaml"), "s.yaml", tmp_path, {})
    assert "s.yaml: appraisal.preset: preset file 'nowhere.yaml' not found" in str(problems[0])
    # `compare --appraisal FILE` reads a preset alone
    assert conventions_of_preset(ROOT / "appraisal" / "sweden-asek.yaml").tax_factor == 1.3
    with pytest.raises(ScenarioError, match="unsourced.yaml"):
        conventions_of_preset(tmp_path / "unsourced.yaml")


# ------------------------------------------------------------------- costs of a closure
def total_cost(rec, scenario, values) -> dict:
    rows = kpi_table(rec, values, scenario.network_spec.defaults)
    return {k.scope: k.value for k in rows if k.kpi == "cost"}


@pytest.mark.parametrize("detour", [False, True])
def test_one_closure_costs_tonnes_times_hours_times_value_of_time(tmp_path, detour):
    # One consignment of 240 t leaves a at 5 h each day; a–b (100 km, 1 h) closes 4 h – 4 h + D.
    # Without a detour it waits D − 1 h; with a–c–b (150 km, 1.5 h) it takes the detour because
    # waiting costs more than 0.5 h and 50 km more.
    D = 11.0
    links = [link("ab", "a", "b", length_km=100, speed_kmh=100, tph=1e9)]
    if detour:
        links += [link("ac", "a", "c", length_km=75, speed_kmh=100, tph=1e9), link("cb", "c", "b", length_km=75, speed_kmh=100, tph=1e9)]
    net = network([node("a"), node("b"), node("c")], links)
    closure = {"id": "c", "target": "ab", "start": "4h", "duration": D, "effect": "close"}
    scenario = build(tmp_path, net, [freight("f", "a", "b", 240, slot="24h", start="5h", deadline="30d")], [closure], horizon="2d")
    values = ValuesSpec()
    hit, quiet = (total_cost(simulate(s), scenario, values) for s in (scenario, undisturbed(scenario)))
    if detour:
        expected = {"freight_time": 240 * 0.5 * VOT, "freight_distance": 240 * 50 * ROAD_NOK_PER_TKM}
    else:
        expected = {"freight_time": 240 * (D - 1) * VOT, "freight_distance": 0.0}
    for part, value in expected.items():
        assert hit[part] - quiet[part] == pytest.approx(value, abs=1e-6)
    assert hit["total"] - quiet["total"] == pytest.approx(sum(expected.values()), abs=1e-6)


# ------------------------------------------------------ everyday and resilience benefit
def _corridor(tmp_path, closure: bool) -> tuple:
    net = network([node("a"), node("b"), node("c")], [link("ab", "a", "b", length_km=100, speed_kmh=100, tph=1e9)])
    (tmp_path / "net.yaml").write_text(yaml.safe_dump(net))
    scen = {"name": "corridor", "network": "net.yaml", "start": "2024-01-01", "horizon": "2d", "record_step": "1h",
            "freight": [{"id": "f", "from": "a", "to": "b", "commodity": "goods", "tonnes_per_day": 240, "modes": ["road"],
                         "deadline": "30d", "slot": "24h", "start": "5h"}],
            "disruptions": [{"id": "c", "target": "ab", "start": "4h", "duration": 11, "effect": "close"}] if closure else [],
            "values": {"per_lost_tonne": {"default": 1000}}}
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(scen))
    (tmp_path / "faster.yaml").write_text(yaml.safe_dump({
        "name": "faster", "changes": [{"set": "network.links[id=ab].speed_kmh", "value": 125}],
        "investment": {"cost": 1e6, "lifetime_years": 10}}))
    (tmp_path / "bypass.yaml").write_text(yaml.safe_dump({
        "name": "bypass", "investment": {"cost": 1e6, "lifetime_years": 10},
        "changes": [{"add": "network.links", "value": link("ac", "a", "c", length_km=75, speed_kmh=100, tph=1e9)},
                    {"add": "network.links", "value": link("cb", "c", "b", length_km=75, speed_kmh=100, tph=1e9)}]}))
    base = load_scenario(tmp_path / "base.yaml")
    variants = [load_variant(tmp_path / "base.yaml", tmp_path / f"{name}.yaml") for name in ("faster", "bypass")]
    folder = compare(base, variants, 2, 3, tmp_path / "out", SerialExecutor(), progress=False)
    return pd.read_csv(folder / "benefit_cost.csv").set_index("variant"), folder


def test_a_pure_speed_upgrade_without_disruptions_is_all_everyday_benefit(tmp_path):
    # 100 km at 125 instead of 100 km/h saves 0.2 h for each consignment of the 48 h horizon:
    # 240 t at 5 h and, at 29 h, the 19/24 of a day's slot left before the horizon (190 t):
    # 430 × 0.2 × 50 NOK, scaled to a year by 8,760 / 48.
    money, _ = _corridor(tmp_path, closure=False)
    per_year = (240 + 190) * 0.2 * VOT * 8760 / 48
    faster = money.loc["faster"]
    assert faster["everyday_per_year"] == pytest.approx(per_year, rel=1e-9)
    assert faster["resilience_per_year"] == pytest.approx(0.0, abs=1e-6)
    assert faster["benefit_per_year"] == pytest.approx(per_year, rel=1e-9)
    assert faster["everyday_per_year_low"] == faster["everyday_per_year_high"]  # no noise: a zero-width interval
    # a bypass nobody uses in an undisturbed year has no benefit at all
    assert money.loc["bypass", "benefit_per_year"] == pytest.approx(0.0, abs=1e-6)
    # the plain annuity at the default 4 % over 10 years, without tax factor
    assert faster["npv"] == pytest.approx(per_year * annuity(0.04, 10) - 1e6, rel=1e-9)


def test_a_bypass_pays_only_in_the_disrupted_year_as_resilience_benefit(tmp_path):
    # The closure holds the 5 h consignment 10 h on a–b; the bypass lets it detour (0.5 h and
    # 50 km more): avoided 240 × (10 × 50 − (0.5 × 50 + 50 × 1.5)) NOK in the 48 h.
    money, folder = _corridor(tmp_path, closure=True)
    bypass = money.loc["bypass"]
    assert bypass["everyday_per_year"] == pytest.approx(0.0, abs=1e-6)
    assert bypass["resilience_per_year"] == pytest.approx(240 * (10 * VOT - 100) * 8760 / 48, rel=1e-9)
    # the speed-up also shortens the trip after the closure: still everyday (240 + 190) t × 0.2 h
    assert money.loc["faster", "everyday_per_year"] == pytest.approx((240 + 190) * 0.2 * VOT * 8760 / 48, rel=1e-9)
    assert money.loc["bypass", "rank"] == 1
    kpis = pd.read_parquet(folder / "kpis.parquet")
    assert set(kpis["undisturbed"]) == {True, False}


# ------------------------------------------------------------- weights and intervals
def test_weighted_interval_is_the_student_interval_with_equal_weights():
    x = np.array([3.0, 7.0, 1.0, 9.0, 4.0])
    mean, half, n_eff = weighted_mean_ci(x)
    assert mean == pytest.approx(4.8) and half == pytest.approx(confidence_halfwidth(x)) and n_eff == pytest.approx(5)
    mean, half, n_eff = weighted_mean_ci(x, np.full(5, 7.0))
    assert half == pytest.approx(confidence_halfwidth(x))
    # weights 3:1 — a stratum of three equal replications and one rare one: mean 0.75·a + 0.25·b
    mean, _, n_eff = weighted_mean_ci(np.array([2.0, 10.0]), np.array([3.0, 1.0]))
    assert mean == pytest.approx(4.0) and n_eff == pytest.approx(1 / (0.75 ** 2 + 0.25 ** 2))


def test_appraise_reads_a_frame_with_weights():
    rows = []
    for rep, (b, v, w) in enumerate([(100.0, 60.0, 3.0), (500.0, 100.0, 1.0)]):
        rows += [{"variant": "baseline", "replication": rep, "kpi": "cost_per_year", "scope": "total", "value": b, "weight": w},
                 {"variant": "v", "replication": rep, "kpi": "cost_per_year", "scope": "total", "value": v, "weight": w}]
    out = appraise(pd.DataFrame(rows), conventions_of("norway-r109"), {}).set_index("variant")
    assert out.loc["v", "benefit_per_year"] == pytest.approx(0.75 * 40 + 0.25 * 400)
    assert np.isnan(out.loc["v", "everyday_per_year"])  # no undisturbed runs given
    assert out.loc["v", "share_better"] == 1.0


def test_a_variant_that_halves_a_rare_storm_is_credited_with_the_storms_it_avoids(tmp_path):
    """A 3-day closure at 0.1 a year costs about 576,000 NOK each time (240 t/day of trains, lost
    or late); halving the rate avoids ≈ 0.05 × 576,000 ≈ 28,800 NOK a year. Stratified, the
    variant's replications carry weights of their own (same strata, other probabilities): the
    appraisal must weight each side by its own, as the paired differences do, not cancel them."""
    def year(folder, rate):
        folder.mkdir(exist_ok=True)
        net = network([node("a"), node("b"), node("c")],
                      [link("ab", "a", "b"), link("bc", "c", "b"), link("ac", "a", "c", length_km=400)])
        storm = [{"id": "storm", "rate_per_year": rate, "duration": "3d", "footprint": [{"target": "ab", "probability": 1.0}]}]
        return build(folder, net, [freight("f", "a", "b", 240, slot="24h")], horizon="365d", record_step="24h",
                     hazards=storm, values={"per_lost_tonne": {"default": 1000}})

    out = compare(year(tmp_path / "base", 0.1), [(year(tmp_path / "half", 0.05), None)], 20, 5, tmp_path / "out",
                  SerialExecutor(), progress=False, stratify=True)
    money = pd.read_csv(out / "benefit_cost.csv").iloc[0]
    diffs = pd.read_csv(out / "differences.csv").set_index(["kpi", "scope"]).loc[("cost_per_year", "total")]
    assert money["benefit_per_year"] == pytest.approx(-diffs["mean_diff"], rel=1e-9)
    assert money["benefit_per_year_low"] < 28_800 < money["benefit_per_year_high"]
    assert money["benefit_per_year_low"] > 0 and money["everyday_per_year"] == 0
