"""The KPI table of one replication, in long form: one row per (kpi, scope).

Columns: ``kpi`` (name), ``scope`` (``all``, a commodity, or ``commodity→destination``),
``value`` and ``unit``. Long form keeps replications, systems and scopes stackable; summaries
pivot it as needed.

Freight KPIs (tonnes unless stated):

* ``tonnes_demanded`` — released within the horizon;
* ``tonnes_delivered``, ``tonnes_lost`` (deadline passed), ``tonnes_in_transit`` (at the horizon);
  ``demanded = delivered + lost + in_transit``;
* ``delay_mean_h``, ``delay_p95_h`` — tonne-weighted mean and 95th percentile of delivery
  delay against the undisrupted travel time, hours;
* ``tonne_hours_delay`` — Σ tonnes × delay of delivered consignments, tonne-hours;
* ``backlog_peak_t`` — largest tonnage in the system at a step end;
* ``resilience_loss_h`` — ∫(1 − Q) dt, hours; ``robustness_min_q`` — min Q;
  ``time_to_recover_h`` — to Q ≥ 0.95 and staying (see ``resilience``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..model.recording import Recording
from .resilience import performance, resilience_loss, robustness, time_to_recover


class Kpi(NamedTuple):
    kpi: str
    scope: str
    value: float
    unit: str


def weighted_quantile(values: np.ndarray, weights: np.ndarray, quantile: float) -> float:
    """Quantile of ``values`` weighted by ``weights`` (inverted empirical CDF); NaN if empty."""
    if values.size == 0 or weights.sum() <= 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    index = int(np.searchsorted(cum, quantile * cum[-1], side="left"))
    return float(values[order][min(index, len(order) - 1)])


def _delay_rows(scope: str, tonnes: np.ndarray, delay: np.ndarray) -> list[Kpi]:
    if tonnes.sum() > 0:
        mean = float(np.average(delay, weights=tonnes))
    else:
        mean = float("nan")
    return [
        Kpi("delay_mean_h", scope, mean, "h"),
        Kpi("delay_p95_h", scope, weighted_quantile(delay, tonnes, 0.95), "h"),
        Kpi("tonne_hours_delay", scope, float(np.sum(tonnes * np.maximum(delay, 0.0))), "t·h"),
    ]


def _curve_rows(scope: str, delivered: np.ndarray, due: np.ndarray, backlog: np.ndarray, step_h: float) -> list[Kpi]:
    q = performance(delivered, due)
    return [
        Kpi("backlog_peak_t", scope, float(backlog.max(initial=0.0)), "t"),
        Kpi("resilience_loss_h", scope, resilience_loss(q, step_h), "h"),
        Kpi("robustness_min_q", scope, robustness(q), "1"),
        Kpi("time_to_recover_h", scope, time_to_recover(q, step_h), "h"),
    ]


def freight_kpis(rec: Recording) -> list[Kpi]:
    """All freight KPIs of one recording, for ``all``, each commodity and each commodity→destination."""
    rows: list[Kpi] = []

    def totals(scope: str, ci, dest) -> None:
        sel = (ci, dest)
        rows.extend([
            Kpi("tonnes_demanded", scope, float(rec.demanded_t[sel].sum()), "t"),
            Kpi("tonnes_delivered", scope, float(rec.delivered_t[sel].sum()), "t"),
            Kpi("tonnes_lost", scope, float(rec.lost_t[sel].sum()), "t"),
            Kpi("tonnes_in_transit", scope, float(rec.in_transit_t[sel].sum()), "t"),
        ])

    backlog = rec.backlog_t()
    everything = slice(None)
    totals("all", everything, everything)
    rows += _delay_rows("all", rec.delivery_tonnes, rec.delivery_delay_h)
    rows += _curve_rows("all", rec.delivered.sum(0), rec.due.sum(0), backlog.sum(0), rec.step_h)
    for ci, commodity in enumerate(rec.commodities):
        totals(commodity, ci, everything)
        mine = rec.delivery_commodity == ci
        rows += _delay_rows(commodity, rec.delivery_tonnes[mine], rec.delivery_delay_h[mine])
        rows += _curve_rows(commodity, rec.delivered[ci], rec.due[ci], backlog[ci], rec.step_h)
        for dest in np.flatnonzero(rec.demanded_t[ci] > 0):
            scope = f"{commodity}→{rec.node_ids[dest]}"
            totals(scope, ci, int(dest))
            here = mine & (rec.delivery_dest == dest)
            rows += _delay_rows(scope, rec.delivery_tonnes[here], rec.delivery_delay_h[here])
    return rows


def kpi_table(rec: Recording) -> list[Kpi]:
    """Every KPI of one replication: freight, then food, power and passengers where modelled."""
    from .supply import food_kpis, passenger_kpis, power_kpis

    rows = freight_kpis(rec)
    if rec.food is not None:
        rows += food_kpis(rec.food)
    if rec.power is not None:
        rows += power_kpis(rec.power)
    if rec.passengers is not None:
        rows += passenger_kpis(rec.passengers)
    return rows
