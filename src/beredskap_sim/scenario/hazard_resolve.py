"""Resolving the parts of hazards and crews that go beyond one number: intensity classes
and crew pools with bases and mutual aid. Kept apart from the loader, which calls it.
"""

from __future__ import annotations

from .errors import Problem
from .resolved import Crew, DurationLaw


def normalised(weights) -> tuple[float, ...]:
    """``weights`` scaled to sum 1."""
    total = float(sum(weights))
    return tuple(float(w) / total for w in weights)


def class_laws(hazard, member, duration_law) -> tuple[float, DurationLaw, tuple[float, ...], tuple[DurationLaw, ...]]:
    """A footprint member's (marginal probability, representative law, probability per class,
    law per class). Without intensity classes the last two are empty.

    The marginal probability is Σ_c π_c p(c); the representative law (used by the static
    analysis for a time to recover) is that of the class contributing most hits, argmax π_c p(c).
    """
    duration = member.duration if member.duration is not None else hazard.duration
    if hazard.intensity is None:
        return float(member.probability), duration_law(duration), (), ()
    classes = hazard.intensity.classes
    weights = normalised(hazard.intensity.weights)
    probs = tuple(float(member.probability[c]) if isinstance(member.probability, dict) else float(member.probability)
                  for c in classes)
    laws = tuple(duration_law(duration[c]) if isinstance(duration, dict) else duration_law(duration) for c in classes)
    hits = [w * p for w, p in zip(weights, probs)]
    main = max(range(len(classes)), key=lambda c: hits[c])
    return sum(hits), laws[main], probs, laws


def resolve_crews(files: list[tuple[str, list]], network, problems: list) -> dict[str, Crew]:
    """Crew pools by id from ``(file, crew specs)`` pairs; unknown bases and helped pools are
    added to ``problems`` naming their file."""
    ids = {c.id for _, specs in files for c in specs}
    crews: dict[str, Crew] = {}
    for file, specs in files:
        _resolve_pools(specs, ids, network, file, problems, crews)
    return crews


def _resolve_pools(specs, ids: set[str], network, file: str, problems: list, crews: dict) -> None:
    for i, c in enumerate(specs):
        base = None
        if c.base is not None:
            if c.base not in network.node_index:
                problems.append(Problem(file, f"crews[{i}].base", f"unknown node {c.base!r}", "a node id of the network"))
            else:
                base = network.node_index[c.base]
        helps = []
        for j, aid in enumerate(c.helps):
            if aid.crew not in ids or aid.crew == c.id:
                problems.append(Problem(file, f"crews[{i}].helps[{j}].crew", f"unknown crew pool {aid.crew!r}",
                                        "the id of another crew pool in `crews`"))
            links: set[int] = set()
            nodes: set[int] = set()
            for name in aid.where:
                found = network.resolve_target(name)
                if found is None:
                    problems.append(Problem(file, f"crews[{i}].helps[{j}].where", f"unknown target {name!r}",
                                            "a link id, node id or group name of the network"))
                else:
                    links.update(found[0])
                    nodes.update(found[1])
            helps.append((aid.crew, aid.after, frozenset(links), frozenset(nodes)))
        crews[c.id] = Crew(c.id, c.size, c.travel, base, tuple(c.modes), c.country, tuple(helps))
