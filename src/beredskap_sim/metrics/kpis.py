"""The KPI table of one replication, in long form: one row per (kpi, scope).

Columns: ``kpi`` (name), ``scope`` (``all``, a commodity, or ``commodity→destination``),
``value`` and ``unit``. Long form keeps replications, systems and scopes stackable; summaries
pivot it as needed.

Freight KPIs (tonnes unless stated):

* ``tonnes_demanded`` — released within the horizon;
* ``tonnes_delivered``; ``tonnes_lost`` — cancelled *before departure* because no way could
  meet the deadline (what has left its origin is never dropped); ``tonnes_in_transit`` — still
  on the way at the horizon; ``demanded = delivered + lost + in_transit``;
* ``tonne_hours_delay_in_transit`` — Σ tonnes × delay up to the horizon of what is still in
  transit: a censored figure (they are late by at least that much), reported apart from the
  delivered consignments' delay;
* ``delay_mean_h``, ``delay_p95_h`` — tonne-weighted mean and 95th percentile of delivery
  delay against the undisrupted travel time, hours;
* ``tonne_hours_delay`` — Σ tonnes × delay of delivered consignments, tonne-hours;
* ``tonnes_late`` — tonnes delivered more than ``LATE_AFTER_H`` (1 h) after their undisturbed time;
* ``tonnes_on_time`` — tonnes delivered within ``LATE_AFTER_H`` of it (delivered − late; e.g. a
  military movement's tonnes on time, scope ``military``);
* ``tonne_hours_in_transport`` — Σ tonnes × (delivery − release), or (horizon − release) for
  what is not yet delivered; ``tonne_km_<mode>``; ``tonnes_transshipped`` (``transport_rows``);
* ``backlog_peak_t`` — largest tonnage in the system at a step end;
* ``resilience_loss_h`` — ∫(1 − Q) dt, hours; ``robustness_min_q`` — min Q;
  ``time_to_recover_h`` — to Q ≥ 0.95 and staying; ``hours_below_95`` — hours with Q < 0.95;
  ``recovery_rapidity_per_h`` — (1 − min Q) / time to recover (see ``resilience``);
* scope ``weighted``: the same curve measures for Q_w with the scenario's commodity weights;
* scope ``destinations``: ``pcs_min``, ``ecs_min`` and ``eoh_h`` with each destination as a
  consumer (demand-weighted PCS, consumer-equal ECS, equivalent outage hours ∫(1 − PCS) dt).
"""

from __future__ import annotations

import numpy as np

from ..model.recording import Recording
from .costs import cost_kpis
from .resilience import (
    hours_below,
    performance,
    recovery_rapidity,
    resilience_loss,
    robustness,
    time_to_recover,
    weighted_performance,
)
from .rows import Kpi, service_rows
from .supply import food_kpis, passenger_kpis, power_kpis


LATE_AFTER_H = 1.0
"""A delivery is late when it arrives more than this many hours after its undisturbed time."""


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
        Kpi("tonnes_late", scope, float(tonnes[delay > LATE_AFTER_H].sum()), "t"),
        Kpi("tonnes_on_time", scope, float(tonnes[delay <= LATE_AFTER_H].sum()), "t"),  # delivered − late
    ]


def _curve_rows(scope: str, delivered: np.ndarray, due: np.ndarray, backlog: np.ndarray, step_h: float) -> list[Kpi]:
    q = performance(delivered, due)
    return [Kpi("backlog_peak_t", scope, float(backlog.max(initial=0.0)), "t")] + _q_rows(scope, q, step_h)


def _q_rows(scope: str, q: np.ndarray, step_h: float) -> list[Kpi]:
    return [
        Kpi("resilience_loss_h", scope, resilience_loss(q, step_h), "h"),
        Kpi("robustness_min_q", scope, robustness(q), "1"),
        Kpi("time_to_recover_h", scope, time_to_recover(q, step_h), "h"),
        Kpi("hours_below_95", scope, hours_below(q, step_h), "h"),
        Kpi("recovery_rapidity_per_h", scope, recovery_rapidity(q, step_h), "1/h"),
    ]


def freight_kpis(rec: Recording, weights: dict[str, float] | None = None) -> list[Kpi]:
    """All freight KPIs of one recording, for ``all``, each commodity and each commodity→destination."""
    rows: list[Kpi] = []

    def totals(scope: str, ci, dest) -> None:
        sel = (ci, dest)
        rows.extend([
            Kpi("tonnes_demanded", scope, float(rec.demanded_t[sel].sum()), "t"),
            Kpi("tonnes_delivered", scope, float(rec.delivered_t[sel].sum()), "t"),
            Kpi("tonnes_lost", scope, float(rec.lost_t[sel].sum()), "t"),
            Kpi("tonnes_in_transit", scope, float(rec.in_transit_t[sel].sum()), "t"),
            Kpi("tonne_hours_delay_in_transit", scope, float(rec.in_transit_delay_th[sel].sum()), "t·h"),
        ])

    backlog = rec.backlog_t()
    everything = slice(None)
    totals("all", everything, everything)
    rows += _delay_rows("all", rec.delivery_tonnes, rec.delivery_delay_h)
    rows += _curve_rows("all", rec.delivered.sum(0), rec.due.sum(0), backlog.sum(0), rec.step_h)
    if rec.commodities:
        w = np.array([(weights or {}).get(c, (weights or {}).get("default", 1.0)) for c in rec.commodities])
        rows += _q_rows("weighted", weighted_performance(rec.delivered, rec.due, w), rec.step_h)
    if rec.due_by_dest is not None:
        rows += service_rows("destinations", rec.delivered_by_dest, rec.due_by_dest, rec.step_h)
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
    rows += transport_rows(rec)
    # A commodity family (``food`` = its groups) gets tonne totals under its own name, unless the
    # family name is itself a recorded commodity (then its own rows stand, so costs summed over
    # commodities never count a tonne twice). Its delays pool its groups' deliveries, and its Q
    # is Σ delivered / Σ due over its groups, so the family column is never blank where its
    # groups have values.
    for family, members in (rec.families or {}).items():
        idx = [rec.commodities.index(c) for c in members if c in rec.commodities]
        if idx and family not in rec.commodities:
            totals(family, idx, everything)
            pooled = np.isin(rec.delivery_commodity, idx)
            rows += _delay_rows(family, rec.delivery_tonnes[pooled], rec.delivery_delay_h[pooled])
            rows += _curve_rows(family, rec.delivered[idx].sum(0), rec.due[idx].sum(0), backlog[idx].sum(0), rec.step_h)
    return rows


def transport_rows(rec: Recording) -> list[Kpi]:
    """Transport work per commodity and ``all``: ``tonne_hours_in_transport`` (t·h, release to
    delivery or horizon), ``tonne_km_<mode>`` (t·km) and ``tonnes_transshipped`` (t)."""
    hours = rec.tonne_hours_in_transport()
    scopes = [(c, [i]) for i, c in enumerate(rec.commodities)] + [("all", list(range(len(rec.commodities))))]
    rows: list[Kpi] = []
    for scope, idx in scopes:
        rows.append(Kpi("tonne_hours_in_transport", scope, float(hours[idx].sum()), "t·h"))
        rows += [Kpi(f"tonne_km_{mode}", scope, float(rec.tonne_km[idx, m].sum()), "t·km") for m, mode in enumerate(rec.modes)]
        rows.append(Kpi("tonnes_transshipped", scope, float(rec.transshipped_t[idx].sum()), "t"))
    return rows


def kpi_table(rec: Recording, values=None, defaults=None) -> list[Kpi]:
    """Every KPI of one replication: freight, then food, power and passengers where modelled,
    then costs when the scenario gives unit ``values`` (a ``ValuesSpec``; ``defaults``, the
    network's ``NetworkDefaults``, price distance and transshipment)."""
    rows = freight_kpis(rec, values.commodity_weights if values is not None else None)
    if rec.food is not None:
        rows += food_kpis(rec.food)
    if rec.power is not None:
        rows += power_kpis(rec.power, rec.step_h)
    if rec.passengers is not None:
        rows += passenger_kpis(rec.passengers)
    if getattr(rec, "care", None) is not None:
        from .care import care_kpis

        rows += care_kpis(rec.care)
    if values is not None:
        rows += cost_kpis(rows, rec, values, defaults)
    return rows
