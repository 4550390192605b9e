"""Statistics over replications for each (kpi, scope).

For n replications of a KPI with values x₁..xₙ: ``mean``, ``std`` (sample, ddof=1),
``ci95_low``/``ci95_high`` = mean ∓ t₀.₉₇₅,ₙ₋₁ · std/√n (Student t; zero width when n = 1 or
all values are equal), percentiles ``p5``/``p50``/``p95`` (linear interpolation), ``min``,
``max``, and the replications that gave the best (``min``) and worst (``max``) value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


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


def summarise(kpis: pd.DataFrame) -> pd.DataFrame:
    """One row per (kpi, scope, unit) with the statistics named in the module docstring."""
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
