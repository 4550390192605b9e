"""Problems in input files, reported all at once and in the planner's terms.

Every problem renders as ``file: field.path: what is wrong (what was expected)`` with the
line number appended when it is known. The command line prints these lines and exits 2;
it never shows a Python traceback for a bad file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file."""

    file: str
    field: str
    problem: str
    expected: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}: {self.field or '(top level)'}: {self.problem}"
        if self.expected:
            where += f" (expected {self.expected})"
        if self.line is not None:
            where += f" [line {self.line}]"
        return where


class ScenarioError(Exception):
    """Raised when a scenario or network file cannot be used; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def field_path(loc: Iterable[Any]) -> str:
    """Render a pydantic location ``('freight', 2, 'tonnes_per_day')`` as ``freight[2].tonnes_per_day``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


PATTERN_WORDS = {
    r"^[a-z0-9][a-z0-9_-]*$": "an id of lower-case letters, digits, '-' and '_'",
    r"^[A-Za-z0-9][A-Za-z0-9_-]*$": "an id of letters, digits, '-' and '_'",
    r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$": "opening hours such as '08:00-15:30'",
}


def _describe_input(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def problem_from_pydantic(file: str, error: dict, lines: dict[tuple, int]) -> Problem:
    """Translate one pydantic error dict into a ``Problem`` with a clear expectation."""
    loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and part.startswith("function-")))
    # Union members show up in the location as their type names; drop them.
    loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in {"str", "float", "int", "literal['close']"})))
    kind = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    if kind == "missing":
        problem, expected = "required field is missing", "a value for this field"
    elif kind == "extra_forbidden":
        problem, expected = "unknown field", "only the fields the format defines (see `beredskap-sim schema`)"
    elif kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        sign = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<", "less_than_equal": "≤"}[kind]
        bound = next(iter(ctx.values()))
        bound = f"{bound:g}" if isinstance(bound, float) else bound
        problem, expected = f"got {_describe_input(given)}", f"a number {sign} {bound}"
    elif kind in {"float_parsing", "float_type", "int_parsing", "int_type", "int_from_float", "int_parsing_size"}:
        problem, expected = f"got {_describe_input(given)}", "a whole number" if kind.startswith("int") else "a number"
    elif kind in {"too_short", "too_long"}:
        size = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        problem = f"got {ctx.get('actual_length', len(given) if hasattr(given, '__len__') else '?')} item(s)"
        expected = f"at least {size}" if kind == "too_short" else f"at most {size}"
    elif kind == "finite_number":
        problem, expected = f"got {_describe_input(given)}", "a finite number"
    elif kind in {"literal_error", "enum"}:
        problem, expected = f"got {_describe_input(given)}", f"one of {ctx.get('expected', '')}"
    elif kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        expected = PATTERN_WORDS.get(pattern, f"text matching {pattern}")
        problem = f"got {_describe_input(given)}"
    elif kind in {"string_type"}:
        problem, expected = f"got {_describe_input(given)}", "text"
    elif kind in {"list_type"}:
        problem, expected = f"got {_describe_input(given)}", "a list"
    elif kind in {"dict_type", "model_type", "model_attributes_type"}:
        problem, expected = f"got {_describe_input(given)}", "a mapping of fields"
    elif kind in {"bool_type", "bool_parsing"}:
        problem, expected = f"got {_describe_input(given)}", "true or false"
    elif kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
        problem, _, expected = message.partition(", expected ")
        if not expected:
            expected = ""
    else:
        problem, expected = error["msg"], ""
    line = None
    for depth in range(len(loc), -1, -1):
        line = lines.get(tuple(loc[:depth]))
        if line is not None:
            break
    return Problem(file, field_path(loc), problem, expected, line)
