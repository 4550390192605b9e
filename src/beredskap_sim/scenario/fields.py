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

import types
import typing
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, WithJsonSchema, field_validator

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

Sources = Annotated[
    dict[str, str],
    Field(
        default_factory=dict,
        description=(
            "Where each figure of this entry comes from, by field name. A text that starts with "
            "'assumption:' marks the figure as assumed and says why."
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
