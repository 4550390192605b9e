"""The generalized cost of one replication in money: what the year's transport and shortages cost.

Every replication — baseline or variant, disturbed or undisturbed — is costed *absolutely* with
the same unit values, so costs of different runs can be subtracted (``experiment.appraisal``
does that against one reference, the baseline). ``cost`` KPIs, scope = component, in the
scenario's currency (``values.currency``):

* ``freight_time`` = Σ_c H_c × v_c: H_c tonne-hours in transport of commodity c (release to
  delivery, or to the horizon for what is still on its way, ``Recording.tonne_hours_in_transport``),
  v_c the value of time per tonne-hour: ``values.per_tonne_hour`` (its entry for c or its
  ``default``), else the network's routing value ``defaults.value_of_time_nok_per_tonne_hour``;
* ``freight_distance`` = Σ_{c,m} tkm_{c,m} × d_m: tonne-km per mode m times the network's
  ``defaults.distance_cost_nok_per_tkm`` (operating cost of the detour is in here);
* ``freight_transfer`` = tonnes transshipped × ``defaults.transfer_cost_nok_per_t``;
* ``freight_lost`` = Σ_c tonnes_lost_c × ``values.per_lost_tonne[c]`` (cancelled before departure);
* ``passengers`` = (stranded + extra passenger-hours + commuters' extra hours) ×
  ``per_passenger_hour`` + trips given up × ``per_passenger_trip_lost``;
* ``commuters`` = commuter trips lost × ``per_commuter_trip_lost``;
* ``energy_not_served`` = Σ_g MWh not served to customer group g × value of lost load of g
  (``per_mwh_not_served_by_group``: ``general`` and ``critical`` for the area balance,
  ``households``, ``businesses``, ``critical`` for the local grids; any group not listed takes
  ``per_mwh_not_served``);
* ``food_shortage`` = person-days below the food threshold × ``per_person_day_below_threshold``
  + tonnes of food consumption not met × ``per_tonne_food_unmet``;
* ``total`` = the sum; ``cost_per_year`` (scope ``total``) = total × 8,760 / horizon hours.

Network figures are in NOK; for a scenario in SEK they are converted at ``values.sek_per_nok``.
A NaN KPI (nothing happened) costs nothing.
"""

from __future__ import annotations

import numpy as np

from .rows import Kpi

HOURS_PER_YEAR = 8760.0
GRID_GROUPS = ("households", "businesses", "critical")
COMPONENTS = ("freight_time", "freight_distance", "freight_transfer", "freight_lost", "passengers", "commuters",
              "energy_not_served", "food_shortage")


def value_of_time(values, defaults, commodity: str) -> float:
    """Value of a tonne-hour of ``commodity`` in the scenario's currency (see the module text)."""
    table = values.per_tonne_hour
    if commodity in table or "default" in table:
        return values.table(table, commodity)
    return defaults.value_of_time(commodity) * nok_to(values) if defaults is not None else 0.0


def nok_to(values) -> float:
    """Multiply NOK by this to get the scenario's currency."""
    return values.sek_per_nok if values.currency == "SEK" else 1.0


def mwh_value(values, group: str) -> float:
    """Value of lost load of a customer group, per MWh (the group's entry, else ``per_mwh_not_served``)."""
    return values.per_mwh_not_served_by_group.get(group, values.per_mwh_not_served)


def _freight_parts(rec, values, defaults) -> dict[str, float]:
    hours = rec.tonne_hours_in_transport()
    time_cost = sum(h * value_of_time(values, defaults, c) for c, h in zip(rec.commodities, hours))
    distance = transfer = 0.0
    if defaults is not None:
        per_tkm = np.array([defaults.distance_cost_nok_per_tkm.get(m, 0.0) for m in rec.modes]) * nok_to(values)
        distance = float(rec.tonne_km.sum(axis=0) @ per_tkm) if per_tkm.size else 0.0
        transfer = float(rec.transshipped_t.sum()) * defaults.transfer_cost_nok_per_t * nok_to(values)
    return {"freight_time": float(time_cost), "freight_distance": distance, "freight_transfer": transfer}


def cost_kpis(rows: list[Kpi], rec, values, defaults=None) -> list[Kpi]:
    """Cost rows of one replication from its KPI rows and Recording (``defaults``: the network's
    ``NetworkDefaults``, for the distance and transfer costs and the fallback value of time)."""
    index = {(r.kpi, r.scope): r.value for r in rows}
    currency = values.currency

    def get(kpi, scope="all"):
        value = index.get((kpi, scope), 0.0)
        return 0.0 if value != value else value  # NaN (nothing happened) costs nothing

    def summed(kpi):
        return sum(0.0 if v != v else v for (k, _), v in index.items() if k == kpi)

    energy = (get("ens_priority_general_mwh") * mwh_value(values, "general")
              + (get("energy_not_served_mwh") - get("ens_priority_general_mwh")) * mwh_value(values, "critical")
              + sum(get(f"ens_local_{g}_mwh") * mwh_value(values, g) for g in GRID_GROUPS))
    parts = {
        **_freight_parts(rec, values, defaults),
        "freight_lost": sum(get("tonnes_lost", c) * values.table(values.per_lost_tonne, c) for c in rec.commodities),
        "passengers": (get("stranded_passenger_hours") + summed("extra_passenger_hours") + summed("commuter_extra_hours"))
        * values.per_passenger_hour + get("trips_abandoned") * values.per_passenger_trip_lost,
        "commuters": get("commuter_trips_lost") * values.per_commuter_trip_lost,
        "energy_not_served": energy,
        "food_shortage": get("food_person_days_below_threshold") * values.per_person_day_below_threshold
        + get("food_unmet_t") * values.per_tonne_food_unmet,
    }
    total = sum(parts.values())
    out = [Kpi("cost", name, float(value), currency) for name, value in parts.items()]
    out.append(Kpi("cost", "total", float(total), currency))
    out.append(Kpi("cost_per_year", "total", float(total * HOURS_PER_YEAR / rec.horizon_h), f"{currency}/yr"))
    return out
