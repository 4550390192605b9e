"""Bounds that protect memory and time, and meanings a single field cannot check.

Each limit is a plain constant so that the README and the error message can name it. They are
generous — twenty to eighty times the largest bundled scenario (45,625 consignments and 12
hazard events per replication in winter-year-stochastic) — and exist only so that
a typo (``slot: 1e-4``, ``horizon: 1e7``) gives a clear error instead of a run that never ends
or allocates gigabytes:

* ``MAX_HORIZON_H``: ten years of simulated time;
* ``MAX_RECORD_STEPS``: recorded time-series rows per replication (horizon / record_step);
* ``MAX_CONSIGNMENTS``: freight consignments released per replication, summed over flows
  (window / slot);
* ``MAX_HAZARD_EVENTS``: expected random hazard events per replication
  (Σ rate_per_year × horizon / 8760 h);
* ``MAX_LANES``: customs lanes at one border crossing (the busiest Nordic road crossings have
  a handful; assumption: 1000 is far beyond any real office);
* ``MAX_SPEED_KMH``: link and vehicle speeds (assumption: faster than any train or truck in
  the region, so an extra digit is caught);
* ``MIN_LANE_TPH``: customs clearance rate of one lane (assumption: below 0.01 t/h a lane
  would need 100 h per tonne; smaller figures are typing errors that make delays overflow).

Customs must be open at least ``MIN_OPEN_HOURS_PER_WEEK``; a window such as ``15:30-08:00``
is an overnight window (open from 15:30 until 08:00 the next morning).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from .errors import Problem
from .network_schema import NetworkSpec
from .resolved import FreightDemand, Hazard
from .schema import ScenarioSpec

MAX_HORIZON_H = 10 * 8760.0
MAX_RECORD_STEPS = 200_000
MAX_CONSIGNMENTS = 1_000_000
MAX_HAZARD_EVENTS = 1000
MAX_LANES = 1000
MAX_SPEED_KMH = 1000.0
MIN_LANE_TPH = 0.01
MIN_OPEN_HOURS_PER_WEEK = 1.0
EARLIEST_START = dt.datetime(1900, 1, 1)
LATEST_END = dt.datetime(2200, 1, 1)


def open_hours_per_week(window: tuple[float, float] | None, days: list[str] | None) -> float:
    """Hours a customs office is open in a week: the daily window (an overnight window
    ``open > close`` lasts ``24 − open + close`` hours) times the number of open days."""
    n_days = 7 if days is None else len(set(days))
    if window is None:
        return 24.0 * n_days
    opens, closes = window
    daily = closes - opens if closes > opens else (24.0 - opens + closes if opens > closes else 0.0)
    return daily * n_days


def network_limits(spec: NetworkSpec, file: str, lines: dict) -> list[Problem]:
    """Customs lanes, clearance rates and opening hours, and speeds, within their bounds."""
    out: list[Problem] = []
    for i, node in enumerate(spec.nodes):
        c = node.customs
        if c is None:
            continue
        here = lines.get(("nodes", i, "customs"))
        where = f"nodes[{i}].customs"
        if c.lanes > MAX_LANES:
            out.append(Problem(file, f"{where}.lanes", f"got {c.lanes}", f"at most {MAX_LANES} lanes", here))
        if c.tonnes_per_hour_per_lane < MIN_LANE_TPH:
            out.append(Problem(file, f"{where}.tonnes_per_hour_per_lane", f"got {c.tonnes_per_hour_per_lane:g}",
                               f"at least {MIN_LANE_TPH} t/h", here))
        hours = c.open_hours and c.open_hours.split("-")
        if hours and hours[0] > hours[1] and c.open_days is not None:
            out.append(Problem(file, f"{where}.open_hours", f"overnight window {c.open_hours!r} together with open_days",
                               "an overnight window only when the office is open every day (leave out open_days)", here))
        week = open_hours_per_week(_window(c.open_hours), c.open_days)
        if week < MIN_OPEN_HOURS_PER_WEEK:
            out.append(Problem(file, f"{where}.open_hours" if c.open_hours else f"{where}.open_days",
                               f"the office of {node.id!r} is open {week:g} h a week",
                               f"opening hours and days that give at least {MIN_OPEN_HOURS_PER_WEEK:g} h a week", here))
    for i, link in enumerate(spec.links):
        if link.speed_kmh > MAX_SPEED_KMH:
            out.append(Problem(file, f"links[{i}].speed_kmh", f"got {link.speed_kmh:g}", f"at most {MAX_SPEED_KMH:g} km/h",
                               lines.get(("links", i, "speed_kmh"))))
    for name in ("truck_speed_kmh", "freight_train_speed_kmh"):
        value = getattr(spec.defaults, name)
        if value > MAX_SPEED_KMH:
            out.append(Problem(file, f"defaults.{name}", f"got {value:g}", f"at most {MAX_SPEED_KMH:g} km/h",
                               lines.get(("defaults", name))))
    return out


def _window(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    a, b = text.split("-")
    return int(a[:2]) + int(a[3:]) / 60, int(b[:2]) + int(b[3:]) / 60


def scenario_limits(spec: ScenarioSpec, demands: Iterable[FreightDemand], hazards: Iterable[Hazard],
                    crew_ids: list[str], file: str, lines: dict) -> list[Problem]:
    """Horizon, record step, consignments and hazard events per replication within their
    bounds; the calendar within 1900–2200; hazard durations longer than zero; crew ids unique."""
    out: list[Problem] = []
    horizon = spec.horizon
    if horizon > MAX_HORIZON_H:
        out.append(Problem(file, "horizon", f"got {horizon:g} h", f"at most {MAX_HORIZON_H:g} h (ten years)", lines.get(("horizon",))))
        return out
    if not (EARLIEST_START <= spec.start <= LATEST_END - dt.timedelta(hours=horizon)):
        out.append(Problem(file, "start", f"the scenario runs from {spec.start:%Y-%m-%d} for {horizon:g} h",
                           f"a period between {EARLIEST_START:%Y} and {LATEST_END:%Y}", lines.get(("start",))))
    if spec.record_step > horizon:
        out.append(Problem(file, "record_step", f"got {spec.record_step:g} h, longer than the horizon",
                           "a step no longer than the horizon", lines.get(("record_step",))))
    elif horizon / spec.record_step > MAX_RECORD_STEPS:
        out.append(Problem(file, "record_step", f"{spec.record_step:g} h gives {horizon / spec.record_step:,.0f} recorded steps",
                           f"at most {MAX_RECORD_STEPS:,} steps over the horizon (a longer step)", lines.get(("record_step",))))
    consignments = sum(max(0.0, min(d.end_h, horizon) - max(d.start_h, 0.0)) / d.slot_h for d in demands)
    if consignments > MAX_CONSIGNMENTS:
        out.append(Problem(file, "freight", f"the flows release about {consignments:,.0f} consignments per replication",
                           f"at most {MAX_CONSIGNMENTS:,} (a longer `slot`)", lines.get(("freight",))))
    events = sum(h.rate_per_year for h in hazards) * horizon / 8760.0
    if events > MAX_HAZARD_EVENTS:
        out.append(Problem(file, "hazards", f"the hazards give about {events:,.0f} events per replication",
                           f"at most {MAX_HAZARD_EVENTS:,} (a lower rate_per_year)", lines.get(("hazards",))))
    for hazard in hazards:
        for j, member in enumerate(hazard.members):
            if member.duration.mean_h() <= 0:
                out.append(Problem(file, f"hazard {hazard.id}.footprint[{j}].duration", "the duration is zero",
                                   "a duration longer than zero"))
    for name in sorted({c for c in crew_ids if crew_ids.count(c) > 1}):
        out.append(Problem(file, "crews", f"duplicate crew pool id {name!r}", "ids unique across the scenario and the network"))
    return out
