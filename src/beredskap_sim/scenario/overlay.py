"""Overlays: a variant is the baseline plus a small file of changes (an investment, a policy).

An overlay names its changes by path into the baseline's scenario or network data::

    changes:
      - set: network.links[id=meraker-*].electrified     # every link whose id matches the glob
        value: true
      - scale: network.power.interconnectors[id=nea-jarpstrommen].capacity_mw
        factor: 1.5
      - add: network.links                                # append an element to a list
        value: {id: new-loop, ...}
      - remove: scenario.disruptions[id=old]              # drop matching list elements

A path starts at ``scenario`` or ``network`` and walks keys separated by dots (at least one
key after the root; ``scenario.network`` cannot be changed: a variant runs on its baseline's
network file); a key may carry a selector: ``[field=pattern]`` (elements of a list whose
``field`` matches the glob ``pattern``; both parts non-empty, wildcards only in the pattern)
or ``[n]`` (the element at index n ≥ 0). The changed data is then checked exactly like a
file, so a variant can never be less valid than a hand-written scenario; a problem names the
overlay file, the index of the change that caused it and its path.
"""

from __future__ import annotations

import copy
import fnmatch
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from .errors import Problem, ScenarioError
from .fields import Sources, Strict

_TOKEN = re.compile(r"^(?P<key>[^\[\]]+)(?:\[(?P<sel>[^\]]+)\])?$")


class InvestmentSpec(Strict):
    """What the change costs: an investment up front, yearly costs over its lifetime."""

    cost: float = Field(ge=0, description="Investment cost.")
    currency: Literal["NOK", "SEK"] = "NOK"
    lifetime_years: int = Field(ge=1)
    yearly_cost: float = Field(default=0.0, ge=0, description="Operation and maintenance per year.")
    construction_years: int = Field(default=0, ge=0, le=30, description="Years of building, the cost spread evenly over them.")
    opening_year: int | None = Field(default=None, ge=1900, le=2200, description="First year of benefits (else base year + construction).")
    sources: Sources


class ChangeSpec(Strict):
    """One change: exactly one of ``set``, ``scale``, ``add``, ``remove``."""

    set: str | None = None
    scale: str | None = None
    add: str | None = None
    remove: str | None = None
    value: Any = None
    factor: float | None = Field(default=None, gt=0)
    source: str = Field(default="", description="Where the new figure comes from, or 'assumption: why'.")

    @model_validator(mode="after")
    def _one(self) -> "ChangeSpec":
        given = [op for op in ("set", "scale", "add", "remove") if getattr(self, op) is not None]
        if len(given) != 1:
            raise ValueError(f"change has {given or 'no operation'}, expected exactly one of set, scale, add, remove")
        if self.scale is not None and self.factor is None:
            raise ValueError("scale needs a factor, expected e.g. factor: 1.5")
        if (self.set is not None or self.add is not None) and self.value is None:
            raise ValueError("set and add need a value, expected value: ...")
        return self

    @property
    def operation(self) -> tuple[str, str]:
        for op in ("set", "scale", "add", "remove"):
            if getattr(self, op) is not None:
                return op, getattr(self, op)
        raise AssertionError


class OverlaySpec(Strict):
    """A variant of a baseline scenario."""

    name: str
    description: str = ""
    investment: InvestmentSpec | None = None
    changes: list[ChangeSpec] = Field(min_length=1)
    sources: Sources


_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def selector_error(selector: str) -> str | None:
    """Why ``selector`` (the text between brackets) is not ``n`` or ``field=pattern``; None if it is."""
    if selector.strip().isdigit():
        return None
    field, eq, pattern = selector.partition("=")
    if not eq or not _FIELD.match(field.strip()) or not pattern.strip():
        return f"selector [{selector}] is not [field=value] or [index]"
    return None


def _select(items: list, selector: str) -> list[int]:
    if selector.strip().isdigit():
        index = int(selector)
        return [index] if index < len(items) else []
    field, _, pattern = selector.partition("=")
    return [i for i, item in enumerate(items)
            if isinstance(item, dict) and field.strip() in item
            and fnmatch.fnmatchcase(str(item[field.strip()]), pattern.strip())]


def path_error(path: str) -> str | None:
    """Why ``path`` cannot name something to change; None if it is well formed."""
    tokens = path.split(".")
    if tokens[0] not in ("scenario", "network"):
        return f"path must start with 'scenario' or 'network', got {tokens[0]!r}"
    if len(tokens) < 2:
        return f"path {path!r} names a whole file, expected a field inside it such as {path}.disruptions"
    if tokens[:2] == ["scenario", "network"]:
        return "the network file of a variant is its baseline's; change fields with network.… paths instead"
    for token in tokens[1:]:
        parsed = _TOKEN.match(token)
        if not parsed:
            return f"cannot read {token!r} in {path!r}"
        if parsed.group("sel") is not None and selector_error(parsed.group("sel")):
            return selector_error(parsed.group("sel"))
    return None


def _walk(roots: dict, path: str, create: bool = False) -> tuple[list[tuple[Any, Any]], str | None]:
    """Resolve ``path`` to ``(container, key)`` pairs; the second value is an error text or None.

    With ``create``, a missing last key of a mapping is a target too (``set`` adds the field)."""
    error = path_error(path)
    if error:
        return [], error
    tokens = path.split(".")
    current = [(roots, tokens[0])]
    for token in tokens[1:] + [None]:
        nxt = []
        for container, key in current:
            parsed = _TOKEN.match(key) if isinstance(key, str) else None
            name, selector = (parsed.group("key"), parsed.group("sel")) if parsed else (key, None)
            if isinstance(container, dict) and name not in container and create and token is None and selector is None:
                nxt.append((container, name))
                continue
            if not isinstance(container, dict) or name not in container:
                continue
            value = container[name]
            if selector is None:
                targets = [(container, name)]
            elif isinstance(value, list):
                targets = [(value, i) for i in _select(value, selector)]
            else:
                continue
            if token is None:
                nxt += targets
            else:
                nxt += [(c[k], token) for c, k in targets]
        current = nxt
        if not current:
            return [], f"nothing matches {path!r}"
    return current, None


def apply_overlay(overlay: OverlaySpec, scenario_data: dict, network_data: dict, file: str | list[str]) -> tuple[dict, dict]:
    """The baseline data with the overlay's changes applied (the inputs are not modified).

    ``file`` names where the changes come from: one file, or one name per change (problems
    then count the index from the first change of that name)."""
    roots = {"scenario": copy.deepcopy(scenario_data), "network": copy.deepcopy(network_data)}
    problems = []
    files = [file] * len(overlay.changes) if isinstance(file, str) else file
    for k, change in enumerate(overlay.changes):
        file, i = files[k], k - files.index(files[k])
        op, path = change.operation
        if op == "add":
            targets, error = _walk(roots, path)
            targets = [(c, k) for c, k in targets if isinstance(c[k], list)]
            if error or not targets:
                problems.append(Problem(file, f"changes[{i}].add", error or f"{path!r} is not a list", "a path to a list"))
            for container, key in targets:
                container[key].append(copy.deepcopy(change.value))
            continue
        targets, error = _walk(roots, path, create=op == "set")
        if error:
            problems.append(Problem(file, f"changes[{i}].{op}", error, "a path such as network.links[id=e14-*].speed_kmh"))
            continue
        if op == "remove":
            for container, key in sorted(targets, key=lambda t: -t[1] if isinstance(t[1], int) else 0):
                del container[key]
        elif op == "set":
            for container, key in targets:
                container[key] = copy.deepcopy(change.value)
        else:  # scale
            for container, key in targets:
                if not isinstance(container[key], (int, float)) or isinstance(container[key], bool):
                    problems.append(Problem(file, f"changes[{i}].scale", f"{path!r} is {container[key]!r}", "a number to scale"))
                    break
                container[key] = container[key] * change.factor
    if problems:
        raise ScenarioError(problems)
    return roots["scenario"], roots["network"]


def load_overlay(path: str | Path) -> OverlaySpec:
    """Read and check an overlay file."""
    from .loader import _validate
    from .yaml_source import load_yaml_with_lines

    data, lines = load_yaml_with_lines(Path(path))
    spec, problems = _validate(OverlaySpec, data, str(path), lines)
    if problems:
        raise ScenarioError(problems)
    return spec
