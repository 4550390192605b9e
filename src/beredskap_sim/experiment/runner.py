"""N replications of a scenario, written to a results folder as they finish.

``run_experiment`` starts a new run; ``resume_experiment`` finishes a ``.partial`` folder
left by an interrupted one. Both produce the same files, number for number, as an
uninterrupted run with the same seed, whichever executor ran the replications.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import platform
import shutil
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .. import __version__
from ..results import FolderBusy, FolderGone, RunFolder
from ..model.strata import StratumPlan, kish_ess, make_plan, plan_from_json, plan_to_json
from ..scenario.loader import load_scenario
from ..scenario.resolved import Scenario
from .executors import Executor, ExecutorUnavailable, SerialExecutor
from .replication import stratum_weight
from .summary import confidence_halfwidth, summarise

HEADLINE = ("tonnes_lost", "all")
"""The KPI shown as a running mean in the progress bar."""


class RunFailed(Exception):
    """A replication raised an error. The message names the scenario and what failed; the
    ``.partial`` folder is kept for ``--resume`` when replications were stored, else removed."""

    def __init__(self, scenario: str, folder: RunFolder, done: int, total: int, cause: BaseException):
        self.folder, self.done, self.total = folder, done, total
        self.unavailable = isinstance(cause, ExecutorUnavailable)
        what = str(cause) or type(cause).__name__
        if isinstance(cause, ExecutorUnavailable):
            message = f"run of {scenario!r} could not start: {what}"
        else:
            message = f"run of {scenario!r} failed after {done} of {total} replications: {type(cause).__name__}: {what}"
        if done and folder.path.exists():
            message += f"; the finished replications are kept, resume with `beredskap-sim run --resume {folder.path}`"
        elif not folder.path.exists():
            message += f"; nothing was stored and {folder.path} was removed"
        super().__init__(message)


class RunFolderError(ValueError):
    """``--resume`` was given something that is not an unfinished run folder of this program."""


class RunInterrupted(Exception):
    """Raised when a run is interrupted; ``folder`` is the resumable ``.partial`` folder."""

    def __init__(self, folder: RunFolder, done: int, total: int):
        self.folder, self.done, self.total = folder, done, total
        super().__init__(f"interrupted after {done} of {total} replications; resume with "
                         f"`beredskap-sim run --resume {folder.path}`")


def _kpi_value(kpis, key: tuple[str, str]) -> float:
    for row in kpis:
        if (row.kpi, row.scope) == key:
            return row.value
    return float("nan")


class PrecisionTarget:
    """Stop once the 95 % CI half-width of KPI ``key`` is below ``halfwidth``.

    To stay deterministic whatever order replications finish in, the rule is judged on the
    contiguous prefix 0..k−1 only: the run keeps the smallest k ≥ ``min_replications`` that
    meets it, and discards any later replication that happened to finish already.
    """

    def __init__(self, key: tuple[str, str], halfwidth: float, min_replications: int = 5):
        self.key = key
        self.halfwidth = halfwidth
        self.min_replications = min_replications
        self.values: dict[int, float] = {}
        self.reached: int | None = None
        self._checked = 0

    def add(self, replication: int, value: float) -> None:
        self.values[replication] = value
        while self.reached is None and self._checked in self.values:
            self._checked += 1
            k = self._checked
            if k >= self.min_replications:
                sample = np.array([self.values[i] for i in range(k)])
                if confidence_halfwidth(sample) < self.halfwidth:
                    self.reached = k


def _execute(folder: RunFolder, scenario: Scenario, seed: int, todo: list[int], executor: Executor,
             progress: bool, total: int, target: PrecisionTarget | None = None) -> float:
    started = time.perf_counter()
    done_before = total - len(todo)
    bar = tqdm(total=total, initial=done_before, desc=scenario.name[:40], unit="rep",
               disable=not progress or len(todo) == 0, leave=False, dynamic_ncols=True)
    headline = target.key if target else HEADLINE
    running_sum, running_n = 0.0, 0
    results = executor.run(scenario, seed, todo)
    try:
        for result in results:
            folder.write_replication(result)
            value = _kpi_value(result.kpis, headline)
            if value == value:
                running_sum += value
                running_n += 1
            bar.set_postfix_str(f"mean {headline[0]} {running_sum / max(running_n, 1):,.2f}")
            bar.update(1)
            if target is not None:
                target.add(result.replication, value)
                if target.reached is not None:
                    break
    finally:
        results.close()
        bar.close()
    return time.perf_counter() - started


def run_experiment(scenario: Scenario, replications: int = 1, seed: int = 0, out: str | Path = "results",
                   executor: Executor | None = None, progress: bool = True,
                   target: PrecisionTarget | None = None, stratify: bool | StratumPlan = False) -> RunFolder:
    """Run ``replications`` replications of ``scenario`` and return the complete results folder.

    With a ``target``, ``replications`` is the maximum: the run stops at the first prefix of
    replications whose confidence interval is narrow enough (see ``PrecisionTarget``).
    ``stratify``: True stratifies the scenario's rare hazards (``model.strata``; nothing
    changes when it has none), a ``StratumPlan`` uses that plan (a comparison passes its
    baseline's to every variant); each replication then carries its weight.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    plan = stratification_plan(scenario, replications, seed) if stratify is True else (stratify or None)
    if plan is not None and target is not None:
        raise ValueError("--until-precision judges unweighted replications; run it with --no-stratify")
    if plan is not None:
        scenario = dataclasses.replace(scenario, stratification=plan)
    executor = executor or SerialExecutor()
    manifest = {
        "scenario": scenario.name,
        "scenario_file": scenario.source_file,
        "network_file": scenario.network_file,
        "scenario_sha256": scenario.digest(),
        "seed": seed,
        "replications": replications,
        "package_version": __version__,
        "python": platform.python_version(),
        "started_at": dt.datetime.now().isoformat(timespec="seconds"),
    }
    if plan is not None:
        weights = [stratum_weight(scenario, seed, r) for r in range(replications)]
        manifest["stratification"] = {**plan.describe(), "effective_sample_size": kish_ess(weights),
                                      "plan": plan_to_json(plan)}
    if target is not None:
        manifest["until_precision"] = {"kpi": target.key[0], "scope": target.key[1], "halfwidth": target.halfwidth,
                                       "max_replications": replications}
    folder = RunFolder.create(Path(out), scenario.name, scenario.digest(), scenario.raw, scenario.network_raw, manifest,
                              _preset_text(scenario))
    with folder.lock():
        wall = _guarded(folder, scenario, seed, list(range(replications)), executor, progress, replications, target)
        return _finish(folder, replications, target, {"executor": executor.name, "wall_s": wall})


def _guarded(folder: RunFolder, scenario: Scenario, seed: int, todo: list[int], executor: Executor, progress: bool,
             total: int, target: PrecisionTarget | None, fresh: bool = True) -> float:
    """``_execute`` turning an interrupt into ``RunInterrupted`` and any other error into
    ``RunFailed``. A new folder without a stored replication is removed on failure."""
    try:
        return _execute(folder, scenario, seed, todo, executor, progress, total, target)
    except KeyboardInterrupt:
        raise RunInterrupted(folder, len(folder.done_replications()), total) from None
    except Exception as exc:  # noqa: BLE001 — reported in words, the folder stays resumable
        done = len(folder.done_replications())
        if fresh and done == 0:
            shutil.rmtree(folder.path, ignore_errors=True)
        raise RunFailed(scenario.name, folder, done, total, exc) from exc


def _finish(folder: RunFolder, replications: int, target: PrecisionTarget | None, update: dict) -> RunFolder:
    kept = replications
    if target is not None:
        kept = target.reached or replications
        update["replications"] = kept
        update["precision_reached"] = target.reached is not None
        folder.discard_replications(range(kept, replications))
    return folder.complete(list(range(kept)), summarise, update)


def resume_experiment(path: str | Path, executor: Executor | None = None, progress: bool = True) -> RunFolder:
    """Finish an interrupted run folder (``*.partial``): run the missing replications, then complete it."""
    folder = RunFolder(Path(path))
    if not folder.path.is_dir():
        raise RunFolderError(f"--resume: {path} does not exist (expected a results folder whose name ends in .partial)")
    if not folder.is_partial:
        raise RunFolderError(f"--resume: {path} is not an unfinished run folder (expected a name ending in .partial)")
    try:
        with folder.lock():
            return _resume_locked(folder, executor, progress)
    except (FolderBusy, FolderGone) as exc:
        raise RunFolderError(f"--resume: {exc}") from None


_MANIFEST_KEYS = {"scenario_sha256": str, "seed": int, "replications": int}


def _resume_locked(folder: RunFolder, executor: Executor | None, progress: bool) -> RunFolder:
    try:
        manifest = folder.read_manifest()
    except (OSError, ValueError) as exc:
        raise RunFolderError(f"--resume: {folder.manifest_path} cannot be read ({exc}); not a run folder of beredskap-sim") from None
    wrong = [key for key, kind in _MANIFEST_KEYS.items() if not isinstance(manifest, dict) or not isinstance(manifest.get(key), kind)]
    if wrong:
        raise RunFolderError(f"--resume: {folder.manifest_path} lacks {', '.join(wrong)}; not a run folder of beredskap-sim")
    scenario = load_scenario(folder.scenario_file)
    if scenario.digest() != manifest["scenario_sha256"]:
        raise RunFolderError(f"--resume: {folder.scenario_file} does not match the run's scenario hash; the folder was altered")
    if "stratification" in manifest:
        scenario = dataclasses.replace(scenario, stratification=plan_from_json(manifest["stratification"]["plan"]))
    executor = executor or SerialExecutor()
    total = int(manifest["replications"])
    target = None
    if "until_precision" in manifest:
        spec = manifest["until_precision"]
        target = PrecisionTarget((spec["kpi"], spec["scope"]), spec["halfwidth"])
        for rep, kpis in folder.replication_kpis().items():
            target.add(rep, _kpi_value(kpis, target.key))
    todo = sorted(set(range(total)) - folder.done_replications())
    if target is not None and target.reached is not None:
        todo = []
    wall = _guarded(folder, scenario, int(manifest["seed"]), todo, executor, progress, total, target, fresh=False)
    return _finish(folder, total, target, {"executor": executor.name, "wall_s": manifest.get("wall_s", 0.0) + wall, "resumed": True})


def _preset_text(scenario: Scenario) -> str | None:
    """The text of the appraisal preset file the scenario names (resolved from the scenario's
    folder), to be copied into the run's ``input/``; None without one."""
    section = scenario.raw.get("appraisal") if isinstance(scenario.raw, dict) else None
    preset = section.get("preset") if isinstance(section, dict) else None
    if not preset:
        return None
    path = Path(preset)
    if not path.is_absolute():
        path = Path(scenario.source_file).parent / path
    return path.read_text(encoding="utf-8") if path.is_file() else None


def stratification_plan(scenario: Scenario, replications: int, seed: int) -> StratumPlan | None:
    """The stratification plan of ``scenario``'s rare hazards for a run (None: none are rare)."""
    try:
        return make_plan(scenario.hazards, scenario.start, scenario.horizon_h, replications, seed)
    except ValueError as exc:
        raise ValueError(f"--stratify: {exc} (or run with --no-stratify)") from None
