"""A grid over scenario parameters: one results folder per point and a combined table.

Each parameter is an overlay path with a list of values, e.g.
``scenario.food.municipalities[node=meraker].stock_days=3,7,14``. All points run with the same
seed (common random numbers), so differences between points are paired as in ``compare``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pandas as pd
import yaml

from ..results import atomic_write_text, slug
from ..scenario.loader import load_variant
from .runner import run_experiment


def parse_param(text: str) -> tuple[str, list]:
    """``'path=1,2,3'`` → ``('path', [1, 2, 3])``; values are read as YAML scalars."""
    path, sep, values = text.rpartition("=")
    if not sep or not path or not values:
        raise ValueError(f"cannot read parameter {text!r}, expected PATH=V1,V2,... e.g. network.links[id=e14-*].speed_kmh=70,80")
    return path.strip(), [yaml.safe_load(v.strip()) for v in values.split(",")]


def sweep(scenario_path: str | Path, params: list[tuple[str, list]], replications: int, seed: int, out: Path,
          executor=None, progress: bool = True, figure_kpi: tuple[str, str] = ("tonnes_lost", "all")) -> Path:
    """Run every point of the grid; write ``sweep.csv`` (parameters + summary statistics per KPI)
    and ``sweep.png`` (``figure_kpi`` over the grid)."""
    rows = []
    runs = {}
    base_name = None
    for point in itertools.product(*[values for _, values in params]):
        changes = [{"set": path, "value": value} for (path, _), value in zip(params, point)]
        base_name = base_name or load_variant(scenario_path)[0].name
        label = ", ".join(f"{path.rsplit('.', 1)[-1]}={value}" for (path, _), value in zip(params, point))
        changes.append({"set": "scenario.name", "value": f"{base_name} [{label}]"})
        scenario, _ = load_variant(scenario_path, changes=changes)
        folder = run_experiment(scenario, replications, seed, Path(out), executor, progress)
        runs[label] = str(folder.path)
        summary = folder.summary()
        for (path, _), value in zip(params, point):
            summary.insert(0, path, value)
        rows.append(summary)
    table = pd.concat(rows, ignore_index=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    folder = Path(out) / f"sweep-{slug(base_name or 'scenario')}" / stamp
    tmp = folder.with_name(folder.name + ".partial")
    tmp.mkdir(parents=True)
    atomic_write_text(tmp / "sweep.csv", table.to_csv(index=False))
    from ..report.figures import sweep_figure

    sweep_figure(table, [p for p, _ in params], figure_kpi[0], figure_kpi[1], tmp / "sweep.png")
    atomic_write_text(tmp / "manifest.json", json.dumps({"scenario": str(scenario_path), "parameters": [p for p, _ in params],
                                                          "replications": replications, "seed": seed, "runs": runs,
                                                          "status": "complete"}, indent=2, ensure_ascii=False))
    tmp.rename(folder)
    return folder
