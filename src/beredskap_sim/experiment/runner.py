"""N replications of a scenario, written to a results folder as they finish.

``run_experiment`` starts a new run; ``resume_experiment`` finishes a ``.partial`` folder
left by an interrupted one. Both produce the same files, number for number, as an
uninterrupted run with the same seed, whichever executor ran the replications.
"""

from __future__ import annotations

import datetime as dt
import platform
import time
from pathlib import Path

from tqdm import tqdm

from .. import __version__
from ..results import RunFolder
from ..scenario.loader import load_scenario
from ..scenario.resolved import Scenario
from .executors import Executor, SerialExecutor
from .summary import summarise

HEADLINE = ("tonnes_lost", "all")
"""The KPI shown as a running mean in the progress bar."""


class RunInterrupted(Exception):
    """Raised when a run is interrupted; ``folder`` is the resumable ``.partial`` folder."""

    def __init__(self, folder: RunFolder, done: int, total: int):
        self.folder, self.done, self.total = folder, done, total
        super().__init__(f"interrupted after {done} of {total} replications; resume with "
                         f"`beredskap-sim run --resume {folder.path}`")


def _headline(result) -> float:
    for row in result.kpis:
        if (row.kpi, row.scope) == HEADLINE:
            return row.value
    return float("nan")


def _execute(folder: RunFolder, scenario: Scenario, seed: int, todo: list[int], executor: Executor,
             progress: bool, total: int) -> float:
    started = time.perf_counter()
    done_before = total - len(todo)
    bar = tqdm(total=total, initial=done_before, desc=scenario.name[:40], unit="rep",
               disable=not progress or len(todo) == 0, leave=False, dynamic_ncols=True)
    running_sum, running_n = 0.0, 0
    try:
        for result in executor.run(scenario, seed, todo):
            folder.write_replication(result)
            value = _headline(result)
            if value == value:
                running_sum += value
                running_n += 1
            bar.set_postfix_str(f"mean {HEADLINE[0]} {running_sum / max(running_n, 1):,.1f}")
            bar.update(1)
    finally:
        bar.close()
    return time.perf_counter() - started


def run_experiment(scenario: Scenario, replications: int = 1, seed: int = 0, out: str | Path = "results",
                   executor: Executor | None = None, progress: bool = True) -> RunFolder:
    """Run ``replications`` replications of ``scenario`` and return the complete results folder."""
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
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
    folder = RunFolder.create(Path(out), scenario.name, scenario.digest(), scenario.raw, scenario.network_raw, manifest)
    try:
        wall = _execute(folder, scenario, seed, list(range(replications)), executor, progress, replications)
    except KeyboardInterrupt:
        raise RunInterrupted(folder, len(folder.done_replications()), replications) from None
    return folder.complete(list(range(replications)), summarise, {"executor": executor.name, "wall_s": wall})


def resume_experiment(path: str | Path, executor: Executor | None = None, progress: bool = True) -> RunFolder:
    """Finish an interrupted run folder (``*.partial``): run the missing replications, then complete it."""
    folder = RunFolder(Path(path))
    if not folder.is_partial:
        raise ValueError(f"{path} is not an unfinished run folder (expected a name ending in .partial)")
    manifest = folder.read_manifest()
    scenario = load_scenario(folder.scenario_file)
    if scenario.digest() != manifest["scenario_sha256"]:
        raise ValueError(f"{folder.scenario_file} does not match the run's scenario hash; the folder was altered")
    executor = executor or SerialExecutor()
    total = int(manifest["replications"])
    todo = sorted(set(range(total)) - folder.done_replications())
    try:
        wall = _execute(folder, scenario, int(manifest["seed"]), todo, executor, progress, total)
    except KeyboardInterrupt:
        raise RunInterrupted(folder, len(folder.done_replications()), total) from None
    return folder.complete(list(range(total)), summarise,
                           {"executor": executor.name, "wall_s": manifest.get("wall_s", 0.0) + wall, "resumed": True})
