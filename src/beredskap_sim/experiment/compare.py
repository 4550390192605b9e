"""Baseline against variants with common random numbers; paired differences and benefit–cost.

Every scenario runs the same replications with the same root seed, so replication r of a
variant sees the same storms, slides and demand noise as replication r of the baseline. For
each KPI and variant the paired difference d_r = variant_r − baseline_r gives:

* ``mean_diff`` and its Student-t 95 % interval (zero width when every d_r is equal — e.g. 0
  for a variant identical to the baseline);
* ``share_better``: the share of replications where the variant is better (lower for losses,
  higher for KPIs in ``HIGHER_IS_BETTER``), ``share_worse`` likewise.

Where the variant has an ``investment`` and the scenario unit ``values``, the avoided loss per
year of replication r is a_r = cost_per_year(baseline)_r − cost_per_year(variant)_r, and with
the annuity factor A = Σ_{t=1..L} (1 + i)^−t (L: lifetime, i: discount rate):

* ``avoided_per_year`` = mean a_r (with its interval);
* ``npv`` = A · (mean a − yearly_cost) − investment;
* ``bcr`` = A · mean a / (investment + A · yearly_cost).

NPV and BCR are linear in the mean avoided loss, so their intervals follow from its interval.

With rare hazards stratified (the default of the command, ``model.strata``) every replication
has a weight; means, intervals and shares are then the weighted ones of
``summary.paired_weighted`` and ``summary.weighted_share``, and every variant uses the
baseline's stratification plan, so the pairs keep their common random numbers.
Amounts in SEK are converted at the scenario's fixed ``sek_per_nok`` rate into its currency.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..results import RunFolder, atomic_write_parquet, atomic_write_text, slug
from .runner import run_experiment, stratification_plan
from .summary import paired_weighted, weighted_share

HIGHER_IS_BETTER = {
    "tonnes_delivered", "robustness_min_q", "recovery_rapidity_per_h", "food_min_days_of_supply", "departures_run",
    "passengers_carried", "commuter_trips", "pcs_min", "ecs_min", "backup_mwh",
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


def benefit_cost(avoided_per_year: float, halfwidth: float, investment: float, yearly_cost: float,
                 lifetime_years: int, rate: float) -> dict:
    """NPV and BCR with intervals from the avoided loss per year and its CI half-width."""
    a = annuity_factor(rate, lifetime_years)
    cost_pv = investment + a * yearly_cost

    def npv(x):
        return a * (x - yearly_cost) - investment

    def bcr(x):
        return a * x / cost_pv if cost_pv > 0 else float("inf")

    lo, hi = avoided_per_year - halfwidth, avoided_per_year + halfwidth
    return {"annuity_factor": a, "npv": npv(avoided_per_year), "npv_low": npv(lo), "npv_high": npv(hi),
            "bcr": bcr(avoided_per_year), "bcr_low": bcr(lo), "bcr_high": bcr(hi)}


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


def compare(baseline, variants: list[tuple], replications: int, seed: int, out: Path, executor=None,
            progress: bool = True, stratify: bool = True) -> Path:
    """Run baseline and variants (``[(scenario, overlay spec or None), ...]``) and write the comparison folder.

    ``stratify``: the baseline's rare hazards are stratified with one plan for every variant
    (``model.strata``; from 3 replications on), so the paired statistics are weighted."""
    folders: dict[str, RunFolder] = {}
    names = ["baseline"] + [overlay.name if overlay else scenario.name for scenario, overlay in variants]
    runs_root = Path(out)
    plan = stratification_plan(baseline, replications, seed) if stratify and replications >= 3 else None
    folders["baseline"] = run_experiment(baseline, replications, seed, runs_root, executor, progress, stratify=plan or False)
    for (scenario, overlay), name in zip(variants, names[1:]):
        folders[name] = run_experiment(scenario, replications, seed, runs_root, executor, progress, stratify=plan or False)
    kpis = pd.concat([f.kpis().assign(variant=name) for name, f in folders.items()], ignore_index=True)
    diffs = pd.concat([paired_differences(kpis, "baseline", name) for name in names[1:]], ignore_index=True) \
        if len(names) > 1 else pd.DataFrame()
    values = baseline.spec.values
    money = []
    for (scenario, overlay), name in zip(variants, names[1:]):
        if overlay is None or overlay.investment is None or values is None:
            continue
        inv = overlay.investment
        factor = currency_factor(inv.currency, values.currency, values.sek_per_nok)
        cost = kpis[(kpis.kpi == "cost_per_year") & (kpis.scope == "total")]
        merged = cost[cost.variant == "baseline"].merge(cost[cost.variant == name], on="replication", suffixes=("_v", "_b"))
        avoided, w, mean, half = paired_stats(merged)  # baseline − variant: the loss avoided
        money.append({"variant": name, "currency": values.currency, "investment": inv.cost * factor,
                      "yearly_cost": inv.yearly_cost * factor, "lifetime_years": inv.lifetime_years,
                      "discount_rate": values.discount_rate, "avoided_per_year": mean,
                      "avoided_per_year_low": mean - half, "avoided_per_year_high": mean + half,
                      "share_replications_avoiding_loss": weighted_share(avoided > 0, w),
                      **benefit_cost(mean, half, inv.cost * factor, inv.yearly_cost * factor,
                                     inv.lifetime_years, values.discount_rate)})
    money = pd.DataFrame(money)
    if not money.empty:
        money = money.sort_values("bcr", ascending=False).reset_index(drop=True)
        money.insert(0, "rank", np.arange(1, len(money) + 1))
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    folder = runs_root / f"compare-{slug(baseline.name)}" / stamp
    tmp = folder.with_name(folder.name + ".partial")
    tmp.mkdir(parents=True)
    atomic_write_parquet(kpis, tmp / "kpis.parquet")
    atomic_write_text(tmp / "differences.csv", diffs.to_csv(index=False))
    atomic_write_text(tmp / "benefit_cost.csv", money.to_csv(index=False))
    atomic_write_text(tmp / "manifest.json", json.dumps({
        "baseline": baseline.name, "variants": names[1:], "replications": replications, "seed": seed,
        "runs": {name: str(f.path) for name, f in folders.items()}, "status": "complete",
        **({"stratification": folders["baseline"].read_manifest()["stratification"]} if plan is not None else {}),
    }, indent=2, ensure_ascii=False))
    from ..report.figures import comparison  # one way: the report modules never import this one
    from ..report.html import write_compare_report

    if not diffs.empty:
        comparison(tmp, tmp / "comparison.png")
    write_compare_report(tmp)
    tmp.rename(folder)
    return folder
