"""Load and check a scenario and the network it names; report every problem at once.

Checks, in order: the YAML parses; each file matches its schema (pydantic, all errors
collected); the network is consistent (unique ids, links between known nodes, groups of
known members); the scenario refers only to known nodes/links/groups, its instants are
readable, and every freight flow has a route on the undisrupted network. Figures without a
source are warnings (errors with ``strict_sources=True``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..network.graph import build_network
from ..network.routing import Router, modes_mask
from ..network.state import Effect, NetworkState
from .errors import Problem, ScenarioError, problem_from_pydantic
from .network_schema import NetworkSpec
from .hazard_schema import DistributionSpec, EffectSpec
from .resolved import Crew, Disruption, DurationLaw, FreightDemand, Hazard, HazardMember, Repair, Scenario
from .schema import ScenarioSpec
from .sources import citations
from .units import parse_instant
from .yaml_source import load_yaml_with_lines


def _validate(model: type[BaseModel], data: Any, file: str, lines: dict) -> tuple[Any, list[Problem]]:
    if not isinstance(data, dict):
        return None, [Problem(file, "", f"got {type(data).__name__}", "a YAML mapping of fields at the top level", 1)]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [problem_from_pydantic(file, err, lines) for err in exc.errors()]


def _network_problems(spec: NetworkSpec, file: str, lines: dict) -> list[Problem]:
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
    return out


def load_network_spec(path: Path) -> tuple[NetworkSpec, dict]:
    """Load and check a network file alone; raise ``ScenarioError`` on any problem."""
    data, lines = load_yaml_with_lines(path)
    spec, problems = _validate(NetworkSpec, data, str(path), lines)
    if spec is not None:
        problems += _network_problems(spec, str(path), lines)
    if problems:
        raise ScenarioError(problems)
    return spec, data


def _effect(spec_effect, exempt: list[str]) -> Effect:
    if spec_effect == "close":
        return Effect(close=True, exempt=frozenset(exempt))
    assert isinstance(spec_effect, EffectSpec)
    return Effect(
        capacity_factor=1.0 if spec_effect.capacity_factor is None else spec_effect.capacity_factor,
        speed_factor=1.0 if spec_effect.speed_factor is None else spec_effect.speed_factor,
        customs_delay_h=spec_effect.customs_delay or 0.0,
        demand_factor=1.0 if spec_effect.demand_factor is None else spec_effect.demand_factor,
        exempt=frozenset(exempt),
    )


def duration_law(spec) -> DurationLaw:
    """Resolve a duration (hours) or a ``DistributionSpec`` into a ``DurationLaw``."""
    if not isinstance(spec, DistributionSpec):
        return DurationLaw("fixed", (float(spec),))
    if spec.distribution == "fixed":
        return DurationLaw("fixed", (spec.value,))
    if spec.distribution == "exponential":
        return DurationLaw("exponential", (spec.mean,))
    if spec.distribution == "lognormal":
        return DurationLaw("lognormal", (spec.median, spec.sigma, spec.max if spec.max is not None else float("inf")))
    weights = tuple(spec.weights) if spec.weights is not None else tuple(1.0 for _ in spec.values)
    return DurationLaw("empirical", (tuple(spec.values), weights))


def _repair(spec) -> Repair | None:
    return None if spec is None else Repair(spec.crew, spec.priority)


def _resolve_hazards(specs, origin: str, network, powers: set[str], crews: dict, file: str, lines: dict, problems: list) -> list[Hazard]:
    hazards = []
    for i, h in enumerate(specs):
        members = []
        for j, member in enumerate(h.footprint):
            names = [member.target] if isinstance(member.target, str) else list(member.target)
            links: list[int] = []
            nodes: list[int] = []
            power: list[str] = []
            for name in names:
                found = resolve_any(network, powers, name)
                if found is None:
                    problems.append(Problem(file, f"{origin}[{i}].footprint[{j}].target", f"unknown target {name!r}",
                                            "a link id, node id or group name of the network", lines.get((origin, i, "footprint", j))))
                    continue
                links += found[0]
                nodes += found[1]
                power += found[2]
            repair = _repair(member.repair or h.repair)
            if repair is not None and repair.crew not in crews:
                problems.append(Problem(file, f"{origin}[{i}].footprint[{j}].repair.crew" if member.repair else f"{origin}[{i}].repair.crew",
                                        f"unknown crew pool {repair.crew!r}", "the id of a crew pool in `crews`", lines.get((origin, i))))
            effect = member.effect if member.effect is not None else h.effect
            exempt = member.exempt or h.exempt
            members.append(HazardMember(tuple(names), tuple(dict.fromkeys(links)), tuple(dict.fromkeys(nodes)), member.probability,
                                        duration_law(member.duration if member.duration is not None else h.duration),
                                        _effect(effect, exempt), repair, tuple(power)))
        hazards.append(Hazard(h.id, h.description, h.rate_per_year, tuple(h.month_weights()), tuple(members)))
    return hazards


def _start_of(data: Any) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(str(data.get("start")))
    except (AttributeError, ValueError, TypeError):
        return dt.datetime(2000, 1, 1)


def power_names(net_spec: NetworkSpec) -> set[str]:
    """Names a disruption can target in the power system: areas, '<area>:<generation type>',
    interconnectors and critical loads."""
    power = net_spec.power
    if power is None:
        return set()
    names = {a.id for a in power.areas} | {i.id for i in power.interconnectors} | {c.id for c in power.critical_loads}
    names |= {f"{a.id}:{g.type}" for a in power.areas for g in a.generation}
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


def _supply_problems(spec: ScenarioSpec, net_spec: NetworkSpec, network, file: str, net_file: str, lines: dict) -> list[Problem]:
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
            if m.node in nodes and not network.spec.nodes[nodes[m.node]].population:
                out.append(Problem(file, f"food.municipalities[{i}].node", f"node {m.node!r} has no population",
                                   "a node with `population` in the network", lines.get(("food", "municipalities", i))))
        for i, w in enumerate(food.warehouses):
            node_ref(file, f"food.warehouses[{i}].node", w.node, lines.get(("food", "warehouses", i)))
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


def _reference_problems(data: dict, network, powers: set[str], file: str, lines: dict) -> list[Problem]:
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


def scenario_from_data(
    data: Any,
    lines: dict,
    file: str,
    base_dir: Path,
    *,
    strict_sources: bool = False,
    network_data: dict | None = None,
) -> Scenario:
    """Build a ``Scenario`` from parsed scenario YAML (``lines`` maps field paths to lines).

    ``network_data`` replaces the network file the scenario names (used by overlays).
    """
    spec, problems = _validate(ScenarioSpec, data, file, lines)
    start = _start_of(data)
    net_spec = net_data = None
    net_file = ""
    if network_data is not None and isinstance(data, dict) and isinstance(data.get("network"), str):
        net_file = str((base_dir / data["network"]).resolve())
        net_spec, net_problems = _validate(NetworkSpec, network_data, net_file, {})
        if net_spec is not None:
            net_problems += _network_problems(net_spec, net_file, {})
        if net_problems:
            problems += net_problems
            net_spec = None
        net_data = network_data
    elif isinstance(data, dict) and isinstance(data.get("network"), str):
        net_path = (base_dir / data["network"]).resolve()
        net_file = str(net_path)
        try:
            net_spec, net_data = load_network_spec(net_path)
        except ScenarioError as exc:
            if not net_path.exists():
                problems.append(Problem(file, "network", f"network file {data['network']!r} not found", "a path relative to the scenario file", lines.get(("network",))))
            else:
                problems += exc.problems
    if net_spec is None:
        raise ScenarioError(problems)
    network = build_network(net_spec)
    powers = power_names(net_spec)
    problems += _reference_problems(data, network, powers, file, lines)
    if spec is None:
        raise ScenarioError(problems)
    warnings: list[str] = []
    problems += _supply_problems(spec, net_spec, network, file, net_file, lines)

    demands: list[FreightDemand] = []
    base = Router(network, NetworkState(network.n_links, network.n_nodes))
    for i, d in enumerate(spec.freight):
        here = lines.get(("freight", i))
        if d.from_ not in network.node_index or d.to not in network.node_index:
            continue  # reported by _reference_problems
        if d.from_ == d.to:
            problems.append(Problem(file, f"freight[{i}]", "origin and destination are the same", "two different nodes", here))
            continue
        window = []
        for end_name, raw_value, default in (("start", d.start, 0.0), ("end", d.end, float("inf"))):
            try:
                window.append(default if raw_value is None else parse_instant(raw_value, start))
            except ValueError as exc:
                problems.append(Problem(file, f"freight[{i}].{end_name}", str(exc), "", lines.get(("freight", i, end_name))))
                window.append(default)
        demand = FreightDemand(
            d.id, network.node_index[d.from_], network.node_index[d.to], d.commodity, d.tonnes_per_day,
            tuple(d.modes), d.deadline, d.slot, window[0], window[1], d.arrivals == "poisson", d.traction == "electric",
        )
        if not base.best_mode(demand.origin, demand.dest, modes_mask(demand.modes), demand.commodity, demand.electric):
            problems.append(
                Problem(file, f"freight[{i}]", f"no {'/'.join(d.modes)} route from {d.from_!r} to {d.to!r} even with every link open", "a destination reachable with the allowed modes", here)
            )
        demands.append(demand)
    for name, count in Counter(d.id for d in spec.freight).items():
        if count > 1:
            problems.append(Problem(file, "freight", f"duplicate id {name!r}", "ids unique within the file"))

    crews = {c.id: Crew(c.id, c.size, c.travel) for c in [*net_spec.crews, *spec.crews]}
    repair_crews: set[tuple[int, str]] = set()
    disruptions: list[Disruption] = []
    for i, x in enumerate(spec.disruptions):
        targets = [x.target] if isinstance(x.target, str) else list(x.target)
        links: list[int] = []
        nodes: list[int] = []
        power: list[str] = []
        for name in targets:
            found = resolve_any(network, powers, name)
            if found is None:
                continue  # reported by _reference_problems
            links += found[0]
            nodes += found[1]
            power += found[2]
        try:
            start_h = parse_instant(x.start, start)
        except ValueError as exc:
            problems.append(Problem(file, f"disruptions[{i}].start", str(exc), "", lines.get(("disruptions", i, "start"))))
            continue
        if start_h < 0:
            problems.append(Problem(file, f"disruptions[{i}].start", f"starts {-start_h:g} h before the scenario start", "a time within the horizon", lines.get(("disruptions", i, "start"))))
        elif start_h >= spec.horizon:
            warnings.append(f"{file}: disruptions[{i}].start: starts after the horizon, so it has no effect")
        disruptions.append(
            Disruption(x.id, x.description, tuple(targets), tuple(dict.fromkeys(links)), tuple(dict.fromkeys(nodes)),
                       start_h, x.duration, _effect(x.effect, x.exempt), _repair(x.repair), "", tuple(power))
        )
        if x.repair is not None:
            repair_crews.add((i, x.repair.crew))
    for name, count in Counter(x.id for x in spec.disruptions).items():
        if count > 1:
            problems.append(Problem(file, "disruptions", f"duplicate id {name!r}", "ids unique within the file"))

    for i, crew in sorted(repair_crews):
        if crew not in crews:
            problems.append(Problem(file, f"disruptions[{i}].repair.crew", f"unknown crew pool {crew!r}", "the id of a crew pool in `crews`", lines.get(("disruptions", i))))
    hazards = _resolve_hazards(spec.hazards, "hazards", network, powers, crews, file, lines, problems)
    if spec.network_hazards:
        hazards = _resolve_hazards(net_spec.hazards, "hazards", network, powers, crews, net_file, {}, problems) + hazards
    for name, count in Counter(h.id for h in hazards).items():
        if count > 1:
            problems.append(Problem(file, "hazards", f"duplicate hazard id {name!r}", "ids unique across the scenario and, with network_hazards, the network"))

    for model, where, defaults in ((spec, file, {}), (net_spec, net_file, net_spec.default_sources)):
        _, missing = citations(model, defaults)
        for path in missing:
            message = f"{where}: {path}: figure has no source (expected a `sources` entry, or 'assumption: why')"
            if strict_sources:
                problems.append(Problem(where, path, "figure has no source", "a `sources` entry, or 'assumption: why'"))
            else:
                warnings.append(message)

    if problems:
        raise ScenarioError(problems)
    return Scenario(spec, net_spec, network, file, net_file, demands, disruptions, hazards, crews, data, net_data, warnings)


def load_scenario(path: str | Path, *, strict_sources: bool = False) -> Scenario:
    """Load, check and resolve a scenario file. Raises ``ScenarioError`` listing every problem."""
    path = Path(path)
    data, lines = load_yaml_with_lines(path)
    return scenario_from_data(data, lines, str(path), path.parent, strict_sources=strict_sources)


def load_variant(baseline: str | Path, overlay_path: str | Path | None = None, changes: list | None = None):
    """The baseline scenario with an overlay file and/or extra changes applied; returns
    ``(scenario, overlay spec or None)``. Problems name the overlay file."""
    from .overlay import ChangeSpec, OverlaySpec, apply_overlay, load_overlay

    baseline = Path(baseline)
    data, lines = load_yaml_with_lines(baseline)
    if not isinstance(data, dict) or not isinstance(data.get("network"), str):
        scenario_from_data(data, lines, str(baseline), baseline.parent)  # raises the right problems
    net_path = (baseline.parent / data["network"]).resolve()
    _, net_data = load_network_spec(net_path)
    overlay = load_overlay(overlay_path) if overlay_path else None
    specs = list(overlay.changes) if overlay else []
    specs += [ChangeSpec(**c) if isinstance(c, dict) else c for c in (changes or [])]
    combined = OverlaySpec(name=overlay.name if overlay else "changes", changes=specs) if specs else None
    if combined is not None:
        data, net_data = apply_overlay(combined, data, net_data, str(overlay_path or baseline))
        if overlay is not None:
            data["name"] = f"{data.get('name', 'scenario')} + {overlay.name}"
    where = f"{baseline} (with {overlay_path})" if overlay_path else str(baseline)
    scenario = scenario_from_data(data, {}, where, baseline.parent, network_data=net_data)
    return scenario, overlay
