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


def hours_below(q: np.ndarray, step_h: float, threshold: float = 0.95) -> float:
    """Hours with Q(t) < ``threshold`` (for runs with many separate disruptions, where the
    time to recover measures the span from the first to the last)."""
    return float(np.sum(np.asarray(q) < threshold) * step_h)


def recovery_rapidity(q: np.ndarray, step_h: float, threshold: float = 0.95) -> float:
    """Average recovery rate (Bruneau): (1 − min Q) / time to recover, per hour; 0 when Q never
    dropped below the threshold."""
    ttr = time_to_recover(q, step_h, threshold)
    return 0.0 if ttr == 0 else float((1.0 - robustness(q)) / ttr)


def weighted_performance(served: np.ndarray, expected: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Q_w(t) = Σ_c w_c·min(served_c, expected_c) / Σ_c w_c·expected_c over groups c (rows);
    1 where nothing was expected. Dimensionless."""
    served, expected = np.asarray(served, float), np.asarray(expected, float)
    w = np.asarray(weights, float)[:, None]
    num = (w * np.minimum(served, expected)).sum(axis=0)
    den = (w * expected).sum(axis=0)
    out = np.ones(served.shape[1])
    positive = den > 1e-12
    out[positive] = num[positive] / den[positive]
    return out


def pcs(served: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Demand-weighted service index PCS(t) = Σ_i min(served_i, expected_i) / Σ_i expected_i
    over consumers i (rows); 1 where nothing was expected."""
    return weighted_performance(served, expected, np.ones(np.asarray(served).shape[0]))


def ecs(served: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Consumer-equal service index ECS(t) = mean over consumers i with expected_i > 0 of
    min(1, served_i / expected_i); 1 where no consumer expected anything. Unlike PCS, a small
    municipality cut off counts as much as a city."""
    served, expected = np.asarray(served, float), np.asarray(expected, float)
    active = expected > 1e-12
    share = np.where(active, np.minimum(1.0, np.divide(served, expected, out=np.ones_like(served), where=active)), 0.0)
    count = active.sum(axis=0)
    out = np.ones(served.shape[1])
    out[count > 0] = share.sum(axis=0)[count > 0] / count[count > 0]
    return out


def equivalent_outage_hours(service: np.ndarray, step_h: float) -> float:
    """EOH = ∫(1 − PCS(t)) dt, hours: the hours of total outage the partial losses add up to."""
    return resilience_loss(service, step_h)
