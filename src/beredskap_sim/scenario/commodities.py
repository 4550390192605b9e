"""Commodity names and families: ``food`` stands for every food group.

A scenario names commodities in several places — freight flows, border ``exempt`` lists,
the unit-value tables and commodity weights of ``values``. The food system ships its own
orders under its group names (``chilled``, ``dry``, ...), so a planner who writes
``exempt: [food]`` means *all food*, not only the flows whose commodity is literally
``food``. A **family** is a name that stands for a set of commodities:

* ``food`` = ``{food}`` ∪ the groups of the scenario's ``food:`` section.

``expand(names, families)`` replaces every family name by its members (keeping the name
itself); ``commodity_problems`` reports every name that is neither a known commodity nor a
family, listing the known ones, and a food flow to a municipality the food system already
supplies (food would travel twice: as a flow and as the system's own orders).
"""

from __future__ import annotations

from .errors import Problem

# Names the model uses without a flow naming them: passengers and commuters at closed
# borders, diesel for backup generators.
BUILT_IN = ("passengers", "commuters", "fuel")


def families(spec) -> dict[str, frozenset[str]]:
    """Family name → member commodities, from a ``ScenarioSpec``."""
    food = {"food"}
    if spec.food is not None:
        food |= set(spec.food.groups)
    return {"food": frozenset(food)}


def expand(names, fams: dict[str, frozenset[str]]) -> frozenset[str]:
    """Every name in ``names`` with each family replaced by itself and its members."""
    out: set[str] = set()
    for name in names:
        out.add(name)
        out |= fams.get(name, frozenset())
    return frozenset(out)


def known(spec) -> set[str]:
    """Every commodity name the scenario may use: flows, food groups, passenger and commuter
    names, the built-in ones and the family names."""
    names = {f.commodity for f in spec.freight} | set(BUILT_IN)
    for fam, members in families(spec).items():
        names |= {fam} | set(members)
    if spec.passengers is not None:
        names |= {s.commodity for s in spec.passengers.services} | {c.commodity for c in spec.passengers.commuters}
        names |= {c.critical_commodity for c in spec.passengers.commuters}
    return names


def expand_table(table: dict[str, float], fams: dict[str, frozenset[str]]) -> dict[str, float]:
    """A per-commodity value table where a family's value also applies to each member that has
    none of its own (``per_lost_tonne: {food: 5000}`` prices chilled and dry at 5,000)."""
    out = dict(table)
    for fam, members in fams.items():
        if fam in table:
            for member in members:
                out.setdefault(member, table[fam])
    return out


def commodity_problems(spec, net_spec, file: str, net_file: str, lines: dict) -> list[Problem]:
    """Unknown commodity names in exempt lists and value tables, and food shipped twice."""
    out: list[Problem] = []
    names = known(spec)
    listing = ", ".join(sorted(names))

    def check(where: str, path: str, values, line=None) -> None:
        for name in values:
            if name not in names:
                out.append(Problem(where, path, f"unknown commodity {name!r}", f"one of: {listing}", line))

    for i, x in enumerate(spec.disruptions):
        check(file, f"disruptions[{i}].exempt", x.exempt, lines.get(("disruptions", i)))
    hazard_sets = [("hazards", file, spec.hazards, lines)]
    if spec.network_hazards:
        hazard_sets.append(("hazards", net_file, net_spec.hazards, {}))
    for origin, where, hazards, here in hazard_sets:
        for i, h in enumerate(hazards):
            check(where, f"{origin}[{i}].exempt", h.exempt, here.get((origin, i)))
            for j, member in enumerate(h.footprint):
                check(where, f"{origin}[{i}].footprint[{j}].exempt", member.exempt, here.get((origin, i, "footprint", j)))
    if spec.values is not None:
        for table in ("per_tonne_hour", "per_lost_tonne", "commodity_weights"):
            check(file, f"values.{table}", [k for k in getattr(spec.values, table) if k != "default"],
                  lines.get(("values", table)))
    if spec.food is not None:
        supplied = {m.node for m in spec.food.municipalities}
        food = families(spec)["food"]
        for i, f in enumerate(spec.freight):
            if f.commodity in food and f.to in supplied:
                out.append(Problem(file, f"freight[{i}]", f"{f.commodity} flow to {f.to!r}, which the food system already supplies",
                                   "food either through `food:` or as freight flows, not both", lines.get(("freight", i))))
    return out
