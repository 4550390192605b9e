"""Access to emergency care during a run: can each place reach a hospital it may use?

The picture: a dispatcher at the emergency communication centre (AMK / SOS Alarm) who, each
time a road closes or reopens or the weather grounds a helicopter, asks for every municipality
"how long to the nearest hospital now, and if not by road, can a helicopter go?".

State is evaluated at changes only, never on a clock. Between two changes each place is in
one of three states:

* **road access**: the shortest road time (``network/travel.py``: open road links at
  ``length / (speed × speed factor)``) to a hospital it may use is at most the threshold;
* **air access** (only without road access): the flyable helicopter (not grounded by a
  weather window) with the shortest mission air time to it — when that time is within the
  threshold — takes its missions. Helicopter k has capacity ``μ_k = aircraft / mission_h``
  missions an hour; the places it takes offer ``λ_k = Σ population × missions per person-hour``.
  With ``ρ_k = λ_k / μ_k`` (offered load) a share ``min(1, 1/ρ_k)`` of their missions is served
  (a fluid approximation: a saturated base serves at capacity, shared equally). That share of
  the interval counts as air access, the rest as no access;
* **no access** otherwise.

Node closures (a border closed to travellers) do not stop ambulances, as they do not stop
repair crews. Hazard events ground a helicopter when its ``grounded_by`` names the hazard
(and the event's class): from the event's start for the stated hours. An event is seen through
the disruptions it causes, so an event that closes nothing grounds nothing.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from ..network.graph import MODES
from ..network.state import NetworkState
from ..network.travel import arc_speed_kmh, travel_times_h
from ..scenario.care_plan import CarePlan
from .recording import CareRecord


def hazard_windows(plan: CarePlan, disruptions) -> list[tuple[int, float, float]]:
    """Grounded windows ``(helicopter, start h, end h)`` from the hazard events among ``disruptions``
    (ids ``<hazard>#<k>.<member>``, cause ``<hazard>`` or ``<hazard>:<class>``)."""
    events: dict[tuple[str, str], tuple[float, str]] = {}
    for d in disruptions:
        if "#" not in d.id or not d.cause:
            continue
        hazard, _, cls = d.cause.partition(":")
        key = (hazard, d.id.split(".")[0])
        if key not in events or d.start_h < events[key][0]:
            events[key] = (d.start_h, cls)
    out = []
    for k, hazard, classes, hours in plan.groundings:
        for (name, _), (start, cls) in events.items():
            if name == hazard and (not classes or cls in classes):
                out.append((k, start, start + hours))
    return sorted(out)


def access_shares(plan: CarePlan, road_ok: np.ndarray, grounded: list[int]) -> np.ndarray:
    """Share of the time each place has air access (0 where it has road access or no helicopter)."""
    n = len(plan.places)
    shares = np.zeros(n)
    chosen = np.full(n, -1)
    for p in range(n):
        if road_ok[p]:
            continue
        best = math.inf
        for k, heli in enumerate(plan.helicopters):
            t = heli.air_h[p]
            if not grounded[k] and t <= plan.threshold_h and t < best:
                best, chosen[p] = t, k
    for k, heli in enumerate(plan.helicopters):
        mine = chosen == k
        if not mine.any():
            continue
        offered = float(np.asarray(plan.population, dtype=float)[mine].sum()) * plan.missions_per_person_h
        capacity = heli.aircraft / heli.mission_h
        shares[mine] = 1.0 if offered <= capacity else capacity / offered
    return shares


class CareSystem:
    """Keeps the care state of every place and accumulates hours by state between changes."""

    def __init__(self, env: simpy.Environment, plan: CarePlan, network, state: NetworkState, horizon_h: float,
                 step_h: float, disruptions=()):
        self.env, self.plan, self.network, self.state = env, plan, network, state
        self.horizon_h, self.step_h = horizon_h, step_h
        self.speeds = arc_speed_kmh(network)
        self.road_links = {int(li) for li, m in zip(network.arc_link, network.arc_mode) if m == MODES.index("road")}
        n, steps = len(plan.places), max(1, math.ceil(horizon_h / step_h - 1e-9))
        self.edges = np.minimum(np.arange(steps + 1) * step_h, horizon_h)
        self.no_road = np.zeros(n)
        self.air = np.zeros(n)
        self.steps_no_road = np.zeros((n, steps))
        self.steps_no_access = np.zeros((n, steps))
        self.grounded = [0] * len(plan.helicopters)
        self.windows = sorted(list(plan.windows) + hazard_windows(plan, disruptions))
        self.last_t = 0.0
        self.road_ok = self._road_ok()
        self.shares = access_shares(plan, self.road_ok, self.grounded)
        state.subscribe(self._on_change)

    def road_times_h(self) -> np.ndarray:
        """Road time from each place to the nearest hospital it may use, hours (inf: none)."""
        state = self.state
        dist = travel_times_h(self.network, state.link_open, state.speed_factors, list(self.plan.place_nodes),
                              ("road",), self.speeds)
        nodes = np.asarray(self.plan.hospital_nodes)
        return np.array([dist[p, nodes[list(ok)]].min() if ok else math.inf for p, ok in enumerate(self.plan.allowed)])

    def _road_ok(self) -> np.ndarray:
        return self.road_times_h() <= self.plan.threshold_h + 1e-9

    def start(self) -> None:
        for k, a, b in self.windows:
            if a < self.horizon_h:
                self.env.process(self._window(k, a, b))

    def _window(self, k: int, start: float, end: float):
        if start > self.env.now:
            yield self.env.timeout(start - self.env.now)
        self._advance()
        self.grounded[k] += 1
        self.shares = access_shares(self.plan, self.road_ok, self.grounded)
        yield self.env.timeout(max(0.0, min(end, self.horizon_h) - self.env.now))
        self._advance()
        self.grounded[k] -= 1
        self.shares = access_shares(self.plan, self.road_ok, self.grounded)

    def _on_change(self) -> None:
        links, _ = self.state.last_changed
        if not any(int(li) in self.road_links for li in links):
            return
        self._advance()
        self.road_ok = self._road_ok()
        self.shares = access_shares(self.plan, self.road_ok, self.grounded)

    def _advance(self) -> None:
        """Add the time since the last change, in the state that held over it."""
        now = min(self.env.now, self.horizon_h)
        a, b = self.last_t, now
        self.last_t = now
        if b <= a:
            return
        cut = ~self.road_ok
        self.no_road += cut * (b - a)
        self.air += cut * self.shares * (b - a)
        overlap = np.clip(np.minimum(b, self.edges[1:]) - np.maximum(a, self.edges[:-1]), 0.0, None)
        self.steps_no_road += np.outer(cut, overlap)
        self.steps_no_access += np.outer(cut * (1.0 - self.shares), overlap)

    def record(self) -> CareRecord:
        """The run's care outcome; call once after ``env.run(until=horizon)``."""
        self._advance()
        return CareRecord(list(self.plan.places), np.asarray(self.plan.population, dtype=float), self.plan.threshold_h,
                          self.no_road.copy(), self.air.copy(), self.no_road - self.air,
                          self.steps_no_road, self.steps_no_access)
