"""The scenario in plain words, for the command line and the report: places, lines, flows
and disruptions by the names the files give them (``names.Names``), times as dates."""

from __future__ import annotations

import textwrap
from datetime import timedelta

from ..model.disruptions import describe_effect
from ..scenario.units import format_hours
from .names import Names


def describe(scenario) -> str:
    """One paragraph in plain words: what the scenario simulates, over what, with what disruptions."""
    net = scenario.network
    names = Names(scenario)
    tonnes = sum(d.tonnes_per_day for d in scenario.demands)
    parts = [
        f"{scenario.name}: {format_hours(scenario.horizon_h)} from {scenario.start:%Y-%m-%d %H:%M} on network "
        f"'{scenario.network_spec.name}' ({net.n_nodes} nodes, {net.n_links} links).",
        f"{len(scenario.demands)} freight flows carry {tonnes:,.1f} t/day of "
        f"{', '.join(dict.fromkeys(d.commodity for d in scenario.demands)) or 'nothing'}"
        + (f" ({'; '.join(names.of(f.id) for f in scenario.spec.freight)})" if 0 < len(scenario.spec.freight) <= 4 else "")
        + ".",
    ]
    systems = [name for name, on in (("food", scenario.spec.food is not None), ("power", scenario.power_enabled),
                                     ("passengers", scenario.spec.passengers is not None)) if on]
    if systems:
        parts.append(f"Supply systems modelled: {', '.join(systems)}.")
    if scenario.care is not None:
        parts.append(f"Access to emergency care within {scenario.care.threshold_h * 60:g} min for "
                     f"{len(scenario.care.places)} places, {len(scenario.care.hospitals)} hospitals, "
                     f"{len(scenario.care.helicopters)} air ambulance bases.")
    if scenario.hazards:
        parts.append(f"{len(scenario.hazards)} random hazard{'s' if len(scenario.hazards) != 1 else ''}: "
                     + "; ".join(f"{_short(h.description) or h.id} ({h.rate_per_year:.2g}/yr)" for h in scenario.hazards)
                     + ".")
    if scenario.disruptions:
        texts = [f"{_short(d.description) or d.id} ({names.of_list(d.targets, 4)}: {describe_effect(d)} from "
                 f"{scenario.start + timedelta(hours=d.start_h):%a %d %b %H:%M} for {format_hours(d.duration_h)})"
                 for d in scenario.disruptions]
        parts.append(f"{len(texts)} scheduled disruption{'s' if len(texts) != 1 else ''}: " + "; ".join(texts) + ".")
    else:
        parts.append("No scheduled disruptions.")
    parts += _movements(scenario)
    return " ".join(parts)


def _movements(scenario) -> list[str]:
    """The military movements: their windows and how much they reserve, in plain words."""
    texts = []
    for spec, m in zip(scenario.spec.movements, getattr(scenario, "movements", [])):
        held = [f"{p.trains_per_day:g} paths/day on {p.target if isinstance(p.target, str) else ', '.join(p.target)}"
                for p in spec.rail_paths]
        held += [f"{s.share:.0%} of {s.target if isinstance(s.target, str) else ', '.join(s.target)}"
                 for s in spec.road_shares]
        texts.append(f"{m.id} (from {format_hours(m.start_h)} for {format_hours(m.end_h - m.start_h)}: "
                     f"{'; '.join(held) or 'nothing reserved'})")
    if not texts:
        return []
    return [f"{len(texts)} military movement{'s' if len(texts) != 1 else ''}: " + "; ".join(texts) + "."]


def _short(text: str, width: int = 70) -> str:
    """``text`` cut at a word to ``width`` characters ("…" marks the cut)."""
    return textwrap.shorten(" ".join((text or "").split()), width, placeholder=" …")
