"""Power capacity apart from energy: reservoirs with inflow, dry years, wind profiles — by hand."""

import pytest

from beredskap_sim import kpi_table, simulate
from builders import build, link, network, node


def kpis(rec):
    return {(k.kpi, k.scope): k.value for k in kpi_table(rec)}


def one_area(generation, demand_mw=500.0):
    """One area with a flat demand and no neighbours: what it cannot produce is shed."""
    return {"areas": [{"id": "A", "demand": {"mean_mw": demand_mw}, "generation": generation}]}


def run(tmp_path, power, disruptions=(), horizon="7d"):
    net = network([node("a"), node("b")], [link("ab", "a", "b")], power=power)
    return simulate(build(tmp_path, net, [], list(disruptions), horizon=horizon))


def test_energy_limited_week_sheds_what_the_reservoir_cannot_give(tmp_path):
    # 1,000 MW installed against 500 MW demand: never short of MW. But the reservoir holds
    # 67,200 MWh (400 MW for a week) and no inflow, so a 168 h week of 500 MW (84,000 MWh)
    # leaves 84,000 − 67,200 = 16,800 MWh not served: full supply for 134.4 h, then nothing.
    hydro = {"type": "hydro", "capacity_mw": 1000, "energy_mwh": 67200}
    table = kpis(run(tmp_path, one_area([hydro])))
    assert table[("energy_not_served_mwh", "A")] == pytest.approx(16800)
    assert table[("hours_with_shedding", "A")] == 34  # hour 134 partly (300 MW short), 135–167 fully
    assert table[("peak_shortfall_mw", "A")] == pytest.approx(500)
    assert table[("reservoir_min_mwh", "A")] == pytest.approx(0)
    # The same MW with enough energy: nothing shed.
    hydro_full = dict(hydro, energy_mwh=84000)
    assert kpis(run(tmp_path, one_area([hydro_full])))[("energy_not_served_mwh", "A")] == pytest.approx(0)


def test_inflow_and_dry_year_change_energy_not_mw(tmp_path):
    # Inflow 50 MW adds 8,400 MWh over the week: 84,000 − 67,200 − 8,400 = 8,400 MWh shed.
    hydro = {"type": "hydro", "capacity_mw": 1000, "energy_mwh": 67200, "inflow_mw": 50}
    assert kpis(run(tmp_path, one_area([hydro])))[("energy_not_served_mwh", "A")] == pytest.approx(8400)
    # A dry year at half the energy (start content and inflow): 84,000 − 0.5 × 75,600 = 46,200 MWh.
    dry = [{"id": "dry", "target": "A:hydro:energy", "start": "0h", "duration": "8d", "effect": {"capacity_factor": 0.5}}]
    rec = run(tmp_path, one_area([hydro]), dry)
    assert kpis(rec)[("energy_not_served_mwh", "A")] == pytest.approx(46200)
    # ... but not the MW: the first hours are served in full.
    assert rec.power.served[0, :24].sum() == pytest.approx(24 * 500)
    # A reserve held back is not dispatched: 10,000 MWh kept → 10,000 MWh more shed.
    kept = dict(hydro, reserve_mwh=10000)
    assert kpis(run(tmp_path, one_area([kept])))[("energy_not_served_mwh", "A")] == pytest.approx(18400)


def test_wind_profile_calm_day(tmp_path):
    # 100 MW of wind at full output on day 1 and calm on day 2 (profile [1, 0] per 24 h),
    # 50 MW demand: the calm day is shed entirely, 24 × 50 = 1,200 MWh.
    wind = {"type": "wind", "capacity_mw": 100, "profile": [1.0, 0.0], "profile_step": "24h"}
    table = kpis(run(tmp_path, one_area([wind], demand_mw=50), horizon="2d"))
    assert table[("energy_not_served_mwh", "A")] == pytest.approx(1200)
    assert table[("hours_with_shedding", "A")] == 24


def test_wind_is_used_before_the_reservoir(tmp_path):
    # 300 MW of wind and a reservoir against 500 MW demand for 48 h: the reservoir gives only
    # the 200 MW the wind cannot, 9,600 MWh of its 10,000.
    gens = [{"type": "hydro", "capacity_mw": 1000, "energy_mwh": 10000}, {"type": "wind", "capacity_mw": 300}]
    rec = run(tmp_path, one_area(gens), horizon="2d")
    assert kpis(rec)[("energy_not_served_mwh", "A")] == pytest.approx(0)
    assert kpis(rec)[("reservoir_min_mwh", "A")] == pytest.approx(400)


def _cold_spell(energy_factor=None):
    import copy
    from pathlib import Path

    import yaml

    from beredskap_sim.scenario.loader import scenario_from_data

    path = Path(__file__).parent.parent / "scenarios" / "cold-spell-power.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.pop("food")
    for x in data["disruptions"]:
        if x["id"] == "dry-year" and energy_factor is not None:
            x["effect"] = {"capacity_factor": energy_factor}
    return scenario_from_data(copy.deepcopy(data), {}, str(path), path.parent)


def test_cold_dry_calm_week_sheds_nothing_in_trondelag_as_in_the_record():
    # The record: no rationing in NO3 in the cold, dry winters of 2010 and 2021–22. A week 30 %
    # colder, reservoirs 30 % below normal, wind at a fifth and Nea–Järpströmmen out must not
    # shed load with the sourced capacities (NO3 installed MW, NVE reservoir capacity).
    table = kpis(simulate(_cold_spell()))
    assert table[("energy_not_served_mwh", "NO3")] == 0
    # The same week with the reservoirs at a quarter of normal reaches the held-back reserve:
    # then it is energy, not MW, that runs out.
    low = kpis(simulate(_cold_spell(energy_factor=0.25)))
    assert low[("energy_not_served_mwh", "NO3")] > 0
    assert low[("reservoir_min_mwh", "NO3")] == pytest.approx(364500, rel=1e-6)


def test_reservoir_fills_by_the_month_and_spills_at_capacity(tmp_path):
    # Capacity 10,000 MWh, half full on 1 January; January inflow 300 MW against 100 MW demand:
    # +200 MWh an hour, full after 25 h, then the surplus spills and the content stays at 10,000.
    hydro = {"type": "hydro", "capacity_mw": 1000, "reservoir_mwh": 10000, "filling_by_month": [0.5] + [0.9] * 11,
             "inflow_by_month": [300.0] + [0.0] * 11}
    rec = run(tmp_path, one_area([hydro], demand_mw=100), horizon="2d")
    stored = rec.power.stored_mwh[0]
    assert stored[0] == pytest.approx(5200)
    assert stored[23] == pytest.approx(5000 + 24 * 200)
    assert stored[-1] == pytest.approx(10000)


@pytest.mark.parametrize("scenario", ["storm-gyda-2022.yaml", "cold-spell-power.yaml"])
def test_quiet_stretches_booked_in_one_go_equal_the_hourly_balance(monkeypatch, scenario):
    """The vectorised quiet stretch (clipped reservoir recurrence, booking in arrears when an
    effect starts) must reproduce the hour-by-hour loop exactly."""
    from pathlib import Path

    import numpy as np

    from beredskap_sim import load_scenario
    from beredskap_sim.model import power

    sc = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / scenario)
    records = {}
    for window in (1, power.QUIET_WINDOW_H):
        monkeypatch.setattr(power, "QUIET_WINDOW_H", window)
        records[window] = simulate(sc, seed=2).power
    hourly, batched = records.values()
    for field in ("demand", "served", "ens_general", "ens_critical", "load_ens_mwh", "load_backup_mwh", "stored_mwh"):
        np.testing.assert_allclose(getattr(batched, field), getattr(hourly, field), rtol=1e-9, atol=1e-6, err_msg=field)


def test_a_spilling_reservoir_in_a_quiet_stretch_matches_hand_arithmetic(tmp_path):
    # 400 MW demand, 1,000 MW hydro holding 10,000 MWh of 10,500 MWh, inflow 500 MW: each hour
    # gains 100 MWh net until full at 10,500 (hour 5), then spills 100 MWh an hour.
    hydro = {"type": "hydro", "capacity_mw": 1000, "energy_mwh": 10000, "reservoir_mwh": 10500, "inflow_mw": 500}
    rec = run(tmp_path, one_area([hydro], demand_mw=400), horizon="2d")
    stored = rec.power.stored_mwh[0]
    assert stored[:5].tolist() == pytest.approx([10100, 10200, 10300, 10400, 10500])
    assert stored[5:].max() == pytest.approx(10500) and stored[5:].min() == pytest.approx(10500)


@pytest.mark.parametrize("step", ["1min", "1h", "7h"])
def test_power_service_indices_do_not_depend_on_the_record_step(tmp_path, step):
    # The energy-limited week above sheds 16,800 MWh of a flat 500 MW: equivalent outage hours
    # Σ shortfall / demand = 16,800 / 500 = 33.6 h, and the worst hours serve nothing (PCS 0).
    hydro = {"type": "hydro", "capacity_mw": 1000, "energy_mwh": 67200}
    net = network([node("a"), node("b")], [link("ab", "a", "b")], power=one_area([hydro]))
    table = kpis(simulate(build(tmp_path, net, [], [], horizon="7d", record_step=step)))
    assert table[("eoh_h", "areas")] == pytest.approx(33.6)
    assert table[("pcs_min", "areas")] == pytest.approx(0.0)
