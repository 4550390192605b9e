"""Benefit against one reference, split in everyday and resilience benefit, and its present value.

**One reference.** Every replication r of every variant v is costed absolutely
(``metrics.costs``: generalized cost per year, C_v,r). The benefit of v in replication r is
the baseline's cost minus the variant's, b_r = C_base,r − C_v,r, paired by replication
(common random numbers: both saw the same storms and demand).

**Two parts.** Each variant is also run undisturbed — the same seed with every scheduled
disruption and hazard off — giving U_v,r. Then

* everyday benefit e_r = U_base,r − U_v,r (what the investment changes in an ordinary year:
  faster or cheaper transport, more capacity);
* resilience benefit s_r = b_r − e_r = (C_base,r − U_base,r) − (C_v,r − U_v,r), the disruption
  losses the investment avoids.

A pure speed-up in a year without disruptions gives e = Δt × tonnes × value of time and s = 0.

**Means and intervals.** With an optional per-replication ``weight`` w_r (stratified sampling
of rare events, ``experiment.runner``), p_r = w_r / Σw, the mean is Σ p_r x_r and its 95 %
interval mean ± t_{0.975, n−1} · sqrt(n/(n−1) · Σ p_r² (x_r − mean)²) — with equal weights the
Student-t interval of the plain mean. ``n_eff`` = 1 / Σ p_r² is the effective sample size.

**Present value** (``pv_factors``), years counted from the base year, discount factor
D(t) = Π_{s=1..t} 1/(1 + r(s)) with the stepped rates of the ``Conventions``:

* opening after ``years_to_opening`` = opening year − base year (else the construction years);
  benefit of operating year k = 1..L (L the analysis period, never longer than the lifetime:
  no reinvestment is modelled) counted at t = O + k and grown
  with the unit values: a · (1 + g)^(O + k);
* residual value: for a lifetime T > L, the year-L benefit carried on, without more growth,
  for years L+1..T;
* the investment I spread evenly over the ``construction_years`` C before opening (paid at
  the start of each, t = O − C .. O − 1; at t = O when C = 0); the yearly cost y at each t
  where benefits are counted;
* NPV = a · F_b − τ · (I · F_I + y · F_y), with τ the tax factor;
* BCR = a · F_b / (τ · (I · F_I + y · F_y)); net benefit per budget krone
  NNB = NPV / (I · F_I + y · F_y).

NPV, BCR and NNB are increasing linear functions of the mean yearly benefit a, so their
intervals are those of a mapped through them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..scenario.appraisal import Conventions
from .summary import paired_weighted


def weighted_mean_ci(values, weights=None, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, half-width of its interval, effective sample size) of ``values`` (see the module text)."""
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    keep = ~np.isnan(x) & (w > 0)
    x, w = x[keep], w[keep]
    n = x.size
    if n == 0:
        return float("nan"), float("nan"), 0.0
    p = w / w.sum()
    mean = float(p @ x)
    n_eff = float(1.0 / np.sum(p * p))
    if n < 2:
        return mean, 0.0, n_eff
    var = n / (n - 1) * float(np.sum(p * p * (x - mean) ** 2))
    if var <= 0:
        return mean, 0.0, n_eff
    return mean, float(stats.t.ppf(0.5 + level / 2, n - 1) * np.sqrt(var)), n_eff


def discount_factors(conventions: Conventions, years: int) -> np.ndarray:
    """D(t) for t = 0..years: Π_{s=1..t} 1/(1 + r(s))."""
    steps = np.array([1.0] + [1.0 / (1.0 + conventions.rate(s)) for s in range(1, years + 1)])
    return np.cumprod(steps)


def pv_factors(conventions: Conventions, lifetime_years: int, construction_years: int = 0,
               years_to_opening: int | None = None) -> dict:
    """Present-value factors F_b (a yearly benefit of 1 in base-year values), F_I (an investment
    of 1), F_y (a yearly cost of 1) and the analysis period used (see the module text)."""
    opening = construction_years if years_to_opening is None else years_to_opening
    if opening < construction_years:
        raise ValueError(f"opening {opening} years after the base year, expected at least the {construction_years} construction years")
    period = min(conventions.analysis_years or lifetime_years, lifetime_years)  # no reinvestment is modelled
    if conventions.max_analysis_years is not None:
        period = min(period, conventions.max_analysis_years)
    counted = lifetime_years if conventions.residual_value and lifetime_years > period else period
    d = discount_factors(conventions, opening + counted)
    g = 1.0 + conventions.value_growth
    years = np.arange(1, counted + 1)
    growth = g ** (opening + np.minimum(years, period))
    f_b = float(np.sum(d[opening + years] * growth))
    f_y = float(np.sum(d[opening + years]))
    f_i = float(np.mean(d[opening - construction_years:opening])) if construction_years else float(d[opening])
    return {"benefit": f_b, "investment": f_i, "yearly_cost": f_y, "analysis_years": period, "counted_years": counted}


def present_value(benefit_per_year: float, investment: float, yearly_cost: float, factors: dict, tax_factor: float) -> dict:
    """NPV, BCR and net benefit per budget krone of a mean yearly benefit (base-year values)."""
    budget = investment * factors["investment"] + yearly_cost * factors["yearly_cost"]
    benefits = benefit_per_year * factors["benefit"]
    npv = benefits - tax_factor * budget
    return {"npv": npv, "bcr": benefits / (tax_factor * budget) if budget > 0 else float("inf"),
            "nnb": npv / budget if budget > 0 else float("inf"), "pv_benefit": benefits, "pv_budget": budget}


def _per_replication(frame: pd.DataFrame, variant: str, undisturbed: bool) -> pd.Series:
    rows = frame[(frame["variant"] == variant) & (frame["kpi"] == "cost_per_year") & (frame["scope"] == "total")]
    if "undisturbed" in frame.columns:
        rows = rows[rows["undisturbed"] == undisturbed]
    elif undisturbed:
        return pd.Series(dtype=float)
    return rows.set_index("replication")["value"].astype(float)


def _disturbed_column(frame: pd.DataFrame, variant: str, column: str) -> pd.Series | None:
    """Replication → ``column`` (``weight`` or ``stratum``) of ``variant``'s disturbed runs, which
    carry the strata; None when the frame has no such column."""
    if column not in frame.columns:
        return None
    rows = frame[frame["variant"] == variant]
    if "undisturbed" in rows.columns:
        rows = rows[~rows["undisturbed"].astype(bool)]
    return rows.groupby("replication")[column].first()


def _with_pair(out: dict, name: str, mean: float, half: float, weights) -> None:
    out[name], out[f"{name}_low"], out[f"{name}_high"] = mean, mean - half, mean + half
    w = np.asarray(weights, dtype=float)
    out.setdefault("n_eff", float(w.sum() ** 2 / (w ** 2).sum()))


def _with_interval(out: dict, name: str, values, weights) -> None:
    mean, half, n_eff = weighted_mean_ci(values, weights)
    out[name], out[f"{name}_low"], out[f"{name}_high"] = mean, mean - half, mean + half
    out.setdefault("n_eff", n_eff)


def appraise(frame: pd.DataFrame, conventions: Conventions, investments: dict, baseline: str = "baseline") -> pd.DataFrame:
    """Benefit per year (total, everyday, resilience), NPV, BCR and NNB with 95 % intervals, one row per variant.

    ``frame``: long KPI table with columns ``variant``, ``replication``, ``kpi``, ``scope``,
    ``value``, optionally ``undisturbed`` (bool: the run with disruptions off) and ``weight``
    (per replication and variant: a variant that changes a stratified hazard's rate has weights
    of its own, and each side is then weighted by its own). Only ``cost_per_year``/``total`` rows are read.
    ``investments``: variant → dict(cost, yearly_cost, lifetime_years, construction_years,
    years_to_opening), amounts in the frame's currency. Variants without an entry get the
    benefits only.
    """
    base = _per_replication(frame, baseline, False)
    base_u = _per_replication(frame, baseline, True)
    weights = _disturbed_column(frame, baseline, "weight")
    rows = []
    for variant in [v for v in dict.fromkeys(frame["variant"]) if v != baseline]:
        mine = _per_replication(frame, variant, False)
        total = (base - mine).dropna()
        w = weights.reindex(total.index).to_numpy() if weights is not None else None
        out = {"variant": variant, "n": int(total.size)}
        everyday = (base_u - _per_replication(frame, variant, True)).reindex(total.index)
        own = _disturbed_column(frame, variant, "weight")
        if w is not None:
            # Stratified: each side weighted by its own probabilities, paired by replication, the
            # interval by strata cells (``summary.paired_weighted``, as ``differences.csv``). A
            # variant that changed a stratified hazard's rate has weights of its own; with the
            # baseline's on both sides the strata would cancel and avoided rare events count 0.
            wv = own.reindex(total.index).to_numpy() if own is not None else w
            b, v = base.reindex(total.index).to_numpy(), mine.reindex(total.index).to_numpy()
            cells = _disturbed_column(frame, baseline, "stratum")
            cells = cells.reindex(total.index).to_numpy() if cells is not None else None
            _with_pair(out, "benefit_per_year", *paired_weighted(b, w, v, wv, cells), w)
            _with_interval(out, "everyday_per_year", everyday.to_numpy(), None)
            quiet_b = base_u.reindex(total.index).to_numpy()
            quiet_v = (base_u - everyday).reindex(total.index).to_numpy()
            _with_pair(out, "resilience_per_year", *paired_weighted(b - quiet_b, w, v - quiet_v, wv, cells), w)
        else:
            _with_interval(out, "benefit_per_year", total.to_numpy(), w)
            _with_interval(out, "everyday_per_year", everyday.to_numpy(), w)
            _with_interval(out, "resilience_per_year", (total - everyday).to_numpy(), w)
        better, worse = total > 1e-9 * max(1.0, float(base.abs().mean())), total < -1e-9 * max(1.0, float(base.abs().mean()))
        p = w / w.sum() if w is not None else np.full(total.size, 1.0 / max(1, total.size))
        out["share_better"], out["share_worse"] = float(p @ better.to_numpy()), float(p @ worse.to_numpy())
        inv = investments.get(variant)
        if inv is not None:
            factors = pv_factors(conventions, inv["lifetime_years"], inv.get("construction_years", 0), inv.get("years_to_opening"))
            out.update(investment=inv["cost"], yearly_cost=inv["yearly_cost"], lifetime_years=inv["lifetime_years"],
                       analysis_years=factors["analysis_years"], conventions=conventions.name, tax_factor=conventions.tax_factor)
            for suffix in ("", "_low", "_high"):
                pv = present_value(out[f"benefit_per_year{suffix}"], inv["cost"], inv["yearly_cost"], factors, conventions.tax_factor)
                out[f"npv{suffix}"], out[f"bcr{suffix}"], out[f"nnb{suffix}"] = pv["npv"], pv["bcr"], pv["nnb"]
        rows.append(out)
    return pd.DataFrame(rows)
