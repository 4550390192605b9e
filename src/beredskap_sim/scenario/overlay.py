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

A path starts at ``scenario`` or ``network`` and walks keys separated by dots; a key may carry
a selector: ``[field=pattern]`` (elements of a list whose field matches the glob) or ``[n]``
(an index). The changed data is then checked exactly like a file, so a variant can never be
less valid than a hand-written scenario.
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


def _select(items: list, selector: str) -> list[int]:
    if selector.isdigit():
        index = int(selector)
        return [index] if index < len(items) else []
    field, _, pattern = selector.partition("=")
    return [i for i, item in enumerate(items)
            if isinstance(item, dict) and fnmatch.fnmatchcase(str(item.get(field.strip(), "")), pattern.strip())]


def _walk(roots: dict, path: str, create: bool = False) -> tuple[list[tuple[Any, Any]], str | None]:
    """Resolve ``path`` to ``(container, key)`` pairs; the second value is an error text or None.

    With ``create``, a missing last key of a mapping is a target too (``set`` adds the field)."""
    tokens = path.split(".")
    if tokens[0] not in roots:
        return [], f"path must start with 'scenario' or 'network', got {tokens[0]!r}"
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


def apply_overlay(overlay: OverlaySpec, scenario_data: dict, network_data: dict, file: str) -> tuple[dict, dict]:
    """The baseline data with the overlay's changes applied (the inputs are not modified)."""
    roots = {"scenario": copy.deepcopy(scenario_data), "network": copy.deepcopy(network_data)}
    problems = []
    for i, change in enumerate(overlay.changes):
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
