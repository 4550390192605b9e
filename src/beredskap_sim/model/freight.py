"""Mesoscopic freight: consignments per departure slot, queueing on link capacity.

Each freight demand releases one consignment (``tonnes_per_day × slot / 24`` tonnes) every
``slot`` hours — a train, or an hour's worth of trucks — never one process per vehicle. A
consignment moves by scheduled callbacks only:

1. **At a node** it asks the router for the next arc of the best open route to its
   destination *in its current mode*. A consignment travels in one mode: at release it
   takes the allowed mode with the fastest route; it changes mode only when its mode has
   no route left from where it stands and another allowed mode has, paying the network's
   ``mode_transfer_h`` (transshipment). With no route at all it *waits* at the node until
   the network state changes.
2. **On an arc** it joins that arc's FIFO queue. The arc admits q tonnes in
   ``q / (capacity × capacity_factor)`` hours (a point queue: the next consignment enters when
   the previous one is in), then the consignment travels ``time / speed_factor`` hours.
   An arc whose link closes stops admitting; its queue goes back to its node and re-routes.
   A consignment already on the link finishes it (it re-routes at the next node).
3. **At a border** with customs it is cleared by the crossing's lanes (``CustomsQueue``).
4. **Lost**: a consignment still waiting or queued after ``release + deadline`` is cancelled.

Delay is measured against the undisrupted time of the same consignment on its base route
(travel, admission ``q/capacity`` per arc, and mean customs time), so an undisturbed,
uncongested run has zero delay. Mode changes at nodes are free (no transfer time).
"""

from __future__ import annotations

from collections import deque

import numpy as np
import simpy
from simpy.events import Timeout

from ..network.graph import MODES
from ..network.routing import Router, modes_mask
from ..network.state import NetworkState
from ..scenario.resolved import FreightDemand, Scenario
from .customs import CustomsQueue
from .recording import Recorder
from .rng import Streams


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Consignment:
    """Tonnes of one commodity travelling together from an origin to a destination."""

    __slots__ = ("id", "ci", "commodity", "dest", "allowed", "mask", "electric", "tonnes", "release_h", "deadline_h",
                 "base_h", "node", "on_done")

    def __init__(self, cid: int, ci: int, commodity: str, origin: int, dest: int, tonnes: float, mask: int,
                 electric: bool, release_h: float, deadline_h: float, base_h: float, on_done=None):
        self.id = cid
        self.ci = ci
        self.commodity = commodity
        self.dest = dest
        self.allowed = mask
        self.mask = mask
        self.electric = electric
        self.tonnes = tonnes
        self.release_h = release_h
        self.deadline_h = release_h + deadline_h
        self.base_h = base_h
        self.node = origin
        self.on_done = on_done  # called as on_done(consignment, delivered: bool)


class FreightModel:
    """All freight of one run. Call ``start()`` once, then run the environment."""

    def __init__(self, env: simpy.Environment, scenario: Scenario, state: NetworkState,
                 recorder: Recorder, streams: Streams):
        self.env = env
        self.scenario = scenario
        self.net = net = scenario.network
        self.state = state
        self.recorder = recorder
        self.customs: dict[int, CustomsQueue] = {}
        node_entry_h = np.zeros(net.n_nodes)
        for i, node in enumerate(net.spec.nodes):
            if node.customs is not None:
                c = node.customs
                start = scenario.start
                days = None if c.open_days is None else {DAYS.index(d) for d in c.open_days}
                self.customs[i] = CustomsQueue(c.lanes, c.tonnes_per_hour_per_lane, c.fixed, c.service == "exponential",
                                               streams[f"customs:{node.id}"], c.window(), days,
                                               start.hour + start.minute / 60, start.weekday())
                node_entry_h[i] = c.fixed
        self.router = Router(net, state, node_entry_h)
        self.commodity_index = {c: i for i, c in enumerate(scenario.commodities)}
        n_arcs = net.n_arcs
        self._queue: list[deque[Consignment]] = [deque() for _ in range(n_arcs)]
        # Plain lists, not numpy arrays: the event loop reads them one element at a time,
        # and list indexing is several times faster than numpy scalar indexing.
        self._free_at = [0.0] * n_arcs
        self._wake_pending = [False] * n_arcs
        self._arc_link = net.arc_link.tolist()
        self._arc_to = net.arc_to.tolist()
        self._arc_time = net.arc_time_h.tolist()
        self._arc_capacity = net.arc_capacity_tph.tolist()
        self._arc_electrified = net.arc_electrified.tolist()
        self._arc_rail = (net.arc_mode == 0).tolist()
        self._waiting: dict[int, Consignment] = {}
        self._live: dict[int, Consignment] = {}
        self._next_id = 0
        self._base_router: Router | None = None
        state.subscribe(self._on_state_change)

    # ----------------------------------------------------------------- set-up
    def base_time_h(self, origin: int, dest: int, mask: int, commodity: str, tonnes: float, electric: bool = False) -> float:
        """Undisrupted door-to-door time of ``tonnes`` in the fastest allowed mode (hours; inf if no route)."""
        if self._base_router is None:
            self._base_router = Router(self.net, NetworkState(self.net.n_links, self.net.n_nodes), self.router.node_entry_h)
        router = self._base_router
        mode = router.best_mode(origin, dest, mask, commodity, electric)
        arcs = router.path(origin, dest, mode, commodity, electric) if mode else None
        if arcs is None:
            return float("inf")
        total = 0.0
        for arc in arcs:
            total += tonnes / self.net.arc_capacity_tph[arc] + self.net.arc_time_h[arc]
            head = int(self.net.arc_to[arc])
            if head in self.customs and head != dest:
                total += self.customs[head].mean_service_h(tonnes)
        return total

    def ship(self, origin: int, dest: int, commodity: str, tonnes: float, modes, deadline_h: float,
             on_done=None, electric: bool = False) -> None:
        """Release one consignment now (used by the supply systems: food orders, fuel)."""
        mask = modes_mask(modes)
        base_h = self.base_time_h(origin, dest, mask, commodity, tonnes, electric)
        if base_h == float("inf"):
            base_h = 0.0
        self._release_one(self.commodity_index[commodity], commodity, origin, dest, tonnes, mask, electric,
                          self.env.now, deadline_h, base_h, on_done)

    def _release_one(self, ci, commodity, origin, dest, tonnes, mask, electric, t, deadline_h, base_h, on_done=None):
        c = Consignment(self._next_id, ci, commodity, origin, dest, tonnes, mask, electric, t, deadline_h, base_h, on_done)
        self._next_id += 1
        self._live[c.id] = c
        self.recorder.release(ci, dest, tonnes, t, t + base_h)
        c.mask = self.router.best_mode(c.node, dest, mask, commodity, electric) or c.mask
        self._route(c)

    def start(self, streams: Streams) -> None:
        horizon = self.scenario.horizon_h
        for demand in self.scenario.demands:
            rng = streams[f"demand:{demand.id}"] if demand.poisson else None
            self.env.process(self._release(demand, horizon, rng))

    def _release(self, demand: FreightDemand, horizon: float, rng):
        """Release consignments every ``slot_h`` hours, or with exponential gaps of that mean."""
        ci = self.commodity_index[demand.commodity]
        mask = modes_mask(demand.modes)
        base_h = self.base_time_h(demand.origin, demand.dest, mask, demand.commodity, demand.consignment_t, demand.electric)
        t = demand.start_h
        if rng is not None:
            t += rng.exponential(demand.slot_h)
        if t > 0:
            yield Timeout(self.env, t)
        stop = min(horizon, demand.end_h)
        while t < stop - 1e-9:
            self._release_one(ci, demand.commodity, demand.origin, demand.dest, demand.consignment_t, mask,
                              demand.electric, t, demand.deadline_h, base_h)
            gap = demand.slot_h if rng is None else float(rng.exponential(demand.slot_h))
            t += gap
            yield Timeout(self.env, gap)

    # ---------------------------------------------------------------- movement
    def _schedule(self, delay: float, callback, value) -> None:
        Timeout(self.env, delay, value).callbacks.append(callback)

    def _route(self, c: Consignment) -> None:
        """Decide what ``c`` does at the node where it stands."""
        now = self.env.now
        if c.node == c.dest:
            del self._live[c.id]
            self.recorder.deliver(c.ci, c.dest, c.tonnes, now, now - c.release_h - c.base_h, c.release_h)
            if c.on_done is not None:
                c.on_done(c, True)
            return
        if now > c.deadline_h:
            self._lose(c, now)
            return
        arc = self.router.next_arc(c.node, c.dest, c.mask, c.commodity, c.electric)
        if arc < 0:
            other = self.router.best_mode(c.node, c.dest, c.allowed & ~c.mask, c.commodity, c.electric)
            if other:
                c.mask = other
                self.recorder.event(now, "mode-change", self.net.node_ids[c.node], f"consignment {c.id} ({c.commodity}) to {MODES[other.bit_length() - 1]}")
                self._schedule(self.net.spec.defaults.mode_transfer_h, self._cleared, c)
            else:
                self._wait(c)
            return
        self._queue[arc].append(c)
        if not self._wake_pending[arc]:
            self._dispatch(arc)

    def _wait(self, c: Consignment) -> None:
        if c.id not in self._waiting:
            self._waiting[c.id] = c
            self._schedule(max(0.0, c.deadline_h - self.env.now), self._deadline_passed, c)

    def _deadline_passed(self, event) -> None:
        c = event.value
        if c.id in self._waiting and self.env.now >= c.deadline_h:
            del self._waiting[c.id]
            self._lose(c, self.env.now)

    def _lose(self, c: Consignment, now: float) -> None:
        del self._live[c.id]
        self.recorder.lose(c.ci, c.dest, c.tonnes, now)
        if c.on_done is not None:
            c.on_done(c, False)

    def _dispatch(self, arc: int) -> None:
        """Admit queued consignments onto ``arc`` while it is open and free."""
        self._wake_pending[arc] = False
        queue = self._queue[arc]
        link = self._arc_link[arc]
        state = self.state
        now = self.env.now
        electrified = self._arc_electrified[arc]
        rail = self._arc_rail[arc]
        while queue and state.link_open(link):
            free_at = self._free_at[arc]
            if free_at > now:
                self._wake_pending[arc] = True
                self._schedule(free_at - now, self._wake, arc)
                return
            c = queue.popleft()
            if now > c.deadline_h:
                self._lose(c, now)
                continue
            if rail and c.electric and not state.link_usable(link, True, electrified):
                self._route(c)  # traction power lost while queued: find another way or wait
                continue
            admit = c.tonnes / (self._arc_capacity[arc] * state.capacity_factors[link])
            travel = self._arc_time[arc] / state.speed_factors[link]
            self._free_at[arc] = now + admit
            c.node = self._arc_to[arc]
            self._schedule(admit + travel, self._arrived, c)

    def _wake(self, event) -> None:
        self._dispatch(event.value)

    def _arrived(self, event) -> None:
        c = event.value
        customs = self.customs.get(c.node)
        if customs is not None and c.node != c.dest:
            now = self.env.now
            done = customs.clear(now, c.tonnes, float(self.state.node_customs_delay_h[c.node]))
            self._schedule(done - now, self._cleared, c)
        else:
            self._route(c)

    def _cleared(self, event) -> None:
        self._route(event.value)

    # ------------------------------------------------------------ state change
    def _on_state_change(self) -> None:
        """Re-route what waits, pull queues off closed links, restart reopened ones."""
        for arc, queue in enumerate(self._queue):
            if not queue:
                continue
            link = int(self.net.arc_link[arc])
            if not self.state.link_open(link) or (self.state.link_unpowered[link] and any(c.electric for c in queue)):
                stranded = list(queue)
                queue.clear()
                for c in stranded:
                    self._route(c)
            elif not self._wake_pending[arc]:
                self._dispatch(arc)
        waiting = list(self._waiting.values())
        self._waiting.clear()
        for c in waiting:
            self._route(c)

    # ------------------------------------------------------------------ finish
    def finish(self, horizon: float) -> None:
        """At the horizon, everything whose deadline has passed counts as lost."""
        queued = {c.id for queue in self._queue for c in queue}
        for c in list(self._live.values()):
            if c.deadline_h < horizon and (c.id in self._waiting or c.id in queued):
                self._waiting.pop(c.id, None)
                self._lose(c, c.deadline_h)
