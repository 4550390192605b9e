"""The terminal tables: widths, names, units, whole counts, the tonnes identity, warnings."""

import os
import re
import subprocess
import sys

import pandas as pd

from beredskap_sim.report.names import Names, format_number
from beredskap_sim.report.terminal import format_kpi_table, format_supply_table, stochastic_warning
from beredskap_sim.scenario.loader import load_scenario
from conftest import ROOT


def summary_row(kpi, scope, unit, mean, half=0.0, n=1, **extra):
    return {"kpi": kpi, "scope": scope, "unit": unit, "n": n, "mean": mean, "ci95_low": mean - half,
            "ci95_high": mean + half, "max": extra.get("max", mean)}


def test_numbers_are_rounded_for_their_unit_and_never_minus_zero():
    assert format_number(84.0, "departures") == "84"
    assert format_number(2200.0, "trips") == "2,200"
    assert format_number(-0.04, "h") == "0.0"
    assert format_number(-1e-12, "t") == "0"
    assert format_number(2.74, "d") == "2.7"
    assert format_number(float("nan"), "t") == "–"


def test_wide_freight_table_splits_into_blocks_within_the_width():
    scopes = ["all", "food", "general", "timber", "chilled", "dry", "fuel"]
    rows = [summary_row(k, s, u, 12345.678, 1234.6, n=10) for s in scopes
            for k, u in (("tonnes_demanded", "t"), ("tonnes_delivered", "t"), ("tonnes_late", "t"),
                         ("tonnes_in_transit", "t"), ("tonnes_lost", "t"), ("delay_mean_h", "h"))]
    text = format_kpi_table(pd.DataFrame(rows), scopes, width=80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert text.count("Freight") >= 3  # three blocks at 80 columns
    for scope in scopes:
        assert scope in text
    assert "12,346 ± 1,235" in text and "12,345.7 ± 1,234.6" in text  # whole tonnes, hours to 0.1


def test_an_interval_is_shown_only_where_replications_differ_and_is_explained():
    # Replications that agree up to the rounding noise of their sums show the mean alone; a real
    # spread shows "± half-width" and one line saying what it is.
    same = format_kpi_table(pd.DataFrame([summary_row("delay_mean_h", "all", "h", 22.9, 1e-14, n=3)]), ["all"])
    assert "±" not in same and "22.9" in same
    spread = format_kpi_table(pd.DataFrame([summary_row("delay_mean_h", "all", "h", 22.9, 1.25, n=3)]), ["all"])
    assert "22.9 ± 1.2" in spread or "22.9 ± 1.3" in spread
    assert "95 % interval" in spread


def test_baseline_week_table_explains_every_tonne_and_fits_100_columns(tmp_path):
    """Demanded = delivered + in transit + lost, row by row, as printed (±1 t of rounding each)."""
    proc = subprocess.run([sys.executable, "-m", "beredskap_sim.cli", "run", str(ROOT / "scenarios" / "baseline-week.yaml"),
                           "-q", "--no-report", "--executor", "serial", "--out", str(tmp_path)],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if not line.startswith(("results:", "report:"))]  # paths
    assert max(len(line) for line in lines) <= 100
    numbers = {}
    for line in lines:
        for label in ("demanded", "delivered", "in transit at the end", "lost (past deadline)"):
            if line.startswith(label + " "):
                numbers[label] = [int(v.replace(",", "")) for v in re.findall(r"[\d,]+(?= |$)", line[27:])]
    assert set(numbers) == {"demanded", "delivered", "in transit at the end", "lost (past deadline)"}
    for col, demanded in enumerate(numbers["demanded"]):
        explained = numbers["delivered"][col] + numbers["in transit at the end"][col] + numbers["lost (past deadline)"][col]
        assert abs(demanded - explained) <= 2
    assert numbers["in transit at the end"][0] > 0  # the week ends with trains and trucks on their way


def test_supply_table_names_units_and_the_energy_note():
    scenario = load_scenario(ROOT / "scenarios" / "storm-gyda-2022.yaml")
    rows = [summary_row("food_min_days_of_supply", "meraker", "d", 2.7),
            summary_row("energy_not_served_mwh", "all", "MWh", 9.5),
            summary_row("ens_priority_general_mwh", "all", "MWh", 0.0),
            summary_row("load_ens_mwh", "meraker-health-water", "MWh", 9.5),
            summary_row("hours_with_shedding", "all", "h", 0.0),
            summary_row("departures_replaced", "all", "1", 84.0),
            summary_row("commuter_trips_lost", "all", "trips", 2200.0)]
    text = format_supply_table(pd.DataFrame(rows), Names(scenario), width=100)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert any("Meråker" in line and line.endswith(" d") for line in lines)
    assert any("replaced by bus" in line and line.endswith("84 departures") for line in lines)
    assert any("trips lost" in line and line.endswith("2,200 trips") for line in lines)
    assert any("critical load" in line and "Meråker" in line for line in lines)
    assert "note:" in text and "critical loads" in text
    # No split and no note when all energy was served.
    calm = format_supply_table(pd.DataFrame([summary_row("energy_not_served_mwh", "all", "MWh", 0.0)]))
    assert "note" not in calm and "critical" not in calm


def test_random_hazards_with_few_replications_warn():
    stochastic = load_scenario(ROOT / "scenarios" / "winter-year-stochastic.yaml")
    fixed = load_scenario(ROOT / "scenarios" / "storm-gyda-2022.yaml")
    assert "-n 10" in stochastic_warning(stochastic, 1)
    assert stochastic_warning(stochastic, 10) == ""
    assert stochastic_warning(fixed, 1) == ""


def test_list_prints_ids_names_and_groups_within_100_columns():
    proc = subprocess.run([sys.executable, "-m", "beredskap_sim.cli", "list", str(ROOT / "networks" / "trondelag-jamtland.yaml")],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    assert max(len(line) for line in proc.stdout.splitlines()) <= 100
    link = next(line for line in proc.stdout.splitlines() if line.startswith("e6-malvik-stjordal "))
    assert "road" in link
    assert "meraker  " in proc.stdout and "Meråker" in proc.stdout
    groups = subprocess.run([sys.executable, "-m", "beredskap_sim.cli", "list", str(ROOT / "scenarios" / "storm-gyda-2022.yaml"),
                             "--kind", "group"], capture_output=True, text=True).stdout
    assert "meraker-border-storlien" in groups and "places" not in groups  # every member, whole; only groups
    power = subprocess.run([sys.executable, "-m", "beredskap_sim.cli", "list", str(ROOT / "networks" / "trondelag-jamtland.yaml"),
                            "--kind", "power"], capture_output=True, text=True).stdout
    assert "grid-meraker" in power  # local grids are targets of the Gyda replay's storm


def test_unknown_ids_get_did_you_mean(tmp_path):
    import yaml

    data = yaml.safe_load((ROOT / "scenarios" / "e14-storlien-36h.yaml").read_text(encoding="utf-8"))
    data["network"] = str(ROOT / "networks" / "trondelag-jamtland.yaml")
    data["disruptions"][0]["target"] = ["e14-meraker-bordr"]
    data["freight"][0]["to"] = "ostersnd"
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "beredskap_sim.cli", "validate", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "unknown target 'e14-meraker-bordr'; did you mean 'e14-meraker-border'" in proc.stderr
    assert "did you mean 'ostersund'" in proc.stderr


def test_ratios_have_two_significant_figures_and_money_its_currency():
    from beredskap_sim.report.names import format_money, format_ratio, format_share_better

    assert [format_ratio(v) for v in (0.004567, 0.0995, 1.449, -14.4, 123.4, 0.0, -0.0, float("nan"))] == \
        ["0.0046", "0.10", "1.4", "-14", "120", "0", "0", "–"]
    assert format_money(-3.1e9, "NOK") == "-3,100,000,000 NOK"
    assert format_share_better(0.0, 0.0) == "no difference" and format_share_better(0.25, 0.5) == "better in 25%, worse in 50%"
    assert format_share_better(0.0, 0.5) == "worse in 50%"
    assert format_share_better(0.02, 0.003) == "better in 2%, worse in <1%"  # a rare stratum's small weight


def test_comparison_table_puts_a_currency_on_every_amount_and_no_empty_share():
    from beredskap_sim.report.terminal import format_comparison

    diffs = pd.DataFrame([
        {"variant": "v", "kpi": "tonnes_lost", "scope": "all", "unit": "t", "n": 4, "mean_diff": 0.0, "ci95_low": 0.0,
         "ci95_high": 0.0, "share_better": 0.0, "share_worse": 0.0},
        {"variant": "v", "kpi": "cost_per_year", "scope": "total", "unit": "NOK/yr", "n": 4, "mean_diff": -1234.5,
         "ci95_low": -2000.0, "ci95_high": -400.0, "share_better": 0.75, "share_worse": 0.0}])
    row = {"rank": 1, "variant": "v", "currency": "NOK", "conventions": "Norway", "n": 4, "n_eff": 4.0,
           "share_better": 0.75, "share_worse": 0.0, "investment": 1e6, "yearly_cost": 0.0}
    for name, value in (("benefit_per_year", 1234.5), ("everyday_per_year", 1000.0), ("resilience_per_year", 234.5),
                        ("npv", -980_000.0), ("bcr", 0.0234567), ("nnb", -0.98)):
        row.update({name: value, f"{name}_low": value - 1, f"{name}_high": value + 1})
    text = format_comparison(diffs, pd.DataFrame([row]), width=100)
    assert "0.00" not in text and "-0.00" not in text and "better in 0 %" not in text and "better in 0%" not in text
    assert "BCR 0.023" in text and "no difference" in text and "better in 75%" in text
    for line in text.splitlines():
        if any(word in line for word in ("benefit per year", "everyday", "resilience", "NPV")):
            assert "NOK" in line, line


def test_a_commodity_that_never_moved_gets_no_column():
    """Fuel named by the scenario but never demanded in any replication: no column of zeros;
    a commodity demanded in one replication of ten (mean 0.1 t) keeps its column."""
    rows = [summary_row(k, s, "t", v, max=v) for s, v in (("all", 100.0), ("general", 100.0), ("fuel", 0.0))
            for k in ("tonnes_demanded", "tonnes_delivered")]
    rows += [summary_row(k, "medical", "t", 0.1, n=10, max=1.0) for k in ("tonnes_demanded", "tonnes_delivered")]
    text = format_kpi_table(pd.DataFrame(rows), ["all", "general", "fuel", "medical"], width=100)
    header = text.splitlines()[0]
    assert "general" in header and "medical" in header and "fuel" not in header
