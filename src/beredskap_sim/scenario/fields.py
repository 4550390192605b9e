"""Field types shared by the network and scenario schemas (durations, sources), and the base
model every file model derives from.

The base model (``Strict``) makes three checks generic, so every number field of every file
format — including fields added later — gets them without a line of its own:

* numbers are finite: ``.inf`` and ``.nan`` are refused wherever a number is read
  (pydantic's ``allow_inf_nan=False``);
* ``true``/``false`` are refused where a number is expected (pydantic would read ``true``
  as 1.0);
* unknown fields are errors.

Ranges (positive, whole, at most ...) are stated per field with ``Field(gt=...)`` or the
annotated types below (``Positive``, ``PositiveDuration``, ``Count``).
"""

from __future__ import annotations

import math
import types
import typing
from typing import Annotated, Any

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, ValidationInfo, WithJsonSchema,
                      field_validator)

from .units import parse_duration

_DURATION_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 0, "description": "hours"},
        {"type": "string", "pattern": r"^\s*(\d+(\.\d+)?\s*(min|m|h|d|w)\s*)+$"},
    ],
    "description": "A duration: hours as a number, or text such as '90m', '36h', '3d', '2w', '1d 6h'.",
}

Duration = Annotated[float, BeforeValidator(parse_duration), WithJsonSchema(_DURATION_SCHEMA)]
"""Hours, written in a file as a number or as text like ``"36h"``."""

Instant = Annotated[
    float | str,
    WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string"}],
            "description": "A time: a duration after the scenario start ('36h', '3d') or an ISO date/date-time.",
        }
    ),
]
"""An instant as written; the loader converts it to hours after the scenario start."""

class SourceText(str):
    """A figure's source text; ``range`` is ``(low, high)`` when the file gives one, else None.

    In a file a source is a text, or a mapping with the text and the range the figure may
    lie in, which ``beredskap-sim sensitivity`` varies it over::

        sources:
          tank_l: {assumption: "16 hours at full load; tank sizes are not published", range: [4000, 18000]}
    """

    range: tuple[float, float] | None = None


def _source_text(value: Any) -> SourceText:
    if isinstance(value, str):
        return SourceText(value)
    if isinstance(value, dict):
        keys = set(value)
        texts = keys & {"assumption", "source"}
        if len(texts) != 1 or keys - {"assumption", "source", "range"} or "range" not in keys:
            raise ValueError(f"got the keys {sorted(keys)}, expected a text, or {{assumption: why, range: [low, high]}} "
                             "(or source: instead of assumption:)")
        text = value[texts.pop()]
        bounds = value["range"]
        if not isinstance(text, str) or not text.strip():
            raise ValueError("expected a non-empty text beside range:")
        if (not isinstance(bounds, list) or len(bounds) != 2
                or not all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in bounds)
                or not bounds[0] < bounds[1]):
            raise ValueError(f"range: got {bounds!r}, expected [low, high], two finite numbers with low < high")
        out = SourceText(f"assumption: {text}" if "assumption" in value and not text.lower().startswith("assumption:") else text)
        out.range = (float(bounds[0]), float(bounds[1]))
        return out
    raise ValueError(f"got {value!r}, expected a text or {{assumption: why, range: [low, high]}}")


_SOURCE_SCHEMA = {
    "anyOf": [
        {"type": "string"},
        {"type": "object", "properties": {"assumption": {"type": "string"}, "source": {"type": "string"},
                                          "range": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}},
         "required": ["range"], "additionalProperties": False},
    ],
}

SourceValue = Annotated[Any, PlainValidator(_source_text), WithJsonSchema(_SOURCE_SCHEMA)]
"""One figure's source: a text, or ``{assumption: why, range: [low, high]}`` (see ``SourceText``)."""

Sources = Annotated[
    dict[str, SourceValue],
    Field(
        default_factory=dict,
        description=(
            "Where each figure of this entry comes from, by field name. A text that starts with "
            "'assumption:' marks the figure as assumed and says why; {assumption: why, range: [low, high]} "
            "also gives the range the figure may lie in (varied by `beredskap-sim sensitivity`)."
        ),
    ),
]


Positive = Annotated[float, Field(gt=0)]
"""A finite number greater than zero."""

PositiveDuration = Annotated[Duration, Field(gt=0)]
"""A duration longer than zero, in hours."""

Count = Annotated[int, Field(ge=0)]
"""A whole number, zero or more."""


def _leaf_types(annotation: Any) -> list:
    """The types a field annotation allows, with ``Annotated`` and unions unwrapped."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _leaf_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [leaf for arg in typing.get_args(annotation) for leaf in _leaf_types(arg)]
    return [annotation]


def _number_not_bool(annotation: Any) -> bool:
    """Whether a field holds a number and may not hold true/false (no bool, Any or boolean literal)."""
    leaves = _leaf_types(annotation)
    takes_bool = any(leaf is bool or leaf is Any or (typing.get_origin(leaf) is typing.Literal and
                                                     any(isinstance(a, bool) for a in typing.get_args(leaf)))
                     for leaf in leaves)
    return not takes_bool and any(leaf in (int, float) for leaf in leaves)


class Strict(BaseModel):
    """Base for every file model: unknown fields are errors, aliases such as ``from`` work,
    numbers are finite and never true/false (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_number(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name in cls.model_fields:
            if _number_not_bool(cls.model_fields[info.field_name].annotation):
                raise ValueError(f"got {str(value).lower()}, expected a number")
        return value
