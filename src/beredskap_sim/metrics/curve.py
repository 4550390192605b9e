"""The performance curve Q(t) of freight, exact from event times (no recording grid).

**Definition.** For a set of consignments (a flow, a commodity, all freight), each with tonnes
``w``, due time ``e`` (release + undisrupted travel time) and arrival ``a`` (∞ if lost or still
in transit at the horizon)::

    Q(t) = Σ w·[in window at t]·[arrived by t] / Σ w·[in window at t]      (1 where nothing is)

the share of the tonnes *due in the last W hours* (``WINDOW_H`` = 24 h), or due earlier and
still missing, that have arrived. A consignment counts as arrived from ``max(e, a − τ)``
(``ON_TIME_H`` τ = 1 h, the tolerance the KPI ``tonnes_late`` uses); it is in the window from e
until ``e + W`` or, when later, until it arrives; a lost one (cancelled, never to come) from e to
``e + W`` — its loss is the day it was expected, not the rest of the year. Q is a ratio of step functions that change only at
due times, arrivals and due times + W, so it is piecewise constant and every integral over it is
exact: ``record_step`` does not enter.

**Why this smoothing.** Freight comes in trains and truckloads, not as a fluid. The
instantaneous rate ``delivered/due`` per recording step (the former curve) reads a train due at
10:50 that arrives at 11:10 as a whole hour of total failure, and its integral changes with the
step (issue 10: Gyda 22.8 h at 1 h, 3.4 h at 1 min). Here a late consignment lowers Q only by
its share of a day's tonnes, for as long as it is late beyond τ: a 500 t train carrying a
quarter of the day's flow, three hours late, gives Q = 0.75 for 2 h. The curve is Ouyang,
Dueñas-Osorio & Min (2012, Structural Safety 36:23–31) "real over target performance", taken
as a ratio of integrals over a moving window rather than of instantaneous rates, and its loss
∫(1 − Q) dt is the area of Bruneau et al.'s (2003, Earthquake Spectra 19(4):733–752) resilience
triangle. During a closure Q falls to 0 within W; after the reopening it stays low while the
backlog of older consignments is cleared ahead of the newer ones, and returns to 1 when what
was due in the last day has arrived — so a disruption lasts "closure plus backlog clearance"
(a single link of capacity c and demand d closed D hours: about D + D·d/(c − d) hours), the
figure a planner recognises. Catch-up never lifts Q above 1.

A ``Curve`` holds breakpoints ``edges`` (n + 1 hours, from 0 to the horizon) and the value
``q`` on each of the n pieces; ``Curve.from_steps`` wraps a per-step series (power, which is
balanced hourly) in the same form, so one set of measures (``resilience``) serves both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WINDOW_H = 24.0
"""W: Q compares what arrived with what was due over the last W hours (one day of demand)."""

ON_TIME_H = 1.0
"""τ: a consignment arriving within this many hours of its due time counts as on time."""


TIME_RESOLUTION_H = 1e-6
"""Event times are compared to this resolution (3.6 ms)."""


@dataclass(frozen=True)
class Curve:
    """A piecewise-constant Q(t): value ``q[i]`` on ``[edges[i], edges[i+1])``, hours.

    ``expected`` (optional, same length as ``q``): the denominator on each piece — tonnes in
    the window — so that a consumer with nothing expected can be told from one fully served.
    """

    edges: np.ndarray
    q: np.ndarray
    expected: np.ndarray | None = None

    @property
    def widths(self) -> np.ndarray:
        return np.diff(self.edges)

    @classmethod
    def from_steps(cls, q: np.ndarray, step_h: float, horizon_h: float | None = None) -> "Curve":
        """A per-step series: step k covers ``[k·step_h, (k+1)·step_h)``, the last ends at the horizon."""
        q = np.asarray(q, float)
        edges = np.arange(len(q) + 1) * float(step_h)
        if horizon_h is not None and len(q):
            edges[-1] = horizon_h
        return cls(edges, q)

    def step_means(self, step_h: float, n_steps: int) -> np.ndarray:
        """Mean of Q over each recording step ``[k·step_h, (k+1)·step_h)`` (the last ends at the
        horizon): exact, so the steps' (1 − mean)·width add up to ∫(1 − Q) dt."""
        bounds = np.minimum(np.arange(n_steps + 1) * float(step_h), self.edges[-1])
        bounds[-1] = self.edges[-1]
        area = np.interp(bounds, self.edges, np.r_[0.0, np.cumsum(self.q * self.widths)])
        widths = np.diff(bounds)
        return np.divide(np.diff(area), widths, out=np.ones(n_steps), where=widths > 0)

    def at(self, t: np.ndarray, values: np.ndarray | None = None, outside: float = 1.0) -> np.ndarray:
        """``values`` (default Q) at times ``t``: those of the piece each time falls in,
        ``outside`` before 0 and from the horizon on."""
        t = np.asarray(t, float)
        values = self.q if values is None else values
        i = np.searchsorted(self.edges, t, side="right") - 1
        inside = (i >= 0) & (i < len(self.q))
        out = np.full(t.shape, float(outside))
        out[inside] = values[i[inside]]
        return out


def _ratio_curve(times: np.ndarray, d_due: np.ndarray, d_short: np.ndarray, horizon_h: float) -> Curve:
    """Q = 1 − shortfall/due from jumps ``d_due``/``d_short`` at ``times``, on [0, horizon).

    Times are rounded to ``TIME_RESOLUTION_H``: a due time recomputed as arrival − delay differs
    from the released one in the last bits, which must not open a piece of zero width."""
    times = np.round(times / TIME_RESOLUTION_H) * TIME_RESOLUTION_H
    order = np.argsort(times, kind="stable")
    times, d_due, d_short = times[order], d_due[order], d_short[order]
    due, short = np.cumsum(d_due), np.cumsum(d_short)
    # the level after the last jump at each distinct time
    last = np.r_[np.flatnonzero(np.diff(times) > 0), len(times) - 1] if len(times) else np.zeros(0, int)
    at, due, short = times[last], due[last], short[last]
    keep = (at > 0) & (at < horizon_h)
    before = np.searchsorted(at, 0.0, side="right") - 1  # level in force at t = 0
    level_due = np.r_[due[before] if before >= 0 else 0.0, due[keep]]
    level_short = np.r_[short[before] if before >= 0 else 0.0, short[keep]]
    edges = np.r_[0.0, at[keep], horizon_h]
    tiny = 1e-9 * max(1.0, float(np.abs(d_due).max(initial=0.0)))  # rounding left over by the sums
    q = np.ones(len(edges) - 1)
    busy = level_due > tiny
    q[busy] = np.clip(1.0 - level_short[busy] / level_due[busy], 0.0, 1.0)
    return Curve(edges, q, np.where(busy, level_due, 0.0))


def window_curve(due_h: np.ndarray, due_t: np.ndarray, arrival_h: np.ndarray, arrival_due_h: np.ndarray,
                 arrival_t: np.ndarray, horizon_h: float, lost_due_h: np.ndarray | None = None,
                 lost_t: np.ndarray | None = None, window_h: float = WINDOW_H, on_time_h: float = ON_TIME_H) -> Curve:
    """Q(t) of the module docstring over ``[0, horizon_h)``.

    ``due_h``/``due_t``: due time (h) and tonnes (or any weight) of every consignment;
    ``arrival_h``/``arrival_due_h``/``arrival_t``: arrival time, due time and the same weight
    of the delivered ones (a subset); ``lost_due_h``/``lost_t``: due time and weight of the
    cancelled ones (another subset). A delivered consignment is in the window from its due time
    e to ``max(e + W, a − τ)``: missing until ``max(e, a − τ)``, arrived after. A lost one
    counts as missing for W hours after its due time (it never comes, and must not hold the
    curve down for ever). The rest — still on the way at the horizon — is missing from its due
    time up to the horizon. Without ``lost_*`` every consignment not delivered counts as lost.
    """
    due_h, due_t = np.asarray(due_h, float), np.asarray(due_t, float)
    arrival_h, arrival_due_h, arrival_t = (np.asarray(x, float) for x in (arrival_h, arrival_due_h, arrival_t))
    counted = np.maximum(arrival_due_h, arrival_h - on_time_h)  # from when an arrival counts
    leaves = arrival_due_h + window_h                            # when an on-time one leaves the window
    soon = counted < leaves  # arrived within the window: counts as arrived until it leaves
    late = ~soon             # later still: stays in the window, missing, until it counts
    times = np.concatenate([due_h, due_h + window_h, counted[soon], leaves[soon], leaves[late], counted[late]])
    w_soon, w_late = arrival_t[soon], arrival_t[late]
    zeros = np.zeros(2 * soon.sum())
    d_due = np.concatenate([due_t, -due_t, zeros, w_late, -w_late])
    d_short = np.concatenate([due_t, -due_t, -w_soon, w_soon, w_late, -w_late])
    if lost_due_h is not None:
        # in transit = due − delivered − lost: each stays in the window, missing, after e + W
        lost_due_h, lost_t = np.asarray(lost_due_h, float), np.asarray(lost_t, float)
        times = np.concatenate([times, due_h + window_h, arrival_due_h + window_h, lost_due_h + window_h])
        transit = np.concatenate([due_t, -arrival_t, -lost_t])
        d_due, d_short = np.concatenate([d_due, transit]), np.concatenate([d_short, transit])
    return _ratio_curve(times, d_due, d_short, horizon_h)


def consumer_mean(curves: list[Curve]) -> Curve:
    """Consumer-equal index ECS(t): the mean of Q over the consumers (curves, with ``expected``)
    that expect something at t; 1 where none does. Breakpoints: the union of all curves'."""
    if not curves:
        raise ValueError("consumer_mean needs at least one curve")
    edges = np.unique(np.concatenate([c.edges for c in curves]))
    mids = (edges[:-1] + edges[1:]) / 2
    values = np.vstack([c.at(mids) for c in curves])
    on = np.vstack([c.at(mids, c.expected, 0.0) for c in curves]) > 0
    count = on.sum(axis=0)
    q = np.ones(len(mids))
    q[count > 0] = (values * on).sum(axis=0)[count > 0] / count[count > 0]
    return Curve(edges, q)


def due_events(rec) -> np.ndarray:
    """Rows ``(commodity, destination, tonnes, due h)`` of a Recording's consignments. A
    recording made without them (by hand) falls back to its deliveries, each due at its
    delivery time minus its delay — lost and in-transit tonnes then count as never due."""
    if rec.due_events is not None:
        return rec.due_events
    return np.column_stack([rec.delivery_commodity, rec.delivery_dest, rec.delivery_tonnes,
                            rec.delivery_time_h - rec.delivery_delay_h]).reshape(-1, 4)


def freight_curve(rec, commodity: int | None = None, dest: int | None = None,
                  weights: np.ndarray | None = None) -> Curve:
    """Q(t) of a Recording's freight: all of it, or one commodity (an index, or a list of them for
    a family) and/or destination (index);
    ``weights`` per commodity index multiply each consignment's tonnes (the ``weighted`` scope)."""
    def pick(commodities: np.ndarray, dests: np.ndarray, tonnes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keep = np.ones(len(commodities), bool)
        if commodity is not None:
            keep &= np.isin(commodities, np.atleast_1d(commodity))
        if dest is not None:
            keep &= dests == dest
        w = tonnes[keep] if weights is None else tonnes[keep] * weights[commodities[keep].astype(int)]
        return keep, w

    due = due_events(rec)
    keep_due, due_w = pick(due[:, 0], due[:, 1], due[:, 2])
    keep_arr, arr_w = pick(rec.delivery_commodity, rec.delivery_dest, rec.delivery_tonnes)
    arrival = rec.delivery_time_h[keep_arr]
    lost_h = lost_w = None
    if rec.due_events is not None and rec.lost_events is not None:
        keep_lost, lost_w = pick(rec.lost_events[:, 0], rec.lost_events[:, 1], rec.lost_events[:, 2])
        lost_h = rec.lost_events[keep_lost, 3]
    return window_curve(due[keep_due, 3], due_w, arrival, arrival - rec.delivery_delay_h[keep_arr], arr_w,
                        rec.horizon_h, lost_h, lost_w)
