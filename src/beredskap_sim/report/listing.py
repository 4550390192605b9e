"""``beredskap-sim list``: the ids a network (or a scenario and its network) defines, with
their names, so a planner can write a scenario without opening the YAML.

Kinds: ``node`` (id, name, kind, country), ``link`` (id, mode, name, the groups it
belongs to), ``group`` (name, members), ``power`` (areas, interconnectors, critical loads,
local grids), ``care`` (hospitals, air-ambulance bases, cross-border agreements),
and for a scenario ``scenario`` (freight flows, disruptions, hazards, services, commuters).
The last column wraps to stay within ``width`` columns.
"""

from __future__ import annotations

import textwrap

KINDS = ("node", "link", "group", "power", "scenario", "care")


def _rows_table(title: str, header: tuple, rows: list[tuple], width: int) -> list[str]:
    if not rows:
        return []
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header) - 1)]
    indent = sum(widths) + 2 * len(widths)

    def line(r):  # the last column wraps under itself, so no id is ever cut
        lead = "  ".join(str(v).ljust(w) for v, w in zip(r, widths)) + "  "
        wrapped = textwrap.wrap(str(r[-1]), max(width - indent, 20), break_on_hyphens=False) or [""]
        return "\n".join([(lead + wrapped[0]).rstrip()] + [" " * indent + more for more in wrapped[1:]])
    return [f"{title} ({len(rows)})", line(header)] + [line(r) for r in rows] + [""]


def list_ids(network_spec, scenario_spec=None, kinds: list[str] | None = None, width: int = 100) -> str:
    """The table(s) of ids for ``kinds`` (all when None)."""
    kinds = list(kinds or KINDS)
    names = {n.id: n.name for n in network_spec.nodes}
    out: list[str] = []
    if "node" in kinds:
        out += _rows_table("places (node ids)", ("id", "kind", "country", "name"),
                           [(n.id, n.kind, n.country, n.name) for n in network_spec.nodes], width)
    if "link" in kinds:
        member_of: dict[str, list[str]] = {}
        for group, members in network_spec.groups.items():
            for m in members:
                member_of.setdefault(m, []).append(group)
        out += _rows_table("links (link ids)", ("id", "mode", "name", "groups"),
                           [(k.id, k.mode, k.name, ", ".join(member_of.get(k.id, [])))
                            for k in network_spec.links], width)
    if "group" in kinds:
        out += _rows_table("groups (usable as a target)", ("group", "members"),
                           [(g, ", ".join(m)) for g, m in network_spec.groups.items()], width)
    if "power" in kinds and network_spec.power is not None:
        p = network_spec.power
        rows = [(a.id, "area" + (" (external)" if a.external else ""), a.name) for a in p.areas]
        rows += [(f"{a.id}:{g.type}", "generation", f"{g.type} in {a.name or a.id}") for a in p.areas for g in a.generation]
        rows += [(i.id, "interconnector", i.name) for i in p.interconnectors]
        rows += [(c.id, "critical load", f"{c.name} ({names.get(c.node, c.node)})") for c in p.critical_loads]
        rows += [(g.id, "local grid", f"distribution grid of {names.get(g.node, g.node)}") for g in p.distribution]
        out += _rows_table("power assets (usable as a target)", ("id", "what", "name"), rows, width)
    if "scenario" in kinds and scenario_spec is not None:
        s = scenario_spec
        rows = [(f.id, "freight", f"{f.commodity} {names.get(f.from_, f.from_)} → {names.get(f.to, f.to)}") for f in s.freight]
        rows += [(d.id, "disruption", ", ".join(d.target) if isinstance(d.target, list) else str(d.target)) for d in s.disruptions]
        rows += [(h.id, "hazard", f"{h.rate_per_year}/year") for h in s.hazards]
        if s.passengers is not None:
            rows += [(v.id, "service", v.name) for v in s.passengers.services]
            rows += [(c.id, "commuters", f"{names.get(c.from_, c.from_)} → {names.get(c.to, c.to)}") for c in s.passengers.commuters]
        out += _rows_table("in the scenario", ("id", "what", "name"), rows, width)
    if "care" in kinds and network_spec.care is not None:
        c = network_spec.care
        rows = [(h.id, "hospital", f"{h.name} ({names.get(h.node, h.node)})") for h in c.hospitals]
        rows += [(h.id, "air ambulance", f"{h.name}, {h.aircraft} aircraft") for h in c.helicopters]
        rows += [(a.id, "agreement", a.description or ", ".join(a.places + a.hospitals + a.helicopters)) for a in c.agreements]
        out += _rows_table("emergency care (ids for a scenario's care section)", ("id", "what", "name"), rows, width)
    return "\n".join(out).rstrip()
