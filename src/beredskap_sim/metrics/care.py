"""KPIs of access to emergency care (``model/care.py``), per place and for all places.

Per place (scope = node id) and summed over places (scope ``all``):

* ``care_hours_no_road`` — hours with no hospital the place may use within the threshold by road;
* ``care_hours_air_only`` — the part of those with an air ambulance that can fly and is free;
* ``care_hours_no_access`` — ``no_road − air_only``: hours with neither;
* ``care_person_hours_no_road`` and ``care_person_hours_no_access`` — the same × population.

Scope ``all`` also gives ``care_places_cut_off``: places with any hour without road access.
"""

from __future__ import annotations

import numpy as np

from ..model.recording import CareRecord
from .rows import Kpi


def care_kpis(care: CareRecord) -> list[Kpi]:
    rows: list[Kpi] = []
    for p, place in enumerate(care.places):
        rows += [
            Kpi("care_hours_no_road", place, float(care.no_road_h[p]), "h"),
            Kpi("care_hours_air_only", place, float(care.air_h[p]), "h"),
            Kpi("care_hours_no_access", place, float(care.no_access_h[p]), "h"),
            Kpi("care_person_hours_no_road", place, float(care.no_road_h[p] * care.population[p]), "person·h"),
            Kpi("care_person_hours_no_access", place, float(care.no_access_h[p] * care.population[p]), "person·h"),
        ]
    rows += [
        Kpi("care_hours_no_road", "all", float(np.sum(care.no_road_h)), "h"),
        Kpi("care_hours_air_only", "all", float(np.sum(care.air_h)), "h"),
        Kpi("care_hours_no_access", "all", float(np.sum(care.no_access_h)), "h"),
        Kpi("care_person_hours_no_road", "all", float(np.dot(care.no_road_h, care.population)), "person·h"),
        Kpi("care_person_hours_no_access", "all", float(np.dot(care.no_access_h, care.population)), "person·h"),
        Kpi("care_places_cut_off", "all", float(np.count_nonzero(care.no_road_h > 1e-9)), "places"),
    ]
    return rows
