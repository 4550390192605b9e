"""Statistics over replications for each (kpi, scope).

For n replications of a KPI with values x₁..xₙ: ``mean``, ``std`` (sample, ddof=1),
``ci95_low``/``ci95_high`` = mean ∓ t₀.₉₇₅,ₙ₋₁ · std/√n (Student t; zero width when n = 1 or
all values are equal), percentiles ``p5``/``p50``/``p95`` (linear interpolation), ``min``,
``max``, and the replications that gave the best (``min``) and worst (``max``) value.

**Weighted replications** (rare hazards stratified, ``model.strata``; the KPI frame has a
``weight`` column that is not all 1): the mean is the self-normalised μ̂ = Σ wᵢxᵢ / Σ wᵢ, its
variance the linearised (delta-method) estimate v = n/(n−1) · Σ wᵢ²(xᵢ − μ̂)² / (Σ wᵢ)², and
the interval μ̂ ∓ t₀.₉₇₅,ν · √v with ν = ESS − 1 (at least 1), where ESS = (Σ wᵢ)² / Σ wᵢ² is
Kish's effective sample size, reported as ``ess``; ``std`` is the weighted standard deviation
and the percentiles those of the weighted distribution. With equal weights every formula is
the unweighted one (v = s²/n, ν = n − 1). The variance estimate treats the replications as
independent draws from the strata's sampling distribution; the fixed number of replications
per stratum only lowers the true variance, so the interval errs on the wide side
(Rubinstein & Kroese 2017, §5.7; Kish 1965, *Survey Sampling*, §11.7).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..model.strata import kish_ess


def confidence_halfwidth(values: np.ndarray, level: float = 0.95) -> float:
    """Half-width of the two-sided Student-t confidence interval of the mean."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = values.size
    if n < 2:
        return 0.0
    sd = values.std(ddof=1)
    if sd == 0:
        return 0.0
    return float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n))


def weighted_mean_halfwidth(values, weights, cells=None, level: float = 0.95) -> tuple[float, float]:
    """Self-normalised weighted mean and the half-width of its interval (module docstring).

    ``cells``: each replication's stratum cell (its strata of every rare kind); see ``_halfwidth``."""
    x = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    keep = ~np.isnan(x)
    x, w = x[keep], w[keep]
    if x.size == 0 or w.sum() <= 0:
        return float("nan"), 0.0
    mean = float((w * x).sum() / w.sum())
    if x.size < 2:
        return mean, 0.0
    return mean, _halfwidth(w * x / w.sum(), w, level, None if cells is None else np.asarray(cells)[keep])


def _halfwidth(terms: np.ndarray, w: np.ndarray, level: float, cells=None) -> float:
    """t quantile × √v, ν = ESS − 1, for an estimator Σ termsᵢ (terms = wᵢxᵢ/Σw, or their paired difference).

    v = Σ_cells n_c/(n_c − 1) Σ_{i∈c} (termᵢ − w̃ᵢ·m_c)², w̃ᵢ = wᵢ/Σw and m_c = Σ_c termᵢ / Σ_c w̃ᵢ the
    cell's weighted mean: the stratified variance estimator (Cochran 1977, §5.5) when the cells
    are the strata. A cell of one replication is centred on the overall mean instead (all
    replications form one cell without ``cells``), which only widens the interval."""
    n = terms.size
    share = w / w.sum()
    total = terms.sum()
    cells = np.zeros(n, dtype=int) if cells is None else pd.factorize(np.asarray(cells))[0]
    var = 0.0
    for c in np.unique(cells):
        idx = cells == c
        k = int(idx.sum())
        if k >= 2:
            m = terms[idx].sum() / share[idx].sum()
            var += k / (k - 1) * float(((terms[idx] - share[idx] * m) ** 2).sum())
        else:
            var += n / (n - 1) * float(((terms[idx] - share[idx] * total) ** 2).sum())
    if var <= 0:
        return 0.0
    dof = max(1.0, kish_ess(w) - 1.0)
    return float(stats.t.ppf(0.5 + level / 2, dof) * np.sqrt(var))


def paired_weighted(variant, variant_weights, baseline, baseline_weights, cells=None,
                    level: float = 0.95) -> tuple[float, float]:
    """Mean of variant − baseline and its interval half-width, each side self-normalised by its
    own weights and paired by replication: the estimator is Σ_r (w̃_v,r v_r − w̃_b,r b_r), with
    w̃ the weights divided by their sum. With equal weights on both sides and no cells it is the
    Student-t interval of the paired differences."""
    v, b = np.asarray(variant, dtype=float), np.asarray(baseline, dtype=float)
    wv, wb = np.asarray(variant_weights, dtype=float), np.asarray(baseline_weights, dtype=float)
    keep = ~(np.isnan(v) | np.isnan(b))
    v, b, wv, wb = v[keep], b[keep], wv[keep], wb[keep]
    if v.size == 0:
        return float("nan"), 0.0
    mean = float((wv * v).sum() / wv.sum() - (wb * b).sum() / wb.sum())
    if v.size < 2:
        return mean, 0.0
    if np.allclose(wv / wv.sum(), wb / wb.sum()):
        terms = wb * (v - b) / wb.sum()
    else:  # weights differ by variant (a variant changed a rare hazard's rate): linearise each side
        terms = wv * (v - (wv * v).sum() / wv.sum()) / wv.sum() - wb * (b - (wb * b).sum() / wb.sum()) / wb.sum()
        terms = terms + wb / wb.sum() * mean
    return mean, _halfwidth(terms, wb, level, None if cells is None else np.asarray(cells)[keep])


def weighted_share(condition, weights) -> float:
    """Σ w over the replications where ``condition`` holds / Σ w."""
    w = np.asarray(weights, dtype=float)
    return float((w * np.asarray(condition, dtype=bool)).sum() / w.sum()) if w.sum() > 0 else float("nan")


def weighted_percentile(values, weights, q: float) -> float:
    """The q-th percentile (0–100) of the weighted empirical distribution: the smallest value
    whose cumulative weight share reaches q/100."""
    x, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    order = np.argsort(x, kind="stable")
    cumulative = np.cumsum(w[order]) / w.sum()
    return float(x[order][min(int(np.searchsorted(cumulative, q / 100.0 - 1e-12)), x.size - 1)])


def is_weighted(kpis: pd.DataFrame) -> bool:
    """Whether the KPI frame carries replication weights other than 1."""
    return "weight" in kpis.columns and not np.allclose(kpis["weight"].to_numpy(dtype=float), 1.0)


def summarise(kpis: pd.DataFrame) -> pd.DataFrame:
    """One row per (kpi, scope, unit) with the statistics named in the module docstring."""
    if is_weighted(kpis):
        return _summarise_weighted(kpis)
    rows = []
    for (kpi, scope, unit), group in kpis.groupby(["kpi", "scope", "unit"], sort=False):
        values = group["value"].to_numpy(dtype=float)
        finite = values[~np.isnan(values)]
        if finite.size == 0:
            rows.append({"kpi": kpi, "scope": scope, "unit": unit, "n": 0})
            continue
        mean = float(finite.mean())
        half = confidence_halfwidth(finite)
        reps = group["replication"].to_numpy()[~np.isnan(values)]
        rows.append({
            "kpi": kpi, "scope": scope, "unit": unit, "n": int(finite.size),
            "mean": mean, "std": float(finite.std(ddof=1)) if finite.size > 1 else 0.0,
            "ci95_low": mean - half, "ci95_high": mean + half,
            "p5": float(np.percentile(finite, 5)), "p50": float(np.percentile(finite, 50)),
            "p95": float(np.percentile(finite, 95)),
            "min": float(finite.min()), "max": float(finite.max()),
            "min_replication": int(reps[np.argmin(finite)]), "max_replication": int(reps[np.argmax(finite)]),
        })
    return pd.DataFrame(rows)


def _summarise_weighted(kpis: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (kpi, scope, unit), group in kpis.groupby(["kpi", "scope", "unit"], sort=False):
        values = group["value"].to_numpy(dtype=float)
        keep = ~np.isnan(values)
        x, w = values[keep], group["weight"].to_numpy(dtype=float)[keep]
        if x.size == 0:
            rows.append({"kpi": kpi, "scope": scope, "unit": unit, "n": 0})
            continue
        cells = group["stratum"].to_numpy()[keep] if "stratum" in group else None
        mean, half = weighted_mean_halfwidth(x, w, cells)
        reps = group["replication"].to_numpy()[keep]
        var = float((w * (x - mean) ** 2).sum() / w.sum()) * (x.size / (x.size - 1) if x.size > 1 else 0.0)
        rows.append({
            "kpi": kpi, "scope": scope, "unit": unit, "n": int(x.size), "ess": kish_ess(w),
            "mean": mean, "std": float(np.sqrt(var)), "ci95_low": mean - half, "ci95_high": mean + half,
            "p5": weighted_percentile(x, w, 5), "p50": weighted_percentile(x, w, 50), "p95": weighted_percentile(x, w, 95),
            "min": float(x.min()), "max": float(x.max()),
            "min_replication": int(reps[np.argmin(x)]), "max_replication": int(reps[np.argmax(x)]),
        })
    return pd.DataFrame(rows)
