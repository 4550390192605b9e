"""Random disruptions: sampling statistics, common random numbers, repair crews."""

import datetime as dt

import numpy as np
import pytest

from beredskap_sim import simulate
from beredskap_sim.model.hazards import hazard_disruptions, sample_duration, sample_event_times
from beredskap_sim.model.rng import Streams, stream
from beredskap_sim.scenario.resolved import DurationLaw, Hazard
from builders import build, freight, link, network, node

WEIGHTS = [4, 3, 2, 1, 0, 0, 0, 0, 0, 1, 2, 3]


def test_event_rate_and_monthly_profile_match_the_configuration():
    hazard = Hazard("h", "", 6.0, tuple(w / sum(WEIGHTS) for w in WEIGHTS), ())
    years = 3000
    rng = stream(42, 0, "hazard:h")
    counts = np.zeros(12)
    totals = []
    for _ in range(years):
        times = sample_event_times(hazard, dt.datetime(2023, 1, 1), 365 * 24, rng)
        totals.append(len(times))
        months = [(dt.datetime(2023, 1, 1) + dt.timedelta(hours=float(t))).month - 1 for t in times]
        np.add.at(counts, months, 1)
    # Poisson mean 6/yr over 3000 years: the standard error of the mean is sqrt(6/3000) ≈ 0.045,
    # so ±0.2 is more than four standard errors.
    assert np.mean(totals) == pytest.approx(6.0, abs=0.2)
    assert np.var(totals) == pytest.approx(6.0, rel=0.1)  # Poisson: variance = mean
    # About 18,000 events: each month's share has a standard error below 0.003; ±0.012 is four.
    shares = counts / counts.sum()
    expected = np.array(WEIGHTS) / sum(WEIGHTS)
    assert np.abs(shares - expected).max() < 0.012
    assert counts[4:9].sum() == 0  # months with weight zero never see an event


@pytest.mark.parametrize("law,mean", [
    (DurationLaw("exponential", (10.0,)), 10.0),
    (DurationLaw("lognormal", (5.0, 0.5, float("inf"))), 5.0 * np.exp(0.125)),
    (DurationLaw("empirical", ((1.0, 10.0), (3.0, 1.0))), 3.25),
    (DurationLaw("fixed", (7.0,)), 7.0),
])
def test_duration_laws_have_their_means(law, mean):
    rng = np.random.default_rng(1)
    draws = np.array([sample_duration(law, rng) for _ in range(20000)])
    assert draws.mean() == pytest.approx(mean, rel=0.03)
    assert law.mean_h() == pytest.approx(mean)


def _ring(tmp_path, capacity=1000.0, extra=None):
    net = network([node("a"), node("b"), node("c")],
                  [link("ab", "a", "b", tph=capacity), link("bc", "b", "c"), link("ac", "a", "c", length_km=400)],
                  crews=[{"id": "crew", "size": 1, "travel": 2}])
    hazards = [{
        "id": "storm", "rate_per_year": 20, "months": [1, 2, 12],
        "duration": {"distribution": "exponential", "mean": "1d"},
        "footprint": [{"target": "ab", "probability": 0.7}, {"target": "bc", "probability": 0.5, "repair": {"crew": "crew"}}],
    }] + (extra or [])
    return build(tmp_path, net, [freight("f", "a", "c", 100, deadline="3d")], horizon="120d", hazards=hazards, start="2024-01-01")


def _hazard_starts(rec):
    return [(t, target, detail.split(":")[0]) for t, kind, target, detail in rec.events
            if kind == "disruption-start" and "[storm]" in detail]


def test_common_random_numbers_same_hazards_in_baseline_and_variant(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    base = _ring(tmp_path / "a")
    other_hazard = [{"id": "other", "rate_per_year": 50, "duration": "2h", "footprint": [{"target": "ac"}]}]
    variant = _ring(tmp_path / "b", capacity=5000.0, extra=other_hazard)  # an investment plus an extra hazard
    for rep in range(3):
        a, b = _hazard_starts(simulate(base, 9, rep)), _hazard_starts(simulate(variant, 9, rep))
        assert a and a == b
    assert _hazard_starts(simulate(base, 9, 0)) != _hazard_starts(simulate(base, 9, 1))


def test_repair_waits_for_the_single_crew(tmp_path):
    net = network([node("a"), node("b"), node("c")], [link("ab", "a", "b"), link("bc", "b", "c")],
                  crews=[{"id": "crew", "size": 1, "travel": 3}])
    disruptions = [
        {"id": "first", "target": "ab", "start": "10h", "duration": "5h", "effect": "close", "repair": {"crew": "crew"}},
        {"id": "second", "target": "bc", "start": "11h", "duration": "4h", "effect": "close", "repair": {"crew": "crew"}},
    ]
    rec = simulate(build(tmp_path, net, [freight("f", "a", "c", 24)], disruptions, horizon="3d"))
    ends = {detail.split(":")[0]: t for t, kind, _, detail in rec.events if kind == "disruption-end"}
    assert ends["first"] == pytest.approx(10 + 3 + 5)
    assert ends["second"] == pytest.approx(18 + 3 + 4)  # the crew comes only when the first repair is done
    kinds = [kind for _, kind, _, _ in rec.events]
    assert kinds.count("repair-requested") == 2 and kinds.count("repair-started") == 2


def test_hazard_disruptions_are_reproducible_per_replication(tmp_path):
    scenario = _ring(tmp_path)
    one = hazard_disruptions(scenario.hazards, scenario.start, scenario.horizon_h, Streams(3, 4))
    two = hazard_disruptions(scenario.hazards, scenario.start, scenario.horizon_h, Streams(3, 4))
    assert one == two and len(one) > 0


def test_unknown_crew_and_target_are_reported(tmp_path):
    from beredskap_sim import ScenarioError

    net = network([node("a"), node("b")], [link("ab", "a", "b")])
    hazards = [{"id": "h", "rate_per_year": 1, "duration": "1d",
                "footprint": [{"target": "zz", "repair": {"crew": "nobody"}}]}]
    with pytest.raises(ScenarioError) as info:
        build(tmp_path, net, [freight("f", "a", "b", 10)], hazards=hazards)
    text = str(info.value)
    assert "hazards[0].footprint[0].target: unknown target 'zz'" in text
    assert "unknown crew pool 'nobody'" in text
