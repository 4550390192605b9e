"""Cross-reference checks: every name a file uses must point at something that exists.

Schema validation (pydantic) checks each file on its own; these checks look across files and
sections — links between known nodes, groups and regions of known members, scenario targets
in the network or its power system, supply sections that name real nodes, areas and loads —
and return every problem found, never stopping at the first.
"""

from __future__ import annotations

import re
from collections import Counter

from .care_plan import care_network_problems
from .errors import Problem
from .limits import network_limits
from .network_schema import NetworkSpec
from .schema import ScenarioSpec
from .units import parse_instant


def network_problems(spec: NetworkSpec, file: str, lines: dict) -> list[Problem]:
    out: list[Problem] = []
    for kind, items in (("nodes", spec.nodes), ("links", spec.links)):
        counts = Counter(item.id for item in items)
        for i, item in enumerate(items):
            if counts[item.id] > 1:
                out.append(Problem(file, f"{kind}[{i}].id", f"duplicate id {item.id!r}", "ids unique within the file", lines.get((kind, i, "id"))))
    node_ids = {n.id for n in spec.nodes}
    link_ids = {link.id for link in spec.links}
    overlap = node_ids & link_ids
    for name in sorted(overlap):
        out.append(Problem(file, "links", f"id {name!r} names both a node and a link", "distinct ids"))
    for i, link in enumerate(spec.links):
        for end in ("from", "to"):
            ref = link.from_ if end == "from" else link.to
            if ref not in node_ids:
                out.append(Problem(file, f"links[{i}].{end}", f"unknown node {ref!r}", "the id of a node in this file", lines.get(("links", i, end))))
        if link.from_ == link.to:
            out.append(Problem(file, f"links[{i}]", f"link {link.id!r} starts and ends at {link.from_!r}", "two different nodes", lines.get(("links", i))))
    for region, members in spec.regions.items():
        for j, member in enumerate(members):
            if member not in node_ids:
                out.append(Problem(file, f"regions.{region}[{j}]", f"unknown node {member!r}", "a node id", lines.get(("regions", region, j))))
    for j, pair in enumerate(spec.region_pairs):
        if len(pair) != 2 or any(p not in node_ids and p not in spec.regions for p in pair):
            out.append(Problem(file, f"region_pairs[{j}]", f"got {pair!r}", "two region names or node ids", lines.get(("region_pairs", j))))
    known = node_ids | link_ids | set(spec.groups)
    for group, members in spec.groups.items():
        for j, member in enumerate(members):
            if member not in known:
                out.append(Problem(file, f"groups.{group}[{j}]", f"unknown id {member!r}", "a node, link or group id", lines.get(("groups", group, j))))
    out += group_problems(spec, file, lines)
    out += target_id_problems(spec, file, lines)
    out += network_limits(spec, file, lines)
    out += care_network_problems(spec, file, lines)
    return out


def group_problems(spec: NetworkSpec, file: str, lines: dict) -> list[Problem]:
    """Groups must be non-empty, must not reuse a node or link id, and must not contain
    themselves, directly or through other groups (a cycle)."""
    out: list[Problem] = []
    taken = {n.id for n in spec.nodes} | {link.id for link in spec.links}
    for group, members in spec.groups.items():
        here = lines.get(("groups", group))
        if not members:
            out.append(Problem(file, f"groups.{group}", "the group is empty", "at least one node, link or group id", here))
        if group in taken:
            out.append(Problem(file, f"groups.{group}", f"{group!r} is also the id of a node or link", "a group name of its own", here))
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(group: str, path: list[str]) -> None:
        state[group] = 1
        for member in spec.groups[group]:
            if member not in spec.groups or member in taken:
                continue
            if state.get(member) == 1:
                cycle = path[path.index(member):] + [member]
                out.append(Problem(file, f"groups.{group}", f"groups contain each other: {' → '.join(cycle)}",
                                   "groups without cycles", lines.get(("groups", group))))
            elif member not in state:
                visit(member, path + [member])
        state[group] = 2

    for group in spec.groups:
        if group not in state and group not in taken:
            visit(group, [group])
    return out


def target_id_problems(spec: NetworkSpec, file: str, lines: dict) -> list[Problem]:
    """Every id a disruption can target — nodes, links, groups, power areas, interconnectors,
    critical loads — and every crew pool id must be unique, across kinds as well as within one."""
    crew_counts = Counter(c.id for c in spec.crews)
    out = [Problem(file, f"crews[{i}].id", f"duplicate id {c.id!r}", "ids unique within the file", lines.get(("crews", i)))
           for i, c in enumerate(spec.crews) if crew_counts[c.id] > 1]
    power = spec.power
    if power is None:
        return out
    first: dict[str, str] = {n.id: f"nodes[{i}]" for i, n in enumerate(spec.nodes)}
    first.update({link.id: f"links[{i}]" for i, link in enumerate(spec.links)})
    first.update({g: f"groups.{g}" for g in spec.groups})
    for kind, items in (("areas", power.areas), ("interconnectors", power.interconnectors),
                        ("critical_loads", power.critical_loads)):
        for i, item in enumerate(items):
            where = f"power.{kind}[{i}]"
            if item.id in first:
                out.append(Problem(file, f"{where}.id", f"id {item.id!r} is already used by {first[item.id]}",
                                   "ids unique across nodes, links, groups and power assets", lines.get(("power", kind, i))))
            else:
                first[item.id] = where
    return out


def power_names(net_spec: NetworkSpec) -> set[str]:
    """Names a disruption can target in the power system: areas, '<area>:<generation type>',
    '<area>:<type>:energy' for reservoirs, interconnectors, critical loads and local grids."""
    power = net_spec.power
    if power is None:
        return set()
    names = {a.id for a in power.areas} | {i.id for i in power.interconnectors} | {c.id for c in power.critical_loads}
    names |= {f"{a.id}:{g.type}" for a in power.areas for g in a.generation}
    names |= {f"{a.id}:{g.type}:energy" for a in power.areas for g in a.generation if g.is_reservoir}
    names |= {d.id for d in power.distribution}
    return names


def resolve_any(network, powers: set[str], name: str):
    """``(links, nodes, power assets)`` named by ``name``; None if unknown."""
    found = network.resolve_target(name)
    if found is not None:
        return found[0], found[1], []
    if name in powers:
        return [], [], [name]
    return None


_TIME = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")


def supply_problems(spec: ScenarioSpec, net_spec: NetworkSpec, network, file: str, net_file: str, lines: dict) -> list[Problem]:
    """Names in the food, power and passenger sections that point nowhere."""
    out: list[Problem] = []
    nodes = network.node_index

    def node_ref(where: str, path: str, value: str, line=None):
        if value not in nodes:
            out.append(Problem(where, path, f"unknown node {value!r}", "a node id of the network", line))

    food = spec.food
    if food is not None:
        for i, m in enumerate(food.municipalities):
            node_ref(file, f"food.municipalities[{i}].node", m.node, lines.get(("food", "municipalities", i)))
            node_ref(file, f"food.municipalities[{i}].supply_from", m.supply_from, lines.get(("food", "municipalities", i)))
            for j, alt in enumerate(m.alternatives):
                node_ref(file, f"food.municipalities[{i}].alternatives[{j}]", alt, lines.get(("food", "municipalities", i)))
            for j, text in enumerate(m.order_times):
                if not _TIME.match(text):
                    out.append(Problem(file, f"food.municipalities[{i}].order_times[{j}]", f"got {text!r}", "a time of day HH:MM",
                                       lines.get(("food", "municipalities", i))))
            if m.node in nodes and not network.spec.nodes[nodes[m.node]].population:
                out.append(Problem(file, f"food.municipalities[{i}].node", f"node {m.node!r} has no population",
                                   "a node with `population` in the network", lines.get(("food", "municipalities", i))))
        for i, w in enumerate(food.warehouses):
            node_ref(file, f"food.warehouses[{i}].node", w.node, lines.get(("food", "warehouses", i)))
            for j, up in enumerate(w.supply_from):
                node_ref(file, f"food.warehouses[{i}].supply_from[{j}]", up, lines.get(("food", "warehouses", i)))
            for j, outage in enumerate(w.outages):
                try:
                    parse_instant(outage.start, spec.start)
                except ValueError as exc:
                    out.append(Problem(file, f"food.warehouses[{i}].outages[{j}].start", str(exc), "", lines.get(("food", "warehouses", i))))
    power = net_spec.power
    if power is not None:
        areas = {a.id for a in power.areas}
        loads = {c.id for c in power.critical_loads}
        for i, line in enumerate(power.interconnectors):
            for end, ref in (("from", line.from_), ("to", line.to)):
                if ref not in areas:
                    out.append(Problem(net_file, f"power.interconnectors[{i}].{end}", f"unknown area {ref!r}", "a power area id"))
        for i, load in enumerate(power.critical_loads):
            if load.area not in areas:
                out.append(Problem(net_file, f"power.critical_loads[{i}].area", f"unknown area {load.area!r}", "a power area id"))
            node_ref(net_file, f"power.critical_loads[{i}].node", load.node)
            if load.backup is not None:
                node_ref(net_file, f"power.critical_loads[{i}].backup.depot", load.backup.depot)
            if load.grid is not None and load.grid not in {d.id for d in power.distribution}:
                out.append(Problem(net_file, f"power.critical_loads[{i}].grid", f"unknown local grid {load.grid!r}", "the id of a grid in power.distribution"))
        for i, grid in enumerate(power.distribution):
            node_ref(net_file, f"power.distribution[{i}].node", grid.node)
            if grid.crews.base is not None:
                node_ref(net_file, f"power.distribution[{i}].crews.base", grid.crews.base)
            if grid.area not in areas:
                out.append(Problem(net_file, f"power.distribution[{i}].area", f"unknown area {grid.area!r}", "a power area id"))
        for i, dep in enumerate(power.dependencies):
            if dep.load is not None and dep.load not in loads:
                out.append(Problem(net_file, f"power.dependencies[{i}].load", f"unknown critical load {dep.load!r}", "a critical load id"))
            if dep.area is not None and dep.area not in areas:
                out.append(Problem(net_file, f"power.dependencies[{i}].area", f"unknown area {dep.area!r}", "a power area id"))
            for j, name in enumerate(dep.links):
                if network.resolve_target(name) is None:
                    out.append(Problem(net_file, f"power.dependencies[{i}].links[{j}]", f"unknown link {name!r}", "a link id or group"))
    passengers = spec.passengers
    if passengers is not None:
        for i, service in enumerate(passengers.services):
            here = lines.get(("passengers", "services", i))
            for end, ref in (("from", service.from_), ("to", service.to)):
                node_ref(file, f"passengers.services[{i}].{end}", ref, here)
            for j, ref in enumerate(service.via):
                node_ref(file, f"passengers.services[{i}].via[{j}]", ref, here)
            for j, text in enumerate(service.departures):
                if not _TIME.match(text):
                    out.append(Problem(file, f"passengers.services[{i}].departures[{j}]", f"got {text!r}", "a time of day HH:MM", here))
            for day, times in service.departures_on.items():
                for j, text in enumerate(times):
                    if not _TIME.match(text):
                        out.append(Problem(file, f"passengers.services[{i}].departures_on.{day}[{j}]", f"got {text!r}", "a time of day HH:MM", here))
        for i, c in enumerate(passengers.commuters):
            here = lines.get(("passengers", "commuters", i))
            for end, ref in (("from", c.from_), ("to", c.to)):
                node_ref(file, f"passengers.commuters[{i}].{end}", ref, here)
            for name in ("out_at", "back_at"):
                if not _TIME.match(getattr(c, name)):
                    out.append(Problem(file, f"passengers.commuters[{i}].{name}", f"got {getattr(c, name)!r}", "a time of day HH:MM", here))
    return out


def _as_list(value) -> list:
    return value if isinstance(value, list) else []


def reference_problems(data: dict, network, powers: set[str], file: str, lines: dict) -> list[Problem]:
    """Names in the scenario that the network does not know, read from the raw data so they are
    reported even when other fields of the file are wrong."""
    out: list[Problem] = []
    for i, flow in enumerate(_as_list(data.get("freight"))):
        if not isinstance(flow, dict):
            continue
        for end in ("from", "to"):
            ref = flow.get(end)
            if isinstance(ref, str) and ref not in network.node_index:
                out.append(Problem(file, f"freight[{i}].{end}", f"unknown node {ref!r}", "a node id of the network", lines.get(("freight", i, end))))
    for i, item in enumerate(_as_list(data.get("disruptions"))):
        if not isinstance(item, dict):
            continue
        target = item.get("target")
        names = [target] if isinstance(target, str) else _as_list(target)
        for j, name in enumerate(names):
            if isinstance(name, str) and resolve_any(network, powers, name) is None:
                path = f"disruptions[{i}].target" + ("" if isinstance(target, str) else f"[{j}]")
                out.append(Problem(file, path, f"unknown target {name!r}", "a link id, node id or group name of the network", lines.get(("disruptions", i, "target"))))
    return out
