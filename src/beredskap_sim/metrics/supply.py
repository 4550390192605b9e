"""KPIs of the supply systems, in the planner's units (long-form rows, see ``kpis``).

Food, scope = municipality node (and ``all``):

* ``food_min_days_of_supply`` — lowest stock / daily consumption over the run, days;
* ``food_hours_below_threshold`` — hours with days of supply under the scenario's threshold;
* ``food_person_days_below_threshold`` — population × those hours / 24, person-days;
* ``food_stockout_hours`` — hours in which some group's shelves were empty;
* ``food_unmet_t`` — consumption the stock could not cover, tonnes;
* ``food_spoiled_t`` — chilled food lost without power, tonnes;
* ``food_surged_t`` — bought beyond normal need in a hoarding surge (part of what left the
  shelves), tonnes;
* ``food_ordered_t`` (scope ``municipality←source``) — tonnes ordered from each source;
* ``food_transport_tkm``, ``food_transport_cost`` — tonne-km of the stores' orders on the
  routes chosen when ordering, × the scenario's ``transport_cost_per_tonne_km``;
* ``food_source_switches`` — changes of source; ``food_warehouse_min_t`` (scope warehouse)
  — lowest stock of a warehouse with a finite stock.

Power, scope = area (and ``all``), or critical load for the load rows:

* ``energy_not_served_mwh`` (general and critical together), ``ens_general_mwh``,
  ``ens_critical_mwh``; per priority class ``ens_priority_<p>_mwh`` (scope ``all``);
* ``hours_with_shedding``, ``peak_shortfall_mw``; ``reservoir_min_mwh`` (lowest stored
  reservoir energy, areas with reservoirs);
* per load: ``load_ens_mwh``, ``backup_mwh``, ``fuel_out_events``;
* scope ``areas``: ``pcs_min``, ``ecs_min``, ``eoh_h`` with the areas as consumers.

Local grids, scope = grid id (and ``all``):

* ``customers_out_peak`` — most customers out at once (for ``all``: the highest step mean of
  the sum over grids);
* ``customer_hours_out`` (and per group ``customer_hours_out_<group>``), customer·h;
* ``ens_local_mwh`` and per group ``ens_local_<households|businesses|critical>_mwh``.

Passengers, scope = service or commuter flow (and ``all``):

* ``departures_run``, ``departures_replaced``, ``departures_cancelled`` (per direction);
* ``passengers_carried``, ``stranded_passenger_hours``, ``extra_passenger_hours``,
  ``trips_abandoned`` (passengers who gave up after the service's ``max_wait``);
* ``commuter_trips``, ``commuter_trips_lost``, ``commuter_extra_hours``.

Workforce (flows with staff of critical services, ``critical_share`` > 0; scope flow and ``all``):

* ``critical_staff_days_absent`` — Σ over working days of the flow's health and care staff not
  at work after that day's trip out (see ``model.passengers``), person-days;
* ``critical_staff_absent_peak`` (scope ``all``) — most such staff absent on one day, summed
  over the flows, persons.
"""

from __future__ import annotations

import numpy as np

from ..model.recording import FoodRecord, PassengerRecord, PowerRecord
from .rows import Kpi, service_rows


def food_kpis(food: FoodRecord) -> list[Kpi]:
    rows: list[Kpi] = []
    person_days = food.population * food.hours_below / 24.0
    surged = food.surged if food.surged is not None else np.zeros_like(food.consumed)
    for m, name in enumerate(food.municipalities):
        rows += [
            Kpi("food_min_days_of_supply", name, float(food.min_days[m]), "d"),
            Kpi("food_hours_below_threshold", name, float(food.hours_below[m]), "h"),
            Kpi("food_person_days_below_threshold", name, float(person_days[m]), "person·d"),
            Kpi("food_stockout_hours", name, float(food.stockout_hours[m]), "h"),
            Kpi("food_unmet_t", name, float(food.unmet[m].sum()), "t"),
            Kpi("food_spoiled_t", name, float(food.spoiled[m].sum()), "t"),
            Kpi("food_surged_t", name, float(surged[m].sum()), "t"),
        ]
    rows += [
        Kpi("food_min_days_of_supply", "all", float(food.min_days.min()), "d"),
        Kpi("food_person_days_below_threshold", "all", float(person_days.sum()), "person·d"),
        Kpi("food_stockout_hours", "all", float(food.stockout_hours.sum()), "h"),
        Kpi("food_unmet_t", "all", float(food.unmet.sum()), "t"),
        Kpi("food_spoiled_t", "all", float(food.spoiled.sum()), "t"),
        Kpi("food_surged_t", "all", float(surged.sum()), "t"),
    ]
    return rows + food_chain_kpis(food)


def food_chain_kpis(food: FoodRecord) -> list[Kpi]:
    """Where the food came from and what it cost to move (see ``model.food``)."""
    rows: list[Kpi] = []
    if food.ordered_from is None:
        return rows
    cost = food.transport_tkm * food.transport_cost_per_tonne_km
    for m, name in enumerate(food.municipalities):
        for s, source in enumerate(food.sources):
            if food.ordered_from[m, s] > 0:
                rows.append(Kpi("food_ordered_t", f"{name}←{source}", float(food.ordered_from[m, s]), "t"))
        rows += [
            Kpi("food_transport_tkm", name, float(food.transport_tkm[m]), "t·km"),
            Kpi("food_transport_cost", name, float(cost[m]), "money"),
            Kpi("food_source_switches", name, float(food.switches[m]), "1"),
        ]
    rows.append(Kpi("food_transport_cost", "all", float(cost.sum()), "money"))
    for w, node in enumerate(food.warehouses):
        rows.append(Kpi("food_warehouse_min_t", node, float(food.warehouse_min_t[w]), "t"))
    return rows


def power_kpis(power: PowerRecord, step_h: float = 1.0) -> list[Kpi]:
    # The service indices at the balance's own resolution (hours), so ``record_step`` cannot
    # change them; records made before the hourly series existed fall back to the steps.
    hourly = power.hourly_demand is not None
    served, demand, step = ((power.hourly_served, power.hourly_demand, 1.0) if hourly
                            else (power.served, power.demand, step_h))
    rows: list[Kpi] = service_rows("areas", served, demand, step) if len(power.areas) else []
    for i, area in enumerate(power.areas):
        general, critical = float(power.ens_general[i].sum()), float(power.ens_critical[i].sum())
        rows += [
            Kpi("energy_not_served_mwh", area, general + critical, "MWh"),
            Kpi("ens_general_mwh", area, general, "MWh"),
            Kpi("ens_critical_mwh", area, critical, "MWh"),
            Kpi("hours_with_shedding", area, float(power.shed_hours[i]), "h"),
            Kpi("peak_shortfall_mw", area, float(power.peak_shortfall_mw[i]), "MW"),
        ]
        stored = power.stored_mwh[i] if power.stored_mwh is not None else np.array([np.nan])
        if not np.isnan(stored).all():
            rows.append(Kpi("reservoir_min_mwh", area, float(np.nanmin(stored)), "MWh"))
    rows += [
        Kpi("energy_not_served_mwh", "all", float(power.ens_general.sum() + power.ens_critical.sum()), "MWh"),
        Kpi("hours_with_shedding", "all", float(power.shed_hours.max(initial=0.0)), "h"),
        Kpi("ens_priority_general_mwh", "all", float(power.ens_general.sum()), "MWh"),
    ]
    for priority in sorted(set(power.load_priority.tolist())):
        mine = power.load_priority == priority
        rows.append(Kpi(f"ens_priority_{priority}_mwh", "all", float(power.load_ens_mwh[mine].sum()), "MWh"))
    rows += local_grid_kpis(power)
    for j, load in enumerate(power.loads):
        rows += [
            Kpi("load_ens_mwh", load, float(power.load_ens_mwh[j]), "MWh"),
            Kpi("backup_mwh", load, float(power.load_backup_mwh[j]), "MWh"),
            Kpi("fuel_out_events", load, float(power.fuel_out_events[j]), "1"),
        ]
    return rows


def local_grid_kpis(power: PowerRecord) -> list[Kpi]:
    """Outages on the local grids, per grid and ``all`` (see ``model.distribution``)."""
    if not power.grids:
        return []
    groups = ("households", "businesses", "critical")
    rows: list[Kpi] = []
    scopes = [(g, [i]) for i, g in enumerate(power.grids)] + [("all", list(range(len(power.grids))))]
    for scope, idx in scopes:
        hours, ens = power.grid_customer_hours[idx], power.grid_ens_mwh[idx]
        peak = power.grid_peak_out[idx].max() if scope != "all" else power.grid_customers_out.sum(axis=0).max(initial=0.0)
        rows += [
            Kpi("customers_out_peak", scope, float(peak), "customers"),
            Kpi("customer_hours_out", scope, float(hours.sum()), "customer·h"),
            Kpi("ens_local_mwh", scope, float(ens.sum()), "MWh"),
        ]
        rows += [Kpi(f"ens_local_{group}_mwh", scope, float(ens[:, k].sum()), "MWh") for k, group in enumerate(groups)]
        rows += [Kpi(f"customer_hours_out_{group}", scope, float(hours[:, k].sum()), "customer·h") for k, group in enumerate(groups)]
    return rows


def passenger_kpis(pax: PassengerRecord) -> list[Kpi]:
    rows: list[Kpi] = []
    for i, service in enumerate(pax.services):
        rows += [
            Kpi("departures_run", service, float(pax.run[i]), "1"),
            Kpi("departures_replaced", service, float(pax.replaced[i]), "1"),
            Kpi("departures_cancelled", service, float(pax.cancelled[i]), "1"),
            Kpi("passengers_carried", service, float(pax.carried[i]), "pax"),
            Kpi("stranded_passenger_hours", service, float(pax.stranded_h[i]), "pax·h"),
            Kpi("extra_passenger_hours", service, float(pax.extra_h[i]), "pax·h"),
            Kpi("trips_abandoned", service, float(pax.abandoned[i]), "pax"),
        ]
    for i, flow in enumerate(pax.commuters):
        rows += [
            Kpi("commuter_trips", flow, float(pax.commuter_trips[i]), "trips"),
            Kpi("commuter_trips_lost", flow, float(pax.commuter_lost[i]), "trips"),
            Kpi("commuter_extra_hours", flow, float(pax.commuter_extra_h[i]), "pax·h"),
        ]
    rows += [
        Kpi("departures_cancelled", "all", float(np.sum(pax.cancelled)), "1"),
        Kpi("departures_replaced", "all", float(np.sum(pax.replaced)), "1"),
        Kpi("stranded_passenger_hours", "all", float(np.sum(pax.stranded_h)), "pax·h"),
        Kpi("trips_abandoned", "all", float(np.sum(pax.abandoned)), "pax"),
        Kpi("commuter_trips_lost", "all", float(np.sum(pax.commuter_lost)), "trips"),
    ]
    return rows + workforce_kpis(pax)


def workforce_kpis(pax: PassengerRecord) -> list[Kpi]:
    """Health and care staff kept from work (empty when no flow has critical staff)."""
    if pax.commuter_critical is None or not np.any(pax.commuter_critical > 0):
        return []
    absent = pax.critical_absent
    rows = [Kpi("critical_staff_days_absent", flow, float(absent[i].sum()), "person·d")
            for i, flow in enumerate(pax.commuters) if pax.commuter_critical[i] > 0]
    return rows + [
        Kpi("critical_staff_days_absent", "all", float(absent.sum()), "person·d"),
        Kpi("critical_staff_absent_peak", "all", float(absent.sum(axis=0).max(initial=0.0)), "persons"),
    ]
