"""Readable names for the ids a results folder speaks in, and units a planner reads.

KPI scopes are ids: municipality and place nodes (``meraker``), links, groups, power areas
(``NO3``), critical loads, passenger services, commuter flows, freight flows and commodities.
``Names(scenario).of(id)`` gives the name the network or scenario file gives it (``Meråker``,
``Meråker health centre and water works``), or the id itself when the file names none (a
commodity such as ``food``). Units: the KPI tables use ``"1"`` for a count; ``display_unit``
says what is counted.
"""

from __future__ import annotations

import math

COUNT_UNITS = {"departures_run": "departures", "departures_replaced": "departures",
               "departures_cancelled": "departures", "fuel_out_events": "events"}

COMPARISON_KPIS = [  # (kpi, scope, label, unit shown) — what compare prints and draws for each variant
    ("tonnes_lost", "all", "Freight lost", "t"),
    ("tonne_hours_in_transport", "all", "Freight time in transport", "t·h"),
    ("food_person_days_below_threshold", "all", "Food: person-days below alarm", "person·d"),
    ("energy_not_served_mwh", "all", "Energy not served", "MWh"),
    ("stranded_passenger_hours", "all", "Stranded passengers", "pax·h"),
    ("commuter_trips_lost", "all", "Commuter trips lost", "trips"),
    ("critical_staff_days_absent", "all", "Health/care staff-days lost", "person·d"),
    ("cost_per_year", "total", "Generalized cost per year", ""),
]

WHOLE_UNITS = {"t", "t·h", "trips", "pax", "pax·h", "person·d", "departures", "events", "people", "NOK", "SEK",
               "NOK/yr", "SEK/yr"}


def display_unit(kpi: str, unit: str) -> str:
    """The unit to print beside ``kpi``: the counted thing for counts, else ``unit``."""
    return COUNT_UNITS.get(kpi, "" if unit == "1" else unit)


def format_number(value: float, unit: str) -> str:
    """``value`` rounded for its unit: whole numbers for tonnes and counts, one decimal for
    hours, days and MWh, two for shares (unit ``""``); never ``-0``; ``–`` for a missing value."""
    if value != value:
        return "–"
    decimals = 0 if unit in WHOLE_UNITS or abs(value) >= 1e5 else 2 if unit == "" else 1
    rounded = round(float(value), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{rounded:,.{decimals}f}"


def format_ratio(value: float) -> str:
    """A ratio (BCR, net benefit per budget krone) to two significant figures: ``0.12``, ``1.4``,
    ``37``; ``0`` not ``-0.00``; ``–`` for a missing value, ``∞`` for no cost."""
    if value != value:
        return "–"
    if abs(value) == float("inf"):
        return "∞" if value > 0 else "−∞"
    if value == 0:
        return "0"
    decimals = 1 - math.floor(math.log10(abs(value)))
    rounded = round(float(value), decimals) + 0.0
    if abs(rounded) >= 10 ** (2 - decimals):  # 9.96 → 10: one figure fewer after the point
        decimals -= 1
    return f"{rounded:,.{max(decimals, 0)}f}"


def format_money(value: float, currency: str) -> str:
    """An amount with its currency on it: ``-3,100,000 NOK``."""
    return f"{format_number(value, currency)} {currency}"


def format_share_better(share_better: float, share_worse: float) -> str:
    """"better in 40%", "worse in 20%" or both, for the (weighted) shares of replications that
    differ; "no difference" where none does (never "better in 0%"). A share above zero that
    rounds to 0 % — a rare stratum's small weight — reads "<1%"."""
    if not (share_better > 0 or share_worse > 0):
        return "no difference"

    def pct(share: float) -> str:
        return "<1%" if share < 0.005 else f"{share:.0%}"

    parts = [f"better in {pct(share_better)}"] if share_better > 0 else []
    return ", ".join(parts + ([f"worse in {pct(share_worse)}"] if share_worse > 0 else []))


class Names:
    """Id → name for everything a scenario and its network name."""

    def __init__(self, scenario=None):
        self._names: dict[str, str] = {}
        if scenario is None:
            return
        net = scenario.network_spec
        for item in list(net.nodes) + list(net.links):
            self._names[item.id] = item.name
        if net.power is not None:
            for item in list(net.power.areas) + list(net.power.interconnectors) + list(net.power.critical_loads):
                if item.name:
                    self._names[item.id] = item.name
        if net.power is not None:
            for grid in getattr(net.power, "distribution", []) or []:
                self._names.setdefault(grid.id, f"local grid {self._names.get(grid.node, grid.node)}")
        for group in net.groups:
            self._names.setdefault(group, self._group_name(net, group))
        spec = scenario.spec
        if spec.passengers is not None:
            for service in spec.passengers.services:
                if service.name:
                    self._names[service.id] = service.name
            for flow in spec.passengers.commuters:
                self._names[flow.id] = f"commuters {self.of(flow.from_)} → {self.of(flow.to)}"
        for flow in spec.freight:
            self._names.setdefault(flow.id, f"{flow.commodity} {self.of(flow.from_)} → {self.of(flow.to)}")

    def _group_name(self, net, group: str, depth: int = 0) -> str:
        """A line of links reads as its first name's start to its last name's end ("Meråkerbanen
        Hell–Hegra" … "Meråkerbanen riksgrensen–Storlien" → "Meråkerbanen Hell–Storlien"); a
        group of groups or places joins its members' names with " + "."""
        members = net.groups[group]
        links = {k.id: k.name for k in net.links}
        if all(m in links for m in members) and members:
            first, last = links[members[0]], links[members[-1]]
            words_first, words_last = first.split(), last.split()
            prefix = []
            for a, b in zip(words_first, words_last):
                if a != b:
                    break
                prefix.append(a)
            if prefix and "–" in first and "–" in last:
                return f"{' '.join(prefix)} {first[len(' '.join(prefix)):].strip().split('–')[0]}–{last.split('–')[-1]}"
            return group
        if depth < 2:
            return " + ".join(self._group_name(net, m, depth + 1) if m in net.groups else self._names.get(m, m)
                              for m in members)
        return group

    def of(self, ident: str) -> str:
        """The name of ``ident``; ``a → b`` scopes get both names; unknown ids stay as they are."""
        ident = str(ident)
        if ident in self._names:
            return self._names[ident]
        if "→" in ident:
            return " → ".join(self.of(part.strip()) for part in ident.split("→"))
        return ident

    def of_list(self, idents, most: int = 3) -> str:
        """Names of several ids (a list, or one string separated by commas or spaces), joined
        with ", "; beyond ``most`` the rest are counted ("Trondheim, Malvik + 5 more")."""
        if isinstance(idents, str):
            idents = idents.replace(",", " ").split()
        names = [self.of(i) for i in idents]
        if len(names) > most:
            return ", ".join(names[:most - 1]) + f" + {len(names) - most + 1} more"
        return ", ".join(names)

    def known(self) -> dict[str, str]:
        return dict(self._names)
