"""Load and check a network's closure record (``<network>.closures.yaml``).

Checks, all reported at once as ``file: field.path: what is wrong (expected …)``: the file
matches its format; every asset is a named asset, link id or group of the network; every
closure starts inside the record's period; event ids are unique; an event's ``hazard`` is a
hazard of the network and its ``intensity`` one of that hazard's classes (required when the
hazard has classes); the ``joint`` pairs name known assets.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .closure_schema import ClosureRecordSpec
from .errors import Problem, ScenarioError, problem_from_pydantic
from .yaml_source import load_yaml_with_lines

HOURS_PER_YEAR = 8766.0  # 365.25 d


@dataclass(frozen=True)
class RecordClosure:
    """One recorded closure: ``links`` (indices) closed from ``start_h`` (hours after the
    record's start) for ``duration_h``."""

    asset: str
    links: frozenset[int]
    start_h: float
    duration_h: float
    source: str


@dataclass(frozen=True)
class RecordEvent:
    """One recorded event, counted in ``hazard`` (None: planned works)."""

    id: str
    cause: str
    hazard: str | None
    intensity: str | None
    month: int
    closures: tuple[RecordClosure, ...]


@dataclass
class ClosureRecord:
    """The checked record: ``years`` of exposure, named assets as link sets, joint pairs, events."""

    file: str
    years: float
    assets: dict[str, frozenset[int]]
    joint: list[tuple[str, str, str, str]]  # (id, asset a, asset b, description)
    events: list[RecordEvent]
    pools: dict[str, tuple[str, ...]] = None

    def hazard_events(self, hazard: str) -> list[RecordEvent]:
        return [e for e in self.events if e.hazard == hazard]

    def pool_of(self, hazard: str) -> tuple[str, ...]:
        """The hazards whose rate is fitted together with ``hazard`` (itself alone if none)."""
        for members in (self.pools or {}).values():
            if hazard in members:
                return members
        return (hazard,)


def record_path(network_file: str | Path) -> Path:
    """Where a network's closure record lies: ``x.yaml`` → ``x.closures.yaml`` beside it."""
    path = Path(network_file)
    return path.with_name(path.stem + ".closures.yaml")


def _links_of(name: str, named: dict[str, list[str]], network) -> frozenset[int] | None:
    names = named.get(name, [name])
    links: set[int] = set()
    for member in names:
        found = network.resolve_target(member)
        if found is None or not found[0]:
            return None
        links.update(found[0])
    return frozenset(links)


def load_closure_record(path: str | Path, network, hazards: dict[str, tuple[str, ...]]) -> ClosureRecord:
    """Load ``path`` against ``network`` and its hazards (id → intensity classes); raise
    ``ScenarioError`` listing every problem."""
    file = str(path)
    data, lines = load_yaml_with_lines(Path(path))
    if not isinstance(data, dict):
        raise ScenarioError([Problem(file, "", f"got {type(data).__name__}", "a YAML mapping of fields at the top level", 1)])
    from pydantic import ValidationError

    try:
        spec = ClosureRecordSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError([problem_from_pydantic(file, err, lines) for err in exc.errors()]) from None
    problems: list[Problem] = []
    start = dt.datetime.fromisoformat(spec.period.start)
    end = dt.datetime.fromisoformat(spec.period.end)
    span_h = (end - start).total_seconds() / 3600.0
    if span_h <= 0:
        problems.append(Problem(file, "period.end", f"{spec.period.end} is not after {spec.period.start}", "an end after the start", lines.get(("period", "end"))))
    if spec.network != network.spec.name:
        problems.append(Problem(file, "network", f"the record is for {spec.network!r}", f"the network's name {network.spec.name!r}", lines.get(("network",))))
    assets: dict[str, frozenset[int]] = {}
    for name, members in spec.assets.items():
        links = _links_of(name, spec.assets, network)
        if links is None:
            problems.append(Problem(file, f"assets.{name}", f"{members} names something that is not a link or group of links",
                                    "link ids or group names of the network", lines.get(("assets", name))))
        else:
            assets[name] = links
    events: list[RecordEvent] = []
    for i, e in enumerate(spec.events):
        where = ("events", i)
        if e.hazard is not None and e.hazard not in hazards:
            problems.append(Problem(file, f"events[{i}].hazard", f"unknown hazard {e.hazard!r}",
                                    f"one of the network's hazards: {', '.join(sorted(hazards))}", lines.get(where + ("hazard",))))
        classes = hazards.get(e.hazard, ()) if e.hazard else ()
        if classes and e.intensity not in classes:
            problems.append(Problem(file, f"events[{i}].intensity", f"got {e.intensity!r}",
                                    f"one of the intensity classes of {e.hazard}: {', '.join(classes)}", lines.get(where + ("intensity",)) or lines.get(where)))
        if not classes and e.intensity is not None:
            problems.append(Problem(file, f"events[{i}].intensity", f"got {e.intensity!r} but {e.hazard!r} has no intensity classes",
                                    "no intensity", lines.get(where + ("intensity",))))
        closures = []
        for j, c in enumerate(e.closures):
            here = where + ("closures", j)
            names = [c.asset] if isinstance(c.asset, str) else list(c.asset)
            found = [assets.get(n) if n in spec.assets else _links_of(n, {}, network) for n in names]
            for name, links in zip(names, found):
                if links is None and name not in spec.assets:
                    problems.append(Problem(file, f"events[{i}].closures[{j}].asset", f"unknown asset {name!r}",
                                            "a named asset of `assets`, a link id or a group of the network", lines.get(here + ("asset",))))
            if any(links is None for links in found):
                continue
            links = frozenset().union(*found)
            start_h = (dt.datetime.fromisoformat(c.start) - start).total_seconds() / 3600.0
            if not 0 <= start_h < span_h:
                problems.append(Problem(file, f"events[{i}].closures[{j}].start", f"{c.start} is outside the record's period",
                                        f"a date from {spec.period.start} to before {spec.period.end}", lines.get(here + ("start",))))
            closures.append(RecordClosure(", ".join(names), links, start_h, c.duration, c.source))
        month = dt.datetime.fromisoformat(e.closures[0].start).month
        events.append(RecordEvent(e.id, e.cause, e.hazard, e.intensity, month, tuple(closures)))
    for name, count in Counter(e.id for e in spec.events).items():
        if count > 1:
            problems.append(Problem(file, "events", f"duplicate event id {name!r}", "ids unique within the record"))
    joint = []
    for k, pair in enumerate(spec.joint):
        unknown = [a for a in pair.assets if a not in assets]
        if unknown:
            problems.append(Problem(file, f"joint[{k}].assets", f"unknown asset(s) {', '.join(map(repr, unknown))}",
                                    "names from `assets`", lines.get(("joint", k))))
        else:
            joint.append((pair.id, pair.assets[0], pair.assets[1], pair.description))
    for name, members in spec.pools.items():
        for m in members:
            if m not in hazards:
                problems.append(Problem(file, f"pools.{name}", f"unknown hazard {m!r}", "hazard ids of the network", lines.get(("pools", name))))
    if problems:
        raise ScenarioError(problems)
    pools = {name: tuple(members) for name, members in spec.pools.items()}
    return ClosureRecord(file, span_h / HOURS_PER_YEAR, assets, joint, events, pools)
