"""Resolve a scenario's ``movements:`` into link reservations, and check them.

For each link a movement names (rail ``rail_paths`` or road ``road_shares``):

* rail, C freight paths a day and direction (``trains_per_day``, or ``tonnes_per_hour × 24 /
  train payload``), r reserved: civilian capacity factor ``(C − r) / C`` and reserved capacity
  ``r × train payload / 24`` t/h per direction — so a military train enters the link every
  ``24 / r`` hours at most and civilian trains every ``24 / (C − r)`` hours;
* road, share s of ``capacity`` t/h: civilian factor ``1 − s``, reserved ``s × capacity``.

Problems (each naming the field path): an unknown target, a link of the wrong mode, r ≥ C (it
would close the link to civilian trains: give a closure instead), a link named twice in one
movement, two movements holding the same link at overlapping times, and a flow naming an
unknown movement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..network.graph import Network, link_capacity_tph
from .errors import Problem
from .units import parse_instant


@dataclass(frozen=True)
class Reservation:
    """Capacity of one link held for a movement: civilian traffic runs at ``civil_factor``."""

    link: int
    civil_factor: float  # capacity factor of everyone else during the window
    reserved_tph: float  # tonnes/hour per direction held for the movement's flows


@dataclass(frozen=True)
class Movement:
    """A movement window [``start_h``, ``end_h``) with its reservations."""

    id: str
    start_h: float
    end_h: float
    reservations: tuple[Reservation, ...]


def _links(target, network: Network, mode: str, where: str, file: str, problems: list[Problem]) -> list[int]:
    names = [target] if isinstance(target, str) else list(target)
    found: list[int] = []
    for name in names:
        hit = network.resolve_target(name)
        if hit is None or not hit[0]:
            problems.append(Problem(file, where, f"unknown link or group {name!r}", f"{mode} link ids or groups of the network"))
            continue
        for li in hit[0]:
            if network.link(li).mode != mode:
                problems.append(Problem(file, where, f"{network.link_ids[li]!r} is a {network.link(li).mode} link",
                                        f"{mode} links only"))
            else:
                found.append(li)
    return found


def resolve_movements(spec, network: Network, start: dt.datetime, file: str, lines: dict,
                      problems: list[Problem]) -> list[Movement]:
    """The scenario's movements as reservations per link; problems are appended to ``problems``."""
    defaults = network.spec.defaults
    movements: list[Movement] = []
    for i, m in enumerate(spec.movements):
        here = f"movements[{i}]"
        try:
            start_h = parse_instant(m.start, start, spec.timezone)
        except ValueError as exc:
            problems.append(Problem(file, f"{here}.start", str(exc), "", lines.get(("movements", i, "start"))))
            continue
        reservations: dict[int, Reservation] = {}
        for kind, entries in (("rail", m.rail_paths), ("road", m.road_shares)):
            for j, entry in enumerate(entries):
                where = f"{here}.{'rail_paths' if kind == 'rail' else 'road_shares'}[{j}]"
                for li in _links(entry.target, network, kind, f"{where}.target", file, problems):
                    link = network.link(li)
                    capacity = link_capacity_tph(link, network.spec)
                    if kind == "rail":
                        paths = capacity * 24.0 / defaults.train_payload_t
                        if entry.trains_per_day >= paths - 1e-9:
                            problems.append(Problem(
                                file, f"{where}.trains_per_day",
                                f"reserves {entry.trains_per_day:g} paths a day on {link.id!r}, which has {paths:g}",
                                f"fewer than {paths:g} (to stop civilian trains altogether, close the link)"))
                            continue
                        factor = (paths - entry.trains_per_day) / paths
                        reserved = entry.trains_per_day * defaults.train_payload_t / 24.0
                    else:
                        factor, reserved = 1.0 - entry.share, entry.share * capacity
                    if li in reservations:
                        problems.append(Problem(file, f"{where}.target", f"{link.id!r} is reserved twice in movement "
                                                f"{m.id!r}", "each link once per movement"))
                        continue
                    reservations[li] = Reservation(li, factor, reserved)
        movements.append(Movement(m.id, start_h, start_h + m.duration, tuple(reservations.values())))
    for a in range(len(movements)):
        for b in range(a + 1, len(movements)):
            x, y = movements[a], movements[b]
            if x.start_h < y.end_h and y.start_h < x.end_h:
                shared = {r.link for r in x.reservations} & {r.link for r in y.reservations}
                if shared:
                    names = ", ".join(sorted(network.link_ids[li] for li in shared))
                    problems.append(Problem(file, f"movements[{b}]", f"holds {names} while movement {x.id!r} does",
                                            "movements on the same link at different times"))
    ids = [m.id for m in spec.movements]
    for i, flow in enumerate(spec.freight):
        if flow.movement is not None and flow.movement not in ids:
            problems.append(Problem(file, f"freight[{i}].movement", f"unknown movement {flow.movement!r}",
                                    f"one of {ids}" if ids else "an id of the scenario's movements: section",
                                    lines.get(("freight", i, "movement"))))
    return movements
