""""Did you mean …?" for names that point nowhere.

A problem that reads ``unknown node 'meraaker'`` gets the closest known names of that kind
appended (``did you mean 'meraker'?``), found with ``difflib.get_close_matches`` (the
Ratcliff–Obershelp similarity, cutoff 0.6). The candidates of each kind come from the files
themselves: node ids for a node, link ids and groups for a link, every target for a target.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from typing import Iterable

from .errors import Problem

_UNKNOWN = re.compile(r"unknown (node|link|target|id|area|critical load|region or node|footprint) '([^']+)'")


def closest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` known names most like ``name``, best first; [] when none is close."""
    return difflib.get_close_matches(name, sorted(set(candidates)), n=n, cutoff=0.6)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'a' or 'b'?"`` or '' when nothing is close."""
    found = closest(name, candidates)
    if not found:
        return ""
    return "; did you mean " + " or ".join(repr(f) for f in found) + "?"


def network_names(network, powers: set[str] = frozenset()) -> dict[str, set[str]]:
    """Candidates by kind for a built network (and the power names a scenario may target)."""
    spec = network.spec
    nodes, links, groups = set(network.node_ids), set(network.link_ids), set(spec.groups)
    areas = {a.id for a in spec.power.areas} if spec.power else set()
    loads = {c.id for c in spec.power.critical_loads} if spec.power else set()
    everything = nodes | links | groups | set(powers)
    return {"node": nodes, "link": links | groups, "target": everything, "id": everything, "area": areas,
            "critical load": loads, "region or node": nodes | set(spec.regions), "footprint": links | groups}


def spec_names(spec) -> dict[str, set[str]]:
    """Candidates by kind from a network spec that could not be built yet."""
    nodes, links, groups = {n.id for n in spec.nodes}, {k.id for k in spec.links}, set(spec.groups)
    return {"node": nodes, "link": links | groups, "id": nodes | links | groups, "target": nodes | links | groups}


def with_suggestions(problems: list[Problem], names: dict[str, set[str]]) -> list[Problem]:
    """``problems`` with "did you mean" added to every unknown name that has a close match."""
    out = []
    for problem in problems:
        hit = _UNKNOWN.search(problem.problem)
        hint = did_you_mean(hit.group(2), names.get(hit.group(1), ())) if hit else ""
        out.append(replace(problem, problem=problem.problem + hint) if hint else problem)
    return out
