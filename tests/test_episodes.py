"""The exact performance curve and disruption episodes, against hand arithmetic and a replay."""

import numpy as np
import pytest
import yaml

from beredskap_sim import kpi_table, load_scenario, simulate
from beredskap_sim.metrics.curve import ON_TIME_H, WINDOW_H, Curve, consumer_mean, freight_curve, window_curve
from beredskap_sim.metrics.resilience import episode_stats, episodes, hours_below, resilience_loss, robustness
from builders import build, freight, link, network, node
from conftest import ROOT


def test_window_curve_by_hand():
    # W = 24 h, τ = 1 h. A: 10 t due 0, on time. B: 30 t due 6, arrives 10 (4 h late: counts
    # from 10 − τ = 9). C: 20 t due 40, lost. Horizon 48 h.
    #   [0, 6)   due in window 10 t, all arrived          Q = 1
    #   [6, 9)   40 t due, B (30 t) missing               Q = 10/40 = 0.25
    #   [9, 40)  nothing missing (A leaves at 24, B at 30) Q = 1
    #   [40, 48) C alone in the window, missing           Q = 0
    # Q is back for 31 h ≥ W between the dips: two episodes, the second censored at the horizon.
    curve = window_curve(due_h=[0, 6, 40], due_t=[10, 30, 20], arrival_h=[0, 10], arrival_due_h=[0, 6],
                         arrival_t=[10, 30], horizon_h=48)
    assert WINDOW_H == 24 and ON_TIME_H == 1
    assert curve.at(np.array([1, 7, 8.99, 9, 29.9, 35, 40, 47.9])).tolist() == pytest.approx([1, .25, .25, 1, 1, 1, 0, 0])
    assert resilience_loss(curve) == pytest.approx(3 * 0.75 + 8 * 1.0)
    assert robustness(curve) == 0
    found = episodes(curve)
    assert [(e.start_h, e.end_h, e.censored) for e in found] == [(6, 9, False), (40, 48, True)]
    assert [e.loss_h for e in found] == pytest.approx([2.25, 8])
    assert hours_below(curve) == pytest.approx(3 + 8)
    stats = episode_stats(found)
    assert stats["episodes"] == 2 and stats["time_to_recover_h"] == 8 and stats["episode_ttr_mean_h"] == 5.5
    assert stats["episodes_censored"] == 1


def test_a_consignment_later_than_a_day_stays_missing_until_it_arrives():
    # 10 t due at 0 h every 12 h; the one due at 12 h arrives at 62 h (50 h late, counted from
    # 61 h). It stays in the window, missing, past 12 + W = 36 h until 61 h:
    #   [12, 24) 20 t in the window, 10 missing      Q = 0.5
    #   [24, 36) due 12, 24 (+ 0 left at 24): 10 of 20 missing   Q = 0.5
    #   [36, 61) due 24..48 in window (2 × 10 t) + the late one: 10 of 30 missing   Q = 2/3
    due = np.arange(0, 96, 12.0)
    arrival = np.where(due == 12, 62.0, due)
    curve = window_curve(due, np.full(due.size, 10.0), arrival, due, np.full(due.size, 10.0), horizon_h=96)
    assert curve.at(np.array([6, 13, 30, 40, 60.9, 61])).tolist() == pytest.approx([1, .5, .5, 2 / 3, 2 / 3, 1])
    assert resilience_loss(curve) == pytest.approx(24 * 0.5 + 25 / 3)
    assert [(e.start_h, e.end_h) for e in episodes(curve)] == [(12, 61)]


def test_lost_tonnes_miss_for_a_day_and_tonnes_in_transit_until_the_horizon():
    # 10 t due at 10 h: lost, it is missing for W = 24 h; still on its way at the horizon (60 h),
    # it is missing to the end and the episode is censored.
    lost = window_curve([10], [10], [], [], [], horizon_h=60, lost_due_h=[10], lost_t=[10])
    transit = window_curve([10], [10], [], [], [], horizon_h=60, lost_due_h=[], lost_t=[])
    assert resilience_loss(lost) == pytest.approx(24)
    assert resilience_loss(transit) == pytest.approx(50)
    assert [(e.end_h, e.censored) for e in episodes(transit)] == [(60, True)]


def test_a_late_train_is_its_share_of_the_day_not_total_failure():
    # Four trains a day of 100 t (one every 6 h); the one due at 30 h arrives 3 h late.
    due = np.arange(0, 72, 6.0)
    arrival = np.where(due == 30, 33.0, due)
    curve = window_curve(due, np.full(due.size, 100.0), arrival, due, np.full(due.size, 100.0), horizon_h=72)
    assert robustness(curve) == pytest.approx(0.75)                 # a quarter of the day's tonnes late
    assert resilience_loss(curve) == pytest.approx(0.25 * (3 - ON_TIME_H))


def test_dips_closer_than_a_day_are_one_episode():
    # Q < 0.95 on [10, 12), [20, 22) and [60, 61): the first two are 8 h apart (< W), one episode;
    # the third follows a whole day back at Q = 1, a second episode.
    edges = np.array([0, 10, 12, 20, 22, 60, 61, 100.0])
    curve = Curve(edges, np.array([1, 0.5, 1, 0.0, 1, 0.9, 1]))
    found = episodes(curve)
    assert [(e.start_h, e.end_h) for e in found] == [(10, 22), (60, 61)]
    assert [e.loss_h for e in found] == pytest.approx([2 * 0.5 + 2 * 1.0, 0.1])
    assert [e.min_q for e in found] == pytest.approx([0.0, 0.9])


def test_consumer_mean_counts_only_consumers_that_expect_something():
    city = Curve(np.array([0, 10, 20.0]), np.array([1.0, 1.0]), np.array([90.0, 90.0]))
    village = Curve(np.array([0, 5, 20.0]), np.array([1.0, 0.0]), np.array([0.0, 10.0]))
    ecs = consumer_mean([city, village])
    assert ecs.at(np.array([2, 7, 15])).tolist() == pytest.approx([1.0, 0.5, 0.5])


@pytest.mark.parametrize("closure_h,capacity", [(48, 15.0), (24, 20.0), (72, 12.0)])
def test_closure_episode_lasts_the_closure_plus_the_backlog_clearance(tmp_path, closure_h, capacity):
    # One road a→b of 1 h (T), capacity c t/h; demand d = 240 t/day = 10 t/h in 10 t trucks,
    # one an hour; the road closed for D hours from t0 = 24 h. The backlog d·D clears at c − d
    # after the reopening: the queue is empty at t_clear = t0 + D + D·d/(c − d) = t0 + D·c/(c − d).
    # Q (share of the last day's due tonnes that have arrived, each from arrival − τ = entry) is
    # below 0.95 once two trucks are missing: from t0 + T + 1 h. It is back when at most
    # 0.05·W·d = 12 t are missing; what is missing, d·(t − T) released minus what has entered,
    # falls at c − d and reaches 0 at t_clear − d·T/(c − d), so the episode ends at
    # t_clear − (d·T + 0.05·W·d)/(c − d), within one truck's entry spacing q/c.
    d, q, t0, T = 10.0, 10.0, 24.0, 1.0
    net = network([node("a"), node("b")], [link("ab", "a", "b", length_km=100, speed_kmh=100, tph=capacity)])
    closure = {"id": "c", "target": "ab", "start": f"{t0:g}h", "duration": f"{closure_h}h", "effect": "close"}
    scenario = build(tmp_path, net, [freight("f", "a", "b", 24 * d, deadline="30d")], [closure], horizon="20d")
    rec = simulate(scenario)
    found = episodes(freight_curve(rec))
    assert len(found) == 1
    t_clear = t0 + closure_h * capacity / (capacity - d)
    assert found[0].start_h == pytest.approx(t0 + T + 1.0)
    assert found[0].end_h == pytest.approx(t_clear - (d * T + 0.05 * WINDOW_H * d) / (capacity - d), abs=q / capacity)
    # the KPI rows say the same: one episode, its TTR
    rows = {(k.kpi, k.scope): k.value for k in kpi_table(rec)}
    assert rows[("episodes", "food→b")] == 1
    assert rows[("time_to_recover_h", "all")] == pytest.approx(found[0].ttr_h)


def _at_step(path, step: str, tmp_path):
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["record_step"] = step
    raw["network"] = str((path.parent / raw["network"]).resolve())
    copy = tmp_path / f"{path.stem}-{step}.yaml"
    copy.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_scenario(copy)


INTEGRALS = ("resilience_loss_h", "hours_below_95", "time_to_recover_h", "episode_loss_max_h", "eoh_h")


def test_record_step_does_not_change_the_measures_of_the_gyda_replay(tmp_path):
    # Issue 10: the per-step Q gave resilience loss 22.8 h at 1 h and 3.4 h at 1 min. Now the
    # curve comes from event times; 1 min, 1 h and one step as long as the horizon agree (2 %).
    path = ROOT / "scenarios" / "storm-gyda-2022.yaml"
    tables = [{(k.kpi, k.scope): k.value for k in kpi_table(simulate(_at_step(path, step, tmp_path), 3, 0))}
              for step in ("1min", "1h", "4w")]
    keys = [key for key in tables[0] if key[0] in INTEGRALS]
    assert any(tables[0][key] > 10 for key in keys)  # the storm shows
    for key in keys:
        for other in tables[1:]:
            assert other[key] == pytest.approx(tables[0][key], rel=0.02, abs=1e-6), key


def test_gyda_replay_has_one_episode_per_cut_flow():
    # Meråkerbanen closed 21 d from 12 Jan 12:00 (60 h after the start; reopens at 564 h):
    # timber, rail only, runs late the whole time — one episode from its first late train (due
    # within a day of the closure) to within a day of the reopening, not one per late train.
    # E14 closed 36 h from 78 h cuts Meråker's food: one episode per food group, starting within
    # the hour the road closes and ending within a day (W) of its reopening at 114 h (or τ before,
    # for the first truck through, which counts from its arrival − τ).
    rec = simulate(load_scenario(ROOT / "scenarios" / "storm-gyda-2022.yaml"), 3, 0)
    rows = {(k.kpi, k.scope): k.value for k in kpi_table(rec)}

    def only_episode(commodity, dest):
        assert rows[("episodes", f"{commodity}→{dest}")] == 1
        found = episodes(freight_curve(rec, rec.commodities.index(commodity), rec.node_ids.index(dest)))
        assert rows[("time_to_recover_h", f"{commodity}→{dest}")] == pytest.approx(found[0].ttr_h)
        return found[0]

    timber = only_episode("timber", "muruvik")
    assert 60 <= timber.start_h <= 60 + 24 and 564 <= timber.end_h <= 564 + 24
    for group in ("chilled", "dry"):
        food = only_episode(group, "meraker")
        assert 78 <= food.start_h <= 79 and 114 - ON_TIME_H <= food.end_h <= 114 + 24


def test_stored_q_series_is_the_exact_curve_averaged_per_step(tmp_path):
    # The per-step Q kept on disk is the mean of the exact curve over each step, so its sum of
    # (1 − Q)·step is the resilience loss of the KPI table, whatever the step.
    from beredskap_sim.experiment.replication import summarise_recording

    net = network([node("a"), node("b")], [link("ab", "a", "b", length_km=100, speed_kmh=100, tph=15.0)])
    closure = {"id": "c", "target": "ab", "start": "5h", "duration": "13h", "effect": "close"}
    for step in ("1h", "7h"):
        scenario = build(tmp_path, net, [freight("f", "a", "b", 240, deadline="30d")], [closure], horizon="4d",
                         record_step=step)
        result = summarise_recording(simulate(scenario), link_ids=scenario.network.link_ids)
        loss = next(k.value for k in result.kpis if k.kpi == "resilience_loss_h" and k.scope == "food")
        assert loss > 5
        widths = np.diff(np.minimum(np.arange(result.series["performance_q"].shape[1] + 1) * result.step_h, 96.0))
        assert np.sum((1 - result.series["performance_q"][0]) * widths) == pytest.approx(loss)
