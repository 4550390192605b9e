"""Dynamic resilience measures over a performance curve Q(t).

All functions take arrays per recording step of length ``step_h`` hours; step k covers
``[k·step_h, (k+1)·step_h)``.
"""

from __future__ import annotations

import numpy as np


def performance(served: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Q(t) = min(1, served(t) / expected(t)); 1 where nothing was expected.

    For freight, ``served`` is tonnes delivered in the step and ``expected`` the tonnes *due*
    in it (release + undisrupted travel time), so an undisturbed run has Q = 1 and no
    start-up dip. Catch-up after a disruption (served > expected) is capped at 1: the curve
    shows the shortfall, not the recovery surplus. Dimensionless, in [0, 1].
    """
    served = np.asarray(served, dtype=float)
    expected = np.asarray(expected, dtype=float)
    q = np.ones_like(expected)
    positive = expected > 1e-12
    q[positive] = np.minimum(1.0, served[positive] / expected[positive])
    return q


def resilience_loss(q: np.ndarray, step_h: float) -> float:
    """Resilience loss R = ∫(1 − Q(t)) dt over the horizon, in hours (Bruneau's triangle).

    Equals the number of hours of total loss of service that the curve amounts to.
    """
    return float(np.sum(1.0 - np.asarray(q)) * step_h)


def robustness(q: np.ndarray) -> float:
    """Robustness = min Q(t), dimensionless in [0, 1]."""
    return float(np.min(q)) if len(q) else 1.0


def time_to_recover(q: np.ndarray, step_h: float, threshold: float = 0.95) -> float:
    """Hours from the first step with Q < ``threshold`` to the start of the first step after
    which Q stays ≥ ``threshold`` to the horizon.

    0 when Q never falls below the threshold. When Q has not recovered by the horizon the
    value is censored: the time from the first drop to the horizon (a lower bound).
    """
    below = np.flatnonzero(np.asarray(q) < threshold)
    if below.size == 0:
        return 0.0
    first, last = below[0], below[-1]
    return float((last + 1 - first) * step_h)
