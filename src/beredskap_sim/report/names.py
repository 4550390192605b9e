"""Readable names for the ids a results folder speaks in, and units a planner reads.

KPI scopes are ids: municipality and place nodes (``meraker``), links, groups, power areas
(``NO3``), critical loads, passenger services, commuter flows, freight flows and commodities.
``Names(scenario).of(id)`` gives the name the network or scenario file gives it (``Meråker``,
``Meråker health centre and water works``), or the id itself when the file names none (a
commodity such as ``food``). Units: the KPI tables use ``"1"`` for a count; ``display_unit``
says what is counted.
"""

from __future__ import annotations

COUNT_UNITS = {"departures_run": "departures", "departures_replaced": "departures",
               "departures_cancelled": "departures", "fuel_out_events": "events"}

WHOLE_UNITS = {"t", "t·h", "trips", "pax", "pax·h", "person·d", "departures", "events", "people", "NOK", "SEK"}


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
        spec = scenario.spec
        if spec.passengers is not None:
            for service in spec.passengers.services:
                if service.name:
                    self._names[service.id] = service.name
            for flow in spec.passengers.commuters:
                self._names[flow.id] = f"commuters {self.of(flow.from_)} → {self.of(flow.to)}"
        for flow in spec.freight:
            self._names.setdefault(flow.id, f"{flow.commodity} {self.of(flow.from_)} → {self.of(flow.to)}")

    def of(self, ident: str) -> str:
        """The name of ``ident``; ``a → b`` scopes get both names; unknown ids stay as they are."""
        ident = str(ident)
        if ident in self._names:
            return self._names[ident]
        if "→" in ident:
            return " → ".join(self.of(part.strip()) for part in ident.split("→"))
        return ident

    def known(self) -> dict[str, str]:
        return dict(self._names)
