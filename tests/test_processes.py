"""Processes: killing the parent of a local run leaves no worker, forkserver or resource
tracker behind (issue 12)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

RUN = """
import sys
from beredskap_sim import load_scenario
from beredskap_sim.experiment.executors import LocalExecutor
from beredskap_sim.experiment.runner import run_experiment
run_experiment(load_scenario(sys.argv[1]), 400, 0, sys.argv[2], LocalExecutor(2), progress=False)
"""


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> set[int]:
    tree, out, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc (Linux)")
def test_killing_the_parent_of_a_local_run_leaves_no_worker(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", RUN, str(ROOT / "scenarios" / "baseline-week.yaml"), str(tmp_path)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    helpers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # forkserver + resource tracker + two workers
            helpers = _descendants(proc.pid)
            if len(helpers) >= 4 and list(tmp_path.glob("*/*.partial/replications/rep-*.kpis.parquet")):
                break
            time.sleep(0.2)
        assert len(helpers) >= 4, f"the pool did not start: {helpers}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(p) for p in helpers):
            time.sleep(0.2)
        assert [p for p in helpers if _alive(p)] == []
    finally:
        for pid in [proc.pid, *helpers, *_descendants(proc.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
