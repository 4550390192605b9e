"""The scenario in plain words, for the command line and the report."""

from __future__ import annotations

from ..model.disruptions import describe_effect
from ..scenario.units import format_hours


def describe(scenario) -> str:
    """One paragraph in plain words: what the scenario simulates, over what, with what disruptions."""
    net = scenario.network
    tonnes = sum(d.tonnes_per_day for d in scenario.demands)
    parts = [
        f"{scenario.name}: {format_hours(scenario.horizon_h)} from {scenario.start:%Y-%m-%d %H:%M} on network "
        f"'{scenario.network_spec.name}' ({net.n_nodes} nodes, {net.n_links} links).",
        f"{len(scenario.demands)} freight flows carry {tonnes:,.1f} t/day of "
        f"{', '.join(dict.fromkeys(d.commodity for d in scenario.demands)) or 'nothing'}.",
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
                     + ", ".join(f"{h.id} ({h.rate_per_year:g}/yr)" for h in scenario.hazards) + ".")
    if scenario.disruptions:
        texts = [f"{d.id} ({', '.join(d.targets)}: {describe_effect(d)} from {format_hours(d.start_h)} for "
                 f"{format_hours(d.duration_h)})" for d in scenario.disruptions]
        parts.append(f"{len(texts)} scheduled disruption{'s' if len(texts) != 1 else ''}: " + "; ".join(texts) + ".")
    else:
        parts.append("No scheduled disruptions.")
    return " ".join(parts)
