"""Cross-border commuting: weekly patterns, border closures with commuter exemptions and the
workforce measure (health and care staff kept from work), each against a hand count.

2024-01-01 is a Monday, so day d of a run from it is weekday d mod 7.
"""

import numpy as np
import pytest

from beredskap_sim import ScenarioError, kpi_table, simulate
from beredskap_sim.experiment.replication import summarise_recording
from builders import build, link, network, node


def kpis(rec):
    return {(k.kpi, k.scope): k.value for k in kpi_table(rec)}


def commute_scenario(tmp_path, commuters, closures=(), horizon="14d", **extra):
    """Home ``a`` – border ``x`` – work ``b`` by road, one hour each way."""
    net = network([node("a", country="SE"), node("x", kind="border"), node("b")],
                  [link("ax", "a", "x", length_km=50), link("xb", "x", "b", length_km=50)])
    return build(tmp_path, net, [], list(closures), horizon=horizon, passengers={"commuters": commuters}, **extra)


def commute(tmp_path, commuters, closures=(), horizon="14d", **extra):
    return simulate(commute_scenario(tmp_path, commuters, closures, horizon, **extra))


WEEKLY = {"id": "w", "from": "a", "to": "b", "pattern": "weekly", "persons": 100,
          "out_at": "06:00", "back_at": "16:00", "critical_share": 0.1}
DAILY = {"id": "d", "from": "a", "to": "b", "per_day": 30, "out_at": "07:00", "back_at": "16:00"}


# ----------------------------------------------------------------------- weekly patterns
def test_weekly_and_daily_commuter_counts_over_two_weeks(tmp_path):
    table = kpis(commute(tmp_path, [WEEKLY, DAILY]))
    # Weekly: out on the two Mondays, home on the two Fridays: 2 weeks × 2 trips × 100.
    assert table[("commuter_trips", "w")] == 400
    # Daily: 10 working days × 2 trips × 30 (the weekends have none).
    assert table[("commuter_trips", "d")] == 600
    assert table[("commuter_trips_lost", "all")] == 0
    assert table[("critical_staff_days_absent", "all")] == 0


def test_a_weekly_commuter_kept_home_tries_again_each_morning(tmp_path):
    # Closed from Monday 00:00 to Tuesday 12:00: the trips out at 06:00 on Monday and Tuesday
    # find no road, Wednesday's gets through. Trips tried: 3 out + 1 home in week one, 2 in
    # week two = 6 × 100, of which 2 × 100 lost.
    closed = [{"id": "c", "target": "ax", "start": "0h", "duration": "36h", "effect": "close"}]
    table = kpis(commute(tmp_path, [WEEKLY], closed))
    assert table[("commuter_trips", "w")] == 600
    assert table[("commuter_trips_lost", "w")] == 200
    # The 10 health and care staff miss Monday and Tuesday: 20 person-days, 10 at most a day.
    assert table[("critical_staff_days_absent", "w")] == pytest.approx(20)
    assert table[("critical_staff_absent_peak", "all")] == pytest.approx(10)


def test_a_weekly_commuter_who_cannot_get_home_stays_at_work(tmp_path):
    # Closed Friday 12:00 to Saturday 12:00 of week one: the trip home is lost, they stay and are
    # at work on Monday without a trip out. Trips: out + home (lost) + week two's home = 300.
    closed = [{"id": "c", "target": "ax", "start": f"{4 * 24 + 12}h", "duration": "24h", "effect": "close"}]
    table = kpis(commute(tmp_path, [WEEKLY], closed))
    assert table[("commuter_trips", "w")] == 300
    assert table[("commuter_trips_lost", "w")] == 100
    assert table[("critical_staff_days_absent", "w")] == 0


def test_a_run_starting_mid_week_finds_weekly_commuters_at_work(tmp_path):
    # From Wednesday 2024-01-03 for 7 days: at work already, home on Friday, out on Monday.
    table = kpis(commute(tmp_path, [WEEKLY], horizon="7d", start="2024-01-03"))
    assert table[("commuter_trips", "w")] == 200
    assert table[("critical_staff_days_absent", "w")] == 0


# --------------------------------------------------------------- exemptions at the border
def closure(exempt):
    return [{"id": "entry-ban", "target": "x", "start": "0h", "duration": "2d", "effect": "close", "exempt": exempt}]


DAILY_STAFF = {"id": "d", "from": "a", "to": "b", "per_day": 200, "out_at": "07:00", "back_at": "16:00",
               "critical_share": 0.15}


@pytest.mark.parametrize("exempt, lost, absent", [
    # Monday and Tuesday closed, 2 trips a day. No exemption: all 200 lose 2 × 2 trips and the
    # 30 health and care staff miss both days.
    ([], 2 * 2 * 200, 2 * 30),
    # Health and care staff exempt (the pattern of 29 Jan 2021): the other 170 lose their trips.
    (["critical-staff"], 2 * 2 * 170, 0),
    # All commuters exempt (the pattern of March 2020): nothing lost.
    (["commuters", "critical-staff"], 0, 0),
])
def test_border_closure_with_and_without_commuter_exemptions(tmp_path, exempt, lost, absent):
    table = kpis(commute(tmp_path, [DAILY_STAFF], closure(exempt), horizon="7d"))
    assert table[("commuter_trips", "d")] == 5 * 2 * 200
    assert table[("commuter_trips_lost", "d")] == pytest.approx(lost)
    assert table[("critical_staff_days_absent", "all")] == pytest.approx(absent)


def test_daily_commuters_exempt_weekly_not(tmp_path):
    # The rule of 1 March 2021: daily commuters may cross, weekly commuters may not. The weekly
    # flow travels under its own name and is kept home Monday and Tuesday (2 × 10 staff-days).
    weekly = dict(WEEKLY, commodity="weekly-commuters")
    table = kpis(commute(tmp_path, [weekly, DAILY_STAFF], closure(["commuters"]), horizon="7d"))
    assert table[("commuter_trips_lost", "w")] == 200
    # The daily flow's own staff are not exempt under this list: 30 absent on both days.
    assert table[("critical_staff_days_absent", "d")] == pytest.approx(60)
    assert table[("critical_staff_days_absent", "w")] == pytest.approx(20)
    assert table[("critical_staff_absent_peak", "all")] == pytest.approx(40)


# ---------------------------------------------------------------------- workforce series
def test_staff_absent_per_day_as_a_step_series(tmp_path):
    # From Monday 12:00 with 6-hour steps: step k starts at hour 12 + 6k of the date, so steps
    # 0–1 are Monday, 2–5 Tuesday, 6–9 Wednesday. Closed to hour 30 (Tuesday 18:00): Tuesday's
    # 07:00 trip is lost (Monday's 07:00 came before the start), Wednesday's gets through.
    closed = [{"id": "c", "target": "ax", "start": "0h", "duration": "30h", "effect": "close"}]
    scenario = commute_scenario(tmp_path, [DAILY_STAFF], closed, horizon="60h", start="2024-01-01T12:00", record_step="6h")
    rec = simulate(scenario)
    assert rec.passengers.day_start_h == -12
    np.testing.assert_allclose(rec.passengers.critical_absent[0], [0, 30, 0])
    result = summarise_recording(rec, None, scenario.network.link_ids)
    series = {(s, n, k): v for s, n, k, v in result.supply}[("workforce", "d", "critical_staff_absent")]
    np.testing.assert_allclose(series, [0, 0, 30, 30, 30, 30, 0, 0, 0, 0])


def test_no_workforce_rows_without_critical_staff(tmp_path):
    table = kpis(commute(tmp_path, [DAILY], horizon="2d"))
    assert not any(kpi.startswith("critical_staff") for kpi, _ in table)


# ----------------------------------------------------------------------- timetables, input
def test_a_service_keeps_its_weekend_timetable(tmp_path):
    net = network([node("a"), node("b")], [link("rail", "a", "b", mode="rail", length_km=100, speed_kmh=100)])
    service = {"id": "s", "from": "a", "to": "b", "departures": ["08:00", "16:00"],
               "departures_on": {"sat": ["10:00"], "sun": []}, "passengers_per_departure": 10, "seats": 100}
    table = kpis(simulate(build(tmp_path, net, [], [], horizon="7d", passengers={"services": [service]})))
    # Monday–Friday 2, Saturday 1, Sunday 0 departures, in each direction.
    assert table[("departures_run", "s")] == 2 * (5 * 2 + 1)


@pytest.mark.parametrize("change, says", [
    ({"per_day": 10}, "needs persons"),
    ({"out_day": "fri", "back_day": "mon"}, "must come after out_day"),
])
def test_weekly_flow_errors_name_the_field(tmp_path, change, says):
    bad = dict(WEEKLY, **change)
    if "per_day" in change:
        bad.pop("persons")
    with pytest.raises(ScenarioError) as info:
        commute(tmp_path, [bad], horizon="2d")
    text = "\n".join(str(p) for p in info.value.problems)
    assert "passengers.commuters[0]" in text and says in text and "Traceback" not in text


# ---------------------------------------------------------------------- bundled scenario
ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
BORDER_2021 = ROOT / "scenarios" / "varmland-commuters-border-2021.yaml"


def test_the_2021_entry_ban_keeps_health_staff_at_work_only_with_its_exemption():
    from beredskap_sim.scenario.loader import load_variant

    base = kpis(simulate(load_variant(BORDER_2021)[0]))
    barred = kpis(simulate(load_variant(BORDER_2021, ROOT / "overlays" / "commuters-no-health-exemption.yaml")[0]))
    # The ban runs Friday 29 Jan – Sunday 28 Feb 2021: 21 working days. With the exemption no
    # health or care worker is kept away. Without it the daily commuters' staff are (Eda 510 ×
    # 20 % + Arvika 510 × 15 % = 178.5 a day); the weekly ones are at work when it starts and stay.
    assert base[("critical_staff_days_absent", "all")] == 0
    assert barred[("critical_staff_days_absent", "all")] == pytest.approx(178.5 * 21)
    assert barred[("critical_staff_absent_peak", "all")] == pytest.approx(178.5)
    # Trips lost by the others, by hand: the daily commuters' 841.5 others lose 2 trips on each of
    # the 21 days; the weekly ones' 2,358 others cannot go home on the 6 Fridays from 29 Jan
    # (weekly commuters stay barred after 1 March).
    assert base[("commuter_trips_lost", "all")] == pytest.approx(841.5 * 2 * 21 + 2358 * 6)


def test_workforce_row_and_panel_of_a_run_without_the_health_exemption(tmp_path):
    import pandas as pd

    from beredskap_sim.experiment.executors import SerialExecutor
    from beredskap_sim.experiment.runner import run_experiment
    from beredskap_sim.report.figures import panel_figures, workforce_per_day
    from beredskap_sim.report.names import Names
    from beredskap_sim.report.terminal import format_supply_table
    from beredskap_sim.scenario.loader import load_variant

    scenario = load_variant(BORDER_2021, ROOT / "overlays" / "commuters-no-health-exemption.yaml")[0]
    folder = run_experiment(scenario, 1, 0, tmp_path, SerialExecutor(), progress=False)
    lines = format_supply_table(folder.summary(), Names(scenario), width=100).splitlines()
    assert any("kept from work, worst day" in line and line.endswith("178.5 persons") for line in lines)
    assert any("staff-days lost" in line and line.endswith("3,748 person·d") for line in lines)
    # The panel's bars: 178.5 on each working day of the ban (Fri 29 Jan – Fri 26 Feb 2021),
    # none on its weekends or outside it.
    daily = workforce_per_day(folder.supply().query("system == 'workforce'"), scenario).sum(axis=1)
    dates = pd.Timestamp("2021-01-25") + pd.to_timedelta(daily.index, unit="h")
    ban = (dates >= "2021-01-29") & (dates < "2021-03-01") & (dates.day_of_week < 5)
    assert (daily[ban] == 178.5).all() and ban.sum() == 21
    assert (daily[~ban] == 0).all()
    assert "workforce" in panel_figures(folder, scenario, tmp_path)


def test_a_bad_weekend_departure_time_names_its_day(tmp_path):
    net = network([node("a"), node("b")], [link("rail", "a", "b", mode="rail")])
    service = {"id": "s", "from": "a", "to": "b", "departures": ["08:00"], "departures_on": {"sat": ["25:00"]},
               "passengers_per_departure": 10, "seats": 100}
    with pytest.raises(ScenarioError) as info:
        build(tmp_path, net, [], [], passengers={"services": [service]})
    text = "\n".join(str(p) for p in info.value.problems)
    assert "passengers.services[0].departures_on.sat[0]" in text and "HH:MM" in text
