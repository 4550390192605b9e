"""Food supply chain: stores per municipality, distribution centres, sources in order of preference.

Bookkeeping in numpy arrays, one SimPy process ticking every hour for all municipalities
(no process per municipality or per order):

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
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import simpy

from ..scenario.resolved import Scenario
from ..scenario.units import parse_instant
from .food_routes import RouteCheck
from .calendar import hours_of_run, month_of_hours
from .recording import FoodRecord, Recorder


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
        self._month = self._month_at(0.0)
        self.daily = self._daily(self._month)  # tonnes per day, shape (municipalities, groups)
        self._need_day = self.daily.sum(axis=1)
        hours = hours_of_run(scenario.horizon_h)
        self._month_h = month_of_hours(scenario.start, hours)  # 0 = January
        stock_days = np.array([m.stock_days for m in self.municipalities])
        self.stock = self.daily * stock_days[:, None]
        self.start_stock = self.stock.copy()
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
        # Sources in order of preference, and the one each municipality used last.
        self.candidates = [[m.supply_from, *m.alternatives] for m in self.municipalities]
        self.source_names = list(dict.fromkeys(s for c in self.candidates for s in c))
        self.current = [[m.supply_from] * len(self.groups) for m in self.municipalities]  # per group
        self.order_hours = [{int(x.split(":")[0]) for x in m.order_times} for m in self.municipalities]
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
        steps = recorder.released.shape[1]
        self.rec_days = np.full((len(self.municipalities), steps), np.nan)
        self._last_review = -np.inf

    # ------------------------------------------------------------------ demand
    def _month_at(self, t: float) -> int:
        return (self.start_time + dt.timedelta(hours=t)).month - 1

    def _daily(self, month: int) -> np.ndarray:
        people = self.population + self.visitors[:, month]
        return np.outer(people * self.spec.kg_per_person_day / 1000.0, self.shares)

    def days_of_supply(self) -> np.ndarray:
        """Stock over a normal day's need (all groups), per municipality; inf where nothing is needed."""
        need = self._need_day
        return np.divide(self.stock.sum(axis=1), need, out=np.full(len(need), np.inf), where=need > 0)


    def apply_demand(self, key: str, nodes, factor: float) -> None:
        """Start surge ``key``: food demand × ``factor`` at the municipalities on network nodes
        ``nodes`` (node indices; nodes that are not food municipalities are ignored — the loader
        rejects them)."""
        index = {self.net.node_index[m.node]: i for i, m in enumerate(self.municipalities)}
        self._surges[key] = ([index[n] for n in nodes if n in index], float(factor))
        self._recompute_demand()

    def revert_demand(self, key: str) -> None:
        """End surge ``key``."""
        if self._surges.pop(key, None) is not None:
            self._recompute_demand()

    def _recompute_demand(self) -> None:
        self.demand_factor[:] = 1.0
        for members, factor in self._surges.values():
            self.demand_factor[members] *= factor

    def start(self) -> None:
        self.env.process(self._hourly())

    def _hourly(self):
        review = self.spec.review
        start_hour = self.start_time.hour
        while True:
            t = self.env.now
            h = int(round(t))
            month = int(self._month_h[h]) if h < len(self._month_h) else self._month_at(t)
            if month != self._month:
                self._month, self.daily = month, self._daily(month)
                self._need_day = self.daily.sum(axis=1)
            review_due = t - self._last_review >= review - 1e-9
            if review_due:
                self._last_review = t
            hour = int(round(start_hour + t)) % 24
            for m in range(len(self.municipalities)):
                if (hour in self.order_hours[m]) if self.order_hours[m] else review_due:
                    self._order(m)
            if review_due:
                self._replenish_warehouses()
            self._consume_hour(t)
            yield self.env.timeout(1.0)

    def _consume_hour(self, t: float) -> None:
        """One hour: warehouses produce, stores sell ``daily / 24`` × the demand factor (what the
        shelves hold), chilled goods spoil where the cold chain has no power, and the measures
        (minimum days of supply, hours below the threshold, stock-out hours) are updated."""
        for node in self._producing:
            outage = self._outage(node, t) if self.outages.get(node) else None
            factor = 1.0 if outage is None else outage.production_factor
            self.warehouse_stock[node] += factor * self._production_tpd[node] / 24.0
        need = self.daily / 24.0
        want = need * self.demand_factor[:, None] if self._surges else need
        take = np.minimum(self.stock, want)
        self.stock -= take
        self.consumed += take
        if self._surges:
            self.surged += np.maximum(take - need, 0.0)
        short = need - take
        if (short > 0).any():
            short = np.maximum(short, 0.0)
            self.unmet += short
            self.stockout_hours += (short > 1e-12).any(axis=1)
        if self._spoils and self.power.cold_chain_at_risk():
            off = [max(self.power.area_unserved_share(a), self.power.local_out_share(m.node)) if a else 0.0
                   for a, m in zip(self.cold_area, self.municipalities)]
            if any(off):
                loss = self.stock * (self.spec.spoil_rate_per_day / 24.0) * np.array(off)[:, None] * self.chilled[None, :]
                self.stock -= loss
                self.spoiled += loss
        days = self.days_of_supply()
        np.minimum(self.min_days, days, out=self.min_days)
        self.hours_below += days < self.spec.threshold_days
        for node in self._finite_warehouses:
            level = self.warehouse_stock[node]
            if level < self.warehouse_min[node]:
                self.warehouse_min[node] = level
        k = self.recorder._bin(t)
        if k >= 0:
            self.rec_days[:, k] = days

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

    def _order(self, m: int) -> None:
        muni = self.municipalities[m]
        for g, group in enumerate(self.groups):
            daily = self.daily[m, g] * self.demand_factor[m]  # orders follow a hoarding surge
            if daily <= 0 or self.stock[m, g] + self.on_order[m, g] >= muni.reorder_days * daily:
                continue
            source, route = self._choose(self.candidates[m], muni.node, group, muni.modes)
            if source is None:
                continue
            if source != self.current[m][g]:
                self.switches[m] += 1
                self.recorder.event(self.env.now, "food-source", muni.node,
                                    f"{muni.node} now supplied with {group} from {source} (was {self.current[m][g]})")
                self.current[m][g] = source
            qty = self._take(source, muni.order_up_to_days * daily - self.stock[m, g] - self.on_order[m, g])
            if qty <= 1e-9:
                continue
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
                self.stock[m, g] += qty
                self.delivered[m, g] += qty
            else:
                self.orders_lost_t[m, g] += qty
                if np.isfinite(self.warehouse_stock.get(source, np.inf)):
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
            self.warehouse_on_order[node] -= qty
            if delivered:
                self.warehouse_stock[node] += qty
            elif np.isfinite(self.warehouse_stock.get(source, np.inf)):
                self.warehouse_stock[source] += qty
        return done

    def record(self) -> FoodRecord:
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
