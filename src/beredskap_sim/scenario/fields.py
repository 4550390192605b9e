"""Field types shared by the network and scenario schemas (durations, sources)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

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


class Strict(BaseModel):
    """Base for every file model: unknown fields are errors, aliases such as ``from`` work."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
