"""Timetabled passenger rail (Nabotoget), replacement buses, and commuters.

One SimPy process per service and per commuter flow walks its timetable; nothing runs per
passenger. At each departure, in each direction:

1. if every link of the service's own line (its undisturbed rail route through ``via``) is
   usable — open, and electrified and powered for electric traction — the train runs and
   carries up to ``seats`` of the waiting passengers (a timetabled train does not detour
   over other lines). Running, it holds each single-track block of its line in turn, ahead of
   any waiting freight train, so freight and passenger trains compete for the line;
2. otherwise, if buses are configured and an open road takes at most ``max_detour_factor`` ×
   the train's time, replacement buses carry up to ``buses × seats``, with the extra time of
   the road over the rail route;
3. otherwise the departure is cancelled.

Passengers who do not get on wait for the next departure in their direction (first come,
first served); the hours they wait are *stranded passenger-hours*. Who has waited more than
``max_wait`` gives up: an *abandoned trip* (their waiting hours count up to ``max_wait``).
Those still waiting at the horizon count up to it.
Commuters travel by any allowed mode at their times; a trip with no open route is a *lost
commuter trip*. Daily commuters go out and back on every working day. Weekly commuters go out
on ``out_day`` and home on ``back_day``; who finds no route out tries again at ``out_at`` on
each following day up to ``back_day``, and who finds no route home stays at work (and is there
the next week). Border closures stop a service unless its commodity name (``passengers``,
``commuters``) is exempt; the ``critical_share`` of a commuter flow (staff of health and care)
travels under its own name (``critical-staff``), so a closure can let them alone pass.

**Workforce measure**: on each of its working days (daily: every day with a trip out; weekly:
``out_day`` … ``back_day``), a flow's critical staff are *absent* when they are not at work
after that day's trip out — daily: their trip out found no route; weekly: they are still at
home. ``critical_absent[flow, day]`` holds these persons per calendar day counted from the
start date (day 0 is the start date; its midnight is hour ``day_start_h`` ≤ 0 of the run).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import simpy

from ..network.routing import Router, modes_mask
from ..network.state import NetworkState
from ..scenario.resolved import Scenario
from ..scenario.supply_schema import WEEKDAYS
from .recording import PassengerRecord, Recorder

RAIL = modes_mask(["rail"])
ROAD = modes_mask(["road"])


def clock_hours(text: str) -> float:
    """'06:30' → 6.5"""
    hours, _, minutes = text.partition(":")
    return int(hours) + int(minutes or 0) / 60.0


class PassengerSystem:
    """Services and commuters of one run."""

    def __init__(self, env: simpy.Environment, scenario: Scenario, state: NetworkState, freight, recorder: Recorder):
        spec = scenario.spec.passengers
        assert spec is not None
        self.env, self.scenario, self.recorder, self.state = env, scenario, recorder, state
        self.freight = freight  # trains that run hold the single-track blocks freight uses
        self.net = scenario.network
        # Travel time alone (passengers pay no freight distance cost), and no waiting for reopenings.
        self.router = Router(self.net, state, wait_for_reopening=False)
        self.base_router = Router(self.net, NetworkState(self.net.n_links, self.net.n_nodes))
        self.services = spec.services
        self.commuters = spec.commuters
        n = len(self.services)
        self.run = np.zeros(n, dtype=int)
        self.replaced = np.zeros(n, dtype=int)
        self.cancelled = np.zeros(n, dtype=int)
        self.carried = np.zeros(n)
        self.stranded_h = np.zeros(n)
        self.extra_h = np.zeros(n)
        self.abandoned = np.zeros(n)
        self.commuter_trips = np.zeros(len(self.commuters))
        self.commuter_lost = np.zeros(len(self.commuters))
        self.commuter_extra_h = np.zeros(len(self.commuters))
        start = scenario.start
        self.day_start_h = -(start.hour + start.minute / 60.0)
        n_days = max(1, int(np.ceil((scenario.horizon_h - self.day_start_h) / 24.0 - 1e-9)))
        self.critical_absent = np.zeros((len(self.commuters), n_days))

    def start(self) -> None:
        for i in range(len(self.services)):
            self.env.process(self._service(i))
        for i in range(len(self.commuters)):
            self.env.process(self._commuters(i))

    # ------------------------------------------------------------------ helpers
    def _legs(self, nodes: list[int], mask: int, commodity: str, electric: bool, router: Router) -> float:
        """Time along consecutive legs, inf if any leg has no route."""
        total = 0.0
        for a, b in zip(nodes, nodes[1:]):
            time_h = router.time_to_go(a, b, mask, commodity, electric)
            if not np.isfinite(time_h):
                return np.inf
            total += time_h
        return total

    def _line(self, nodes: list[int], commodity: str, electric: bool) -> list[int] | None:
        """Arcs of the service's own line on the undisturbed network; None if it has none."""
        arcs: list[int] = []
        for a, b in zip(nodes, nodes[1:]):
            leg = self.base_router.path(a, b, RAIL, commodity, electric)
            if leg is None:
                return None
            arcs += leg
        return arcs

    def _line_usable(self, arcs: list[int], commodity: str, electric: bool) -> bool:
        state, net = self.state, self.net
        for arc in arcs:
            link = int(net.arc_link[arc])
            if not state.link_usable(link, electric, bool(net.arc_electrified[arc])):
                return False
            for node in (int(net.arc_from[arc]), int(net.arc_to[arc])):
                if state.node_closed[node] and state.node_closed_for(node, commodity):
                    return False
        return True

    def _days(self):
        """Yield (day index, run hour of its midnight, weekday name) of every calendar day that
        begins before the horizon, from the start date."""
        start = self.scenario.start
        day = 0
        while True:
            midnight_h = self.day_start_h + day * 24.0
            if midnight_h >= self.scenario.horizon_h:
                return
            yield day, midnight_h, WEEKDAYS[(start + dt.timedelta(days=day)).weekday()]
            day += 1

    def _departure_times(self, times: list[str], weekdays_only: bool = False, by_day: dict | None = None):
        """Yield run hours of the given clock times, day by day, within the horizon
        (``by_day``: other times on some weekdays)."""
        horizon = self.scenario.horizon_h
        for _, midnight_h, weekday in self._days():
            if weekdays_only and weekday in ("sat", "sun"):
                continue
            for offset in sorted(clock_hours(t) for t in (by_day or {}).get(weekday, times)):
                t = midnight_h + offset
                if 0 <= t < horizon:
                    yield t

    # ------------------------------------------------------------------ services
    def _service(self, i: int):
        s = self.services[i]
        idx = self.net.node_index
        outbound = [idx[s.from_], *[idx[v] for v in s.via], idx[s.to]]
        directions = [outbound, outbound[::-1]]
        electric = s.traction == "electric"
        lines = [self._line(d, s.commodity, electric) for d in directions]
        base = [sum(self.net.arc_time_h[a] for a in line) if line else np.inf for line in lines]
        waiting: list[list[list[float]]] = [[], []]  # per direction: cohorts [passengers, waiting since h]
        for t in self._departure_times(s.departures, by_day=s.departures_on):
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            for d, nodes in enumerate(directions):
                cohorts = waiting[d]
                while cohorts and t - cohorts[0][1] > s.max_wait + 1e-9:
                    count, since = cohorts.pop(0)
                    self.abandoned[i] += count
                    self.stranded_h[i] += count * s.max_wait
                cohorts.append([s.passengers_per_departure, t])
                demand = sum(c[0] for c in cohorts)
                if lines[d] is not None and self._line_usable(lines[d], s.commodity, electric):
                    self.run[i] += 1
                    self.freight.run_train(lines[d])
                    carried = min(demand, s.seats)
                    rail = sum(self.net.arc_time_h[a] / self.state.link_speed_factor[self.net.arc_link[a]] for a in lines[d])
                    self.extra_h[i] += carried * max(rail - base[d], 0.0)
                else:
                    road = self._legs([nodes[0], nodes[-1]], ROAD, s.commodity, False, self.router) if s.bus else np.inf
                    if np.isfinite(road) and s.bus.buses > 0 and road <= s.bus.max_detour_factor * base[d]:
                        self.replaced[i] += 1
                        carried = min(demand, s.bus.buses * s.bus.seats)
                        self.extra_h[i] += carried * max(road - base[d], 0.0)
                        self.recorder.event(t, "departure-replaced", s.id,
                                            f"{self.net.node_ids[nodes[0]]}→{self.net.node_ids[nodes[-1]]} by bus, {carried:.0f} carried")
                    else:
                        self.cancelled[i] += 1
                        carried = 0.0
                        self.recorder.event(t, "departure-cancelled", s.id,
                                            f"{self.net.node_ids[nodes[0]]}→{self.net.node_ids[nodes[-1]]}, {demand:.0f} passengers left waiting")
                self.carried[i] += carried
                self._board(i, cohorts, carried, t)
        end = self.scenario.horizon_h
        if end > self.env.now:
            yield self.env.timeout(end - self.env.now - 1e-9)
        for cohorts in waiting:
            for count, since in cohorts:
                self.stranded_h[i] += count * min(end - since, s.max_wait)

    def _board(self, i: int, cohorts: list[list[float]], seats: float, t: float) -> None:
        """Board ``seats`` passengers, longest-waiting first, adding their waiting hours."""
        while cohorts and seats > 1e-12:
            count, since = cohorts[0]
            boarding = min(count, seats)
            self.stranded_h[i] += boarding * (t - since)
            seats -= boarding
            if boarding >= count - 1e-12:
                cohorts.pop(0)
            else:
                cohorts[0][0] = count - boarding

    # ----------------------------------------------------------------- commuters
    def _cohorts(self, c) -> list[tuple[float, str]]:
        """(persons, commodity) of a flow's other commuters and its critical staff (index 1)."""
        return [(c.count * (1.0 - c.critical_share), c.commodity), (c.count * c.critical_share, c.critical_commodity)]

    def _trip(self, i: int, a: int, b: int, cohorts: list[int]) -> list[bool]:
        """Trip a → b of flow ``i`` now for the given cohorts; whether each found a route.
        Adds the trips, the lost trips and the extra hours over the undisturbed trip."""
        c = self.commuters[i]
        mask = modes_mask(c.modes)
        made = []
        for k in cohorts:
            persons, commodity = self._cohorts(c)[k]
            if persons <= 0:
                made.append(True)
                continue
            mode = self.router.best_mode(a, b, mask, commodity)
            self.commuter_trips[i] += persons
            if mode:
                now_time = self.router.time_to_go(a, b, mode, commodity)
                base_mode = self.base_router.best_mode(a, b, mask, commodity)
                base_time = self.base_router.time_to_go(a, b, base_mode, commodity)
                self.commuter_extra_h[i] += persons * max(now_time - base_time, 0.0)
            else:
                self.commuter_lost[i] += persons
            made.append(bool(mode))
        return made

    def _commuter_times(self, c):
        """Sorted (run hour, 'out'|'back', day) of a flow's scheduled trips within the horizon.
        Weekly flows get an 'out' on every day from out_day to back_day (the retries)."""
        out_h, back_h = clock_hours(c.out_at), clock_hours(c.back_at)
        times = []
        for day, midnight_h, weekday in self._days():
            w = WEEKDAYS.index(weekday)
            if c.pattern == "weekly":
                goes_out = WEEKDAYS.index(c.out_day) <= w <= WEEKDAYS.index(c.back_day)
                goes_back = weekday == c.back_day
            else:
                goes_out = goes_back = not (c.weekdays_only and weekday in ("sat", "sun"))
            if goes_out:
                times.append((midnight_h + out_h, "out", day))
            if goes_back:
                times.append((midnight_h + back_h, "back", day))
        return sorted(x for x in times if 0 <= x[0] < self.scenario.horizon_h)

    def _at_work_at_start(self, c) -> bool:
        """Weekly flows: whether the working week is under way at the start (after the trip out
        on a day from out_day to back_day, before the trip home)."""
        start = self.scenario.start
        w, clock = start.weekday(), start.hour + start.minute / 60.0
        first, last = WEEKDAYS.index(c.out_day), WEEKDAYS.index(c.back_day)
        after_out = w > first or (w == first and clock >= clock_hours(c.out_at))
        before_back = w < last or (w == last and clock < clock_hours(c.back_at))
        return c.pattern == "weekly" and first <= w <= last and after_out and before_back

    def _commuters(self, i: int):
        c = self.commuters[i]
        idx = self.net.node_index
        home, work = idx[c.from_], idx[c.to]
        critical = c.count * c.critical_share
        at_work = [self._at_work_at_start(c)] * 2  # per cohort: others, critical staff
        for t, kind, day in self._commuter_times(c):
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            if c.pattern == "daily":
                made = self._trip(i, *((home, work) if kind == "out" else (work, home)), [0, 1])
                if kind == "out" and not made[1]:
                    self.critical_absent[i, day] += critical
                continue
            going = [k for k in (0, 1) if at_work[k] == (kind == "back")]
            made = self._trip(i, *((home, work) if kind == "out" else (work, home)), going)
            for k, ok in zip(going, made):
                if ok:
                    at_work[k] = kind == "out"
            if kind == "out" and not at_work[1]:
                self.critical_absent[i, day] += critical

    def record(self) -> PassengerRecord:
        return PassengerRecord(
            services=[s.id for s in self.services], run=self.run, replaced=self.replaced, cancelled=self.cancelled,
            carried=self.carried, stranded_h=self.stranded_h, extra_h=self.extra_h, abandoned=self.abandoned,
            commuters=[c.id for c in self.commuters], commuter_trips=self.commuter_trips,
            commuter_lost=self.commuter_lost, commuter_extra_h=self.commuter_extra_h,
            commuter_critical=np.array([c.count * c.critical_share for c in self.commuters]),
            critical_absent=self.critical_absent, day_start_h=self.day_start_h,
        )
