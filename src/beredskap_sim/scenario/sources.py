"""Checks that every figure in a network or scenario file names its source.

A *figure* is a number the file sets explicitly (defaults the format supplies are not the
file's claims). Its source is found in the entry's ``sources`` map under the field's name,
or, for a nested table without its own map (such as a disruption's ``effect``), under the
nested field's name in the parent's map, or in the file's ``default_sources``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from .errors import field_path

ASSUMPTION_PREFIX = "assumption:"


@dataclass(frozen=True)
class Citation:
    """The source text of one figure; ``assumed`` when the text starts with ``assumption:``."""

    path: str
    value: object
    source: str

    @property
    def assumed(self) -> bool:
        return self.source.strip().lower().startswith(ASSUMPTION_PREFIX)

    @property
    def range(self) -> tuple[float, float] | None:
        """``(low, high)`` when the source gives a ``range:`` (see ``fields.SourceText``)."""
        return getattr(self.source, "range", None)


def _is_figure(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _walk(model: BaseModel, loc: tuple, parent: dict[str, str], parent_key: str, defaults: dict[str, str], out: list):
    own = getattr(model, "sources", None) if "sources" in type(model).model_fields else None
    sources = own or parent
    for name in sorted(model.model_fields_set):
        if name == "sources":
            continue
        value = getattr(model, name)
        alias = type(model).model_fields[name].alias or name
        here = loc + (alias,)
        if _is_figure(value):
            text = sources.get(alias) or (sources.get(parent_key) if not own else None) or defaults.get(alias)
            out.append((field_path(here), value, text))
        elif isinstance(value, BaseModel):
            _walk(value, here, sources, alias, defaults, out)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    # Entries cite in their own sources map; entries without one (a hazard's
                    # footprint, or an empty map) cite in the parent's map under the list's name.
                    _walk(item, here + (i,), sources, alias, defaults, out)


def citations(model: BaseModel, defaults: dict[str, str] | None = None) -> tuple[list[Citation], list[str]]:
    """All figures with their sources, and the paths of figures that have none."""
    found: list = []
    _walk(model, (), {}, "", defaults or {}, found)
    cited = [Citation(path, value, text) for path, value, text in found if text]
    missing = [path for path, _, text in found if not text]
    return cited, missing
