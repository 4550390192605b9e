"""Which assumptions decide the answer: one-at-a-time sensitivity over assumption-marked figures.

Every figure of the scenario and its network whose source starts with ``assumption:`` is set,
one at a time, to the low and the high end of its range — the ``range: [low, high]`` given
beside it in the file (``scenario.fields.SourceText``), else value × 0.5 and × 1.5 (whole
numbers rounded) — and the scenario is run again with the same seed and replications (common
random numbers, and the baseline's stratification plan when rare hazards are stratified).
The **swing** of a figure is ``KPI(high) − KPI(low)``, the KPI being a weighted mean over the
replications (``experiment.summary``); with variants, the mean paired difference variant −
baseline, both with the figure changed; with ``bcr``, the variant's benefit–cost ratio
(``bcr_adapter``). Figures are ranked by |swing|: the tornado chart's order.

With ``sample_inputs`` (second-order Monte Carlo), replication r instead draws every
selected figure uniformly in its range from its own stream ``input:<path>`` and runs with
those values, so the interval of the KPI includes the input uncertainty.

Runs go through the ordinary executors (``experiment.executors``), so they parallelise.
Reference: Saltelli et al., *Global Sensitivity Analysis: The Primer* (2008), §1.2.3 (one at a
time) and the tornado diagram of decision analysis (Clemen, *Making Hard Decisions*, ch. 5).
"""

from __future__ import annotations

import dataclasses
import fnmatch
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..model.rng import stream
from ..scenario.errors import ScenarioError
from ..scenario.loader import load_variant
from ..scenario.sources import citations
from .executors import Executor, SerialExecutor
from .runner import stratification_plan
from .summary import paired_weighted, weighted_mean_halfwidth

DEFAULT_SPAN = 0.5
"""Without a ``range:``, a figure is varied over value × (1 − 0.5) … value × (1 + 0.5)."""

UNITS = (("kg_per_person_day", "kg/person/day"), ("_nok_per_tkm", "NOK/t·km"), ("_nok_per_t", "NOK/t"), ("_nok_per_tonne_hour", "NOK/t·h"),
         ("tonnes_per_day", "t/day"), ("tonnes_per_hour", "t/h"), ("trucks_per_hour", "trucks/h"),
         ("trains_per_day", "trains/day"), ("trucks_per_day", "trucks/day"), ("_per_year", "per year"),
         ("_per_day", "per day"), ("_kmh", "km/h"), ("_km", "km"), ("_mwh", "MWh"), ("_mw", "MW"), ("_kw", "kW"),
         ("_days", "days"), ("_t", "t"), ("_l", "litres"), ("_h", "h"), ("probability", "share"),
         ("availability", "share"), ("_factor", "×"))


@dataclass(frozen=True)
class Figure:
    """One assumed figure: where it is (``path``, an overlay path such as
    ``network.links[3].speed_kmh``), its value, the range it is varied over, and a label."""

    path: str
    value: float
    low: float
    high: float
    ranged: bool
    label: str
    unit: str
    whole: bool = False  # a whole-number field (passing loops): varied over whole numbers


def _unit(field: str, raw_value) -> str:
    if isinstance(raw_value, str):
        return "h"  # a duration written as text ("3d") is read in hours
    for suffix, unit in UNITS:
        if field.endswith(suffix):
            return unit
    return ""


def _raw_at(data: dict, path: str):
    """The raw value at a model path such as ``links[3].speed_kmh``, and the name of its nearest entry."""
    node, entry = data, ""
    for part in path.replace("[", ".[").split("."):
        if not part:
            continue
        key = int(part[1:-1]) if part.startswith("[") else part
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None, entry
        if isinstance(node, dict) and isinstance(key, int):
            entry = str(node.get("name") or node.get("id") or node.get("node") or entry)
    return node, entry


def _label(path: str, entry: str) -> str:
    """``<entry name>: <field in words>`` (``Meråker: stock days``), else the path in words (``food: threshold days``)."""
    field = path.rsplit(".", 1)[-1].replace("_", " ")
    if entry:
        return f"{entry}: {field}"
    return ": ".join(part.replace("_", " ") for part in path.split("."))


def _bounds(value: float, given: tuple[float, float] | None, whole: bool) -> tuple[float, float]:
    if given is not None:
        return given
    low, high = value * (1 - DEFAULT_SPAN), value * (1 + DEFAULT_SPAN)
    if whole:
        low, high = float(round(low)), float(round(high))
    return min(low, high), max(low, high)


def assumed_figures(scenario, patterns: list[str] | None = None, ranged_only: bool = False) -> list[Figure]:
    """The figures marked ``assumption:`` in the scenario and its network, optionally only those
    whose overlay path or label matches one of the globs ``patterns``, or only those with a range."""
    out = []
    net = scenario.network_raw
    names = {str(item.get("id")): str(item.get("name") or item.get("id"))
             for item in list(net.get("nodes") or []) + list(net.get("links") or []) if isinstance(item, dict)}
    for root, model, raw, defaults in (("scenario", scenario.spec, scenario.raw, {}),
                                       ("network", scenario.network_spec, scenario.network_raw,
                                        scenario.network_spec.default_sources)):
        cited, _ = citations(model, defaults)
        for c in cited:
            if not c.assumed:
                continue
            raw_value, entry = _raw_at(raw, c.path)
            entry = names.get(entry, entry)
            if raw_value is None or isinstance(raw_value, bool):
                continue
            unit = _unit(c.path.rsplit(".", 1)[-1], raw_value)
            path = f"{root}.{c.path}"
            label = _label(c.path, entry)
            if patterns and not any(fnmatch.fnmatchcase(path, p) or fnmatch.fnmatchcase(label, p) for p in patterns):
                continue
            if ranged_only and c.range is None:
                continue
            value = float(c.value)
            whole = isinstance(c.value, int)
            low, high = _bounds(value, c.range, whole)
            out.append(Figure(path, value, low, high, c.range is not None, label, unit, whole))
    return out


def _changes(values: dict[str, float]) -> list[dict]:
    return [{"set": path, "value": value, "source": "assumption: varied by the sensitivity analysis"}
            for path, value in values.items()]


def bcr_adapter(baseline: list, variant: list, overlay, values, conventions=None) -> float:
    """Benefit–cost ratio of ``variant`` against ``baseline`` (replication results of both).

    The one place the sensitivity analysis asks for an appraisal: ``experiment.appraisal.appraise``
    on the replications' ``cost_per_year`` (weighted), under the scenario's appraisal
    ``conventions`` (else the plain annuity at ``values.discount_rate``). The undisturbed runs
    that split everyday from resilience benefit are not needed for the ratio and are not run.
    """
    from ..scenario.appraisal import plain
    from .appraisal import appraise
    from .compare import investments

    if overlay is None or overlay.investment is None or values is None:
        raise ValueError("--kpi bcr needs a variant with an investment and a baseline with unit values:")
    conventions = conventions or plain(values.discount_rate)
    rows = []
    for name, results in (("baseline", baseline), ("variant", variant)):
        costs, weights = _kpi(results, ("cost_per_year", "total"))
        reps = sorted(r.replication for r in results)
        rows += [{"variant": name, "replication": r, "kpi": "cost_per_year", "scope": "total", "value": c, "weight": w}
                 for r, c, w in zip(reps, costs, weights)]
    money = appraise(pd.DataFrame(rows), conventions, investments([(None, overlay)], ["variant"], values, conventions))
    return float(money.loc[0, "bcr"])


def _kpi(results: list, key: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """The KPI ``key`` of each replication (in replication order) and the replication weights."""
    results = sorted(results, key=lambda r: r.replication)
    values = np.array([next((k.value for k in r.kpis if (k.kpi, k.scope) == key), np.nan) for r in results], dtype=float)
    return values, np.array([r.weight for r in results], dtype=float)


class Study:
    """Runs a scenario (and its variants) with changed figures, with common random numbers.

    ``kpi``: ``(kpi, scope)`` or ``"bcr"``. ``variants``: overlay files applied on top of each
    changed baseline. One evaluation gives one number per variant (or one without variants).
    """

    def __init__(self, scenario_file: str, variants: list[str], kpi, replications: int, seed: int,
                 executor: Executor | None = None, stratify: bool = True):
        self.scenario_file, self.variants, self.kpi = scenario_file, list(variants), kpi
        self.replications, self.seed = replications, seed
        self.executor = executor or SerialExecutor()
        base, _ = load_variant(scenario_file)
        self.values = base.spec.values
        self.plan = stratification_plan(base, replications, seed) if stratify and replications >= 3 else None
        if kpi == "bcr" and not self.variants:
            raise ValueError("--kpi bcr needs at least one --variant OVERLAY")
        self.overlays = [load_variant(scenario_file, path)[1] for path in self.variants]  # each checked on its own

    def _run(self, scenario, replications: list[int]) -> list:
        if self.plan is not None:
            scenario = dataclasses.replace(scenario, stratification=self.plan)
        return list(self.executor.run(scenario, self.seed, replications))

    def results(self, values: dict[str, float], replications: list[int] | None = None) -> list[list]:
        """Replication results of the baseline and each variant with the figures set to ``values``."""
        reps = list(range(self.replications)) if replications is None else replications
        changes = _changes(values)
        baseline = load_variant(self.scenario_file, None, changes or None)[0]
        self.values = baseline.spec.values  # a varied discount rate or currency rate counts in the BCR too
        self.conventions = baseline.appraisal
        out = [self._run(baseline, reps)]
        for overlay in self.overlays:  # the figure is the baseline's: changed first, the investment on top
            out.append(self._run(load_variant(self.scenario_file, None, changes + list(overlay.changes))[0], reps))
        return out

    unit = ""
    """The KPI's unit, once an outcome has been computed ("" for bcr)."""

    def outcome(self, runs: list[list]) -> list[tuple[float, float]]:
        """(value, 95 % half-width) per variant (or of the scenario without variants)."""
        if self.kpi != "bcr" and runs[0]:
            units = {(k.kpi, k.scope): k.unit for k in runs[0][0].kpis}
            if self.kpi not in units:
                known = sorted({f"{k}:{sc}" for k, sc in units if sc in ("all", "total")})
                raise ValueError(f"--kpi {self.kpi[0]}:{self.kpi[1]}: the scenario has no such KPI "
                                 f"(expected e.g. {', '.join(known[:8])}, or bcr)")
            self.unit = units[self.kpi]
        if not self.variants:
            return [weighted_mean_halfwidth(*_kpi(runs[0], self.kpi))]
        if self.kpi == "bcr":
            return [(bcr_adapter(runs[0], runs[i + 1], overlay, self.values, getattr(self, "conventions", None)), float("nan"))
                    for i, overlay in enumerate(self.overlays)]
        b, wb = _kpi(runs[0], self.kpi)
        return [paired_weighted(*_kpi(run, self.kpi), b, wb) for run in runs[1:]]

    @property
    def names(self) -> list[str]:
        return [Path(p).stem for p in self.variants] or ["scenario"]


CUTS = 4
"""How many times an end that makes the file invalid is moved halfway back towards the value."""


def _end(study: Study, figure: Figure, end: float):
    """(value used, outcome) at ``end``; an end the file's checks refuse (a reorder level above
    the order-up-to level, a probability above 1) is moved halfway back towards the figure's
    value, at most ``CUTS`` times, and the ScenarioError of the last try is raised if none passes."""
    whole = figure.whole
    for _ in range(CUTS + 1):
        try:
            return end, study.outcome(study.results({figure.path: _typed(figure, end)}))
        except ScenarioError as exc:
            error = exc
            end = figure.value + (end - figure.value) / 2
            end = float(round(end)) if whole else end
            if end == figure.value:
                break
    raise error


def one_at_a_time(study: Study, figures: list[Figure], progress=None) -> tuple[pd.DataFrame, list[float]]:
    """The swing table (one row per figure and variant, ranked by |swing| within a variant) and
    the base value per variant. Where an end of a range had to be cut to keep the file valid
    (``_end``), ``low``/``high`` are the values used and ``note`` says so."""
    base = [v for v, _ in study.outcome(study.results({}))]
    rows = []
    for i, figure in enumerate(figures):
        note, ends, used = "", [], []
        if figure.low == figure.high:
            note = "not varied: the value is 0, give a range:"
        for value in (figure.low, figure.high) if not note else ():
            try:
                value_used, outcome = _end(study, figure, value)
            except ScenarioError as exc:
                note = f"not varied: {exc.problems[0].problem if exc.problems else exc}"
                break
            ends.append(outcome)
            used.append(value_used)
        low_used, high_used = used if len(used) == 2 else (figure.low, figure.high)
        if not note and (low_used, high_used) != (figure.low, figure.high):
            note = f"range cut to {low_used:g}–{high_used:g} to keep the file valid"
        for k, name in enumerate(study.names):
            low, high = (ends[0][k][0], ends[1][k][0]) if len(ends) == 2 else (np.nan, np.nan)
            rows.append({"variant": name, "path": figure.path, "label": figure.label, "unit": figure.unit,
                         "low": low_used, "value": figure.value, "high": high_used, "ranged": figure.ranged,
                         "kpi_low": low, "kpi_base": base[k], "kpi_high": high, "swing": high - low, "note": note})
        if progress:
            progress(i + 1, len(figures))
    table = pd.DataFrame(rows, columns=["variant", "path", "label", "unit", "low", "value", "high", "ranged",
                                        "kpi_low", "kpi_base", "kpi_high", "swing", "note"])
    return rank(table), base


def rank(table: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered by variant, then by |swing| descending (figures not varied last)."""
    if table.empty:
        return table.assign(rank=[])
    table = table.assign(_abs=table["swing"].abs().fillna(-1.0))
    table = table.sort_values(["variant", "_abs"], ascending=[True, False], kind="stable").drop(columns="_abs")
    table.insert(0, "rank", table.groupby("variant").cumcount() + 1)
    return table.reset_index(drop=True)


def _typed(figure: Figure, value: float):
    return int(round(value)) if figure.whole else value


def sampled_inputs(study: Study, figures: list[Figure]) -> pd.DataFrame:
    """Second-order Monte Carlo: replication r runs with every figure drawn uniformly in its range
    (stream ``input:<path>`` of replication r), against the same replications at the file's values.
    One row per variant: value and 95 % half-width with fixed and with sampled inputs."""
    fixed = study.outcome(study.results({}))
    runs: list[list] = [[] for _ in range(len(study.variants) + 1)]
    for r in range(study.replications):
        values = {f.path: _typed(f, float(stream(study.seed, r, f"input:{f.path}").uniform(f.low, f.high))) for f in figures}
        for k, results in enumerate(study.results(values, [r])):
            runs[k] += results
    sampled = study.outcome(runs)
    return pd.DataFrame([{"variant": name, "value_fixed_inputs": f[0], "halfwidth_fixed_inputs": f[1],
                          "value_sampled_inputs": s[0], "halfwidth_sampled_inputs": s[1]}
                         for name, f, s in zip(study.names, fixed, sampled)])
