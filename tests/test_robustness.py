"""Bad input never crashes and no run is left unfinishable (issue 12).

Each test feeds one of the inputs that used to give a traceback, a hang or silently wrong
numbers, and checks the clear error (file, field, what was expected) or the correct meaning.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from beredskap_sim import ScenarioError, load_scenario
from beredskap_sim.scenario.loader import load_variant
from builders import freight, link, network, node

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "beredskap_sim.cli"]

NET = network([node("a"), node("b"), node("c")], [link("ab", "a", "b"), link("bc", "b", "c")],
              groups={"both": ["ab", "bc"]})
SCENARIO = {"name": "t", "network": "net.yaml", "start": "2024-01-15", "horizon": "2d",
            "freight": [freight("f", "a", "c", 24.0)],
            "disruptions": [{"id": "d", "target": "ab", "start": "5h", "duration": "1d", "effect": "close"}]}


def write(tmp_path: Path, scenario=None, net=None, raw: str | None = None) -> Path:
    (tmp_path / "net.yaml").write_text(yaml.safe_dump(net or NET), encoding="utf-8")
    path = tmp_path / "scen.yaml"
    path.write_text(raw if raw is not None else yaml.safe_dump(scenario or SCENARIO), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def with_(base: dict, **changes) -> dict:
    data = yaml.safe_load(yaml.safe_dump(base))
    for dotted, value in changes.items():
        target = data
        *parts, last = dotted.split("__")
        for part in parts:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return data


# ------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("field,value,expected", [
    ("horizon", float("inf"), "horizon: got inf (expected a finite number)"),
    ("freight__0__tonnes_per_day", float("nan"), "freight[0].tonnes_per_day: got nan (expected a finite number)"),
    ("freight__0__tonnes_per_day", True, "freight[0].tonnes_per_day: got true (expected a number)"),
    ("record_step", 1e-6, "record_step: 1e-06 h gives 48,000,000 recorded steps (expected at most 200,000"),
    ("record_step", "3d", "record_step: got 72 h, longer than the horizon"),
    ("horizon", 1e7, "horizon: got 1e+07 h (expected at most 87600 h (ten years))"),
    ("freight__0__slot", 1e-4, "freight: the flows release about 480,000 consignments"),
    ("start", "9999-12-25", "start: the scenario runs from 9999-12-25 for 48 h (expected a period between 1900 and 2200)"),
])
def test_numbers_out_of_range_name_the_field_and_the_limit(tmp_path, field, value, expected):
    if field == "freight__0__slot":  # 480,000 is below the limit; ten flows of it are not
        data = with_(SCENARIO)
        data["freight"] = [freight(f"f{i}", "a", "c", 24.0, slot=1e-4) for i in range(3)]
        expected = "freight: the flows release about 1,440,000 consignments"
    else:
        data = with_(SCENARIO, **{field: value})
    assert any(expected in p for p in problems(write(tmp_path, data))), problems(write(tmp_path, data))


def test_a_fraction_where_a_whole_number_is_meant_says_whole_number(tmp_path):
    net = yaml.safe_load(yaml.safe_dump(NET))
    net["nodes"][0]["population"] = 2.5
    assert any("nodes[0].population: got 2.5 (expected a whole number)" in p for p in problems(write(tmp_path, net=net)))


# ---------------------------------------------------------------------------- YAML
def test_alias_bomb_is_refused_before_it_expands(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8))
    out = problems(write(tmp_path, raw=bomb))
    assert len(out) == 1 and "expands to more than 200,000 values" in out[0]


def test_duplicate_key_is_an_error_with_both_lines(tmp_path):
    text = yaml.safe_dump(SCENARIO, sort_keys=False).replace("horizon: 2d\n", "horizon: 2d\nhorizon: 3d\n")
    out = problems(write(tmp_path, raw=text))
    assert len(out) == 1 and ": horizon: key given twice (first on line 4)" in out[0] and "[line 5]" in out[0]


def test_device_and_oversized_files_are_refused(tmp_path):
    out = problems(write(tmp_path, with_(SCENARIO, network="/dev/zero")))
    assert out == ["/dev/zero: (top level): not a regular file (expected a YAML file)"]
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * 5_000_001, encoding="utf-8")
    assert "larger than 5,000,000 bytes" in problems(big)[0]


# ---------------------------------------------------------------------- time zones
@pytest.mark.parametrize("written,zone,hours", [
    ("2024-01-15T06:00Z", None, 7.0),            # CET = UTC+1 in January
    ("2024-01-15T06:00+01:00", None, 6.0),
    ("2024-01-15T06:00", None, 6.0),             # no zone: local time of the scenario
    ("2024-01-15T06:00Z", "UTC", 6.0),
    ("2024-01-15T06:00Z", "Europe/Helsinki", 8.0),  # EET = UTC+2
])
def test_times_with_a_zone_are_converted_to_the_scenarios_zone(tmp_path, written, zone, hours):
    data = with_(SCENARIO, disruptions__0__start=written)
    if zone:
        data["timezone"] = zone
    assert load_scenario(write(tmp_path, data)).disruptions[0].start_h == pytest.approx(hours)


def test_summer_time_and_a_zoned_start(tmp_path):
    # 1 July: CEST = UTC+2, so 04:00Z is 06:00 local; the start itself may carry a zone too.
    data = with_(SCENARIO, start="2024-06-30T22:00Z", disruptions__0__start="2024-07-01T04:00Z")
    scenario = load_scenario(write(tmp_path, data))
    assert scenario.start == dt.datetime(2024, 7, 1, 0, 0) and scenario.disruptions[0].start_h == pytest.approx(6.0)


def test_unknown_zone_is_a_clear_error(tmp_path):
    out = problems(write(tmp_path, with_(SCENARIO, timezone="Mars/Olympus")))
    assert any("timezone: unknown time zone 'Mars/Olympus'" in p for p in out)


# ------------------------------------------------------------ ids, groups, customs
def test_groups_that_contain_themselves_or_each_other_or_nothing(tmp_path):
    net = yaml.safe_load(yaml.safe_dump(NET))
    net["groups"].update({"loop": ["loop"], "x": ["y"], "y": ["x"], "none": [], "ab": ["bc"]})
    out = "\n".join(problems(write(tmp_path, net=net)))
    assert "groups.loop: groups contain each other: loop → loop" in out
    assert "groups contain each other: x → y → x" in out
    assert "groups.none: the group is empty" in out
    assert "groups.ab: 'ab' is also the id of a node or link" in out


def test_power_ids_must_not_repeat_or_shadow_other_targets(tmp_path):
    area = {"id": "a", "demand": {"mean_mw": 10}, "generation": []}
    net = yaml.safe_load(yaml.safe_dump(NET))
    net["power"] = {"areas": [area, dict(area, id="NO3"), dict(area, id="NO3")]}
    net["crews"] = [{"id": "c", "size": 1}, {"id": "c", "size": 2}]
    out = "\n".join(problems(write(tmp_path, net=net)))
    assert "power.areas[0].id: id 'a' is already used by nodes[0]" in out
    assert "power.areas[2].id: id 'NO3' is already used by power.areas[1]" in out
    assert "crews[1].id: duplicate id 'c'" in out


def _border_net(**customs):
    net = yaml.safe_load(yaml.safe_dump(NET))
    net["nodes"][1].update(kind="border", customs={"lanes": 1, "tonnes_per_hour_per_lane": 10, **customs})
    return net


@pytest.mark.parametrize("customs,expected", [
    ({"open_days": []}, "the office of 'b' is open 0 h a week"),
    ({"open_hours": "08:00-08:00"}, "the office of 'b' is open 0 h a week"),
    ({"lanes": 1_000_000_000}, "customs.lanes: got 1000000000 (expected at most 1000 lanes)"),
    ({"tonnes_per_hour_per_lane": 1e-9}, "customs.tonnes_per_hour_per_lane: got 1e-09 (expected at least 0.01 t/h)"),
    ({"open_hours": "15:30-08:00", "open_days": ["mon"]}, "overnight window '15:30-08:00' together with open_days"),
])
def test_customs_that_cannot_work_are_refused(tmp_path, customs, expected):
    out = "\n".join(problems(write(tmp_path, net=_border_net(**customs))))
    assert expected in out


def test_an_overnight_window_is_open_from_the_evening_until_the_morning(tmp_path):
    """15:30-08:00 means open 15:30 → 08:00 next morning, 16.5 h a day (hand-computed)."""
    import simpy

    from beredskap_sim.model.sections import CustomsLanes
    from beredskap_sim.scenario.limits import open_hours_per_week

    scenario = load_scenario(write(tmp_path, net=_border_net(open_hours="15:30-08:00")))
    spec = scenario.network_spec.nodes[1].customs
    assert open_hours_per_week(spec.window(), spec.open_days) == pytest.approx(7 * 16.5)
    queue = CustomsLanes(simpy.Environment(), None, 1, 10.0, 0.0, False, None, spec.window())
    assert queue.next_open(3.0) == 3.0      # 03:00: still open from the evening before
    assert queue.next_open(8.5) == 15.5     # 08:30: closed until 15:30
    assert queue.next_open(23.0) == 23.0    # 23:00: open
    assert queue.next_open(24 + 7.9) == pytest.approx(24 + 7.9)


def test_zero_length_hazard_and_infinite_speed_are_refused(tmp_path):
    data = with_(SCENARIO)
    data["hazards"] = [{"id": "h", "rate_per_year": 1, "duration": 0, "footprint": [{"target": "ab"}]}]
    net = yaml.safe_load(yaml.safe_dump(NET))
    net["links"][0]["speed_kmh"] = 1e9
    out = "\n".join(problems(write(tmp_path, data, net)))
    assert "links[0].speed_kmh: got 1e+09 (expected at most 1000 km/h)" in out
    data["hazards"][0]["rate_per_year"] = 1e6
    out = "\n".join(problems(write(tmp_path, data)))
    assert "hazard h.footprint[0].duration: the duration is zero" in out
    assert "hazards: the hazards give about 5,479 events per replication (expected at most 1,000" in out


# ---------------------------------------------------------------------- overlays
def _overlay(tmp_path: Path, *changes) -> Path:
    path = tmp_path / "overlay.yaml"
    path.write_text(yaml.safe_dump({"name": "o", "changes": list(changes)}), encoding="utf-8")
    return path


@pytest.mark.parametrize("change,expected", [
    ({"remove": "scenario.disruptions[-1]"}, "changes[0].remove: selector [-1] is not [field=value] or [index]"),
    ({"remove": "scenario.disruptions[=]"}, "changes[0].remove: selector [=] is not [field=value] or [index]"),
    ({"remove": "scenario.disruptions[ ]"}, "changes[0].remove: selector [ ] is not [field=value] or [index]"),
    ({"set": "scenario", "value": 5}, "changes[0].set: path 'scenario' names a whole file"),
    ({"remove": "network"}, "changes[0].remove: path 'network' names a whole file"),
    ({"set": "scenario.network", "value": "other.yaml"}, "changes[0].set: the network file of a variant is its baseline's"),
])
def test_overlay_paths_and_selectors_are_strict(tmp_path, change, expected):
    scenario = write(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_variant(scenario, _overlay(tmp_path, {"set": "scenario.name", "value": "x"}, change))
    text = "\n".join(str(p) for p in info.value.problems)
    assert str(tmp_path / "overlay.yaml") in text and expected.replace("[0]", "[1]") in text


def test_a_change_that_breaks_the_network_names_the_overlay_the_change_and_the_path(tmp_path):
    scenario = write(tmp_path)
    overlay = _overlay(tmp_path, {"set": "network.links[id=ab].speed_kmh", "value": 90},
                       {"set": "network.links[id=bc].speed_kmh", "value": "fast"},
                       {"remove": "network.nodes[id=c]"})
    with pytest.raises(ScenarioError) as info:
        load_variant(scenario, overlay)
    first = str(info.value.problems[0])
    assert first.startswith(f"{overlay}: changes[1] (set network.links[id=bc].speed_kmh): then the network's links[1].speed_kmh: got 'fast'")


def test_extra_changes_are_checked_like_an_overlay(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_variant(write(tmp_path), changes=[{"set": "scenario.horizon"}])
    assert "changes: changes[0]: set and add need a value" in str(info.value.problems[0])


# ---------------------------------------------------------------- command line
def _cli(*args, cwd=ROOT, **kwargs):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=120, **kwargs)


@pytest.mark.parametrize("args,expected", [
    (["run", "x.yaml", "--seed", "-1"], "argument --seed: got -1, expected a whole number from 0"),
    (["run", "x.yaml", "-n", "0"], "argument -n/--replications: got 0, expected a whole number from 1"),
    (["run", "x.yaml", "--workers", "many"], "argument --workers: got 'many', expected a whole number"),
    (["run", "x.yaml", "--until-precision", "nan"], "argument --until-precision: got nan, expected a finite number above zero"),
    (["workshop", "x.yaml", "--port", "70000"], "argument --port: got 70000, expected a whole number from 0 to 65535"),
    (["run", "--resume", "no/such.partial"], "--resume: no/such.partial does not exist"),
])
def test_bad_options_give_a_message_naming_the_option_and_exit_2(args, expected):
    out = _cli(*args)
    assert out.returncode == 2 and expected in out.stderr and "Traceback" not in out.stderr


def test_a_closed_pipe_is_quiet():
    shell = f"{' '.join(CLI)} validate scenarios/storm-gyda-2022.yaml | head -1"
    out = subprocess.run(shell, shell=True, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout == "ok\n" and "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr


def test_unreachable_dask_scheduler_is_named_within_5_s(tmp_path):
    import socket
    import time

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.perf_counter()
    out = _cli("run", str(write(tmp_path)), "--executor", "dask", "--scheduler", f"tcp://127.0.0.1:{port}",
               "--out", str(tmp_path / "out"), "-q")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"no Dask scheduler answers at tcp://127.0.0.1:{port} within 5 s" in out.stderr
    assert "was removed" in out.stderr and not list((tmp_path / "out").glob("*/*.partial"))
    assert time.perf_counter() - started < 30  # 5 s of waiting plus start-up


# ------------------------------------------------------------------ run folders
class _FailsAt:
    """Runs replications serially and raises at replication ``bad`` (a model error)."""

    name = "serial"

    def __init__(self, bad: int):
        self.bad = bad

    def run(self, scenario, seed, replications):
        from beredskap_sim.experiment.replication import run_replication

        for rep in replications:
            if rep == self.bad:
                raise ZeroDivisionError("float division by zero")
            yield run_replication(scenario, seed, rep)


def test_a_failing_run_names_the_scenario_and_leaves_a_folder_resume_can_finish(tmp_path):
    from beredskap_sim.experiment.executors import SerialExecutor
    from beredskap_sim.experiment.runner import RunFailed, resume_experiment, run_experiment

    scenario = load_scenario(write(tmp_path))
    with pytest.raises(RunFailed) as info:
        run_experiment(scenario, 4, 1, tmp_path / "out", _FailsAt(2), progress=False)
    message = str(info.value)
    assert "run of 't' failed after 2 of 4 replications: ZeroDivisionError: float division by zero" in message
    assert "resume with `beredskap-sim run --resume" in message
    folder = resume_experiment(info.value.folder.path, SerialExecutor(), progress=False)
    reference = run_experiment(scenario, 4, 1, tmp_path / "ref", SerialExecutor(), progress=False)
    assert folder.kpis().equals(reference.kpis())


def test_a_run_that_fails_before_any_replication_removes_its_folder_and_says_so(tmp_path):
    from beredskap_sim.experiment.runner import RunFailed, run_experiment

    with pytest.raises(RunFailed) as info:
        run_experiment(load_scenario(write(tmp_path)), 2, 0, tmp_path / "out", _FailsAt(0), progress=False)
    assert "nothing was stored and" in str(info.value) and not info.value.folder.path.exists()


def test_two_resumes_of_one_folder_cannot_interleave(tmp_path):
    from beredskap_sim.experiment.runner import RunFailed, RunFolderError, resume_experiment, run_experiment
    from beredskap_sim.results import RunFolder

    with pytest.raises(RunFailed) as info:
        run_experiment(load_scenario(write(tmp_path)), 3, 0, tmp_path / "out", _FailsAt(1), progress=False)
    partial = info.value.folder.path
    with RunFolder(partial).lock():  # another process resuming it
        with pytest.raises(RunFolderError, match="another process is running or resuming"):
            resume_experiment(partial, progress=False)
    resume_experiment(partial, progress=False)
    with pytest.raises(RunFolderError, match="does not exist"):
        resume_experiment(partial, progress=False)


def test_a_foreign_folder_is_not_resumed(tmp_path):
    from beredskap_sim.experiment.runner import RunFolderError, resume_experiment

    foreign = tmp_path / "photos.partial"
    foreign.mkdir()
    (foreign / "manifest.json").write_text('{"camera": "x"}')
    with pytest.raises(RunFolderError, match="lacks scenario_sha256, seed, replications; not a run folder"):
        resume_experiment(foreign, progress=False)


def _create(args):
    from beredskap_sim.results import RunFolder

    out, i = args
    return RunFolder.create(Path(out), "same name", "0" * 64, {"network": "x"}, {}, {"i": i}).path.name


def test_many_processes_create_result_folders_at_once(tmp_path):
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        names = pool.map(_create, [(str(tmp_path), i) for i in range(24)])
    assert len(set(names)) == 24


def test_results_are_readable_by_others_under_the_umask(tmp_path):
    from beredskap_sim.experiment.executors import SerialExecutor
    from beredskap_sim.experiment.runner import run_experiment

    old = os.umask(0o022)
    try:
        folder = run_experiment(load_scenario(write(tmp_path)), 1, 0, tmp_path / "out", SerialExecutor(), progress=False)
    finally:
        os.umask(old)
    for path in [folder.manifest_path, folder.path / "summary.csv", folder.path / "input" / "scenario.yaml"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_a_kill_during_the_final_clean_up_leaves_a_resumable_or_complete_folder(tmp_path, monkeypatch):
    """The per-replication files go only after the rename: if the rename never happens the
    .partial still has them all and resumes."""
    from beredskap_sim.experiment.executors import SerialExecutor
    from beredskap_sim.experiment.runner import resume_experiment, run_experiment
    import beredskap_sim.results as results

    class Killed(BaseException):
        pass

    replace = os.replace

    def killed_at_rename(src, dst):
        if Path(src).is_dir():
            raise Killed
        replace(src, dst)

    scenario = load_scenario(write(tmp_path))
    monkeypatch.setattr(results.os, "replace", killed_at_rename)
    with pytest.raises(Killed):
        run_experiment(scenario, 2, 0, tmp_path / "out", SerialExecutor(), progress=False)
    monkeypatch.undo()
    (partial,) = (tmp_path / "out").glob("*/*.partial")
    assert len(list((partial / "replications").glob("rep-*.kpis.parquet"))) == 2
    folder = resume_experiment(partial, SerialExecutor(), progress=False)
    assert not folder.is_partial and not (folder.path / "replications").exists()


def test_a_very_long_scenario_name_gives_a_short_folder_name(tmp_path):
    from beredskap_sim.results import RunFolder

    folder = RunFolder.create(tmp_path, "Å" + "x" * 999, "0" * 64, {"network": "x"}, {}, {})
    assert len(folder.path.parent.name) <= 80 and folder.path.is_dir()


def test_a_report_escapes_what_it_reads_from_a_tampered_folder(tmp_path):
    import json

    from beredskap_sim.experiment.executors import SerialExecutor
    from beredskap_sim.experiment.runner import run_experiment
    from beredskap_sim.report.html import write_report

    folder = run_experiment(load_scenario(write(tmp_path)), 1, 0, tmp_path / "out", SerialExecutor(), progress=False)
    manifest = folder.read_manifest()
    manifest.update(seed="<script>alert(1)</script>", replications="<img src=x onerror=alert(2)>",
                    scenario_sha256="<b>tampered</b>")
    folder.write_manifest(manifest)
    page = write_report(folder, animate=False).read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>tamp" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert json.loads(folder.manifest_path.read_text())["seed"].startswith("<script>")
