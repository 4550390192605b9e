"""Reproducibility and the results folder."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from beredskap_sim import kpi_table, load_scenario, simulate
from beredskap_sim.experiment.runner import resume_experiment, run_experiment
from beredskap_sim.results import RunFolder
from conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_bundled_scenarios_are_valid_and_every_figure_is_sourced(path):
    scenario = load_scenario(path, strict_sources=True)
    spec = scenario.spec  # something to simulate: freight, or a supply system (commuters alone, say)
    assert scenario.demands or spec.passengers is not None or spec.food is not None


def test_same_seed_same_kpi_table():
    scenario = load_scenario(ROOT / "scenarios" / "winter-year-stochastic.yaml")
    one, two = (pd.DataFrame(kpi_table(simulate(scenario, 7, 3))) for _ in range(2))
    pd.testing.assert_frame_equal(one, two, check_exact=True)  # NaN (no deliveries) compares equal here
    other = pd.DataFrame(kpi_table(simulate(scenario, 7, 4)))
    assert not one["value"].equals(other["value"])


def test_disruption_worsens_the_bundled_slide_scenario():
    slide = load_scenario(ROOT / "scenarios" / "meraakerbanen-slide-11d.yaml")
    rows = {(k.kpi, k.scope): k.value for k in kpi_table(simulate(slide))}
    # Timber goes by rail only: with Meråkerbanen cut for 11 days it detours via Stockholm and Oslo.
    assert rows[("delay_mean_h", "timber")] > 1
    assert rows[("resilience_loss_h", "timber")] > 0
    assert rows[("resilience_loss_h", "food")] == 0


def test_run_experiment_writes_a_complete_folder(tmp_path):
    scenario = load_scenario(ROOT / "scenarios" / "e14-storlien-36h.yaml")
    folder = run_experiment(scenario, replications=3, seed=5, out=tmp_path, progress=False)
    assert not folder.is_partial
    names = {p.name for p in folder.path.iterdir()}
    assert {"manifest.json", "input", "kpis.parquet", "timeseries.parquet", "events.parquet", "summary.csv"} <= names
    manifest = folder.read_manifest()
    assert manifest["status"] == "complete" and manifest["replications"] == 3 and manifest["seed"] == 5
    kpis = folder.kpis()
    assert sorted(kpis["replication"].unique()) == [0, 1, 2]
    summary = folder.summary()
    lost = summary[(summary.kpi == "tonnes_demanded") & (summary.scope == "all")].iloc[0]
    assert lost["n"] == 3 and lost["ci95_low"] <= lost["mean"] <= lost["ci95_high"]
    events = folder.events()
    assert set(events["kind"]) >= {"disruption-start", "disruption-end"}
    # The stored input reproduces the run.
    again = load_scenario(folder.path / "input" / "scenario.yaml")
    assert again.digest() == manifest["scenario_sha256"]


def test_resume_completes_an_interrupted_run_with_identical_numbers(tmp_path):
    scenario = load_scenario(ROOT / "scenarios" / "e14-storlien-36h.yaml")
    whole = run_experiment(scenario, replications=4, seed=11, out=tmp_path / "a", progress=False)

    class Interrupting:
        name = "serial"

        def run(self, scenario, seed, reps):
            from beredskap_sim.experiment.replication import run_replication
            for i, rep in enumerate(reps):
                if i == 2:
                    raise KeyboardInterrupt
                yield run_replication(scenario, seed, rep)

    from beredskap_sim.experiment.runner import RunInterrupted
    with pytest.raises(RunInterrupted) as info:
        run_experiment(scenario, replications=4, seed=11, out=tmp_path / "b", executor=Interrupting(), progress=False)
    partial = info.value.folder
    assert partial.is_partial and partial.done_replications() == {0, 1}
    assert not (partial.path / "kpis.parquet").exists()
    resumed = resume_experiment(partial.path, progress=False)
    assert not resumed.is_partial and not partial.path.exists()
    pd.testing.assert_frame_equal(whole.kpis(), resumed.kpis())
    pd.testing.assert_frame_equal(whole.timeseries(), resumed.timeseries())


def test_cli_run_prints_table_and_folder(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "beredskap_sim.cli", "run", str(ROOT / "scenarios" / "baseline-week.yaml"),
         "-n", "2", "--out", str(tmp_path), "--executor", "serial"],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "delivered" in proc.stdout and "results:" in proc.stdout
    folder = RunFolder(proc.stdout.strip().splitlines()[-1].split("results: ")[1])
    assert json.loads((folder.path / "manifest.json").read_text())["status"] == "complete"


def test_schema_export_is_json_schema():
    proc = subprocess.run([sys.executable, "-m", "beredskap_sim.cli", "schema"], capture_output=True, text=True)
    schema = json.loads(proc.stdout)
    assert schema["title"] == "ScenarioSpec"
    assert "horizon" in schema["required"] and "freight" in schema["properties"]


def _table(name, seed=0):
    rec = simulate(load_scenario(ROOT / "scenarios" / name), seed)
    return {(k.kpi, k.scope): k.value for k in kpi_table(rec)}, rec


def test_gyda_replay_cuts_off_meraker_and_tells_the_cascade():
    table, rec = _table("storm-gyda-2022.yaml")
    # Meråker's food falls furthest: E14 closed 36 h, Meråkerbanen three weeks.
    assert table[("food_min_days_of_supply", "meraker")] < table[("food_min_days_of_supply", "stjordal")] - 0.5
    assert table[("commuter_trips_lost", "meraker-out")] > 0
    assert table[("departures_replaced", "nabotoget")] > 0
    # The storm of 16 January on the local grids → Meråker's health centre on its backup
    # generator until its line is repaired; the Eidum converter is cut with Stjørdal's grid.
    assert any(kind == "grid-outage" and target == "grid-meraker" for _, kind, target, _ in rec.events)
    assert table[("backup_mwh", "meraker-health-water")] > 0
    assert any(kind == "cascade" and target == "eidum-converter" and "storm-16-jan-local-grids" in detail
               for _, kind, target, detail in rec.events)


def test_cold_spell_draws_the_reservoirs_but_sheds_nothing_as_in_the_record():
    # No rationing in NO3 in 2010 or 2021–22; see tests/test_power_energy.py for the stress that sheds.
    table, _ = _table("cold-spell-power.yaml")
    assert table[("energy_not_served_mwh", "NO3")] == 0 and table[("energy_not_served_mwh", "SE2")] == 0
    assert table[("reservoir_min_mwh", "NO3")] < 0.7 * 2187000  # the dry-year content, drawn down over the week
    assert table[("food_spoiled_t", "all")] == 0


def test_border_closure_stops_nabotoget_but_not_exempt_freight():
    table, _ = _table("border-closed-freight-exempt.yaml")
    assert table[("departures_cancelled", "nabotoget")] > 0
    assert table[("tonnes_lost", "general")] == 0
    assert table[("delay_mean_h", "general")] > 0  # controls at the crossings


def test_a_run_of_a_scenario_with_an_appraisal_preset_reloads_from_its_own_folder(tmp_path):
    """The preset is named by a path relative to the scenario: the run folder keeps a copy, so
    ``input/scenario.yaml`` (what ``report`` re-reads) resolves to the same conventions."""
    scenario = load_scenario(ROOT / "scenarios" / "oslo-stockholm-rail-year.yaml")
    folder = run_experiment(scenario, 1, 0, tmp_path, None, False)
    again = load_scenario(folder.path / "input" / "scenario.yaml")
    assert scenario.appraisal is not None and again.appraisal.name == scenario.appraisal.name
    assert again.appraisal == scenario.appraisal
