"""Resolve the care sections of a network and a scenario into a ``CarePlan``: plain data with
node indices, hours and air times (picklable, no SimPy), and every problem found on the way.

Air time of a helicopter mission to place p (hours)::

    dispatch + d(base, p) / v + min over hospitals h that p may use of d(p, h) / v

with d the great-circle distance (haversine, Earth radius 6,371 km) and v the cruise speed;
``inf`` where the helicopter may not serve p (another country without an agreement naming it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .care_schema import CareNetworkSpec, CareScenarioSpec
from .errors import Problem
from .units import parse_instant

EARTH_RADIUS_KM = 6371.0


def great_circle_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine distance between two points (degrees) on a sphere of radius 6,371 km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Helicopter:
    """A resolved air-ambulance base; ``air_h[p]``: mission air time to place p (inf: may not serve)."""

    id: str
    aircraft: int
    mission_h: float
    air_h: tuple[float, ...]


@dataclass(frozen=True)
class CarePlan:
    """Places, the hospitals each may use, helicopters and their grounded windows.

    ``allowed[p]``: hospital indices place p may use; ``windows``: (helicopter index, start h,
    end h) from the scenario; ``groundings``: (helicopter index, hazard id, classes, hours) —
    events of the hazard ground it (``model/care.py`` reads the events off the run's
    disruptions)."""

    places: tuple[str, ...]
    place_nodes: tuple[int, ...]
    population: tuple[int, ...]
    hospitals: tuple[str, ...]
    hospital_nodes: tuple[int, ...]
    allowed: tuple[tuple[int, ...], ...]
    helicopters: tuple[Helicopter, ...]
    threshold_h: float
    missions_per_person_h: float
    windows: tuple[tuple[int, float, float], ...] = ()
    groundings: tuple[tuple[int, str, tuple[str, ...], float], ...] = ()


def care_network_problems(net_spec, file: str, lines: dict) -> list[Problem]:
    """Unknown nodes, repeated ids, agreements naming unknown places, hospitals or helicopters,
    and groundings by unknown hazards or intensity classes, in a network's ``care`` section."""
    care: CareNetworkSpec | None = net_spec.care
    if care is None:
        return []
    out: list[Problem] = []
    node_ids = {n.id for n in net_spec.nodes}
    for kind, items in (("hospitals", care.hospitals), ("helicopters", care.helicopters), ("agreements", care.agreements)):
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                out.append(Problem(file, f"care.{kind}[{i}].id", f"duplicate id {item.id!r}", "ids unique within the section",
                                   lines.get(("care", kind, i))))
            seen.add(item.id)
    for kind, items in (("hospitals", care.hospitals), ("residents", care.residents)):
        for i, item in enumerate(items):
            if item.node not in node_ids:
                out.append(Problem(file, f"care.{kind}[{i}].node", f"unknown node {item.node!r}", "the id of a node of this network",
                                   lines.get(("care", kind, i))))
    known = {"places": (node_ids, "a node id"),
             "hospitals": ({h.id for h in care.hospitals}, "a hospital id of care.hospitals"),
             "helicopters": ({h.id for h in care.helicopters}, "a helicopter id of care.helicopters")}
    for i, a in enumerate(care.agreements):
        for field, names in (("places", a.places), ("hospitals", a.hospitals), ("helicopters", a.helicopters)):
            ids, what = known[field]
            out += [Problem(file, f"care.agreements[{i}].{field}[{j}]", f"unknown {field[:-1]} {name!r}", what,
                            lines.get(("care", "agreements", i))) for j, name in enumerate(names) if name not in ids]
    classes = {h.id: set(h.intensity.classes) if h.intensity else set() for h in net_spec.hazards}
    for i, heli in enumerate(care.helicopters):
        for j, g in enumerate(heli.grounded_by):
            where = f"care.helicopters[{i}].grounded_by[{j}]"
            if g.hazard not in classes:
                out.append(Problem(file, f"{where}.hazard", f"unknown hazard {g.hazard!r}", "a hazard id of this network",
                                   lines.get(("care", "helicopters", i))))
            else:
                out += [Problem(file, f"{where}.classes", f"hazard {g.hazard!r} has no intensity class {c!r}",
                                f"one of {sorted(classes[g.hazard]) or 'none (the hazard has no classes)'}",
                                lines.get(("care", "helicopters", i))) for c in g.classes if c not in classes[g.hazard]]
    return out


def resolve_care(spec: CareScenarioSpec | None, care: CareNetworkSpec | None, network, hazards, start, timezone: str,
                 file: str, lines: dict) -> tuple[CarePlan | None, list[Problem]]:
    """The plan of a scenario's ``care`` section over its network's, or None when it has none."""
    if spec is None:
        return None, []
    if care is None:
        return None, [Problem(file, "care", "the scenario asks about emergency care but its network has no care section",
                              "a network with care: hospitals (see README, Access to emergency care)", lines.get(("care",)))]
    problems: list[Problem] = []
    nodes = {n.id: n for n in network.spec.nodes}
    in_force = [a for a in care.agreements if spec.agreements is None or a.id in spec.agreements]
    for j, name in enumerate(spec.agreements or []):
        if name not in {a.id for a in care.agreements}:
            problems.append(Problem(file, f"care.agreements[{j}]", f"unknown agreement {name!r}",
                                    "an agreement id of the network's care.agreements", lines.get(("care", "agreements", j))))
    residents = {r.node: r.population for r in care.residents}
    place_ids = [n.id for n in network.spec.nodes if n.kind == "municipality" and n.population and n.id not in residents]
    place_ids += list(residents)
    population = [residents.get(p) or nodes[p].population for p in place_ids]
    hospital_country = [nodes[h.node].country for h in care.hospitals]
    allowed = []
    for p in place_ids:
        opened = {h for a in in_force if p in a.places for h in a.hospitals}
        allowed.append(tuple(k for k, h in enumerate(care.hospitals)
                             if hospital_country[k] == nodes[p].country or h.id in opened))
    crossing = {name for a in in_force for name in a.helicopters}
    helicopters = []
    for heli in care.helicopters:
        air = []
        for p, ok in zip(place_ids, allowed):
            node = nodes[p]
            if (heli.country != node.country and heli.id not in crossing) or not ok:
                air.append(math.inf)
                continue
            leg = min(great_circle_km(node.lon, node.lat, nodes[care.hospitals[k].node].lon, nodes[care.hospitals[k].node].lat) for k in ok)
            air.append(heli.dispatch + (great_circle_km(heli.lon, heli.lat, node.lon, node.lat) + leg) / heli.speed_kmh)
        helicopters.append(Helicopter(heli.id, heli.aircraft, heli.mission, tuple(air)))
    index = {h.id: k for k, h in enumerate(care.helicopters)}
    windows = []
    for i, w in enumerate(spec.weather):
        for j, name in enumerate(w.helicopters):
            if name not in index:
                problems.append(Problem(file, f"care.weather[{i}].helicopters[{j}]", f"unknown helicopter {name!r}",
                                        "a helicopter id of the network's care.helicopters", lines.get(("care", "weather", i))))
        try:
            begin = parse_instant(w.start, start, timezone)
        except ValueError as exc:
            problems.append(Problem(file, f"care.weather[{i}].start", str(exc), "", lines.get(("care", "weather", i, "start"))))
            continue
        for name in w.helicopters or list(index):
            if name in index:
                windows.append((index[name], begin, begin + w.duration))
    classes = {h.id: set(h.classes) for h in hazards}
    groundings = []
    for k, heli in enumerate(care.helicopters):
        for g in heli.grounded_by:
            if g.hazard not in classes:
                continue  # a hazard the scenario does not use: its events never come
            groundings.append((k, g.hazard, tuple(g.classes), g.duration))
    plan = CarePlan(tuple(place_ids), tuple(network.node_index[p] for p in place_ids), tuple(population),
                    tuple(h.id for h in care.hospitals), tuple(network.node_index[h.node] for h in care.hospitals),
                    tuple(allowed), tuple(helicopters), spec.threshold, spec.missions_per_1000_per_day / 1000.0 / 24.0,
                    tuple(windows), tuple(groundings))
    return plan, problems
