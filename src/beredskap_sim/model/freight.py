"""Mesoscopic freight: the life of a consignment from release to delivery.

Each freight demand releases one consignment (``tonnes_per_day × slot / 24`` tonnes) every
``slot`` hours — a train, or an hour's worth of trucks — never one process per vehicle. A
consignment moves by scheduled callbacks only.

**Choice by generalized cost.** At every node a consignment takes the arc that minimises
``cost[a] + live waiting at a + cost-to-go from its head`` (``network.routing``): running time,
expected waiting (the queue ahead of it over effective capacity, customs, or for a closed link
the announced reopening), the distance cost of its mode at its commodity's value of time. Load
therefore splits over routes as queues build, a degraded link sends traffic to an alternative
when that is cheaper, and a long detour is taken only when it beats waiting. It does not turn
straight back over the link it came by.

**Modes.** A flow's first listed mode is its own; another allowed mode means a transshipment at
the node where it stands: ``mode_transfer_h`` plus the transfer cost, through the node's limited
transfer capacity (``transfer_trucks_per_day``), taken when cheaper than going on in its mode.

**At the origin**, before departure, a consignment whose best expected arrival misses its
deadline is *cancelled* (``tonnes_lost``: cancelled before departure); one with no route at all
waits there and is cancelled when its deadline passes. **Once it has left its origin it is never
dropped**: it is delivered, late if need be, or is still in transit at the horizon, where its
delay up to the horizon is recorded as censored.

**On a link** it queues at the link's section (``model.sections``): a point queue per direction,
or one block for a single-track rail link; capacity spaces consignments as they enter; its own
time on the link is its running time ``length / min(speed × speed factor, vehicle top speed)``
plus the entry spread of its own vehicles beyond the first (``(q − payload) / capacity``,
carried along and paid once: zero for one train). On a scheduled ferry it boards only at a
departure with room (``FerryService``); road freight drives on, and its undisturbed time
includes the wait for the departure it would catch undisturbed. **At a border** its vehicles
are cleared by the customs lanes. Queues serve higher priority classes first.

Delay is measured against the undisturbed time of the same consignment on its cheapest route
by the same rules, so an undisturbed, uncongested run has zero delay.

**Heavy loads and military movements.** A consignment carries its flow's vehicle limits (axle
load, gross weight): its route tables leave out the links that do not permit them. One of a
movement's flows enters the movement's reserved section of a link while the window is open
(``model.movements``); elsewhere it queues in its priority class like any other.
"""

from __future__ import annotations

import math

import numpy as np
import simpy
from simpy.events import Timeout

from ..network.graph import MODES
from ..network.routing import Router, mode_bits, modes_mask
from ..network.state import NetworkState
from ..scenario.resolved import FreightDemand, Scenario
from ..scenario.vehicle_limits import NO_LIMITS
from .recording import Recorder
from .rng import Streams
from .movements import MovementWindows
from .sections import CustomsLanes, FerryService, PointQueue, SingleTrackBlock

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
INF = math.inf
WAIT_REFRESH_H = 0.1  # how often the congestion snapshot behind the route tables may move
CONGESTED_H = 0.1  # a queue this long (hours of entries ahead) goes into the snapshot


class Consignment:
    """Tonnes of one commodity travelling together from an origin to a destination."""

    __slots__ = ("id", "ci", "commodity", "origin", "dest", "allowed", "mask", "electric", "tonnes", "release_h",
                 "deadline_h", "base_h", "node", "on_done", "priority", "vot", "spread_h", "arc", "last_arc",
                 "departed", "cleared_at", "vehicle_t", "next_mask", "table", "block_h", "limits", "movement")

    def __init__(self, cid: int, ci: int, commodity: str, origin: int, dest: int, tonnes: float, allowed: int,
                 mask: int, electric: bool, release_h: float, deadline_h: float, base_h: float, priority: int,
                 vot: float, on_done=None, limits: tuple[float, float] = NO_LIMITS, movement: int = -1):
        self.id = cid
        self.limits = limits  # (axle load t, gross weight t): links below them are not permitted
        self.movement = movement  # index of the military movement whose reserved capacity it uses, or -1
        self.ci = ci
        self.commodity = commodity
        self.origin = origin
        self.dest = dest
        self.allowed = allowed
        self.mask = mask  # the single mode it travels in now
        self.electric = electric
        self.tonnes = tonnes
        self.release_h = release_h
        self.deadline_h = release_h + deadline_h
        self.base_h = base_h
        self.node = origin
        self.on_done = on_done  # called as on_done(consignment, delivered: bool)
        self.priority = priority
        self.vot = vot
        self.spread_h = 0.0
        self.arc = -1
        self.last_arc = -1
        self.departed = False
        self.cleared_at = 0.0
        self.vehicle_t = 1.0
        self.next_mask = 0
        self.table = None  # the route table it last used, kept while valid
        self.block_h = 0.0  # how long it will hold the single-track block it waits for


class _Train:
    """A timetabled passenger train on its line: it holds single-track blocks like a freight train."""

    __slots__ = ("arcs", "k", "tonnes", "priority", "arc", "block_h")

    def __init__(self, arcs: list[int]):
        self.arcs = arcs
        self.k = 0
        self.tonnes = 0.0
        self.priority = 10  # above every freight class: the timetable comes first
        self.arc = -1
        self.block_h = 0.0


class FreightModel:
    """All freight of one run. Call ``start()`` once, then run the environment."""

    def __init__(self, env: simpy.Environment, scenario: Scenario, state: NetworkState,
                 recorder: Recorder, streams: Streams):
        self.env = env
        self.scenario = scenario
        self.net = net = scenario.network
        self.state = state
        self.recorder = recorder
        defaults = net.spec.defaults
        self.defaults = defaults
        truck_t = defaults.truck_payload_t
        node_entry_h = np.zeros(net.n_nodes)
        self._customs_list: list[CustomsLanes | None] = [None] * net.n_nodes
        for i, node in enumerate(net.spec.nodes):
            if node.customs is not None:
                c = node.customs
                start = scenario.start
                days = None if c.open_days is None else {DAYS.index(d) for d in c.open_days}
                lanes = CustomsLanes(env, self._customs_entered, c.lanes, c.tonnes_per_hour_per_lane, c.fixed,
                                     c.service == "exponential", streams[f"customs:{node.id}"], c.window(), days,
                                     start.hour + start.minute / 60, start.weekday())
                self._customs_list[i] = lanes
                node_entry_h[i] = lanes.vehicle_service_h(truck_t)
        self.router = Router(net, state, node_entry_h, defaults.value_of_time, lambda: env.now)
        self._base_router = Router(net, NetworkState(net.n_links, net.n_nodes), node_entry_h, defaults.value_of_time)
        self.commodity_index = {c: i for i, c in enumerate(scenario.commodities)}
        # Plain lists, not numpy arrays: the event loop reads them one element at a time.
        self._arc_link = net.arc_link.tolist()
        self._arc_to = net.arc_to.tolist()
        self._arc_time = net.arc_time_h.tolist()
        self._arc_capacity = net.arc_capacity_tph.tolist()
        self._arc_electrified = net.arc_electrified.tolist()
        self._arc_rail = (net.arc_mode == 0).tolist()
        self._arc_vehicle = net.arc_vehicle_t.tolist()
        self._arc_reverse = net.arc_reverse.tolist()
        self._arc_block_share = net.arc_block_share.tolist()
        self._arc_single = net.arc_single_track.tolist()
        self._out = net.node_out_arcs
        self._mode_vehicle = {1 << mode: tonnes for mode, tonnes in net.mode_payload_t.items()}  # by mode bit
        # the arcs of the same mode that lead on from an arc's head, other than straight back
        arc_bits = net.arc_mode_bits.tolist()  # a RoRo ferry carries road vehicles too
        self._onward = [[b for b in self._out[self._arc_to[a]] if arc_bits[b] & arc_bits[a] and b != self._arc_reverse[a]]
                        for a in range(net.n_arcs)]
        self._sections: list = [None] * net.n_arcs
        self._direction = [0] * net.n_arcs
        self._build_sections()
        self._transfer = [PointQueue(env, self._transferred, tph) for tph in net.node_transfer_tph.tolist()]
        self._waiting: dict[int, Consignment] = {}
        self._vot_of: dict[str, float] = {}  # value of time per commodity
        self._live: dict[int, Consignment] = {}
        self._congested: set[int] = set()  # arcs whose queue may be long enough to matter to route choice
        self._next_refresh = 0.0
        self._next_id = 0
        self._base_cache: dict[tuple, tuple[float, float]] = {}
        self._base_ferries: dict[tuple, list] = {}  # scheduled ferries on an undisturbed route: (hours to the quay, section)
        state.subscribe(self._on_state_change)
        self.movements = (MovementWindows(env, scenario.movements, net, state, recorder, self._entered, self._route)
                          if scenario.movements else None)

    def _build_sections(self) -> None:
        net, env, state = self.net, self.env, self.state
        blocks: dict[int, SingleTrackBlock] = {}
        for arc in range(net.n_arcs):
            link = self._arc_link[arc]
            if net.arc_single_track[arc]:
                block = blocks.get(link)
                if block is None:
                    block = blocks[link] = SingleTrackBlock(env, self._entered, self._arc_capacity[arc],
                                                            self.defaults.rail_clearance, state.open_links,
                                                            state.capacity_factors, link)
                    self._direction[arc] = 0
                else:
                    self._direction[arc] = 1
                self._sections[arc] = block
            elif net.link(link).schedule is not None:
                self._sections[arc] = self._ferry_service(arc, link)
            else:
                self._sections[arc] = PointQueue(env, self._entered, self._arc_capacity[arc], state.open_links,
                                                 state.capacity_factors, link)

    def _ferry_service(self, arc: int, link: int) -> FerryService:
        """The timetabled section of one direction of a scheduled ferry link."""
        schedule = self.net.link(link).schedule
        start = self.scenario.start
        direction = 0 if self.net.arc_from[arc] == self.net.node_index[self.net.link(link).from_] else 1
        return FerryService(self.env, self._entered, self._arc_vehicle[arc], schedule.week_hours(direction),
                            self.state.open_links, self.state.capacity_factors, link,
                            start.weekday() * 24.0 + start.hour + start.minute / 60)

    # ----------------------------------------------------------------- set-up
    def _primary(self, modes: tuple[str, ...] | list[str]) -> int:
        return 1 << MODES.index(modes[0])

    def base_time_h(self, origin: int, dest: int, mask: int, commodity: str, tonnes: float, electric: bool = False,
                    primary: int = 0, limits: tuple[float, float] = NO_LIMITS) -> float:
        """Undisturbed door-to-door time of ``tonnes`` on the route it would take (hours; inf if none).

        The route is chosen as in the run, on the undisturbed network: at each node the arc with
        the least ``cost + cost-to-go + extra entry spread of its own vehicles``. The time is the
        running time of every arc, the vehicles' entry spread (the largest over the route), the
        customs clearance of its vehicles at empty lanes, and a transshipment when the cheapest
        way leaves the flow's own mode.
        """
        return self._base(origin, dest, mask, commodity, tonnes, electric, primary, limits)[1]

    def _base(self, origin: int, dest: int, mask: int, commodity: str, tonnes: float, electric: bool,
              primary: int, limits: tuple[float, float] = NO_LIMITS) -> tuple[float, float]:
        """(generalized cost, hours) of the undisturbed way from ``origin``, cached."""
        key = (origin, dest, mask, commodity, tonnes, electric, primary, limits)
        hit = self._base_cache.get(key)
        if hit is not None:
            return hit
        primary = primary or mode_bits(mask)[0]
        best_h, best_cost, best_ferries = INF, INF, []
        for bit in mode_bits(mask):
            transfer = 0.0
            if bit != primary:
                transfer = self.defaults.mode_transfer_h + self.defaults.transfer_cost_nok_per_t / self.defaults.value_of_time(commodity)
            ferries: list = []
            cost, time_h = self._base_walk(origin, dest, bit, commodity, tonnes, electric, limits, ferries)
            if cost + transfer < best_cost:
                best_cost = cost + transfer
                shift = self.defaults.mode_transfer_h if bit != primary else 0.0
                best_h = time_h + shift
                best_ferries = [(hours + shift, section) for hours, section in ferries]
        self._base_cache[key] = (best_cost, best_h)
        if best_ferries:
            self._base_ferries[key] = best_ferries
        return best_cost, best_h

    def _base_walk(self, origin: int, dest: int, mask: int, commodity: str, tonnes: float,
                   electric: bool, limits: tuple[float, float] = NO_LIMITS,
                   ferries: list | None = None) -> tuple[float, float]:
        """(generalized cost, hours) of the undisturbed route, chosen hop by hop as consignments choose.

        A scheduled ferry on it counts its mean wait for a departure; ``ferries`` collects
        (hours from the start to its quay without those waits, its section)."""
        cost, to_go = self._base_router.lookup(dest, mask, commodity, electric, limits)
        if to_go[origin] == INF:
            return INF, INF
        node, spread, total_cost, total_h, back, hops, waits = origin, 0.0, 0.0, 0.0, -1, 0, 0.0
        while node != dest and hops <= self.net.n_arcs:
            best, best_value, best_spread = -1, INF, 0.0
            for arc in self._out[node]:
                if cost[arc] == INF or arc == back:
                    continue
                surplus = tonnes - self._arc_vehicle[arc]
                own = max(spread, surplus / self._arc_capacity[arc]) if surplus > 0 else spread
                value = cost[arc] + to_go[self._arc_to[arc]] + own - spread
                if value < best_value:
                    best, best_value, best_spread = arc, value, own
            if best < 0:
                return INF, INF
            total_cost += cost[best] + best_spread - spread
            spread = best_spread
            section = self._sections[best]
            if section.__class__ is FerryService:  # the mean wait for a departure
                if ferries is not None:
                    ferries.append((total_h - waits, section))
                waits += section.mean_wait_h()
                total_h += section.mean_wait_h()
            total_h += self._arc_time[best]
            node = self._arc_to[best]
            lanes = self._customs_list[node]
            if lanes is not None and node != dest:
                total_h += lanes.undisturbed_h(tonnes, self._arc_vehicle[best])
            back, hops = self._arc_reverse[best], hops + 1
        return total_cost, total_h + spread

    def ship(self, origin: int, dest: int, commodity: str, tonnes: float, modes, deadline_h: float,
             on_done=None, electric: bool = False, priority: int | None = None) -> None:
        """Release one consignment now (used by the supply systems: food orders, fuel)."""
        mask = modes_mask(modes)
        primary = self._primary(list(modes))
        base_h = self.base_time_h(origin, dest, mask, commodity, tonnes, electric, primary)
        if base_h == INF:
            base_h = 0.0
        if priority is None:
            priority = self.scenario.spec.priorities.get(commodity, 0)
        self._release_one(self.commodity_index[commodity], commodity, origin, dest, tonnes, mask, primary, electric,
                          self.env.now, deadline_h, base_h, priority, on_done)

    def _release_one(self, ci, commodity, origin, dest, tonnes, mask, primary, electric, t, deadline_h, base_h,
                     priority, on_done=None, limits=NO_LIMITS, movement=-1):
        if self._base_ferries:  # only networks with scheduled ferries pay for the lookup
            ferries = self._base_ferries.get((origin, dest, mask, commodity, tonnes, electric, primary, limits))
            if ferries:
                base_h = self._scheduled_base_h(base_h, ferries, t)
        vot = self._vot_of.get(commodity)
        if vot is None:
            vot = self._vot_of[commodity] = self.defaults.value_of_time(commodity)
        c = Consignment(self._next_id, ci, commodity, origin, dest, tonnes, mask, primary, electric, t, deadline_h,
                        base_h, priority, vot, on_done, limits, movement)
        c.vehicle_t = self._mode_vehicle[primary]
        self._next_id += 1
        self._live[c.id] = c
        self.recorder.release(ci, dest, tonnes, t, t + base_h)
        self._route(c)

    @staticmethod
    def _scheduled_base_h(base_h: float, ferries: list, t: float) -> float:
        """The undisturbed time of a consignment released at ``t`` whose route takes scheduled
        ferries: each ferry's mean wait replaced by the wait for the next departure when it
        reaches the quay undisturbed. A timetable wait is therefore never counted as delay."""
        waited = 0.0
        for hours, section in ferries:
            arrive = t + hours + waited
            wait = section.next_departure(arrive) - arrive
            base_h += wait - section.mean_wait_h()
            waited += wait
        return base_h

    def start(self, streams: Streams) -> None:
        horizon = self.scenario.horizon_h
        if self.movements is not None:
            self.movements.start()
        for demand in self.scenario.demands:
            rng = streams[f"demand:{demand.id}"] if demand.poisson else None
            self.env.process(self._release(demand, horizon, rng))

    def _release(self, demand: FreightDemand, horizon: float, rng):
        """Release consignments every ``slot_h`` hours, or with exponential gaps of that mean. A
        regular flow's last slot, cut by the horizon, releases only the tonnes due in what is
        left of it."""
        ci = self.commodity_index[demand.commodity]
        mask = modes_mask(demand.modes)
        primary = self._primary(demand.modes)
        base_h = self.base_time_h(demand.origin, demand.dest, mask, demand.commodity, demand.consignment_t,
                                  demand.electric, primary, demand.limits)
        t = demand.start_h
        if rng is not None:
            t += rng.exponential(demand.slot_h)
        if t > 0:
            yield Timeout(self.env, t)
        stop = min(horizon, demand.end_h)
        while t < stop - 1e-9:
            tonnes, base = demand.consignment_t, base_h
            if rng is None and horizon < demand.end_h and horizon - t < demand.slot_h - 1e-9:
                # the last slot is cut by the horizon: only its share is due within the run, so a
                # run releases tonnes_per_day × horizon whatever the slot (a flow's own ``end``
                # stops releases and keeps each a full slot)
                tonnes = demand.tonnes_per_day * (horizon - t) / 24.0
                base = self.base_time_h(demand.origin, demand.dest, mask, demand.commodity, tonnes,
                                        demand.electric, primary, demand.limits)
            self._release_one(ci, demand.commodity, demand.origin, demand.dest, tonnes, mask, primary,
                              demand.electric, t, demand.deadline_h, base, demand.priority, None, demand.limits,
                              demand.movement)
            gap = demand.slot_h if rng is None else float(rng.exponential(demand.slot_h))
            t += gap
            yield Timeout(self.env, gap)

    # -------------------------------------------------------------- choosing
    def _live_wait(self, arc: int) -> float:
        """Waiting a consignment would meet at ``arc`` now beyond the router's snapshot, hours."""
        section = self._sections[arc]
        wait = section.expected_wait_h(self._direction[arc]) - self.router.waits_list[arc]
        lanes = self._customs_list[self._arc_to[arc]]
        if lanes is not None:
            wait += lanes.expected_wait_h(self._arc_time[arc])
        return wait

    def _extra_spread_h(self, c: Consignment, arc: int) -> float:
        """How much longer the consignment's own vehicles would take to enter ``arc`` than they are spread already."""
        surplus = c.tonnes - self._arc_vehicle[arc]
        if surplus <= 0:
            return 0.0
        spread = surplus / (self._arc_capacity[arc] * self.state.capacity_factors[self._arc_link[arc]])
        return spread - c.spread_h if spread > c.spread_h else 0.0

    def _table(self, c: Consignment):
        """The route table ``c`` travels by: the one it holds while valid, else the router's current one."""
        table = c.table
        if table is None or not table.valid or self.env._now > table.expires:
            table = c.table = self.router.table(c.dest, c.mask, c.commodity, c.electric, c.limits)
        return table

    def _choose(self, c: Consignment) -> tuple[int, float]:
        """The cheapest next arc in the consignment's mode and its value (hours-equivalent)."""
        table = self._table(c)
        cost, to_go = table.cost_list, table.to_go_list
        node = c.node
        if to_go[node] == INF:
            return -1, INF
        back = self._arc_reverse[c.last_arc] if c.last_arc >= 0 else -1
        best, best_value = -1, INF
        arc_to, open_links, arc_link, vehicle = self._arc_to, self.state.open_links, self._arc_link, self._arc_vehicle
        age = -1.0
        for arc in self._out[node]:
            fixed = cost[arc]
            if fixed == INF or arc == back:
                continue
            if not open_links[arc_link[arc]]:  # its wait for the reopening has shrunk since it was costed
                if age < 0:
                    age = self.router.cost_age_h(c.mask, c.commodity, c.electric, c.limits)
                fixed -= age
            value = fixed + to_go[arc_to[arc]]
            if value >= best_value:
                continue
            if c.tonnes > vehicle[arc]:
                value += self._live_wait(arc) + self._extra_spread_h(c, arc)
            else:
                value += self._live_wait(arc)
            if value < best_value:
                best, best_value = arc, value
        if back >= 0 and cost[back] != INF and (best < 0 or not open_links[arc_link[best]]):
            # a dead end, or the way on waits for a reopening: turning back may be the better way
            value = cost[back] + to_go[arc_to[back]] + self._live_wait(back)
            if value < best_value:
                best, best_value = back, value
        return best, best_value

    def _other_mode(self, c: Consignment, value: float) -> tuple[int, float]:
        """A cheaper way on in another allowed mode after a transshipment here, or (0, inf)."""
        other = c.allowed & ~c.mask
        if not other:
            return 0, INF
        node = c.node
        transfer = (self.defaults.mode_transfer_h + self.defaults.transfer_cost_nok_per_t / c.vot
                    + self._transfer[node].expected_wait_h())
        best, best_value = 0, value
        for bit in mode_bits(other):
            to_go = self.router.lookup(c.dest, bit, c.commodity, c.electric, c.limits)[1][node]
            if to_go + transfer < best_value:
                best, best_value = bit, to_go + transfer
        return best, best_value

    def _route(self, c: Consignment) -> None:
        """Decide what ``c`` does at the node where it stands."""
        now = self.env._now
        if c.node == c.dest:
            if c.spread_h > 0:  # the rest of its vehicles are still coming in
                Timeout(self.env, c.spread_h, c).callbacks.append(self._delivered)
                c.spread_h = 0.0
            else:
                self._deliver(c, now)
            return
        if (self._congested or self.router.has_waits) and now >= self._next_refresh:
            self._refresh_waits(now)
        arc, value = self._choose(c)
        bit, other_value = self._other_mode(c, value) if c.allowed != c.mask else (0, INF)
        if bit:
            transfer_h = self.defaults.mode_transfer_h + self._transfer[c.node].expected_wait_h()
            if not c.departed and self._late(c, other_value, bit, -1, transfer_h):
                self._cancel(c, now)
                return
            c.departed = True
            c.next_mask = bit
            self._transfer[c.node].request(c)
            return
        if arc < 0:
            self._wait(c)
            return
        link = self._arc_link[arc]
        if not self.state.open_links[link]:  # best is to wait for the announced reopening
            if not c.departed and self._late(c, value, c.mask, arc):
                self._cancel(c, now)
            else:
                self._wait(c)
            return
        if not c.departed:
            if self._late(c, value, c.mask, arc):
                self._cancel(c, now)
                return
            c.departed = True
            self._waiting.pop(c.id, None)
        self._enter_queue(c, arc)

    def _enter_queue(self, c: Consignment, arc: int) -> None:
        """Join the section of ``arc`` (entering at once when it is free)."""
        c.arc = arc
        section = self._sections[arc]
        if section.__class__ is PointQueue and c.movement < 0 and section.enter_if_free(c):
            return  # the common case, in one call
        if c.movement >= 0 and self.movements is not None:  # its reserved paths, while the window is open
            section = self.movements.section(c.movement, arc) or section
        if self._arc_single[arc]:
            c.block_h = (self._arc_time[arc] / self.state.speed_factors[self._arc_link[arc]] * self._arc_block_share[arc]
                         + self._extra_spread_h(c, arc) + c.spread_h)
        if not section.request(c, self._direction[arc]):
            if (section.queued_t[0] + section.queued_t[1]) / self._arc_capacity[arc] > CONGESTED_H:
                self._congested.add(arc)

    def _go_on(self, c: Consignment, arc: int) -> bool:
        """Enter ``arc``, the only way on in its mode, if it is usable and leads to the destination."""
        table = self._table(c)
        if table.cost_list[arc] == INF or table.to_go_list[self._arc_to[arc]] == INF:
            return False
        if not self.state.open_links[self._arc_link[arc]]:
            return False
        self._enter_queue(c, arc)
        return True

    def _late(self, c: Consignment, value: float, mask: int, first_arc: int, extra_h: float = 0.0) -> bool:
        """Would ``c``, leaving now by ``first_arc`` in mode ``mask``, miss its deadline?

        Cheap test first: the generalized cost above the undisturbed one bounds the extra hours
        from above when the way is no shorter than the undisturbed one. Only when that bound
        misses the deadline is the route walked and its hours summed.
        """
        now = self.env._now
        cost, hours = self._base(c.node, c.dest, mask, c.commodity, c.tonnes, c.electric, mask, c.limits)
        if hours == INF:
            return now + self._walk_h(c, mask, first_arc) + extra_h > c.deadline_h
        if now + hours + max(0.0, value - cost) <= c.deadline_h:
            return False
        return now + self._walk_h(c, mask, first_arc) + extra_h > c.deadline_h

    def _walk_h(self, c: Consignment, mask: int, first_arc: int) -> float:
        """Hours to the destination along the chosen way: first ``first_arc`` (from the node where
        ``c`` stands, or after a transshipment when -1), then the cheapest arcs of the route table:
        running time, waits for announced reopenings and in queues, customs, own entry spread."""
        now = self.env._now
        reopen, speed = self.state.link_reopen_h, self.state.speed_factors
        node, t, arc, spread = c.node, 0.0, first_arc, c.spread_h
        for _ in range(self.net.n_arcs + 1):
            if node == c.dest:
                return t + spread
            if arc < 0:
                arc = self.router.next_arc(node, c.dest, mask, c.commodity, c.electric, c.limits)
                if arc < 0:
                    return INF
            link = self._arc_link[arc]
            if not self.state.open_links[link]:
                t = max(t, reopen[link] - now)
            section = self._sections[arc]
            if section.__class__ is FerryService:  # to the next departure from the quay
                t = section.next_departure(now + t) - now
            t += self.router.waits_list[arc] + self._arc_time[arc] / speed[link]
            surplus = c.tonnes - self._arc_vehicle[arc]
            if surplus > 0:
                spread = max(spread, surplus / self._arc_capacity[arc])
            node = self._arc_to[arc]
            lanes = self._customs_list[node]
            if lanes is not None and node != c.dest:
                arrive = now + t
                t += lanes.next_open(arrive) - arrive + lanes.undisturbed_h(c.tonnes, self._arc_vehicle[arc])
            arc = -1
        return INF

    def _wait(self, c: Consignment) -> None:
        if c.id not in self._waiting:
            self._waiting[c.id] = c
            if not c.departed:
                Timeout(self.env, max(0.0, c.deadline_h - self.env.now), c).callbacks.append(self._deadline_passed)

    def _deadline_passed(self, event) -> None:
        c = event.value
        if c.id in self._waiting and not c.departed and self.env.now >= c.deadline_h - 1e-9:
            del self._waiting[c.id]
            self._cancel(c, self.env.now)

    def _cancel(self, c: Consignment, now: float) -> None:
        """Cancelled before departure: lost demand."""
        del self._live[c.id]
        self.recorder.lose(c.ci, c.dest, c.tonnes, now, c.release_h + c.base_h)
        if c.on_done is not None:
            c.on_done(c, False)

    def _deliver(self, c: Consignment, now: float) -> None:
        del self._live[c.id]
        delay = now - c.release_h - c.base_h
        if -1e-6 < delay < 1e-6:  # sums of the same times in another order: no delay
            delay = 0.0
        self.recorder.deliver(c.ci, c.dest, c.tonnes, now, delay, c.release_h)
        if c.on_done is not None:
            c.on_done(c, True)

    def _delivered(self, event) -> None:
        self._deliver(event.value, self.env.now)

    # ---------------------------------------------------------------- moving
    def _entered(self, user, direction: int) -> float:
        """A user has entered its arc's section: schedule its arrival; return its time on the link."""
        arc = user.arc
        link = self._arc_link[arc]
        state = self.state
        run = self._arc_time[arc] / state.speed_factors[link]
        if user.__class__ is _Train:
            Timeout(self.env, run, user).callbacks.append(self._train_on)
            return run * self._arc_block_share[arc]
        c = user
        if c.electric and self._arc_rail[arc] and not state.link_usable(link, True, self._arc_electrified[arc]):
            # traction power lost while it queued: it stays where it is and chooses again
            Timeout(self.env, 0.0, c).callbacks.append(self._again)
            return 0.0
        vehicle = self._arc_vehicle[arc]
        if c.tonnes > vehicle:
            c.spread_h = max(c.spread_h, (c.tonnes - vehicle) / (self._arc_capacity[arc] * state.capacity_factors[link]))
        c.vehicle_t = vehicle
        c.node = self._arc_to[arc]
        c.last_arc = arc
        self.recorder.carry(c.ci, arc, c.tonnes)
        Timeout(self.env, run, c).callbacks.append(self._arrived)
        # On single track it holds the block for its stretch between loops (all of it without loops).
        return run * self._arc_block_share[arc] + c.spread_h

    def _again(self, event) -> None:
        self._route(event.value)

    def _arrived(self, event) -> None:
        c = event.value
        node = c.node
        lanes = self._customs_list[node]
        if lanes is not None and node != c.dest:
            lanes.request(c)
            return
        if node != c.dest and c.allowed == c.mask:
            onward = self._onward[c.last_arc]
            if len(onward) == 1 and self._go_on(c, onward[0]):  # a node on a line: nothing to choose
                return
        self._route(c)

    def _customs_entered(self, c: Consignment, direction: int) -> float:
        extra = float(self.state.node_customs_delay_h[c.node])
        Timeout(self.env, c.cleared_at + extra - self.env.now, c).callbacks.append(self._again)
        return 0.0

    def _transferred(self, c: Consignment, direction: int) -> float:
        self.recorder.event(self.env.now, "mode-change", self.net.node_ids[c.node],
                            f"consignment {c.id} ({c.commodity}) to {MODES[c.next_mask.bit_length() - 1]}")
        c.mask = c.next_mask
        self.recorder.transship(c.ci, c.tonnes)
        c.table = None
        c.vehicle_t = self._mode_vehicle[c.mask]
        c.last_arc = -1
        surplus = c.tonnes - c.vehicle_t  # its new vehicles leave the terminal one by one
        if surplus > 0:
            c.spread_h = max(c.spread_h, surplus / self._transfer[c.node].capacity_tph)
        Timeout(self.env, self.defaults.mode_transfer_h, c).callbacks.append(self._again)
        return 0.0

    def run_train(self, arcs: list[int]) -> None:
        """Send a timetabled passenger train over ``arcs`` now; it holds single-track blocks as it goes."""
        train = _Train(arcs)
        self._train_next(train)

    def _train_next(self, train: _Train) -> None:
        if train.k >= len(train.arcs):
            return
        arc = train.arcs[train.k]
        train.k += 1
        train.arc = arc
        if self._arc_single[arc]:
            train.block_h = self._arc_time[arc] / self.state.speed_factors[self._arc_link[arc]] * self._arc_block_share[arc]
            self._sections[arc].request(train, self._direction[arc])
        else:
            run = self._arc_time[arc] / self.state.speed_factors[self._arc_link[arc]]
            Timeout(self.env, run, train).callbacks.append(self._train_on)

    def _train_on(self, event) -> None:
        self._train_next(event.value)

    # ------------------------------------------------------------ congestion
    def _refresh_waits(self, now: float) -> None:
        """Give the router a new snapshot of the waiting in long queues (at most every WAIT_REFRESH_H)."""
        self._next_refresh = now + WAIT_REFRESH_H
        waits = np.zeros(self.net.n_arcs)
        factors = self.state.capacity_factors
        for arc in list(self._congested):
            section = self._sections[arc]
            queued = section.queued_t[0] + section.queued_t[1]
            if queued > 0:
                waits[arc] = queued / (self._arc_capacity[arc] * max(factors[self._arc_link[arc]], 1e-9))
            else:
                self._congested.discard(arc)
        self.router.set_waits(waits)

    # ------------------------------------------------------------ state change
    def _on_state_change(self) -> None:
        """Pull queues off closed links, re-route what waits, restart reopened sections."""
        links, _ = self.state.last_changed
        stranded: list[Consignment] = []
        for link in set(links):
            for arc in self.net.link_arcs[link]:
                section = self._sections[arc]
                section.rescale()  # spacing granted at the old capacity factor runs at the new one
                if not section.waiting():
                    continue
                if not self.state.open_links[link] or self.state.link_unpowered[link]:
                    for user in section.drain():
                        if isinstance(user, _Train):
                            section.request(user, self._direction[user.arc])  # a train waits for its line
                        else:
                            stranded.append(user)
                else:
                    section.serve()
        for c in stranded:
            self._route(c)
        waiting = list(self._waiting.values())
        self._waiting.clear()
        for c in waiting:
            self._route(c)

    # ------------------------------------------------------------------ finish
    def finish(self, horizon: float) -> None:
        """At the horizon: what has left its origin is in transit, its delay so far recorded as censored."""
        for c in self._live.values():
            self.recorder.in_transport(c.ci, c.tonnes, horizon - c.release_h)
            if c.departed:
                self.recorder.censor(c.ci, c.dest, c.tonnes, max(0.0, horizon - c.release_h - c.base_h))
