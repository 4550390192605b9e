"""Food supply chain: stores per municipality, distribution centres, sources in order of preference.

Bookkeeping in numpy arrays for all municipalities (no process per municipality or per
order); the rules are stated per hour, the hours are booked in batches (see *Hours booked in
arrears* below):

* consumption per hour of group g at municipality m: ``(population + visitors(month)) ×
  kg/person/day × share_g / 1000 / 24`` tonnes, taken from stock; what the stock cannot cover
  is *unmet*. ``visitors`` are the tourists and holiday-home guests of the month
  (``extra_population_by_month``);
* chilled groups spoil at ``spoil_rate_per_day / 24`` of their stock per hour, scaled by the
  share of the hour the cold store is without power (``cold-chain`` dependency): the larger of
  the share of the area's general load shed and the share of the municipality's local-grid
  customers out (a storm on the local grid);
* the stores order every ``review`` hours, or at their ``order_times`` (the delivery
  schedule): when stock + on-order < ``reorder_days`` of consumption, an order brings stock +
  on-order up to ``order_up_to_days``. It goes to the **first source in order of preference**
  (``supply_from``, then ``alternatives``) that has stock and an open route now
  (``food_routes``); when none has, to the first with stock, where it waits for the route to
  open. A change of source is logged; the order ships as a freight consignment and is delayed
  or lost like any other (a lost order is re-ordered and its goods go back to the source);
* a warehouse ships only its ``groups`` (e.g. a grain stock: dry goods) and nothing during
  an ``outage`` (an import stop, a fire; ``ships: true`` keeps it shipping from stock), when
  its production falls to ``production_factor`` (a production area losing imported feed);
* a warehouse (distribution centre) with a finite ``stock_t`` ships what it has; with
  ``supply_from`` it reorders for itself in tonnes (``reorder_t`` / ``order_up_to_t``), split
  over the groups by their shares; its production (``FoodSpec.production_t_per_day``: its own
  figure, or its municipalities' shares of the county total) adds to its stock.

**Hoarding surge.** A disruption with ``food_demand_factor: f`` on municipality nodes makes
their households buy f × the normal consumption per hour while it is active (several active
surges multiply). The stock (one per municipality: what the shops can still sell) drops f
times as fast, and the stores' reorder point and order-up-to level follow the raised demand
(``reorder_days`` × f × daily). The extra (f − 1) × normal is counted as consumed and also
as ``surged``: it leaves the modelled stock for the homes, where it is not modelled — it is
not eaten faster, and it is not drawn when the shelves are empty (demand does not fall
after the surge). *Unmet* counts only the normal need the stock cannot cover: a hoarder who
finds the shelf empty is not short of food.

Mass balance per municipality and group: start stock + delivered = consumed + spoiled + end stock.
Days of supply = total stock / total daily consumption (residents and visitors) at normal
demand, also during a surge (how long what is on the shelves lasts once buying is normal).
Transport work of the stores' orders: tonnes × km of the route chosen when ordering
(× ``transport_cost_per_tonne_km`` for the cost of a switch of source).

**Hours booked in arrears.** Between two orders nothing is decided: the shelves empty at a
known rate. So the hour is not computed when it comes; a bare hourly *tick* (a timeout that
sells nothing) only marks where hour h's step stands among the other events at time h,
and the hours since the last booking are booked in one vectorised step (``food_hours.sell``)
when something reads or changes what they depend on: a tick that orders (``order_times`` or
every ``review`` hours) or replenishes a warehouse, a surge's start or end, a lost order or a
delivery to a warehouse, ``record()`` — and at the latest every ``MAX_BATCH_H`` hours. A
delivery to a store is not a reason: it is kept with its place between the hours and booked
with them. Hour h's consumption therefore sees exactly the deliveries, surges and orders that
came before its tick — the same order of events as booking each hour at its tick, so every
measure (consumed, unmet, surged, stock-out hours, lowest days of supply, hours below the
threshold, days at each recording step, warehouse production and lowest level) is identical
to the hour-by-hour loop (``MAX_BATCH_H = 1``). The ticks are kept rather than scheduling only
the order hours because an event at exactly an integer hour (a delivery, a surge, a power
balance, a freight release) comes before or after hour h's step by the order in which SimPy
scheduled it (e.g. a flow released every hour comes after the food orders of that hour, one
released every six hours before them); only the tick chain reproduces that order, at the cost
of an almost empty event per hour (about 10 ms per simulated year; 22 ms where chilled goods
can spoil, as the tick then asks power whether the cold chain is at risk).

Spoilage depends on the power state of each hour (``cold_chain_at_risk``, the area's shed
share and the local grid's faults), which is not kept for past hours: an hour whose tick finds
a cold store without power is booked at its tick, on its own, as before. Food therefore needs
no hook in power and reads the power state at exactly the moment the hourly loop did.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import simpy

from ..scenario.resolved import Scenario
from ..scenario.units import parse_instant
from .food_hours import sell
from .food_routes import RouteCheck
from .calendar import month_of_hours
from .recording import FoodRecord, Recorder

MAX_BATCH_H = 24 * 7  # most hours booked in one step (1: book every hour at its tick)


class FoodSystem:
    """Food bookkeeping of one run."""

    def __init__(self, env: simpy.Environment, scenario: Scenario, recorder: Recorder, freight, power=None, state=None):
        spec = scenario.spec.food
        assert spec is not None
        self.env, self.spec, self.recorder, self.freight, self.power = env, spec, recorder, freight, power
        net = scenario.network
        self.net = net
        self.start_time = scenario.start
        self.municipalities = spec.municipalities
        self.groups = list(spec.groups)
        self.shares = np.array([spec.groups[g] for g in self.groups])
        population = np.array([net.spec.nodes[net.node_index[m.node]].population or 0 for m in self.municipalities], dtype=float)
        self.population = population
        self.visitors = np.array([m.extra_population_by_month or [0.0] * 12 for m in self.municipalities], dtype=float)
        # Need by month: tonnes per day (month, municipality, group), per hour, and per day in all.
        self._daily_m = np.array([self._daily(month) for month in range(12)])
        self._need_m = self._daily_m / 24.0
        self._need_day_m = self._daily_m.sum(axis=2)
        self._month = self._month_at(0.0)
        self.daily = self._daily_m[self._month]  # tonnes per day, shape (municipalities, groups)
        self._need_day = self._need_day_m[self._month]
        # Every hour whose tick can run (starts before the horizon), as a float like SimPy's clock.
        hours = np.arange(max(1, math.ceil(scenario.horizon_h)), dtype=float)
        self._month_h = month_of_hours(scenario.start, hours)  # 0 = January
        self._bin_h = recorder.bins(hours)  # recording step of each hour
        stock_days = np.array([m.stock_days for m in self.municipalities])
        self.stock = self.daily * stock_days[:, None]
        self.start_stock = self.stock.copy()
        # Booking in arrears: hours before ``_next_h`` are booked; hours before ``_due_h`` have
        # had their tick (their step would have run); deliveries to stores not yet booked, as
        # (hour they precede, municipality, group, tonnes).
        self._next_h = 0
        self._due_h = 0
        self._deliveries: list[tuple[int, int, int, float]] = []
        # Booked hours whose measures are not yet summed (hours ``_measured_h`` … ``_next_h − 1``):
        # (stock after each hour, tonnes sold in each hour) per booking.
        self._measured_h = 0
        self._unmeasured: list[tuple[np.ndarray, np.ndarray]] = []
        self.on_order = np.zeros_like(self.stock)
        self.chilled = np.array([g in spec.chilled for g in self.groups])
        self.cold_area: list[str | None] = [None] * len(self.municipalities)
        power_spec = scenario.network_spec.power
        if power_spec is not None:
            index = {m.node: i for i, m in enumerate(self.municipalities)}
            for dep in power_spec.dependencies:
                if dep.kind == "cold-chain" and dep.municipality in index:
                    self.cold_area[index[dep.municipality]] = dep.area
        # Chilled goods can spoil in this run (a spoil rate, chilled groups, a cold chain on power).
        self._spoils = spec.spoil_rate_per_day > 0 and bool(self.chilled.any()) and power is not None and any(self.cold_area)
        self.warehouses = {w.node: w for w in spec.warehouses}
        self.warehouse_stock = {w.node: (np.inf if w.stock_t is None else float(w.stock_t)) for w in spec.warehouses}
        self.warehouse_min = dict(self.warehouse_stock)
        self._finite_warehouses = [node for node, level in self.warehouse_stock.items() if np.isfinite(level)]
        self._production_tpd = {node: spec.production_t_per_day(w) for node, w in self.warehouses.items()}
        self._producing = [node for node in self._finite_warehouses if self._production_tpd[node]]
        self.warehouse_on_order = {w.node: 0.0 for w in spec.warehouses}
        self.outages = {w.node: [(parse_instant(o.start, scenario.start), o) for o in w.outages] for w in spec.warehouses}
        self._production_h = {node: self._production(node, hours) for node in self._producing}
        # Sources in order of preference, and the one each municipality used last.
        self.candidates = [[m.supply_from, *m.alternatives] for m in self.municipalities]
        self.source_names = list(dict.fromkeys(s for c in self.candidates for s in c))
        self.current = [[m.supply_from] * len(self.groups) for m in self.municipalities]  # per group
        self.order_hours = [{int(x.split(":")[0]) for x in m.order_times} for m in self.municipalities]
        # Who orders at a tick, by (hour of day, review due): municipalities in index order.
        self._ordering = {(hour, due): [m for m, mine in enumerate(self.order_hours) if (hour in mine if mine else due)]
                          for hour in range(24) for due in (False, True)}
        check = any(len(c) > 1 for c in self.candidates) or spec.transport_cost_per_tonne_km > 0 \
            or any(w.supply_from for w in spec.warehouses)
        self.routes = RouteCheck(net, state) if (state is not None and check) else None
        # totals
        shape = self.stock.shape
        self.consumed = np.zeros(shape)
        self.unmet = np.zeros(shape)
        self.spoiled = np.zeros(shape)
        self.delivered = np.zeros(shape)
        self.orders_lost_t = np.zeros(shape)
        self.surged = np.zeros(shape)  # the part of consumed bought beyond normal need (hoarding)
        self.demand_factor = np.ones(len(self.municipalities))
        self._surges: dict[str, tuple[list[int], float]] = {}
        self.ordered_from = np.zeros((len(self.municipalities), len(self.source_names)))
        self.transport_tkm = np.zeros(len(self.municipalities))
        self.switches = np.zeros(len(self.municipalities), dtype=int)
        self.min_days = self.days_of_supply().copy()
        self.hours_below = np.zeros(len(self.municipalities))
        self.stockout_hours = np.zeros(len(self.municipalities))
        steps = recorder.n_steps
        self.rec_days = np.full((len(self.municipalities), steps), np.nan)
        self._last_review = -np.inf

    # ------------------------------------------------------------------ demand
    def _month_at(self, t: float) -> int:
        return (self.start_time + dt.timedelta(hours=t)).month - 1

    def _daily(self, month: int) -> np.ndarray:
        people = self.population + self.visitors[:, month]
        return np.outer(people * self.spec.kg_per_person_day / 1000.0, self.shares)

    def _production(self, node: str, hours: np.ndarray) -> np.ndarray:
        """Tonnes warehouse ``node`` produces in each hour: ``factor × production_t_per_day / 24``,
        the factor being the ``production_factor`` of the outage active at the hour (else 1)."""
        factor = np.ones(len(hours))
        left = np.ones(len(hours), dtype=bool)  # hours not yet given an outage's factor (the first active one counts)
        for start, outage in self.outages.get(node, ()):
            active = left & (start <= hours) & (hours < start + outage.duration)
            factor[active] = outage.production_factor
            left &= ~active
        return factor * self._production_tpd[node] / 24.0

    def days_of_supply(self) -> np.ndarray:
        """Stock over a normal day's need (all groups), per municipality, now; inf where nothing is needed."""
        self.sync()
        need = self._need_day
        return np.divide(self.stock.sum(axis=1), need, out=np.full(len(need), np.inf), where=need > 0)


    def apply_demand(self, key: str, nodes, factor: float) -> None:
        """Start surge ``key``: food demand × ``factor`` at the municipalities on network nodes
        ``nodes`` (node indices; nodes that are not food municipalities are ignored — the loader
        rejects them)."""
        self.sync()
        index = {self.net.node_index[m.node]: i for i, m in enumerate(self.municipalities)}
        self._surges[key] = ([index[n] for n in nodes if n in index], float(factor))
        self._recompute_demand()

    def revert_demand(self, key: str) -> None:
        """End surge ``key``."""
        if key in self._surges:
            self.sync()
            del self._surges[key]
            self._recompute_demand()

    def _recompute_demand(self) -> None:
        self.demand_factor[:] = 1.0
        for members, factor in self._surges.values():
            self.demand_factor[members] *= factor

    def start(self) -> None:
        self.env.process(self._hourly())

    def _hourly(self):
        """The tick of each hour h, where the hourly step of the loop stood: orders when due, and
        the hour itself when its cold chain lacks power (or ``MAX_BATCH_H`` hours wait)."""
        env, ordering_at = self.env, self._ordering
        review = self.spec.review - 1e-9
        start_hour = self.start_time.hour
        months = self._month_h.tolist()
        while True:
            t = env.now
            h = int(round(t))
            month = months[h]
            if month != self._month:
                self._month, self.daily, self._need_day = month, self._daily_m[month], self._need_day_m[month]
            review_due = t - self._last_review >= review
            if review_due:
                self._last_review = t
            ordering = ordering_at[((start_hour + h) % 24, review_due)]
            if ordering or review_due:
                self.sync()
                if ordering:
                    self._orders(ordering)
                if review_due:
                    self._replenish_warehouses()
            off = self._cold_off() if self._spoils and self.power.cold_chain_at_risk() else None
            self._due_h = h + 1
            if off is not None and any(off):
                self._book(h)
                self._book(h + 1, np.array(off))
            elif h + 1 - self._next_h >= MAX_BATCH_H:
                self.sync()
            yield env.timeout(1.0)

    def _cold_off(self) -> list[float]:
        """Per municipality, the share of its cold store without power now: the larger of its
        area's shed share of general load and its local grid's customers out (0 without a
        cold-chain dependency)."""
        return [max(self.power.area_unserved_share(a), self.power.local_out_share(m.node)) if a else 0.0
                for a, m in zip(self.cold_area, self.municipalities)]

    def sync(self) -> None:
        """Book every hour whose tick has passed (the state then reads as after the hourly loop)."""
        self._book(self._due_h)

    def _book(self, upto: int, off: np.ndarray | None = None) -> None:
        """Book hours ``_next_h`` … ``upto − 1`` and the deliveries to stores waiting among them.

        Each hour warehouses produce, and stores sell ``daily / 24`` × the demand factor (what
        the shelves hold, ``food_hours.sell``); with ``off`` (one hour only) chilled goods then
        spoil at ``spoil_rate_per_day / 24 × off`` of their stock. The hours' measures are
        summed later, up to ``MAX_BATCH_H`` hours at once (``_measure``)."""
        a = self._next_h
        if upto <= a:
            return
        self._next_h = upto
        for node in self._finite_warehouses:
            level = self.warehouse_stock[node]
            low = level
            if node in self._production_h:  # hour by hour, in order: the sums of the loop
                levels = np.cumsum(np.concatenate(([level], self._production_h[node][a:upto])))
                level, low = float(levels[-1]), float(levels[1:].min())
            self.warehouse_stock[node] = level
            if low < self.warehouse_min[node]:
                self.warehouse_min[node] = low
        want = self._need_m[self._month_h[a:upto]]  # (hours, municipalities, groups)
        if self._surges:
            want *= self.demand_factor[:, None]
        adds = [(p - a, m, g, q) for p, m, g, q in self._deliveries] if self._deliveries else ()
        self._deliveries = []
        after, take, self.stock = sell(self.stock, want, adds)
        if off is not None:
            assert upto - a == 1, "spoilage is booked one hour at a time"
            loss = self.stock * (self.spec.spoil_rate_per_day / 24.0) * off[:, None] * self.chilled[None, :]
            after = (self.stock - loss)[None]
            self.stock = after[0].copy()
            self.spoiled += loss
        self._unmeasured.append((after, take))
        if upto - self._measured_h >= MAX_BATCH_H:
            self._measure()

    def _measure(self) -> None:
        """Sum the measures of the booked hours not yet summed, as the hourly loop adds them:
        consumed, surged (bought beyond need), unmet and stock-out hours (an hour with any group
        short), lowest days of supply, hours below the threshold, days at each recording step
        (the step's last hour)."""
        a, b = self._measured_h, self._next_h
        if b <= a:
            return
        self._measured_h = b
        after = np.concatenate([x for x, _ in self._unmeasured])
        take = np.concatenate([y for _, y in self._unmeasured])
        self._unmeasured = []
        months = self._month_h[a:b]
        need = self._need_m[months]
        self.consumed = _running_sum(self.consumed, take)
        over = take - need  # > 0 only during a surge
        if (over > 0).any():
            self.surged = _running_sum(self.surged, np.maximum(over, 0.0))
        short = need - take
        if (short > 0).any():
            self.unmet = _running_sum(self.unmet, np.maximum(short, 0.0))
            self.stockout_hours += (short > 1e-12).any(axis=2).sum(axis=0)
        need_day = self._need_day_m[months]
        days = np.divide(after.sum(axis=2), need_day, out=np.full(need_day.shape, np.inf), where=need_day > 0)
        np.minimum(self.min_days, days.min(axis=0), out=self.min_days)
        self.hours_below += (days < self.spec.threshold_days).sum(axis=0)
        bins = self._bin_h[a:b]
        last = np.flatnonzero(np.append(bins[1:] != bins[:-1], True))  # each step shows its last hour
        self.rec_days[:, bins[last]] = days[last].T

    # ------------------------------------------------------------------ orders
    def _outage(self, node: str, t: float):
        """The outage of warehouse ``node`` active at ``t``, or None."""
        for start, outage in self.outages.get(node, ()):
            if start <= t < start + outage.duration:
                return outage
        return None

    def _can_ship(self, node: str, group: str) -> bool:
        w = self.warehouses.get(node)
        if w is not None and w.groups is not None and group not in w.groups:
            return False
        outage = self._outage(node, self.env.now)
        return (outage is None or outage.ships) and self.warehouse_stock.get(node, np.inf) > 1e-9

    def _choose(self, candidates: list[str], dest: str, group: str, modes) -> tuple[str | None, tuple | None]:
        """The first source that can ship the group (stock, no outage) and has an open route now;
        else the first that can ship (the order waits in the network for its route); None when
        no source can ship."""
        stocked = [s for s in candidates if self._can_ship(s, group)]
        if not stocked:
            return None, None
        if self.routes is None:
            return stocked[0], None
        d = self.net.node_index[dest]
        for source in stocked:
            route = self.routes.route(self.net.node_index[source], d, modes, group, self.env.now)
            if route is not None:
                return source, route
        return stocked[0], None

    def _take(self, source: str, qty: float) -> float:
        qty = min(qty, self.warehouse_stock.get(source, np.inf))
        if qty > 1e-9 and np.isfinite(self.warehouse_stock.get(source, np.inf)):
            self.warehouse_stock[source] -= qty
        return qty

    def _orders(self, ordering: list[int]) -> None:
        """Stores ``ordering``, in that order, order each group whose stock + on-order is below
        ``reorder_days`` of a day's demand (which follows a hoarding surge). An order changes
        only its own group's figures, so every group is checked before the first is placed."""
        daily = (self.daily * self.demand_factor[:, None]).tolist()
        position = (self.stock + self.on_order).tolist()
        for m in ordering:
            reorder = self.municipalities[m].reorder_days
            for g, day in enumerate(daily[m]):
                if day > 0 and position[m][g] < reorder * day:
                    self._order(m, g, day)

    def _order(self, m: int, g: int, daily: float) -> None:
        """Store ``m`` orders group ``g`` up to ``order_up_to_days × daily`` from its first
        source that can ship it."""
        muni, group = self.municipalities[m], self.groups[g]
        source, route = self._choose(self.candidates[m], muni.node, group, muni.modes)
        if source is None:
            return
        if source != self.current[m][g]:
            self.switches[m] += 1
            self.recorder.event(self.env.now, "food-source", muni.node,
                                f"{muni.node} now supplied with {group} from {source} (was {self.current[m][g]})")
            self.current[m][g] = source
        qty = self._take(source, muni.order_up_to_days * daily - self.stock[m, g] - self.on_order[m, g])
        if qty <= 1e-9:
            return
        self.on_order[m, g] += qty
        self.ordered_from[m, self.source_names.index(source)] += qty
        if route is not None:
            self.transport_tkm[m] += qty * route[1]
        self.freight.ship(self.net.node_index[source], self.net.node_index[muni.node], group, qty,
                          muni.modes, muni.deadline, self._make_callback(m, g, qty, source))

    def _make_callback(self, m: int, g: int, qty: float, source: str):
        def done(consignment, delivered: bool) -> None:
            self.on_order[m, g] -= qty
            if delivered:
                if self._next_h < self._due_h:  # booked with the hours it follows
                    self._deliveries.append((self._due_h, m, g, qty))
                else:
                    self.stock[m, g] += qty
                self.delivered[m, g] += qty
            else:
                self.orders_lost_t[m, g] += qty
                if np.isfinite(self.warehouse_stock.get(source, np.inf)):
                    self.sync()
                    self.warehouse_stock[source] += qty  # the goods go back to the warehouse
        return done

    def _replenish_warehouses(self) -> None:
        """Distribution centres with ``supply_from`` reorder for themselves, in tonnes."""
        for node, w in self.warehouses.items():
            if not w.supply_from or self.warehouse_stock[node] + self.warehouse_on_order[node] >= w.reorder_t:
                continue
            qty = w.order_up_to_t - self.warehouse_stock[node] - self.warehouse_on_order[node]
            for g, group in enumerate(self.groups):
                source, _ = self._choose(w.supply_from, node, group, w.modes)
                part = self._take(source, qty * self.shares[g]) if source is not None else 0.0
                if part <= 1e-9:
                    continue
                self.warehouse_on_order[node] += part
                self.freight.ship(self.net.node_index[source], self.net.node_index[node], group, part,
                                  w.modes, w.deadline, self._warehouse_callback(node, source, part))

    def _warehouse_callback(self, node: str, source: str, qty: float):
        def done(consignment, delivered: bool) -> None:
            self.sync()
            self.warehouse_on_order[node] -= qty
            if delivered:
                self.warehouse_stock[node] += qty
            elif np.isfinite(self.warehouse_stock.get(source, np.inf)):
                self.warehouse_stock[source] += qty
        return done

    def record(self) -> FoodRecord:
        self.sync()
        self._measure()
        return FoodRecord(
            municipalities=[m.node for m in self.municipalities], groups=list(self.groups), population=self.population,
            threshold_days=self.spec.threshold_days, start=self.start_stock, delivered=self.delivered,
            consumed=self.consumed, unmet=self.unmet, spoiled=self.spoiled, end=self.stock.copy(), days=self.rec_days,
            min_days=self.min_days, hours_below=self.hours_below, stockout_hours=self.stockout_hours,
            surged=self.surged.copy(),
            sources=list(self.source_names), ordered_from=self.ordered_from, transport_tkm=self.transport_tkm,
            transport_cost_per_tonne_km=self.spec.transport_cost_per_tonne_km, switches=self.switches,
            warehouses=[n for n in self.warehouse_stock if np.isfinite(self.warehouse_stock[n])],
            warehouse_min_t=np.array([v for n, v in self.warehouse_min.items() if np.isfinite(self.warehouse_stock[n])]),
        )


def _running_sum(total: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """``total`` plus each of ``hours`` (hours, …) in turn: the sum the hourly loop makes, in its order."""
    return np.cumsum(np.concatenate((total[None], hours)), axis=0)[-1]
