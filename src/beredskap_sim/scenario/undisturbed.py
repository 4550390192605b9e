"""The undisturbed twin of a scenario: the same year with every disruption and hazard off.

It keeps everything else — network, demand, its random streams, supply systems — so with the
same seed it sees the same demand as the disturbed run. The difference between the two is
what the disruptions cost (``experiment.appraisal``).
"""

from __future__ import annotations

import dataclasses

from .resolved import Scenario

SUFFIX = " (undisturbed)"


def undisturbed(scenario: Scenario) -> Scenario:
    """``scenario`` with no scheduled disruptions, no hazards (its own or the network's) and no
    warehouse outages in its food system."""
    off = {"disruptions": [], "hazards": [], "network_hazards": False}
    name = scenario.name + SUFFIX
    raw = {**scenario.raw, **off, "name": name}
    update = {**off, "name": name}
    food = scenario.spec.food
    if food is not None and any(w.outages for w in food.warehouses):
        update["food"] = food.model_copy(update={"warehouses": [w.model_copy(update={"outages": []}) for w in food.warehouses]})
        raw["food"] = {**raw["food"], "warehouses": [{k: v for k, v in w.items() if k != "outages"}
                                                     for w in raw["food"].get("warehouses", [])]}
    spec = scenario.spec.model_copy(update=update)
    return dataclasses.replace(scenario, spec=spec, raw=raw, disruptions=[], hazards=[])
