"""Dynamic resilience measures over a performance curve Q(t), and disruption episodes.

The measures take a ``Curve`` (``metrics.curve``): for freight the exact event-time curve, for
per-step series (power) ``Curve.from_steps``. The per-step helpers ``performance``,
``weighted_performance``, ``pcs`` and ``ecs`` build such series from binned arrays.

An **episode** is a maximal interval with Q < 0.95 (the threshold); a year has as many as it has
disruptions that bite. Each has a time to recover and a loss (``Episode``); a run reports their
count and distribution (``episode_stats``) rather than one span from the first fall to the last
recovery, which over a year measured the calendar, not the recovery.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .curve import WINDOW_H, Curve


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


@dataclass(frozen=True)
class Episode:
    """One disruption episode: a maximal interval ``[start_h, end_h)`` with Q < the threshold.

    ``ttr_h`` = end − start is its time to recover (from the fall below the threshold to the
    return above it); ``loss_h`` = ∫(1 − Q) dt over it, hours of total loss of service it
    amounts to (its resilience triangle, Bruneau et al. 2003); ``min_q`` its lowest Q;
    ``censored`` when Q had not recovered by the horizon (the TTR is then a lower bound).
    """

    start_h: float
    end_h: float
    loss_h: float
    min_q: float
    censored: bool

    @property
    def ttr_h(self) -> float:
        return self.end_h - self.start_h


def episodes(curve: Curve, threshold: float = 0.95, stay_h: float = WINDOW_H) -> list[Episode]:
    """The episodes of a curve, in time order.

    An episode starts when Q falls below ``threshold`` and ends when Q is back at or above it
    *and stays there for ``stay_h`` hours* (default the curve's window W, one day), or at the
    horizon (censored if Q is still below). So a flow with one train a day whose trains all run
    late through a three-week closure is one episode, not one per train: it has recovered only
    when a whole day has passed with its tonnes on time. A stretch at or above the threshold
    that reaches the horizon ends the episode, however short.
    """
    below = curve.q < threshold
    if not below.any():
        return []
    flips = np.diff(np.r_[0, below.astype(np.int8), 0])
    starts, stops = np.flatnonzero(flips == 1), np.flatnonzero(flips == -1)  # piece ranges [start, stop)
    horizon = curve.edges[-1]
    # join runs separated by less than ``stay_h`` above the threshold
    gaps = curve.edges[starts[1:]] - curve.edges[stops[:-1]]
    keep = np.r_[True, gaps >= stay_h]
    starts = starts[keep]
    stops = np.r_[stops[np.flatnonzero(keep)[1:] - 1], stops[-1]]
    lost = (1.0 - curve.q) * curve.widths
    return [Episode(float(curve.edges[a]), float(curve.edges[b]), float(lost[a:b].sum()), float(curve.q[a:b].min()),
                    bool(curve.edges[b] >= horizon)) for a, b in zip(starts, stops)]


def resilience_loss(curve: Curve) -> float:
    """Resilience loss R = ∫(1 − Q(t)) dt over the horizon, in hours (Bruneau's triangle).

    Equals the number of hours of total loss of service that the curve amounts to; includes
    shallow dips that never reach an episode.
    """
    return float(np.sum((1.0 - curve.q) * curve.widths))


def robustness(curve: Curve) -> float:
    """Robustness = min Q(t), dimensionless in [0, 1]."""
    return float(np.min(curve.q)) if len(curve.q) else 1.0


def hours_below(curve: Curve, threshold: float = 0.95) -> float:
    """Hours with Q(t) < ``threshold``: the summed duration of all episodes."""
    return float(np.sum(curve.widths[curve.q < threshold]))


def recovery_rapidity(found: list[Episode]) -> float:
    """Average recovery rate (Bruneau) of the deepest episode: (1 − its min Q) / its time to
    recover, per hour; 0 without episodes."""
    if not found:
        return 0.0
    worst = min(found, key=lambda e: (e.min_q, -e.ttr_h))
    return float((1.0 - worst.min_q) / worst.ttr_h) if worst.ttr_h > 0 else 0.0


def episode_stats(found: list[Episode]) -> dict[str, float]:
    """Count and distribution of the episodes: ``episodes``, ``episode_ttr_mean_h``,
    ``time_to_recover_h`` (the longest episode's TTR), ``episode_loss_mean_h``,
    ``episode_loss_max_h``, ``episodes_censored`` (still below at the horizon); zeros without episodes."""
    ttr = np.array([e.ttr_h for e in found])
    loss = np.array([e.loss_h for e in found])
    return {
        "episodes": float(len(found)),
        "episode_ttr_mean_h": float(ttr.mean()) if len(found) else 0.0,
        "time_to_recover_h": float(ttr.max(initial=0.0)),
        "episode_loss_mean_h": float(loss.mean()) if len(found) else 0.0,
        "episode_loss_max_h": float(loss.max(initial=0.0)),
        "episodes_censored": float(sum(e.censored for e in found)),
    }


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


def equivalent_outage_hours(service: Curve) -> float:
    """EOH = ∫(1 − PCS(t)) dt, hours: the hours of total outage the partial losses add up to."""
    return resilience_loss(service)
