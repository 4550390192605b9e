"""Resolve a scenario's ``appraisal:`` section (a preset file plus overrides) into ``Conventions``.

The preset file is read and checked like any input file: a problem names the file, the field
path and what was expected; a figure without a source in a preset is an error, since presets
are shared by every analysis that names them (see ``appraisal_schema``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .appraisal_schema import AppraisalSpec
from .errors import Problem, ScenarioError, problem_from_pydantic
from .fact_sections import citation_problems, find_document
from .sources import citations
from .yaml_source import load_yaml_with_lines

FIELDS = ("name", "discount_rates", "analysis_years", "max_analysis_years", "residual_value", "tax_factor",
          "value_growth", "base_year")


@dataclass(frozen=True)
class Conventions:
    """Resolved appraisal conventions (see ``appraisal_schema`` for each field's meaning).

    ``rates``: ((from_year, rate), ...) ascending from year 0; ``analysis_years`` None = the
    investment's lifetime; ``sources``: field → source text, for the report."""

    name: str
    rates: tuple[tuple[int, float], ...]
    analysis_years: int | None = None
    max_analysis_years: int | None = None
    residual_value: bool = False
    tax_factor: float = 1.0
    value_growth: float = 0.0
    base_year: int | None = None
    sources: tuple[tuple[str, str], ...] = ()

    def rate(self, year: int) -> float:
        """The discount rate of year ``year`` ≥ 1: the last step whose ``from_year`` < year."""
        return [r for start, r in self.rates if start < year][-1]


def plain(discount_rate: float) -> Conventions:
    """No ``appraisal:`` section: one rate over the lifetime, no tax factor, growth or residual value."""
    return Conventions(name=f"plain annuity at {discount_rate:.1%}", rates=((0, discount_rate),))


def load_preset(path: Path) -> AppraisalSpec:
    """Read and check a preset file; every figure in it must cite a source."""
    data, lines = load_yaml_with_lines(path)
    if not isinstance(data, dict):
        raise ScenarioError([Problem(str(path), "", f"got {type(data).__name__}", "a YAML mapping of appraisal fields", 1)])
    try:
        spec = AppraisalSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError([problem_from_pydantic(str(path), err, lines) for err in exc.errors()]) from None
    problems = [Problem(str(path), p, "figure has no source", "a `sources` entry, or 'assumption: why'")
                for p in citations(spec)[1]]
    document = find_document(path.parent)
    if document is not None:
        problems += citation_problems(spec, {}, str(path), document)
    if spec.preset is not None:
        problems.append(Problem(str(path), "preset", "a preset names another preset", "the fields themselves"))
    if spec.discount_rates is None:
        problems.append(Problem(str(path), "discount_rates", "missing", "at least [{from_year: 0, rate: ...}]"))
    if problems:
        raise ScenarioError(problems)
    return spec


def conventions_of_preset(path: Path) -> Conventions:
    """The conventions of one preset file, as given; raises ``ScenarioError`` naming its problems."""
    conventions, problems = resolve(AppraisalSpec(preset=str(Path(path).resolve())), str(path), Path.cwd(), {})
    if problems:
        raise ScenarioError(problems)
    return conventions


def resolve(spec: AppraisalSpec | None, file: str, base_dir: Path, lines: dict) -> tuple[Conventions | None, list[Problem]]:
    """The scenario's conventions (None without a section) and any problems with its preset."""
    if spec is None:
        return None, []
    merged: dict = {}
    sources: dict[str, str] = {}
    if spec.preset is not None:
        path = (base_dir / spec.preset).resolve()
        if not path.exists():
            return None, [Problem(file, "appraisal.preset", f"preset file {spec.preset!r} not found",
                                  "a path relative to the scenario file, e.g. ../appraisal/norway-r109.yaml",
                                  lines.get(("appraisal", "preset")))]
        try:
            preset = load_preset(path)
        except ScenarioError as exc:
            return None, exc.problems
        merged = {f: getattr(preset, f) for f in FIELDS if getattr(preset, f) is not None}
        sources.update(preset.sources)
    merged.update({f: getattr(spec, f) for f in FIELDS if getattr(spec, f) is not None})
    sources.update(spec.sources)
    if "discount_rates" not in merged:
        return None, [Problem(file, "appraisal.discount_rates", "missing", "a preset, or discount_rates: [{from_year: 0, rate: ...}]",
                              lines.get(("appraisal",)))]
    steps = merged.pop("discount_rates")
    name = merged.pop("name", None) or (Path(spec.preset).stem if spec.preset else "scenario conventions")
    return Conventions(name=name, rates=tuple((s.from_year, s.rate) for s in steps), sources=tuple(sorted(sources.items())),
                       **merged), []
