"""Where a hoarding surge (``food_demand_factor``) may point.

A surge multiplies the food demand of food municipalities (``model/food.py``), so every
target of a disruption or hazard member with ``food_demand_factor`` must be a node listed in
the scenario's ``food.municipalities`` — or a group of such nodes — and the scenario must have
a ``food:`` section. Unknown names are reported elsewhere (``references.reference_problems``,
the hazard resolver); here only known names that point at the wrong thing.
"""

from __future__ import annotations

from .errors import Problem
from .hazard_schema import EffectSpec
from .references import resolve_any


def _surge(effect) -> bool:
    return isinstance(effect, EffectSpec) and effect.food_demand_factor is not None


def _names(target) -> list[str]:
    return [target] if isinstance(target, str) else list(target)


def food_effect_problems(spec, network, powers: set[str], file: str, lines: dict) -> list[Problem]:
    """Problems of the scenario's disruptions and hazards with ``food_demand_factor``."""
    municipalities = [m.node for m in spec.food.municipalities] if spec.food is not None else []
    known = set(municipalities)
    expected = (f"a food municipality or a group of them ({', '.join(municipalities)})" if municipalities
                else "a `food:` section with the municipalities the surge hits")
    places = [(f"disruptions[{i}]", ("disruptions", i), x.target, x.effect) for i, x in enumerate(spec.disruptions)]
    for i, h in enumerate(spec.hazards):
        for j, member in enumerate(h.footprint):
            effect = member.effect if member.effect is not None else h.effect
            places.append((f"hazards[{i}].footprint[{j}]", ("hazards", i, "footprint", j), member.target, effect))
    out: list[Problem] = []
    for path, key, target, effect in places:
        if not _surge(effect):
            continue
        line = lines.get(key)
        if spec.food is None:
            out.append(Problem(file, f"{path}.effect.food_demand_factor", "the scenario has no `food:` section", expected, line))
            continue
        for name in _names(target):
            found = resolve_any(network, powers, name)
            if found is None:
                continue  # an unknown name, reported by the reference check
            links, nodes, power = found
            wrong = [network.link_ids[k] for k in links] + list(power) + \
                    [network.node_ids[k] for k in nodes if network.node_ids[k] not in known]
            if wrong:
                out.append(Problem(file, f"{path}.target", f"{name!r} is not a food municipality "
                                   f"(food_demand_factor cannot act on {', '.join(wrong)})", expected, line))
    return out
