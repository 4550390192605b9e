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
* ``resilience_loss_h`` — ∫(1 − Q) dt, hours; ``robustness_min_q`` — min Q; Q(t) is exact
  from event times (``curve``): the share of the tonnes due in the last 24 h that have arrived;
* disruption episodes (Q < 0.95, ``resilience.episodes``): ``episodes`` (count),
  ``episode_ttr_mean_h`` and ``time_to_recover_h`` (mean and longest time to recover),
  ``episode_loss_mean_h``/``episode_loss_max_h`` (∫(1 − Q) dt per episode),
  ``episodes_censored`` (not recovered at the horizon); ``hours_below_95`` — hours with
  Q < 0.95; ``recovery_rapidity_per_h`` — (1 − min Q) / TTR of the deepest episode;
* the curve and episode measures also per flow (scope ``commodity→destination``), where a
  disruption that cuts one municipality off shows in full instead of diluted in the commodity;
* scope ``weighted``: the same curve measures for Q_w with the scenario's commodity weights;
* scope ``destinations``: ``pcs_min``, ``ecs_min`` and ``eoh_h`` with each destination as a
  consumer (demand-weighted PCS, consumer-equal ECS, equivalent outage hours ∫(1 − PCS) dt).
"""

from __future__ import annotations

import numpy as np

from ..model.recording import Recording
from .care import care_kpis
from .costs import cost_kpis
from .curve import Curve, consumer_mean, freight_curve
from .resilience import (
    episode_stats,
    episodes,
    equivalent_outage_hours,
    hours_below,
    recovery_rapidity,
    resilience_loss,
    robustness,
)
from .rows import Kpi
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


def _curve_rows(scope: str, curve: Curve, backlog: np.ndarray) -> list[Kpi]:
    return [Kpi("backlog_peak_t", scope, float(backlog.max(initial=0.0)), "t")] + _q_rows(scope, curve)


def _q_rows(scope: str, curve: Curve) -> list[Kpi]:
    found = episodes(curve)
    stats = episode_stats(found)
    return [
        Kpi("resilience_loss_h", scope, resilience_loss(curve), "h"),
        Kpi("robustness_min_q", scope, robustness(curve), "1"),
        Kpi("time_to_recover_h", scope, stats["time_to_recover_h"], "h"),
        Kpi("hours_below_95", scope, hours_below(curve), "h"),
        Kpi("recovery_rapidity_per_h", scope, recovery_rapidity(found), "1/h"),
        Kpi("episodes", scope, stats["episodes"], "1"),
        Kpi("episode_ttr_mean_h", scope, stats["episode_ttr_mean_h"], "h"),
        Kpi("episode_loss_mean_h", scope, stats["episode_loss_mean_h"], "h"),
        Kpi("episode_loss_max_h", scope, stats["episode_loss_max_h"], "h"),
        Kpi("episodes_censored", scope, stats["episodes_censored"], "1"),
    ]


def _service_from_curves(scope: str, total: Curve, consumers: list[Curve]) -> list[Kpi]:
    """PCS/ECS/EOH rows: ``total`` is PCS(t), ``consumers`` each consumer's own curve."""
    return [
        Kpi("pcs_min", scope, robustness(total), "1"),
        Kpi("ecs_min", scope, robustness(consumer_mean(consumers)) if consumers else 1.0, "1"),
        Kpi("eoh_h", scope, equivalent_outage_hours(total), "h"),
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
    everywhere = freight_curve(rec)
    rows += _curve_rows("all", everywhere, backlog.sum(0))
    if rec.commodities:
        w = np.array([(weights or {}).get(c, (weights or {}).get("default", 1.0)) for c in rec.commodities])
        rows += _q_rows("weighted", freight_curve(rec, weights=w))
    destinations = np.flatnonzero(rec.demanded_t.sum(0) > 0)
    rows += _service_from_curves("destinations", everywhere, [freight_curve(rec, dest=int(d)) for d in destinations])
    for ci, commodity in enumerate(rec.commodities):
        totals(commodity, ci, everything)
        mine = rec.delivery_commodity == ci
        rows += _delay_rows(commodity, rec.delivery_tonnes[mine], rec.delivery_delay_h[mine])
        rows += _curve_rows(commodity, freight_curve(rec, commodity=ci), backlog[ci])
        for dest in np.flatnonzero(rec.demanded_t[ci] > 0):
            scope = f"{commodity}→{rec.node_ids[dest]}"
            totals(scope, ci, int(dest))
            here = mine & (rec.delivery_dest == dest)
            rows += _delay_rows(scope, rec.delivery_tonnes[here], rec.delivery_delay_h[here])
            rows += _q_rows(scope, freight_curve(rec, commodity=ci, dest=int(dest)))
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
            rows += _curve_rows(family, freight_curve(rec, commodity=idx), backlog[idx].sum(0))
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

        rows += care_kpis(rec.care)
    if values is not None:
        rows += cost_kpis(rows, rec, values, defaults)
    return rows
