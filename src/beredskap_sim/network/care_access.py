"""Static access to emergency care for ``analyze``: the road time from every place of the care
measure to the nearest hospital it may use, with every link open and with each road link
removed in turn (single-link criticality for care, as ``redundancy.single_link_criticality`` is
for freight).

Times are shortest road times at link speeds (``travel.travel_times_h``); the hospitals a place
may use are those of its country plus those the agreements in force open to it
(``scenario/care_plan.py``). With a scenario its threshold and agreements apply; with a network
alone, every agreement and a 60-minute threshold.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..scenario.care_plan import resolve_care
from ..scenario.care_schema import CareScenarioSpec
from .graph import MODES, Network
from .travel import arc_speed_kmh, travel_times_h

DEFAULT_THRESHOLD_H = 1.0


def _nearest(dist: np.ndarray, plan) -> tuple[np.ndarray, list[str]]:
    """Minutes to the nearest allowed hospital per place, and its id."""
    minutes, names = [], []
    for p, ok in enumerate(plan.allowed):
        times = [dist[p, plan.hospital_nodes[k]] for k in ok]
        best = int(np.argmin(times)) if times else -1
        minutes.append(times[best] * 60.0 if times else math.inf)
        names.append(plan.hospitals[ok[best]] if times and math.isfinite(times[best]) else "")
    return np.array(minutes), names


def care_access(network: Network, scenario=None) -> dict[str, pd.DataFrame]:
    """``care_access``: place, population, nearest hospital, minutes, within the threshold.
    ``care_links``: for each road link whose removal lengthens a place's time, the minutes
    with and without it, the difference (inf: cut off from every allowed hospital) and whether
    the place then loses access within the threshold. Empty dict when the network has no care."""
    care = network.spec.care
    if care is None:
        return {}
    spec = scenario.spec.care if scenario is not None and scenario.spec.care is not None else CareScenarioSpec(threshold=DEFAULT_THRESHOLD_H)
    start, zone = (scenario.start, scenario.spec.timezone) if scenario is not None else (None, "Europe/Oslo")
    plan, _ = resolve_care(spec, care, network, [], start, zone, "", {})
    speeds = arc_speed_kmh(network)
    ones = [1.0] * network.n_links
    origins = list(plan.place_nodes)
    base, nearest = _nearest(travel_times_h(network, lambda li: True, ones, origins, ("road",), speeds), plan)
    threshold_min = plan.threshold_h * 60.0
    access = pd.DataFrame({"place": plan.places, "population": plan.population, "nearest_hospital": nearest,
                           "minutes": base, "within_threshold": base <= threshold_min + 1e-9,
                           "threshold_min": threshold_min})
    rows = []
    road = sorted({int(li) for li, m in zip(network.arc_link, network.arc_mode) if m == MODES.index("road")})
    for li in road:
        without, _ = _nearest(travel_times_h(network, lambda x, li=li: x != li, ones, origins, ("road",), speeds), plan)
        for p, place in enumerate(plan.places):
            if without[p] > base[p] + 1e-6:
                rows.append({"link": network.link_ids[li], "place": place, "population": plan.population[p],
                             "minutes_with": base[p], "minutes_without": without[p], "extra_min": without[p] - base[p],
                             "loses_access": bool(base[p] <= threshold_min + 1e-9 < without[p])})
    links = pd.DataFrame(rows, columns=["link", "place", "population", "minutes_with", "minutes_without", "extra_min", "loses_access"])
    if not links.empty:
        links = links.sort_values(["loses_access", "population", "extra_min"], ascending=[False, False, False], ignore_index=True)
    return {"care_access": access, "care_links": links}
