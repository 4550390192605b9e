"""Read YAML while remembering where each value stood, so errors can name a line.

``load_yaml_with_lines(path)`` returns ``(data, lines)`` where ``lines`` maps a field path
(a tuple of keys and list indices, as pydantic reports them) to its 1-based line number.

Guards against files that would exhaust memory or hide mistakes (each a ``ScenarioError``):

* a size limit of ``MAX_FILE_BYTES`` (only regular files are read, so ``/dev/zero`` is refused);
* a budget of ``MAX_NODES`` values after alias expansion (a "billion laughs" alias bomb of a
  few lines would otherwise expand to gigabytes), and no alias that refers to itself;
* a key given twice in one mapping (YAML loaders silently keep the last one).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, ScenarioError

Path_ = tuple[Any, ...]

MAX_FILE_BYTES = 5_000_000
"""Largest input file read, bytes (the bundled networks are about 100 kB)."""

MAX_NODES = 200_000
"""Largest number of YAML values a file may expand to, counting every alias use in full."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # the C parser (libyaml) when installed
    """Safe loader with YAML 1.2 booleans and ISO dates kept as text.

    * Only ``true``/``false`` are booleans. YAML 1.1 also reads ``NO``, ``yes``, ``on`` and
      ``off`` as booleans, which turns Norway's country code into ``false``.
    * Dates stay strings so that '2022-01-12' and '2022-01-12T14:00' are parsed the same way.
    """


_DROPPED = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool"}
_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[path + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, path + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), lines)


def _expanded_size(node: yaml.Node, file: str, memo: dict[int, int], active: set[int]) -> int:
    """Number of values ``node`` stands for once every alias is expanded (memoised per node)."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in active:
        raise ScenarioError([Problem(file, "", "an alias refers to itself", "YAML without recursive anchors",
                                     node.start_mark.line + 1)])
    active.add(key)
    size = 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen and key_node.tag != "tag:yaml.org,2002:merge":
                    raise ScenarioError([Problem(
                        file, str(key_node.value), f"key given twice (first on line {seen[key_node.value]})",
                        "each key once per mapping", key_node.start_mark.line + 1)])
                seen[key_node.value] = key_node.start_mark.line + 1
            size += _expanded_size(key_node, file, memo, active) + _expanded_size(value_node, file, memo, active)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            size += _expanded_size(item, file, memo, active)
    active.discard(key)
    memo[key] = size
    if size > MAX_NODES:
        raise ScenarioError([Problem(file, "", f"expands to more than {MAX_NODES:,} values (aliases used in full)",
                                     "a file without an alias bomb", node.start_mark.line + 1)])
    return size


def _read_text(path: Path) -> str:
    """The file's text, refusing what is not a regular UTF-8 file of at most ``MAX_FILE_BYTES``."""
    file = str(path)
    try:
        with open(path, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ScenarioError([Problem(file, "", "not a regular file", "a YAML file")])
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError([Problem(file, "", "file not found", "an existing YAML file")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(file, "", f"cannot read the file ({exc.strerror or exc})", "a readable YAML file")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError([Problem(file, "", f"larger than {MAX_FILE_BYTES:,} bytes", "a smaller YAML file")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(file, "", f"cannot read the file ({exc})", "a UTF-8 text file")]) from None


def load_yaml_with_lines(path: Path) -> tuple[Any, dict[Path_, int]]:
    """Parse one YAML file; raise ``ScenarioError`` (never a traceback) if it cannot be read."""
    text = _read_text(Path(path))
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = None
            if node is not None:
                _expanded_size(node, str(path), {}, set())  # before anything is built from it
                data = loader.construct_document(node)
        finally:
            loader.dispose()
    except RecursionError:
        raise ScenarioError([Problem(str(path), "", "nested too deeply", "YAML nested at most a few hundred levels")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(
            [Problem(str(path), "", f"not valid YAML: {reason}", "well-formed YAML", line)]
        ) from None
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines
