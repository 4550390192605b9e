"""Losses valued in money with the scenario's unit values (``values:``), in its currency.

``cost`` KPIs, scope = component:

* ``freight_delay`` = Σ_c tonne_hours_delay_c × per_tonne_hour[c];
* ``freight_lost`` = Σ_c tonnes_lost_c × per_lost_tonne[c];
* ``passengers`` = (stranded + extra passenger-hours) × per_passenger_hour;
* ``commuters`` = commuter trips lost × per_commuter_trip_lost;
* ``energy_not_served`` = MWh not served × per_mwh_not_served (value of lost load);
* ``food_shortage`` = person-days below the food threshold × per_person_day_below_threshold;
* ``total`` = the sum. ``cost_per_year`` scales the total to a year: total × 8,760 / horizon.
"""

from __future__ import annotations

from .kpis import Kpi

HOURS_PER_YEAR = 8760.0


def cost_kpis(rows: list[Kpi], rec, values) -> list[Kpi]:
    """Cost rows from the KPI rows of one replication."""
    index = {(r.kpi, r.scope): r.value for r in rows}
    currency = values.currency

    def get(kpi, scope="all"):
        value = index.get((kpi, scope), 0.0)
        return 0.0 if value != value else value  # NaN (nothing happened) costs nothing

    parts = {
        "freight_delay": sum(get("tonne_hours_delay", c) * values.table(values.per_tonne_hour, c) for c in rec.commodities),
        "freight_lost": sum(get("tonnes_lost", c) * values.table(values.per_lost_tonne, c) for c in rec.commodities),
        "passengers": (get("stranded_passenger_hours") + sum(v for (k, _), v in index.items() if k == "extra_passenger_hours"))
        * values.per_passenger_hour,
        "commuters": get("commuter_trips_lost") * values.per_commuter_trip_lost,
        "energy_not_served": get("energy_not_served_mwh") * values.per_mwh_not_served,
        "food_shortage": get("food_person_days_below_threshold") * values.per_person_day_below_threshold,
    }
    total = sum(parts.values())
    out = [Kpi("cost", name, float(value), currency) for name, value in parts.items()]
    out.append(Kpi("cost", "total", float(total), currency))
    out.append(Kpi("cost_per_year", "total", float(total * HOURS_PER_YEAR / rec.horizon_h), f"{currency}/yr"))
    return out
