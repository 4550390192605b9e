"""The closure record, hazards fitted to it, weather dependence and the reference calibration."""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import yaml

from beredskap_sim import ScenarioError
from beredskap_sim.cli import main
from beredskap_sim.model.calibration import calibration_table, joint_count, overlap_count, simulated_years
from beredskap_sim.model.hazard_fit import RateFit, fit_hazard
from beredskap_sim.model.hazards import hazard_disruptions, replication_rate
from beredskap_sim.model.rng import Streams
from beredskap_sim.scenario.closures import load_closure_record, record_path
from beredskap_sim.scenario.hazard_context import load_hazard_context
from builders import build, freight, link, network, node

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "networks" / "trondelag-jamtland.yaml"
CORRIDOR = ROOT / "networks" / "oslo-varmland-stockholm.yaml"
# Every bundled network with its record's years and the assets its calibration must report on.
RECORDED = {
    REFERENCE: (13.0, {"meraakerbanen", "e14-mountain", "fv72-vag322", "dovrebanen", "rorosbanen", "mittbanan-west"}),
    CORRIDOR: (16.0, {"kongsvingerbanen-west", "kongsvingerbanen-east", "rv2-kongsvinger-magnor", "e18-varmland"}),
}
START = dt.datetime(2001, 1, 1)


def _weather(tmp_path, rate=1.5, posterior=None, extra=None):
    net = network([node("a"), node("b"), node("c")], [link("ab", "a", "b"), link("bc", "b", "c")])
    hazard = {
        "id": "storm", "rate_per_year": rate, "duration": "12h",
        "intensity": {"classes": ["mild", "severe"], "weights": [0.8, 0.2]},
        "footprint": [{"target": "ab", "probability": {"mild": 0.1, "severe": 0.9}},
                      {"target": "bc", "probability": {"mild": 0.05, "severe": 0.8}}],
        **(extra or {}),
    }
    if posterior:
        hazard["rate_posterior"] = posterior
    return build(tmp_path, net, [freight("f", "a", "c", 10)], horizon="365d", hazards=[hazard], start="2001-01-01")


def _synthetic_record(tmp_path, scenario, years: int, seed: int = 5) -> Path:
    """Sample ``years`` of the scenario's hazards and write them as a closure record."""
    events = []
    for y in range(years):
        by_event = {}
        for d in hazard_disruptions(scenario.hazards, START, 8760.0, Streams(seed, y)):
            by_event.setdefault(d.id.split(".")[0], (d.cause, []))[1].append(d)
        for key, (cause, hits) in by_event.items():
            hazard, _, intensity = cause.partition(":")
            base = dt.datetime(2001 + y, 1, 1)
            events.append({"id": f"y{y}-{key.replace('#', '-')}", "cause": "synthetic", "hazard": hazard, "intensity": intensity,
                           "closures": [{"asset": list(d.targets), "start": (base + dt.timedelta(hours=d.start_h)).isoformat(),
                                         "duration": d.duration_h, "source": "synthetic"} for d in hits]})
    record = {"network": "test", "period": {"start": "2001-01-01", "end": f"{2001 + years}-01-01", "source": "synthetic"},
              "assets": {"ab": ["ab"], "bc": ["bc"]}, "joint": [{"id": "both", "assets": ["ab", "bc"]}], "events": events}
    path = tmp_path / "net.closures.yaml"
    path.write_text(yaml.safe_dump(record), encoding="utf-8")
    return path


def test_fitting_a_synthetic_record_recovers_its_rate_within_its_interval(tmp_path):
    scenario = _weather(tmp_path)
    path = _synthetic_record(tmp_path, scenario, years=60)
    record = load_closure_record(path, scenario.network, {"storm": ("mild", "severe")})
    assert record.years == pytest.approx(60, abs=0.05)
    fit = fit_hazard(record, scenario.hazards[0])
    lo, hi = fit.rate.interval()
    # Only events that closed something are recorded: the recorded rate is λ·P(any hit) =
    # 1.5 × (0.8 × (1 − 0.9·0.95) + 0.2 × (1 − 0.1·0.2)) = 1.5 × 0.4096 = 0.6144.
    observed = 1.5 * (0.8 * (1 - 0.9 * 0.95) + 0.2 * (1 - 0.1 * 0.2))
    assert lo <= observed <= hi
    assert hi - lo < 0.5  # 60 years pin it down
    # Given the class, the hit shares come back: severe ~0.9 and ~0.8 of the recorded severe events.
    severe = fit.probabilities[0][1], fit.probabilities[1][1]
    assert severe[0] > 0.75 and severe[1] > 0.6


def test_the_rate_interval_covers_the_true_rate_nine_times_in_ten():
    rng = np.random.default_rng(3)
    true, years = 0.4, 13.0
    covered = [RateFit.of(int(k), years).interval()[0] <= true <= RateFit.of(int(k), years).interval()[1]
               for k in rng.poisson(true * years, size=2000)]
    # Jeffreys intervals have close to nominal frequentist coverage (Brown, Cai & DasGupta 2001)
    assert 0.85 <= np.mean(covered) <= 0.96


def test_joint_closure_frequency_follows_the_intensity_dependence(tmp_path):
    scenario = _weather(tmp_path, rate=4.0)
    years = simulated_years(scenario.hazards, 3000, seed=1)
    ab, bc = frozenset([0]), frozenset([1])
    joint = np.mean([joint_count(y, ab, bc) for y in years])
    # λ Σ π p_A p_B = 4 × (0.8·0.1·0.05 + 0.2·0.9·0.8) = 0.592 per year; SE √(0.592/3000) ≈ 0.014
    assert joint == pytest.approx(0.592, abs=0.06)
    # Hits independent within an event (no classes): λ p̄_A p̄_B = 4 × 0.26 × 0.2 = 0.208
    assert joint > 0.208 + 0.2
    # Independent processes with the same marginals: overlaps of 12 h closures, ~ r_A r_B (d_A + d_B)/8760 ≈ 0.002
    independent = np.mean([overlap_count(years[i], years[(i + 1) % 3000], ab, bc) for i in range(3000)])
    assert independent < 0.02 < joint


def test_rates_are_drawn_per_replication_from_their_posterior(tmp_path):
    scenario = _weather(tmp_path, rate=0.5, posterior={"events": 4, "years": 9.0})  # Gamma(4.5, 9)
    hazard = scenario.hazards[0]
    draws = np.array([replication_rate(hazard, Streams(2, r), True) for r in range(4000)])
    assert draws.mean() == pytest.approx(4.5 / 9, rel=0.03)
    assert draws.var() == pytest.approx(4.5 / 81, rel=0.1)
    assert replication_rate(hazard, Streams(2, 7), True) == replication_rate(hazard, Streams(2, 7), True)
    assert replication_rate(hazard, Streams(2, 7), False) == 0.5


def test_hazard_file_errors_are_named(tmp_path):
    with pytest.raises(ScenarioError) as info:
        _weather(tmp_path, rate=0.9, posterior={"events": 4, "years": 9.0})
    assert "hazards[0]: rate_per_year 0.9 is not the posterior mean (4.5/9 = 0.5) (expected them to agree)" in str(info.value)
    with pytest.raises(ScenarioError) as info:
        _weather(tmp_path, extra={"footprint": [{"target": "ab", "probability": {"mild": 0.1}}]})
    text = str(info.value)
    assert "hazards[0]: footprint[0].probability is given for classes ['mild'] (expected exactly the intensity classes ['mild', 'severe'])" in text


def test_closure_record_problems_are_reported_all_at_once(tmp_path):
    scenario = _weather(tmp_path)
    bad = {"network": "test", "period": {"start": "2010-01-01", "end": "2020-01-01", "source": "x"},
           "assets": {"road": ["zz"]},
           "events": [
               {"id": "e1", "cause": "x", "hazard": "storm", "closures": [{"asset": "ab", "start": "2012-01-01", "duration": "1d", "source": "x"}]},
               {"id": "e1", "cause": "x", "hazard": "nothing", "closures": [{"asset": "qq", "start": "2030-01-01", "duration": "1d", "source": "x"}]},
           ]}
    path = tmp_path / "net.closures.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_closure_record(path, scenario.network, {"storm": ("mild", "severe")})
    text = str(info.value)
    assert f"{path}: assets.road:" in text
    assert "events[0].intensity: got None (expected one of the intensity classes of storm: mild, severe)" in text
    assert "events[1].hazard: unknown hazard 'nothing'" in text
    assert "events[1].closures[0].asset: unknown asset 'qq'" in text
    assert "duplicate event id 'e1'" in text


@pytest.mark.parametrize("network_file", list(RECORDED), ids=lambda p: p.stem)
def test_reference_hazards_are_the_fit_of_the_record(network_file):
    """Every rate, class share, hit probability and season of a bundled network's fitted
    hazards (those with a ``rate_posterior``) is what the closure record gives; members with
    two or more recorded closures use those durations. A hazard without one is a stated prior."""
    scenario, record = load_hazard_context(network_file)
    assert record.years == pytest.approx(RECORDED[network_file][0], abs=0.01)
    stated = {h["id"]: h["sources"]["rate_per_year"] for h in yaml.safe_load(network_file.read_text(encoding="utf-8"))["hazards"]}
    for hazard in scenario.hazards:
        if hazard.rate_shape == 0:
            assert "assumption:" in stated[hazard.id] and "cannot calibrate" in stated[hazard.id], hazard.id
            continue
        fit = fit_hazard(record, hazard)
        assert hazard.rate_per_year == pytest.approx(fit.rate.mean, rel=0.005), hazard.id
        assert hazard.rate_shape == pytest.approx(fit.rate.shape) and hazard.rate_years == pytest.approx(fit.rate.rate_years, abs=0.01)
        assert np.allclose(hazard.month_weights, fit.month_weights, atol=0.001), hazard.id
        if hazard.classes:
            assert np.allclose(hazard.class_weights, fit.class_shares, atol=0.001), hazard.id
            for member, p in zip(hazard.members, fit.probabilities):
                assert np.allclose(member.class_probability, p, atol=0.001), (hazard.id, member.targets)
        for member, recorded in zip(hazard.members, fit.durations_h):
            if len(recorded) >= 2:
                assert member.duration.kind == "empirical" and tuple(sorted(member.duration.params[0])) == recorded


@pytest.mark.parametrize("network_file", list(RECORDED), ids=lambda p: p.stem)
def test_no_record_event_is_counted_twice(network_file):
    """Each event names one hazard; and no two events of different hazards close the same
    asset within three days of each other (the same storm entered twice)."""
    _, record = load_hazard_context(network_file)
    closures = [(e.hazard, c) for e in record.events if e.hazard for c in e.closures]
    for i, (h1, c1) in enumerate(closures):
        for h2, c2 in closures[i + 1:]:
            if h1 != h2 and c1.links & c2.links:
                assert abs(c1.start_h - c2.start_h) > 72, (h1, h2, c1.asset)


@pytest.mark.parametrize("network_file", list(RECORDED), ids=lambda p: p.stem)
def test_reference_calibration_holds(network_file):
    """Simulated events per year of every asset with a record, and of every named joint
    closure, lie inside the record's 90 % interval; joint closures are far above independence."""
    scenario, record = load_hazard_context(network_file)
    rows = calibration_table(record, scenario.hazards, years=600, seed=0)
    names = {r.name for r in rows if r.kind == "asset"}
    assert RECORDED[network_file][1] <= names
    for row in rows:
        assert row.within, (row.name, row.record_lo, row.sim_rate, row.record_hi)
        if row.kind == "joint":
            assert row.sim_rate > 3 * row.independent_rate, row.name


def test_hazards_command_prints_the_table(tmp_path, capsys):
    assert main(["hazards", str(REFERENCE), "--years", "40", "--out", str(tmp_path), "--no-figure"]) == 0
    out = capsys.readouterr().out
    assert "e14-with-fv72" in out and "meraakerbanen" in out
    assert (tmp_path / "hazards-trondelag-jamtland" / "calibration.csv").exists()


def test_hazards_command_without_a_record_says_so(tmp_path, capsys):
    net = network([node("a"), node("b")], [link("ab", "a", "b")])
    (tmp_path / "net.yaml").write_text(yaml.safe_dump(net), encoding="utf-8")
    assert main(["hazards", str(tmp_path / "net.yaml"), "--years", "5", "--out", str(tmp_path)]) == 2
    assert "no closure record beside the network" in capsys.readouterr().err
    assert record_path(tmp_path / "net.yaml").name == "net.closures.yaml"


def test_validate_checks_the_closure_record_beside_the_network(tmp_path, capsys):
    scenario = _weather(tmp_path)
    _synthetic_record(tmp_path, scenario, years=20)
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(
        {"name": "t", "network": "net.yaml", "start": "2001-01-01", "horizon": "30d", "network_hazards": False,
         "hazard_rate_uncertainty": True, "freight": [freight("f", "a", "c", 10)]}), encoding="utf-8")
    assert main(["validate", str(tmp_path / "scenario.yaml")]) == 2  # the record names 'storm', the network has none
    assert "unknown hazard 'storm'" in capsys.readouterr().err


def test_corridor_record_loads_and_every_asset_has_a_record_and_a_hazard():
    """The corridor's record loads against its network with no problems; every named asset
    has at least one recorded hazard closure and is hit by a hazard of the network (an asset
    no hazard touches would simulate 0 events against a record that has some)."""
    scenario, record = load_hazard_context(CORRIDOR)
    assert record.events and all(e.hazard for e in record.events)
    for name, links in record.assets.items():
        assert any(c.links & links for e in record.events for c in e.closures), name
        assert any(set(m.links) & links for h in scenario.hazards for m in h.members if h.rate_shape), name
    assert main(["validate", "--strict-sources", str(ROOT / "scenarios" / "oslo-stockholm-rail-year.yaml")]) == 0


def test_the_record_hours_interval_is_the_gamma_poisson_mixture_when_durations_are_equal():
    """With every recorded closure d hours long, hours per year = d·N/T where N is negative
    binomial (a Poisson count whose rate has the Gamma(½ + k, T) posterior): the bootstrap's
    5 % and 95 % points are d/T times that distribution's quantiles."""
    from scipy import stats

    from beredskap_sim.model.calibration import record_hours_interval
    from beredskap_sim.model.hazard_fit import RateFit

    k, years, d = 4, 13.0, 30.0
    fit = RateFit.of(k, years)
    lo, hi = record_hours_interval([d] * k, fit, years, draws=20000, seed=1)
    n = stats.nbinom(fit.shape, fit.rate_years / (fit.rate_years + years))
    assert lo == pytest.approx(d * n.ppf(0.05) / years, abs=d / years)
    assert hi == pytest.approx(d * n.ppf(0.95) / years, abs=d / years)
    assert all(np.isnan(record_hours_interval([], RateFit.of(0, years), years)))  # nothing recorded: no interval
