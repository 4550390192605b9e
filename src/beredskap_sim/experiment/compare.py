"""Baseline against variants with common random numbers; paired differences and the appraisal.

Every scenario runs the same replications with the same root seed, so replication r of a
variant sees the same storms, slides and demand noise as replication r of the baseline. For
each KPI and variant the paired difference d_r = variant_r − baseline_r gives:

* ``mean_diff`` and its Student-t 95 % interval (zero width when every d_r is equal — e.g. 0
  for a variant identical to the baseline);
* ``share_better``: the share of replications where the variant is better (lower for losses,
  higher for KPIs in ``HIGHER_IS_BETTER``), ``share_worse`` likewise.

Where the baseline has unit ``values``, every scenario is also run *undisturbed* (same seeds,
disruptions and hazards off, ``scenario.undisturbed``) and ``experiment.appraisal`` turns the
generalized costs into benefits against the baseline — everyday and resilience benefit apart —
and, for variants with an ``investment``, into NPV, BCR and net benefit per budget krone under
the scenario's appraisal conventions (``appraisal:``; without one, the plain annuity at
``values.discount_rate``).

With rare hazards stratified (the default of the command, ``model.strata``) every replication
has a weight; means, intervals and shares are then the weighted ones of
``summary.paired_weighted`` and ``summary.weighted_share``, and every variant uses the
baseline's stratification plan, so the pairs keep their common random numbers. Amounts in
SEK are converted at the scenario's fixed ``sek_per_nok`` rate into its currency.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..results import RunFolder, atomic_write_parquet, atomic_write_text, slug
from ..scenario.appraisal import plain
from ..scenario.undisturbed import SUFFIX, undisturbed
from .appraisal import appraise
from .runner import run_experiment, stratification_plan
from .summary import paired_weighted, weighted_share

HIGHER_IS_BETTER = {
    "tonnes_delivered", "robustness_min_q", "recovery_rapidity_per_h", "food_min_days_of_supply", "departures_run",
    "passengers_carried", "commuter_trips", "pcs_min", "ecs_min", "backup_mwh", "tonnes_on_time",
}


def currency_factor(source: str, target: str, sek_per_nok: float) -> float:
    """Multiply an amount in ``source`` currency by this to get ``target`` currency."""
    if source == target:
        return 1.0
    return 1.0 / sek_per_nok if (source, target) == ("SEK", "NOK") else sek_per_nok


def annuity_factor(rate: float, years: int) -> float:
    """A = Σ_{t=1..years} (1 + rate)^−t; equals ``years`` at rate 0."""
    if rate == 0:
        return float(years)
    return float((1 - (1 + rate) ** -years) / rate)


def paired_differences(kpis: pd.DataFrame, baseline: str, variant: str) -> pd.DataFrame:
    """Per (kpi, scope): statistics of variant − baseline over matching replications."""
    base = kpis[kpis["variant"] == baseline]
    other = kpis[kpis["variant"] == variant]
    merged = other.merge(base, on=["replication", "kpi", "scope", "unit"], suffixes=("_v", "_b"))
    rows = []
    for (kpi, scope, unit), g in merged.groupby(["kpi", "scope", "unit"], sort=False):
        d, w, mean, half = paired_stats(g)
        if d.size == 0:
            continue
        sign = 1.0 if kpi in HIGHER_IS_BETTER else -1.0
        rows.append({"variant": variant, "kpi": kpi, "scope": scope, "unit": unit, "n": int(d.size),
                     "mean_diff": mean, "ci95_low": mean - half, "ci95_high": mean + half,
                     "share_better": weighted_share(sign * d > 1e-9, w), "share_worse": weighted_share(sign * d < -1e-9, w)})
    return pd.DataFrame(rows)


def paired_stats(merged: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Paired differences ``value_v − value_b`` of matching replications, their weights, and the
    weighted mean difference with its interval half-width (``summary.paired_weighted``)."""
    keep = ~(merged["value_v"].isna() | merged["value_b"].isna())
    g = merged[keep]
    v, b = g["value_v"].to_numpy(dtype=float), g["value_b"].to_numpy(dtype=float)
    wv = g["weight_v"].to_numpy(dtype=float) if "weight_v" in g else np.ones(v.size)
    wb = g["weight_b"].to_numpy(dtype=float) if "weight_b" in g else np.ones(v.size)
    cells = g["stratum_b"].to_numpy() if "stratum_b" in g else None
    mean, half = paired_weighted(v, wv, b, wb, cells)
    return v - b, wb, mean, half


def investments(variants: list[tuple], names: list[str], values, conventions) -> dict:
    """variant name → its investment in the scenario's currency, with its years to opening."""
    out = {}
    for (_, overlay), name in zip(variants, names):
        if overlay is None or overlay.investment is None:
            continue
        inv = overlay.investment
        factor = currency_factor(inv.currency, values.currency, values.sek_per_nok)
        to_opening = None
        if inv.opening_year is not None and conventions.base_year is not None:
            to_opening = inv.opening_year - conventions.base_year
        out[name] = {"cost": inv.cost * factor, "yearly_cost": inv.yearly_cost * factor, "lifetime_years": inv.lifetime_years,
                     "construction_years": inv.construction_years, "years_to_opening": to_opening}
    return out


def compare(baseline, variants: list[tuple], replications: int, seed: int, out: Path, executor=None,
            progress: bool = True, stratify: bool = True) -> Path:
    """Run baseline and variants (``[(scenario, overlay spec or None), ...]``) and write the comparison folder.

    Files: ``kpis.parquet`` (every replication of every run; column ``undisturbed`` marks the
    runs with disruptions off), ``differences.csv`` (paired differences of the disturbed runs),
    ``benefit_cost.csv`` (``experiment.appraisal.appraise``, ranked by BCR), ``manifest.json``.

    ``stratify``: the baseline's rare hazards are stratified with one plan for every variant
    (``model.strata``; from 3 replications on), so the paired statistics are weighted. The
    undisturbed runs have no hazards to stratify: they run plain, paired by replication.
    """
    values = baseline.spec.values
    scenarios = [("baseline", baseline)] + [(overlay.name if overlay else scenario.name, scenario) for scenario, overlay in variants]
    names = [name for name, _ in scenarios]
    runs_root = Path(out)
    frames, runs = [], {}
    plan = stratification_plan(baseline, replications, seed) if stratify and replications >= 3 else None
    strata_folder = None
    for name, scenario in scenarios:
        worlds = [(False, scenario)] + ([(True, undisturbed(scenario))] if values is not None else [])
        for quiet, world in worlds:
            folder = run_experiment(world, replications, seed, runs_root, executor, progress,
                                    stratify=(plan or False) if not quiet else False)
            if name == "baseline" and not quiet:
                strata_folder = folder
            runs[name + (SUFFIX if quiet else "")] = str(folder.path)
            frames.append(folder.kpis().assign(variant=name, undisturbed=quiet))
    kpis = pd.concat(frames, ignore_index=True)
    disturbed = kpis[~kpis["undisturbed"]]
    diffs = pd.concat([paired_differences(disturbed, "baseline", name) for name in names[1:]], ignore_index=True) \
        if len(names) > 1 else pd.DataFrame()
    money = pd.DataFrame()
    conventions = baseline.appraisal
    if values is not None and len(names) > 1:
        conventions = conventions or plain(values.discount_rate)
        money = appraise(kpis, conventions, investments(variants, names[1:], values, conventions))
        money.insert(1, "currency", values.currency)
        if "bcr" in money.columns:
            money = money.sort_values("bcr", ascending=False, na_position="last").reset_index(drop=True)
            money.insert(0, "rank", [i + 1 if b == b else None for i, b in enumerate(money["bcr"])])
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    folder = runs_root / f"compare-{slug(baseline.name)}" / stamp
    tmp = folder.with_name(folder.name + ".partial")
    tmp.mkdir(parents=True)
    atomic_write_parquet(kpis, tmp / "kpis.parquet")
    atomic_write_text(tmp / "differences.csv", diffs.to_csv(index=False))
    atomic_write_text(tmp / "benefit_cost.csv", money.to_csv(index=False))
    atomic_write_text(tmp / "manifest.json", json.dumps({
        "baseline": baseline.name, "variants": names[1:], "replications": replications, "seed": seed,
        "conventions": conventions.name if values is not None and conventions is not None else None,
        "runs": runs, "status": "complete",
        **({"stratification": strata_folder.read_manifest()["stratification"]} if plan is not None else {}),
    }, indent=2, ensure_ascii=False))
    from ..report.figures import comparison  # one way: the report modules never import this one
    from ..report.html import write_compare_report

    if not diffs.empty:
        comparison(tmp, tmp / "comparison.png")
    write_compare_report(tmp)
    tmp.rename(folder)
    return folder
