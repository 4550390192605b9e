"""Load and check a scenario and the network it names; report every problem at once.

Checks, in order: the YAML parses; each file matches its schema (pydantic, all errors
collected); the network is consistent (unique ids, links between known nodes, groups of
known members); the scenario refers only to known nodes/links/groups, its instants are
readable, and every freight flow has a route on the undisrupted network. Figures without a
source are warnings (errors with ``strict_sources=True``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..network.graph import build_network
from ..network.routing import Router, modes_mask
from ..network.state import Effect, NetworkState
from .appraisal import resolve as resolve_appraisal
from .errors import Problem, ScenarioError, problem_from_pydantic
from .references import network_problems, power_names, reference_problems, resolve_any, supply_problems
from .network_schema import NetworkSpec
from .hazard_schema import DistributionSpec, EffectSpec
from .hazard_resolve import class_laws, normalised, resolve_crews
from .limits import scenario_limits
from .care_plan import resolve_care
from .movements import resolve_movements
from .vehicle_limits import describe as describe_limits
from .resolved import Disruption, DurationLaw, FreightDemand, Hazard, HazardMember, Repair, Scenario, default_slot_h
from .schema import ScenarioSpec
from .fact_sections import citation_problems, find_document
from .food_effects import food_effect_problems
from .sources import citations
from .commodities import commodity_problems, expand, expand_table, families
from .suggest import network_names, spec_names, with_suggestions
from .units import DEFAULT_ZONE, local_time, parse_instant
from .yaml_source import load_yaml_with_lines


def _validate(model: type[BaseModel], data: Any, file: str, lines: dict) -> tuple[Any, list[Problem]]:
    if not isinstance(data, dict):
        return None, [Problem(file, "", f"got {type(data).__name__}", "a YAML mapping of fields at the top level", 1)]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [problem_from_pydantic(file, err, lines) for err in exc.errors()]


def load_network_spec(path: Path) -> tuple[NetworkSpec, dict]:
    """Load and check a network file alone; raise ``ScenarioError`` on any problem."""
    data, lines = load_yaml_with_lines(path)
    spec, problems = _validate(NetworkSpec, data, str(path), lines)
    if spec is not None:
        problems += network_problems(spec, str(path), lines)
    if problems:
        raise ScenarioError(with_suggestions(problems, spec_names(spec)) if spec is not None else problems)
    return spec, data


def _effect(spec_effect, exempt: list[str], fams: dict | None = None) -> Effect:
    exempt = expand(exempt, fams or {})
    if spec_effect == "close":
        return Effect(close=True, exempt=frozenset(exempt))
    assert isinstance(spec_effect, EffectSpec)
    return Effect(
        capacity_factor=1.0 if spec_effect.capacity_factor is None else spec_effect.capacity_factor,
        speed_factor=1.0 if spec_effect.speed_factor is None else spec_effect.speed_factor,
        customs_delay_h=spec_effect.customs_delay or 0.0,
        demand_factor=1.0 if spec_effect.demand_factor is None else spec_effect.demand_factor,
        food_demand_factor=1.0 if spec_effect.food_demand_factor is None else spec_effect.food_demand_factor,
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
    if spec is None:
        return None
    return Repair(spec.crew, spec.priority, tuple((stage.at, _effect(stage.effect, [])) for stage in spec.stages))


def _resolve_targets(names: list[str], network, powers: set[str]) -> tuple[tuple, tuple, tuple, list[str]]:
    """Links, nodes and power assets named by ``names`` (ids or groups, duplicates dropped), and
    the names that are unknown."""
    links: list[int] = []
    nodes: list[int] = []
    power: list[str] = []
    unknown: list[str] = []
    for name in names:
        found = resolve_any(network, powers, name)
        if found is None:
            unknown.append(name)
            continue
        links += found[0]
        nodes += found[1]
        power += found[2]
    return tuple(dict.fromkeys(links)), tuple(dict.fromkeys(nodes)), tuple(dict.fromkeys(power)), unknown


def _resolve_hazards(specs, origin: str, network, powers: set[str], crews: dict, file: str, lines: dict, problems: list,
                     fams: dict | None = None) -> list[Hazard]:
    hazards = []
    for i, h in enumerate(specs):
        members = []
        for j, member in enumerate(h.footprint):
            names = [member.target] if isinstance(member.target, str) else list(member.target)
            links, nodes, power, unknown = _resolve_targets(names, network, powers)
            for name in unknown:
                problems.append(Problem(file, f"{origin}[{i}].footprint[{j}].target", f"unknown target {name!r}",
                                        "a link id, node id or group name of the network", lines.get((origin, i, "footprint", j))))
            repair = _repair(member.repair or h.repair)
            if repair is not None and repair.crew not in crews:
                problems.append(Problem(file, f"{origin}[{i}].footprint[{j}].repair.crew" if member.repair else f"{origin}[{i}].repair.crew",
                                        f"unknown crew pool {repair.crew!r}", "the id of a crew pool in `crews`", lines.get((origin, i))))
            effect = member.effect if member.effect is not None else h.effect
            exempt = member.exempt or h.exempt
            probability, law, by_class, laws = class_laws(h, member, duration_law)
            members.append(HazardMember(tuple(names), links, nodes, probability, law,
                                        _effect(effect, exempt, fams), repair, power, by_class, laws))
        classes, weights = (tuple(h.intensity.classes), normalised(h.intensity.weights)) if h.intensity else ((), ())
        post = h.rate_posterior
        hazards.append(Hazard(h.id, h.description, h.rate_per_year, tuple(h.month_weights()), tuple(members),
                              classes, weights, post.shape if post else 0.0, post.rate_years if post else 0.0))
    return hazards


def _start_of(data: Any) -> dt.datetime:
    try:
        return local_time(dt.datetime.fromisoformat(str(data.get("start")).strip()), str(data.get("timezone", DEFAULT_ZONE)))
    except (AttributeError, ValueError, TypeError, OverflowError):
        return dt.datetime(2000, 1, 1)


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
            net_problems += network_problems(net_spec, net_file, {})
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
    problems += reference_problems(data, network, powers, file, lines)
    known = network_names(network, powers)
    if spec is None:
        raise ScenarioError(with_suggestions(problems, known))
    warnings: list[str] = []
    problems += supply_problems(spec, net_spec, network, file, net_file, lines)
    problems += commodity_problems(spec, net_spec, file, net_file, lines)
    problems += food_effect_problems(spec, network, powers, file, lines)
    fams = families(spec)
    if spec.values is not None:
        spec.values = spec.values.model_copy(update={t: expand_table(getattr(spec.values, t), fams) for t in
                                                     ('per_tonne_hour', 'per_lost_tonne', 'commodity_weights')})

    demands: list[FreightDemand] = []
    payloads = {"rail": net_spec.defaults.train_payload_t, "road": net_spec.defaults.truck_payload_t,
                "ferry": net_spec.defaults.ferry_payload_t}
    base = Router(network, NetworkState(network.n_links, network.n_nodes))
    movements = resolve_movements(spec, network, start, file, lines, problems)
    movement_index = {m.id: k for k, m in enumerate(spec.movements)}
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
                window.append(default if raw_value is None else parse_instant(raw_value, start, spec.timezone))
            except ValueError as exc:
                problems.append(Problem(file, f"freight[{i}].{end_name}", str(exc), "", lines.get(("freight", i, end_name))))
                window.append(default)
        demand = FreightDemand(
            d.id, network.node_index[d.from_], network.node_index[d.to], d.commodity, d.tonnes_per_day,
            tuple(d.modes), d.deadline,
            d.slot if d.slot is not None else default_slot_h(d.tonnes_per_day, payloads[d.modes[0]]), window[0], window[1], d.arrivals == "poisson", d.traction == "electric",
            d.priority if d.priority is not None else spec.priorities.get(d.commodity, 0),
            (d.axle_load_t or 0.0, d.gross_weight_t or 0.0), movement_index.get(d.movement, -1),
        )
        if not base.best_mode(demand.origin, demand.dest, modes_mask(demand.modes), demand.commodity, demand.electric):
            problems.append(
                Problem(file, f"freight[{i}]", f"no {'/'.join(d.modes)} route from {d.from_!r} to {d.to!r} even with every link open", "a destination reachable with the allowed modes", here)
            )
        elif demand.limits != (0.0, 0.0) and not base.best_mode(demand.origin, demand.dest, modes_mask(demand.modes),
                                                                  demand.commodity, demand.electric, demand.limits):
            problems.append(Problem(
                file, f"freight[{i}]", f"flow {d.id!r}: no {'/'.join(d.modes)} route from {d.from_!r} to {d.to!r} "
                f"permits its {describe_limits(demand.limits)}: every route has a link below it",
                "a route of links whose axle_load_t / weight_class permit the flow's vehicles", here))
        demands.append(demand)
    for name, count in Counter(d.id for d in spec.freight).items():
        if count > 1:
            problems.append(Problem(file, "freight", f"duplicate id {name!r}", "ids unique within the file"))

    crews = resolve_crews([(net_file, net_spec.crews), (file, spec.crews)], network, problems)
    repair_crews: set[tuple[int, str]] = set()
    disruptions: list[Disruption] = []
    for i, x in enumerate(spec.disruptions):
        targets = [x.target] if isinstance(x.target, str) else list(x.target)
        links, nodes, power, _ = _resolve_targets(targets, network, powers)  # unknown names: reference_problems
        try:
            start_h = parse_instant(x.start, start, spec.timezone)
        except ValueError as exc:
            problems.append(Problem(file, f"disruptions[{i}].start", str(exc), "", lines.get(("disruptions", i, "start"))))
            continue
        if start_h < 0:
            problems.append(Problem(file, f"disruptions[{i}].start", f"starts {-start_h:g} h before the scenario start", "a time within the horizon", lines.get(("disruptions", i, "start"))))
        elif start_h >= spec.horizon:
            warnings.append(f"{file}: disruptions[{i}].start: starts after the horizon, so it has no effect")
        disruptions.append(
            Disruption(x.id, x.description, tuple(targets), links, nodes,
                       start_h, x.duration, _effect(x.effect, x.exempt, fams), _repair(x.repair), "", power, x.announced)
        )
        if x.repair is not None:
            repair_crews.add((i, x.repair.crew))
    for name, count in Counter(x.id for x in spec.disruptions).items():
        if count > 1:
            problems.append(Problem(file, "disruptions", f"duplicate id {name!r}", "ids unique within the file"))

    for i, crew in sorted(repair_crews):
        if crew not in crews:
            problems.append(Problem(file, f"disruptions[{i}].repair.crew", f"unknown crew pool {crew!r}", "the id of a crew pool in `crews`", lines.get(("disruptions", i))))
    hazards = _resolve_hazards(spec.hazards, "hazards", network, powers, crews, file, lines, problems, fams)
    if spec.network_hazards:
        hazards = _resolve_hazards(net_spec.hazards, "hazards", network, powers, crews, net_file, {}, problems, fams) + hazards
    for name, count in Counter(h.id for h in hazards).items():
        if count > 1:
            problems.append(Problem(file, "hazards", f"duplicate hazard id {name!r}", "ids unique across the scenario and, with network_hazards, the network"))

    care, care_problems = resolve_care(spec.care, net_spec.care, network, hazards, start, spec.timezone, file, lines)
    problems += care_problems

    document = find_document(Path(file).parent, Path(net_file).parent)
    if document is None:
        warnings.append(f"{file}: docs/sources.md not found above the file or here, so `facts §N` citations were not checked")
    for model, where, defaults in ((spec, file, {}), (net_spec, net_file, net_spec.default_sources)):
        if document is not None:
            problems += citation_problems(model, defaults, where, document)
        _, missing = citations(model, defaults)
        for path in missing:
            message = f"{where}: {path}: figure has no source (expected a `sources` entry, or 'assumption: why')"
            if strict_sources:
                problems.append(Problem(where, path, "figure has no source", "a `sources` entry, or 'assumption: why'"))
            else:
                warnings.append(message)

    problems += scenario_limits(spec, demands, hazards, [c.id for c in [*net_spec.crews, *spec.crews]], file, lines)
    conventions, appraisal_problems = resolve_appraisal(spec.appraisal, file, base_dir, lines)
    problems += appraisal_problems
    if problems:
        raise ScenarioError(with_suggestions(problems, known))
    scenario = Scenario(spec, net_spec, network, file, net_file, demands, disruptions, hazards, crews, data, net_data,
                        warnings, appraisal=conventions, care=care)
    scenario.movements = movements
    return scenario


def load_scenario(path: str | Path, *, strict_sources: bool = False) -> Scenario:
    """Load, check and resolve a scenario file. Raises ``ScenarioError`` listing every problem."""
    path = Path(path)
    data, lines = load_yaml_with_lines(path)
    return scenario_from_data(data, lines, str(path), path.parent, strict_sources=strict_sources)


def _change_specs(changes: list | None, file: str) -> list:
    """Extra changes (dicts as the workshop sends them, or ``ChangeSpec``s) checked like an overlay's."""
    from .overlay import ChangeSpec

    specs, problems = [], []
    for i, change in enumerate(changes or []):
        if isinstance(change, ChangeSpec):
            specs.append(change)
            continue
        spec, found = _validate(ChangeSpec, change, file, {})
        problems += [Problem(p.file, f"changes[{i}]" + (f".{p.field}" if p.field else ""), p.problem, p.expected) for p in found]
        specs.append(spec)
    if problems:
        raise ScenarioError(problems)
    return specs


def _blame(error: ScenarioError, overlay, data: dict, net_data: dict, files: list[str], base_dir: Path, where: str) -> ScenarioError:
    """Re-apply the changes one at a time to find the first that makes the variant invalid, and
    restate the problems as that change's (overlay file, change index and path)."""
    from .overlay import OverlaySpec, apply_overlay

    for k, change in enumerate(overlay.changes):
        prefix = OverlaySpec(name=overlay.name, changes=overlay.changes[: k + 1])
        try:
            scenario_data, network_data = apply_overlay(prefix, data, net_data, files[: k + 1])
            scenario_from_data(scenario_data, {}, where, base_dir, network_data=network_data)
        except ScenarioError as found:
            op, path = change.operation
            index = k - files.index(files[k])
            return ScenarioError(
                Problem(files[k], f"changes[{index}] ({op} {path})",
                        f"then the {'scenario' if p.file == where else 'network'}'s {p.field or 'file'}: {p.problem}", p.expected)
                for p in found.problems)
    return error


def load_variant(baseline: str | Path, overlay_path: str | Path | None = None, changes: list | None = None):
    """The baseline scenario with an overlay file and/or extra changes applied; returns
    ``(scenario, overlay spec or None)``. Problems name the overlay file (or ``changes`` for
    extra changes), the index of the change and its path."""
    from .overlay import OverlaySpec, apply_overlay, load_overlay

    baseline = Path(baseline)
    data, lines = load_yaml_with_lines(baseline)
    if not isinstance(data, dict) or not isinstance(data.get("network"), str):
        scenario_from_data(data, lines, str(baseline), baseline.parent)  # raises the right problems
    net_path = (baseline.parent / data["network"]).resolve()
    _, net_data = load_network_spec(net_path)
    overlay = load_overlay(overlay_path) if overlay_path else None
    specs = list(overlay.changes) if overlay else []
    files = [str(overlay_path)] * len(specs)
    extra = _change_specs(changes, "changes")
    specs += extra
    files += ["changes"] * len(extra)
    where = f"{baseline} (with {overlay_path})" if overlay_path else str(baseline)
    if not specs:
        return scenario_from_data(data, {}, where, baseline.parent, network_data=net_data), overlay
    combined = OverlaySpec(name=overlay.name if overlay else "changes", changes=specs)
    variant, variant_net = apply_overlay(combined, data, net_data, files)
    if overlay is not None:
        variant["name"] = f"{variant.get('name', 'scenario')} + {overlay.name}"
    try:
        scenario = scenario_from_data(variant, {}, where, baseline.parent, network_data=variant_net)
    except ScenarioError as exc:
        scenario_from_data(data, lines, str(baseline), baseline.parent, network_data=net_data)  # the baseline's own problems first
        raise _blame(exc, combined, data, net_data, files, baseline.parent, where) from None
    return scenario, overlay
