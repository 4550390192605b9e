"""Where consignments queue: link sections (point queue, single-track block) and customs lanes.

Like SimPy's resources, every section keeps one waiting line and leaves to its kind only *when*
the next user may enter. The waiting line serves higher priority classes first and, within a
class, first come first served; service is non-preemptive (a user who has entered keeps its
slot). Users are plain objects with ``tonnes`` and ``priority``; a section calls
``on_enter(user)`` when the user enters, and that call returns how long the user occupies the
section (hours), which matters to single-track blocks only.

* ``PointQueue`` — one direction of a road, a double-track line or a ferry route. Capacity
  spaces users as they *enter*: after a user of q tonnes, the next may enter
  ``q / (capacity × capacity_factor)`` hours later (the point queue of mesoscopic traffic
  models). A user's own time on the link is its running time, never this spacing.
* ``SingleTrackBlock`` — a single-track link, one block between the passing points at its two
  end nodes. Trains in opposite directions may not be on it at once: an opposing train may enter
  ``clearance`` hours after the last one has left. Same-direction trains follow at the path
  spacing. With trains waiting at both ends and equal priority, the earliest request goes first,
  so under saturation the directions alternate and each carries ``24 / (2 (T + clearance))``
  trains a day for a running time T.
* ``CustomsLanes`` — ``lanes`` parallel servers clearing *vehicles*: a consignment of n vehicles
  (tonnes / vehicle payload, at least one) is cleared vehicle by vehicle on the earliest-free
  lanes, each vehicle taking ``fixed + payload / rate`` (exponential with that mean when asked),
  so the same tonnage sliced into more consignments meets the same customs work. With opening
  hours, clearance starts only while the office is open; one under way at closing is finished.
* ``FerryService`` — one direction of a scheduled ferry: users board only at the timetabled
  departures, each departure carrying at most ``tonnes_per_departure × capacity_factor``;
  a departure while the link is closed is cancelled.
"""

from __future__ import annotations

import bisect
import heapq
import math
from typing import Callable

import numpy as np
from simpy.events import Timeout

EPS = 1e-9


class Section:
    """A waiting line with priority classes; subclasses decide when the head may enter."""

    def __init__(self, env, on_enter: Callable[[object, int], float]):
        self.env = env
        self._on_enter = on_enter
        self._line: list[tuple[int, int, int, object]] = []  # (-priority, seq, direction, user)
        self._seq = 0
        self._wake_at = math.inf
        self.queued_t = [0.0, 0.0]  # tonnes waiting, per direction

    def request(self, user, direction: int = 0) -> bool:
        """Let ``user`` enter now if nobody waits and the section admits it; else put it in the
        waiting line (towards ``direction``). True when it entered at once."""
        now = self.env._now
        if not self.waiting():
            t = self.entry_time(direction, user, now)
            if t is not None and t <= now + EPS:
                self.enter(direction, user, now)
                return True
        self._push((-user.priority, self._seq, direction, user))
        self._seq += 1
        self.queued_t[direction] += user.tonnes
        self.serve()
        return False

    def _push(self, entry: tuple) -> None:
        heapq.heappush(self._line, entry)

    def waiting(self) -> bool:
        return bool(self._line)

    def drain(self) -> list:
        """Remove and return every waiting user (e.g. when the link closes), in line order."""
        users = [entry[3] for entry in sorted(self._line)]
        self._line.clear()
        self.queued_t = [0.0, 0.0]
        return users

    def serve(self) -> None:
        """Admit users from the head of the line while the section lets them in now."""
        line = self._line
        now = self.env.now
        while line:
            _, _, direction, user = line[0]
            t = self.entry_time(direction, user, now)
            if t is None:
                return  # blocked until something leaves (single track) or the link reopens
            if t > now + EPS:
                self._wake(t)
                return
            heapq.heappop(line)
            self.queued_t[direction] -= user.tonnes
            if not line:
                self.queued_t = [0.0, 0.0]
            self.enter(direction, user, now)

    def _wake(self, t: float) -> None:
        if t < self._wake_at - EPS:
            self._wake_at = t
            Timeout(self.env, t - self.env.now).callbacks.append(self._woken)

    def _woken(self, event) -> None:
        if self.env.now >= self._wake_at - EPS:
            self._wake_at = math.inf
        self.serve()

    def rescale(self) -> None:
        """The capacity factor changed: spacing still running is stretched or shrunk to match."""

    # to be provided by the kinds of section
    def entry_time(self, direction: int, user, now: float) -> float | None:
        raise NotImplementedError

    def enter(self, direction: int, user, now: float) -> None:
        raise NotImplementedError


class PointQueue(Section):
    """One direction of a link: users enter one after another, spaced by tonnes over capacity.

    ``open_links`` and ``factors`` are the network state's per-link lists (updated in place),
    ``link`` this section's index in them; without a link the section is always open at full
    capacity (a transshipment point).
    """

    def __init__(self, env, on_enter, capacity_tph: float, open_links: list[bool] | None = None,
                 factors: list[float] | None = None, link: int = 0):
        super().__init__(env, on_enter)
        self.capacity_tph = capacity_tph
        self._open = open_links if open_links is not None else [True]
        self._factors = factors if factors is not None else [1.0]
        self._link = link if open_links is not None else 0
        self.free_at = 0.0
        self._granted_factor = 1.0  # the capacity factor the running spacing was granted at

    def rescale(self) -> None:
        factor, now = self._factors[self._link], self.env._now
        if factor > 0 and self.free_at > now and factor != self._granted_factor:
            self.free_at = now + (self.free_at - now) * self._granted_factor / factor
        if factor > 0:
            self._granted_factor = factor

    def entry_time(self, direction, user, now):
        if not self._open[self._link]:
            return None
        free = self.free_at
        return free if free > now else now

    def enter_if_free(self, user) -> bool:
        """``request`` for the common case of an uncongested link, in one call: enter now when
        nobody waits, the link is open and the spacing has run out; else False (and nothing
        changed: the caller then uses ``request``)."""
        now = self.env._now
        if self._line or self.free_at > now + EPS or not self._open[self._link]:
            return False
        factor = self._factors[self._link]
        self._granted_factor = factor
        self.free_at = now + user.tonnes / (self.capacity_tph * factor)
        self._on_enter(user, 0)
        return True

    def enter(self, direction, user, now):
        factor = self._factors[self._link]
        self._granted_factor = factor
        self.free_at = now + user.tonnes / (self.capacity_tph * factor)
        self._on_enter(user, direction)

    def expected_wait_h(self, direction: int = 0) -> float:
        """Waiting a newcomer would meet now: the current spacing plus everyone queued ahead."""
        wait = self.free_at - self.env.now
        queued = self.queued_t[0]
        if queued:
            wait = max(wait, 0.0) + queued / (self.capacity_tph * self._factors[self._link])
        return wait if wait > 0.0 else 0.0


class SingleTrackBlock(Section):
    """A single-track link: one direction at a time, ``clearance`` between opposing trains.

    Each direction has its own waiting line. The head that asked first (within the highest
    priority class) goes first; while it must wait — for the path spacing in its direction, or
    for opposing trains to clear the block — the other direction's head may go ahead if it can
    be through the block (its ``block_h``, plus the clearance) before the first could enter.
    """

    def __init__(self, env, on_enter, capacity_tph: float, clearance_h: float, open_links: list[bool],
                 factors: list[float], link: int):
        super().__init__(env, on_enter)
        self.capacity_tph = capacity_tph
        self.clearance_h = clearance_h
        self._open = open_links
        self._factors = factors
        self._link = link
        self._lines: tuple[list, list] = ([], [])
        self.free_at = [0.0, 0.0]  # path spacing per direction
        self._granted = [1.0, 1.0]  # capacity factor each direction's spacing was granted at
        self.on_block = [0, 0]  # trains on the block per direction
        self.last_exit = -math.inf
        self.last_direction = -1
        self.busy_until = [0.0, 0.0]

    def rescale(self) -> None:
        factor, now = self._factors[self._link], self.env._now
        if factor <= 0:
            return
        for d in (0, 1):
            if self.free_at[d] > now and factor != self._granted[d]:
                self.free_at[d] = now + (self.free_at[d] - now) * self._granted[d] / factor
            self._granted[d] = factor

    def _push(self, entry: tuple) -> None:
        heapq.heappush(self._lines[entry[2]], entry)  # one waiting line per direction

    def waiting(self) -> bool:
        return bool(self._lines[0] or self._lines[1])

    def drain(self) -> list:
        users = [entry[3] for entry in sorted(self._lines[0] + self._lines[1])]
        self._lines[0].clear()
        self._lines[1].clear()
        self.queued_t = [0.0, 0.0]
        return users

    def serve(self) -> None:
        now = self.env._now
        while True:
            heads = sorted(line[0] for line in self._lines if line)
            if not heads:
                return
            first = heads[0]
            t1 = self.entry_time(first[2], first[3], now)
            if t1 is not None and t1 <= now + EPS:
                self._admit(first[2], now)
                continue
            wake = t1
            if len(heads) == 2:
                second = heads[1]
                t2 = self.entry_time(second[2], second[3], now)
                if t2 is not None and t1 is not None:
                    if t2 <= now + EPS and now + second[3].block_h + self.clearance_h <= t1 + EPS:
                        self._admit(second[2], now)  # through before the first could go
                        continue
                    if t2 > now and t2 + second[3].block_h + self.clearance_h <= t1:
                        wake = t2
            if wake is not None:
                self._wake(wake)
            return

    def _admit(self, direction: int, now: float) -> None:
        _, _, _, user = heapq.heappop(self._lines[direction])
        self.queued_t[direction] -= user.tonnes
        if not self._lines[direction]:
            self.queued_t[direction] = 0.0
        self.enter(direction, user, now)

    def entry_time(self, direction, user, now):
        if not self._open[self._link]:
            return None
        if self.on_block[1 - direction]:
            return None  # an opposing train is on the block: wait for it to leave
        t = max(now, self.free_at[direction])
        if self.last_direction == 1 - direction:
            t = max(t, self.last_exit + self.clearance_h)
        return t

    def enter(self, direction, user, now):
        factor = self._factors[self._link]
        self._granted[direction] = factor
        self.free_at[direction] = now + max(user.tonnes / (self.capacity_tph * factor), self.clearance_h)
        self.on_block[direction] += 1
        self.last_direction = direction
        occupy = self._on_enter(user, direction)
        self.busy_until[direction] = max(self.busy_until[direction], now + occupy)
        Timeout(self.env, occupy, direction).callbacks.append(self._left)

    def _left(self, event) -> None:
        direction = event.value
        self.on_block[direction] -= 1
        self.last_exit = self.env.now
        self.last_direction = direction
        self.serve()

    def expected_wait_h(self, direction: int) -> float:
        now = self.env.now
        t = max(now, self.free_at[direction])
        if self.on_block[1 - direction] or self.last_direction == 1 - direction:
            t = max(t, max(self.busy_until[1 - direction], self.last_exit) + self.clearance_h)
        queued = self.queued_t[0] + self.queued_t[1]
        return t - now + queued / (self.capacity_tph * self._factors[self._link])


class CustomsLanes(Section):
    """Customs at a border: ``lanes`` parallel servers clearing vehicles, with opening hours."""

    def __init__(self, env, on_enter, lanes: int, rate_tph: float, fixed_h: float, exponential: bool,
                 rng: np.random.Generator, hours: tuple[float, float] | None = None, days: set[int] | None = None,
                 start_hour: float = 0.0, start_weekday: int = 0):
        super().__init__(env, on_enter)
        self.lanes = [0.0] * lanes  # a heap of the times each lane is free
        self.rate_tph = rate_tph
        self.fixed_h = fixed_h
        self.exponential = exponential
        self._rng = rng
        self.hours = hours
        self.days = days
        self._start_hour = start_hour  # hour of the day at t = 0
        self._start_weekday = start_weekday  # Monday = 0 at t = 0

    def vehicle_service_h(self, payload_t: float) -> float:
        """Mean time one lane needs for one vehicle of ``payload_t`` tonnes."""
        return self.fixed_h + payload_t / self.rate_tph

    def batch(self, tonnes: float, payload_t: float) -> tuple[int, float]:
        """(vehicles, mean service hours of each) for a consignment: whole vehicles, sharing the tonnes."""
        vehicles = max(1, math.ceil(tonnes / payload_t - 1e-6))
        return vehicles, self.fixed_h * (tonnes / payload_t) / vehicles + tonnes / vehicles / self.rate_tph

    def undisturbed_h(self, tonnes: float, payload_t: float) -> float:
        """Time to clear a consignment at empty lanes (rounds of parallel vehicles)."""
        vehicles, each = self.batch(tonnes, payload_t)
        return math.ceil(vehicles / len(self.lanes)) * each

    def next_open(self, t: float) -> float:
        """The first time ≥ ``t`` (hours after the run start) at which the office is open."""
        if self.hours is None and self.days is None:
            return t
        open_h, close_h = self.hours or (0.0, 24.0)
        clock = self._start_hour + t
        for day in range(8):
            day_start = (int(clock // 24) + day) * 24.0
            weekday = (self._start_weekday + int(day_start // 24)) % 7
            if self.days is not None and weekday not in self.days:
                continue
            opens, closes = day_start + open_h, day_start + close_h
            moment = max(clock, opens)
            if moment < closes:
                return moment - self._start_hour
        raise ValueError("customs office is never open, expected at least one open day")

    def entry_time(self, direction, user, now):
        return self.next_open(max(now, self.lanes[0]))

    def enter(self, direction, user, now):
        vehicles, each = self.batch(user.tonnes, user.vehicle_t)
        done = now
        for _ in range(vehicles):
            free = heapq.heappop(self.lanes)
            start = self.next_open(max(now, free))
            service = float(self._rng.exponential(each)) if self.exponential else each
            heapq.heappush(self.lanes, start + service)
            done = max(done, start + service)
        user.cleared_at = done
        self._on_enter(user, direction)

    def expected_wait_h(self, after_h: float = 0.0) -> float:
        """Waiting for a lane, and for the office to open, of a vehicle arriving ``after_h`` from now."""
        arrive = self.env._now + after_h
        return self.next_open(max(arrive, self.lanes[0])) - arrive


class FerryService(Section):
    """One direction of a scheduled ferry (a RoRo ship on a timetable).

    The ferry leaves at the timetabled departures (``week_hours``: hours after Monday 00:00,
    repeating every week; ``start_offset_h`` is the hour of the week at run time 0). At a
    departure the waiting users board in line order (priority class, then first come) while
    room is left: a departure takes at most ``tonnes_per_departure × capacity factor`` tonnes;
    a user that does not fit waits for the next departure, and a smaller one behind it may
    still board (first fit). A user larger than a whole departure waits for an empty one and
    fills as many departures as it needs (its last tonnes leave with the last of them: its
    entry spread). A departure while the link is closed is cancelled: nobody boards, and the
    users wait for the next departure after the reopening. A user who arrives at the quay
    exactly at a departure with room boards it. The crossing itself is the user's running
    time on the link (``on_enter`` returns it, as on any section).

    Without disruption a user arriving at a uniformly random time waits on average
    ``Σ h_i² / (2 Σ h_i)`` for the next departure, ``h_i`` the headways of the weekly
    timetable (the waiting-time paradox; ``mean_wait_h``).
    """

    def __init__(self, env, on_enter, tonnes_per_departure: float, week_hours: list[float], open_links: list[bool],
                 factors: list[float], link: int, start_offset_h: float = 0.0):
        super().__init__(env, on_enter)
        if not week_hours:
            raise ValueError("a ferry service needs at least one departure a week")
        self.tonnes_per_departure = tonnes_per_departure
        self.week_hours = sorted(h % 168.0 for h in week_hours)
        self._open = open_links
        self._factors = factors
        self._link = link
        self._offset = start_offset_h
        self.loading_at = -math.inf  # the departure now loading (run hours)
        self.loaded_t = 0.0  # tonnes aboard it
        self.full_until = -math.inf  # departures up to this time are filled by one large user

    # ------------------------------------------------------------ timetable
    def next_departure(self, t: float) -> float:
        """The first departure at or after ``t`` (run hours)."""
        clock = t + self._offset
        week = math.floor(clock / 168.0) * 168.0
        i = bisect.bisect_left(self.week_hours, clock - week - EPS)
        if i == len(self.week_hours):
            week, i = week + 168.0, 0
        return week + self.week_hours[i] - self._offset

    def mean_wait_h(self) -> float:
        """Mean wait for the next departure from a uniformly random moment, hours: Σh²/(2Σh)."""
        hours = self.week_hours
        gaps = [b - a for a, b in zip(hours, hours[1:])] + [hours[0] + 168.0 - hours[-1]]
        return sum(g * g for g in gaps) / (2.0 * sum(gaps))

    def _room(self, departure: float) -> float:
        """Tonnes still free on ``departure``."""
        cap = self.tonnes_per_departure * self._factors[self._link]
        if abs(departure - self.loading_at) <= EPS:
            return cap - self.loaded_t
        return cap

    def _first_free(self, now: float) -> float:
        """The first departure at or after ``now`` not filled by a large user."""
        t = self.next_departure(now)
        if t <= self.full_until + EPS:
            t = self.next_departure(self.full_until + 10 * EPS)
        return t

    # -------------------------------------------------------------- section
    def entry_time(self, direction, user, now):
        if not self._open[self._link] or self._factors[self._link] <= 0:
            return None
        t = self._first_free(now)
        cap = self.tonnes_per_departure * self._factors[self._link]
        need = cap if user.tonnes > cap + EPS else user.tonnes  # a large user needs an empty departure
        if self._room(t) < need - EPS:
            t = self.next_departure(t + 10 * EPS)
        return t

    def serve(self) -> None:
        """At a departure, board whoever fits (first fit in line order); then wait for the next one."""
        line = self._line
        if not line:
            return
        now = self.env._now
        if not self._open[self._link] or self._factors[self._link] <= 0:
            return  # cancelled: the state change that reopens the link calls serve again
        kept = []
        for entry in sorted(line):
            direction, user = entry[2], entry[3]
            t = self.entry_time(direction, user, now)
            if t is not None and t <= now + EPS:
                self.queued_t[direction] -= user.tonnes
                self.enter(direction, user, now)
            else:
                kept.append(entry)
        heapq.heapify(kept)
        self._line = kept
        if not kept:
            self.queued_t = [0.0, 0.0]
            return
        self._wake(self.next_departure(now + 10 * EPS))

    def enter(self, direction, user, now):
        departure = self.next_departure(now)
        if abs(departure - self.loading_at) > EPS:
            self.loading_at, self.loaded_t = departure, 0.0
        cap = self.tonnes_per_departure * self._factors[self._link]
        if user.tonnes > cap + EPS:  # fills this and the next departures
            last = departure
            for _ in range(math.ceil(user.tonnes / cap - 1e-9) - 1):
                last = self.next_departure(last + 10 * EPS)
            self.full_until, self.loaded_t = last, cap
            user.spread_h = max(user.spread_h, last - departure)
        else:
            self.loaded_t += user.tonnes
        return self._on_enter(user, direction)

    def expected_wait_h(self, direction: int = 0) -> float:
        """Wait a newcomer of one truckload would meet: to the first departure with room after
        the tonnes queued ahead of it have boarded."""
        now = self.env._now
        if not self._open[self._link]:
            return 0.0  # the router's cost carries the wait for an announced reopening
        cap = self.tonnes_per_departure * max(self._factors[self._link], 1e-9)
        t = self._first_free(now)
        ahead = self.queued_t[0] + self.queued_t[1] + (cap - self._room(t))
        for _ in range(int(ahead // cap)):
            t = self.next_departure(t + 10 * EPS)
        return t - now
