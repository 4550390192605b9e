"""Stratified rare hazards: strata probabilities and allocation by hand, the conditional count
against the truncated Poisson mean, unbiasedness and interval coverage over many seeds,
common random numbers, and stratified against plain Monte Carlo on a small simulated year."""

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from beredskap_sim.experiment.replication import run_replication
from beredskap_sim.experiment.runner import run_experiment
from beredskap_sim.experiment.summary import confidence_halfwidth, paired_weighted, summarise, weighted_mean_halfwidth
from beredskap_sim.model.hazards import hazard_disruptions
from beredskap_sim.model.rng import Streams
from beredskap_sim.model.strata import (
    allocate, conditional_count, kish_ess, make_plan, rare_kinds, replication_weight, stratum_probabilities,
)
from beredskap_sim.scenario.resolved import DurationLaw, Hazard, HazardMember
from builders import build, freight, link, network, node

START = dt.datetime(2024, 1, 1)
YEAR_H = 366 * 24.0  # 2024 is a leap year: a rate per year over 366 days gives 366/366 of it


def _hazard(hid, rate, hours, probability=1.0, classes=(), class_weights=()):
    law = DurationLaw("fixed", (hours,))
    member = HazardMember(("x",), (0,), (), probability, law, "close", None,
                          class_probability=tuple(probability for _ in classes), class_duration=tuple(law for _ in classes))
    return Hazard(hid, "", rate, tuple([1 / 12] * 12), (member,), tuple(classes), tuple(class_weights))


def test_strata_probabilities_and_allocation_by_hand():
    p0, p1, p2 = stratum_probabilities(0.1)
    assert p0 == pytest.approx(math.exp(-0.1))
    assert p1 == pytest.approx(0.1 * math.exp(-0.1))
    assert p2 == pytest.approx(1 - math.exp(-0.1) * 1.1)
    # 20 replications: round(20 · 0.0905) = 2 with one event, max(1, round(0.09)) = 1 with two or more.
    assert allocate(20, (p0, p1, p2)) == (17, 2, 1)
    assert allocate(200, (p0, p1, p2), minimum=2) == (180, 18, 2)
    with pytest.raises(ValueError, match="at least 3"):
        allocate(2, (p0, p1, p2))


def test_rare_kinds_are_whole_hazards_or_rare_intensity_classes():
    hazards = [_hazard("often", 5.0, 1), _hazard("slide", 0.19, 1),
               _hazard("storm", 0.73, 1, classes=("strong", "severe", "extreme"), class_weights=(0.524, 0.333, 0.143))]
    kinds = rare_kinds(hazards)
    assert [k.key for k in kinds] == ["slide", "storm:extreme"]  # 0.73 × 0.143 = 0.104 ≤ 0.2; 0.73 × 0.333 = 0.24 is not


def test_conditional_count_of_two_or_more_has_the_truncated_poisson_mean():
    lam = 0.3
    draws = np.array([conditional_count(lam, 2, u) for u in np.random.default_rng(5).random(20000)])
    assert draws.min() == 2
    # E[N | N ≥ 2] = (Λ − P[N = 1]) / P[N ≥ 2]
    expected = (lam - lam * math.exp(-lam)) / stats.poisson.sf(1, lam)
    assert draws.mean() == pytest.approx(expected, rel=0.01)


def _hours_closed(hazards, streams, strata):
    return sum(d.duration_h for d in hazard_disruptions(hazards, START, YEAR_H, streams, strata=strata))


def test_weighted_estimate_is_unbiased_and_its_interval_covers_over_many_seeds():
    # Three rare kinds, one of them an intensity class: hours closed per year have the mean
    # Σ rate × duration = 0.2·10 + 0.05·100 + 1.0·0.1·50 = 12 h (the common class adds 1.0·0.9·1 = 0.9 h).
    hazards = [_hazard("a", 0.2, 10), _hazard("b", 0.05, 100),
               _hazard("c", 1.0, 0, classes=("weak", "extreme"), class_weights=(0.9, 0.1))]
    hazards[2] = dataclasses.replace(hazards[2], members=(dataclasses.replace(
        hazards[2].members[0], class_duration=(DurationLaw("fixed", (1.0,)), DurationLaw("fixed", (50.0,)))),))
    truth = 0.2 * 10 + 0.05 * 100 + 0.1 * 50 + 0.9 * 1
    n, seeds = 20, 300
    estimates, covered, ess = [], 0, []
    for seed in range(seeds):
        plan = make_plan(hazards, START, YEAR_H, n, seed)
        assert [k.key for k in plan.kinds] == ["a", "b", "c:extreme"]
        f = np.array([_hours_closed(hazards, Streams(seed, r), plan.of(r)) for r in range(n)])
        w = np.array([replication_weight(hazards, plan, r, START, YEAR_H) for r in range(n)])
        mean, half = weighted_mean_halfwidth(f, w, [str(plan.strata[r]) for r in range(n)])
        estimates.append(mean)
        covered += abs(mean - truth) <= half
        ess.append(kish_ess(w))
    estimates = np.array(estimates)
    # Unbiased (the self-normalised bias is O(1/n), far below this): within 4 standard errors.
    assert abs(estimates.mean() - truth) < 4 * estimates.std(ddof=1) / math.sqrt(seeds)
    # The interval is conservative by construction (see experiment.summary): at least 90 % coverage.
    assert covered / seeds >= 0.90
    assert 1 < np.mean(ess) < n
    # Plain Monte Carlo with the same 20 replications is far noisier on the same question.
    plain = [np.mean([_hours_closed(hazards, Streams(s, r), None) for r in range(n)]) for s in range(100)]
    assert estimates.std() < 0.7 * np.std(plain)


def test_common_random_numbers_same_strata_and_events_in_every_variant():
    base = [_hazard("storm", 0.1, 24, probability=0.9)]
    variant = [_hazard("storm", 0.1, 24, probability=0.3)]  # an investment: fewer closures per storm
    plan = make_plan(base, START, YEAR_H, 20, 3)
    for r in range(20):
        a = hazard_disruptions(base, START, YEAR_H, Streams(3, r), strata=plan.of(r))
        b = hazard_disruptions(variant, START, YEAR_H, Streams(3, r), strata=plan.of(r))
        assert {d.id for d in b} <= {d.id for d in a}  # same events; a hit in the variant is a hit in the baseline
        assert all(d.start_h == next(x.start_h for x in a if x.id == d.id) for d in b)
        assert replication_weight(base, plan, r, START, YEAR_H) == replication_weight(variant, plan, r, START, YEAR_H)


def test_weighted_statistics_reduce_to_the_plain_ones_with_equal_weights():
    x = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0])
    mean, half = weighted_mean_halfwidth(x, np.full(6, 2.5))
    assert mean == pytest.approx(x.mean())
    assert half == pytest.approx(confidence_halfwidth(x))
    y = x + np.array([1.0, 0.0, 2.0, 0.0, 1.0, 5.0])
    d, h = paired_weighted(y, np.ones(6), x, np.ones(6))
    assert d == pytest.approx((y - x).mean())
    assert h == pytest.approx(confidence_halfwidth(y - x))
    assert paired_weighted(x, np.ones(6), x, np.ones(6)) == (0.0, 0.0)


def _storm_year(tmp_path, rate):
    """A year with one 240 t/day flow a → b; a storm closes a–b for exactly 3 days, so each
    event costs the detour a–c–b (500 km instead of 100 at 100 km/h, 4 h) for 3 days' trains."""
    net = network([node("a"), node("b"), node("c")],
                  [link("ab", "a", "b"), link("bc", "c", "b"), link("ac", "a", "c", length_km=400)])
    hazards = [{"id": "storm", "rate_per_year": rate, "duration": "3d", "footprint": [{"target": "ab", "probability": 1.0}]}]
    return build(tmp_path, net, [freight("f", "a", "b", 240, slot="24h")], horizon="366d", record_step="24h",
                 hazards=hazards)


def _delay(result):
    return next(k.value for k in result.kpis if (k.kpi, k.scope) == ("tonne_hours_delay", "all"))


def test_a_storm_of_0_1_a_year_is_in_a_20_replication_run_with_its_weight(tmp_path):
    scenario = _storm_year(tmp_path, 0.1)
    folder = run_experiment(scenario, 20, seed=4, out=tmp_path / "results", progress=False, stratify=True)
    kpis = folder.kpis()
    weights = kpis.groupby("replication")["weight"].first()
    hit = set(folder.disruptions()["replication"])
    lam = 0.1
    # Strata of 17, 2 and 1 replications (see the allocation test), weights p_s / q_s by hand.
    assert sorted(weights.round(6).value_counts().items()) == sorted({
        round(math.exp(-lam) / (17 / 20), 6): 17, round(lam * math.exp(-lam) / (2 / 20), 6): 2,
        round(stats.poisson.sf(1, lam) / (1 / 20), 6): 1}.items())
    assert len(hit) == 3 and all(weights[r] < 1 for r in hit)
    row = folder.summary().set_index(["kpi", "scope"]).loc[("tonne_hours_delay", "all")]
    assert row["ess"] == pytest.approx(kish_ess(weights.to_numpy()))
    assert row["ess"] < 20
    assert 0 < row["ci95_low"] < row["mean"] < row["ci95_high"]  # a nonzero, honest interval
    manifest = folder.read_manifest()
    assert manifest["stratification"]["kinds"] == [{"kind": "storm", "replications_per_stratum": [17, 2, 1]}]


def test_stratified_and_plain_monte_carlo_agree(tmp_path):
    scenario = _storm_year(tmp_path, 0.2)
    plain = np.array([_delay(run_replication(scenario, 11, r)) for r in range(1500)])
    folder = run_experiment(scenario, 20, seed=12, out=tmp_path / "results", progress=False, stratify=True)
    row = folder.summary().set_index(["kpi", "scope"]).loc[("tonne_hours_delay", "all")]
    assert row["ess"] < 20
    # Two-sided z test of equal means at the 1 % level (standard errors from the 95 % intervals).
    se_plain = confidence_halfwidth(plain) / stats.t.ppf(0.975, plain.size - 1)
    se_strat = (row["ci95_high"] - row["mean"]) / stats.t.ppf(0.975, max(1.0, row["ess"] - 1))
    z = (row["mean"] - plain.mean()) / math.hypot(se_plain, se_strat)
    assert abs(z) < stats.norm.ppf(0.995), (row["mean"], plain.mean(), se_plain, se_strat)
    # The test has power: the unweighted mean of the same 20 replications is off.
    kpis = folder.kpis()
    values = kpis[(kpis.kpi == "tonne_hours_delay") & (kpis.scope == "all")]["value"]
    z_unweighted = (values.mean() - plain.mean()) / math.hypot(se_plain, se_strat)
    assert abs(z_unweighted) > stats.norm.ppf(0.995)


def test_unweighted_frames_summarise_as_before():
    frame = pd.DataFrame({"replication": [0, 1, 2], "kpi": "k", "scope": "all", "unit": "t",
                          "value": [1.0, 2.0, 6.0], "weight": 1.0})
    row = summarise(frame).iloc[0]
    assert "ess" not in row.index
    assert row["mean"] == 3.0 and row["ci95_high"] == pytest.approx(3.0 + confidence_halfwidth(np.array([1.0, 2.0, 6.0])))


def test_stratified_runs_are_the_same_on_every_executor(tmp_path):
    from beredskap_sim.experiment.executors import LocalExecutor

    scenario = _storm_year(tmp_path, 0.1)
    serial = run_experiment(scenario, 6, seed=2, out=tmp_path / "s", progress=False, stratify=True).kpis()
    local = run_experiment(scenario, 6, seed=2, out=tmp_path / "l", executor=LocalExecutor(2), progress=False,
                           stratify=True).kpis()
    pd.testing.assert_frame_equal(serial, local)
    assert serial["weight"].nunique() > 1


def test_an_interrupted_stratified_run_resumes_with_the_same_plan(tmp_path):
    from beredskap_sim.experiment.executors import SerialExecutor
    from beredskap_sim.experiment.runner import RunInterrupted, resume_experiment

    scenario = _storm_year(tmp_path, 0.1)
    whole = run_experiment(scenario, 5, seed=8, out=tmp_path / "a", progress=False, stratify=True)

    class StopAfterTwo(SerialExecutor):
        def run(self, scenario, seed, reps):
            results = super().run(scenario, seed, reps)
            yield from (next(results), next(results))
            raise KeyboardInterrupt

    with pytest.raises(RunInterrupted) as info:
        run_experiment(scenario, 5, seed=8, out=tmp_path / "b", executor=StopAfterTwo(), progress=False, stratify=True)
    resumed = resume_experiment(info.value.folder.path, progress=False)
    pd.testing.assert_frame_equal(whole.kpis(), resumed.kpis())
    assert resumed.read_manifest()["stratification"]["plan"] == whole.read_manifest()["stratification"]["plan"]


def test_compare_weights_the_paired_differences_and_avoided_losses(tmp_path):
    from beredskap_sim.experiment.compare import compare

    base = _storm_year(tmp_path, 0.1)
    faster = tmp_path / "faster"
    faster.mkdir()
    # The same year; the variant runs the detour a–c–b at 200 km/h.
    variant = build(faster, network([node("a"), node("b"), node("c")],
                                    [link("ab", "a", "b"), link("bc", "c", "b", speed_kmh=200),
                                     link("ac", "a", "c", length_km=400, speed_kmh=200)]),
                    [freight("f", "a", "b", 240, slot="24h")], horizon="366d", record_step="24h",
                    hazards=[{"id": "storm", "rate_per_year": 0.1, "duration": "3d",
                              "footprint": [{"target": "ab", "probability": 1.0}]}])
    folder = compare(base, [(variant, None)], 20, 5, tmp_path / "out", progress=False)
    kpis = pd.read_parquet(folder / "kpis.parquet")
    pick = kpis[(kpis.kpi == "tonne_hours_delay") & (kpis.scope == "all")]
    b = pick[pick.variant == "baseline"].set_index("replication")
    v = pick[pick.variant != "baseline"].set_index("replication")
    assert (b["weight"] == v["weight"]).all() and (b["stratum"] == v["stratum"]).all()  # one plan for both
    w, d = b["weight"], v["value"] - b["value"]
    row = pd.read_csv(folder / "differences.csv").set_index(["kpi", "scope"]).loc[("tonne_hours_delay", "all")]
    assert row["mean_diff"] == pytest.approx((w * d).sum() / w.sum())
    assert row["share_better"] == pytest.approx(w[d < -1e-9].sum() / w.sum())
    assert row["mean_diff"] < 0 and row["ci95_high"] < 0  # the faster detour helps in the storm years


def test_the_terminal_names_the_strata_and_the_effective_sample_size():
    from beredskap_sim.report.terminal import format_stratification

    text = format_stratification({"rare_rate_per_year": 0.2, "effective_sample_size": 11.63, "kinds": [
        {"kind": "winter-storm:extreme", "replications_per_stratum": [17, 2, 1]},
        {"kind": "meraakerbanen-structural", "replications_per_stratum": [17, 2, 1]}]})
    assert "winter-storm:extreme 17/2/1" in text and "effective sample size 11.6 of 20" in text
    assert max(len(line) for line in text.splitlines()) <= 100
