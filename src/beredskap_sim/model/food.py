"""Food stocks per municipality: hourly consumption, spoilage, periodic reorders by freight.

Bookkeeping in numpy arrays, one SimPy process ticking every hour for all municipalities
(no process per municipality or per order):

* consumption per hour of group g at municipality m: ``population × kg/person/day × share_g
  / 1000 / 24`` tonnes, taken from stock; what the stock cannot cover is *unmet*;
* chilled groups spoil at ``spoil_rate_per_day / 24`` of their stock per hour, scaled by the
  share of the hour the cold store is without power (``cold-chain`` dependency): the larger of
  the share of the area's general load shed and the share of the municipality's local-grid
  customers out (a storm on the local grid);
* every ``review`` hours, when stock + on-order < ``reorder_days`` of consumption, an order
  brings stock + on-order up to ``order_up_to_days``; it ships as a freight consignment from
  the municipality's warehouse and is delayed or lost like any other. A lost order is simply
  re-ordered at the next review. A warehouse with a finite stock ships what it has.

Mass balance per municipality and group: start stock + delivered = consumed + spoiled + end stock.
Days of supply = total stock / total daily consumption.
"""

from __future__ import annotations

import numpy as np
import simpy

from ..scenario.resolved import Scenario
from .recording import FoodRecord, Recorder


class FoodSystem:
    """Food bookkeeping of one run."""

    def __init__(self, env: simpy.Environment, scenario: Scenario, recorder: Recorder, freight, power=None):
        spec = scenario.spec.food
        assert spec is not None
        self.env, self.spec, self.recorder, self.freight, self.power = env, spec, recorder, freight, power
        net = scenario.network
        self.net = net
        self.municipalities = spec.municipalities
        self.groups = list(spec.groups)
        shares = np.array([spec.groups[g] for g in self.groups])
        population = np.array([net.spec.nodes[net.node_index[m.node]].population or 0 for m in self.municipalities], dtype=float)
        self.population = population
        # tonnes per day, shape (municipalities, groups)
        self.daily = np.outer(population * spec.kg_per_person_day / 1000.0, shares)
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
        self.warehouse_stock = {w.node: (np.inf if w.stock_t is None else float(w.stock_t)) for w in spec.warehouses}
        self.warehouse_production = {w.node: w.production_t_per_day for w in spec.warehouses}
        # totals
        shape = self.stock.shape
        self.consumed = np.zeros(shape)
        self.unmet = np.zeros(shape)
        self.spoiled = np.zeros(shape)
        self.delivered = np.zeros(shape)
        self.orders_lost_t = np.zeros(shape)
        self.min_days = self.days_of_supply().copy()
        self.hours_below = np.zeros(len(self.municipalities))
        self.stockout_hours = np.zeros(len(self.municipalities))
        steps = recorder.released.shape[1]
        self.rec_days = np.full((len(self.municipalities), steps), np.nan)
        self._last_review = -np.inf

    def days_of_supply(self) -> np.ndarray:
        need = self.daily.sum(axis=1)
        return np.divide(self.stock.sum(axis=1), need, out=np.full(len(need), np.inf), where=need > 0)

    def start(self) -> None:
        self.env.process(self._hourly())

    def _hourly(self):
        review = self.spec.review
        while True:
            t = self.env.now
            if t - self._last_review >= review - 1e-9:
                self._last_review = t
                self._review()
            self._consume_hour(t)
            yield self.env.timeout(1.0)

    def _consume_hour(self, t: float) -> None:
        for node, rate in self.warehouse_production.items():
            if np.isfinite(self.warehouse_stock[node]):
                self.warehouse_stock[node] += rate / 24.0
        need = self.daily / 24.0
        take = np.minimum(self.stock, need)
        self.stock -= take
        self.consumed += take
        short = need - take
        self.unmet += short
        if self.spec.spoil_rate_per_day > 0 and self.chilled.any():
            off = np.array([max(self.power.area_unserved_share(a), self.power.local_out_share(m.node)) if (a and self.power) else 0.0
                            for a, m in zip(self.cold_area, self.municipalities)])
            loss = self.stock * (self.spec.spoil_rate_per_day / 24.0) * off[:, None] * self.chilled[None, :]
            self.stock -= loss
            self.spoiled += loss
        days = self.days_of_supply()
        self.min_days = np.minimum(self.min_days, days)
        self.hours_below += days < self.spec.threshold_days
        self.stockout_hours += (short > 1e-12).any(axis=1)
        k = self.recorder._bin(t)
        if k >= 0:
            self.rec_days[:, k] = days

    def _review(self) -> None:
        for m, muni in enumerate(self.municipalities):
            for g, group in enumerate(self.groups):
                daily = self.daily[m, g]
                if daily <= 0 or self.stock[m, g] + self.on_order[m, g] >= muni.reorder_days * daily:
                    continue
                qty = muni.order_up_to_days * daily - self.stock[m, g] - self.on_order[m, g]
                available = self.warehouse_stock.get(muni.supply_from, np.inf)
                qty = min(qty, available)
                if qty <= 1e-9:
                    continue
                if np.isfinite(available):
                    self.warehouse_stock[muni.supply_from] -= qty
                self.on_order[m, g] += qty
                self.freight.ship(self.net.node_index[muni.supply_from], self.net.node_index[muni.node], group, qty,
                                  muni.modes, muni.deadline, self._make_callback(m, g, qty))

    def _make_callback(self, m: int, g: int, qty: float):
        def done(consignment, delivered: bool) -> None:
            self.on_order[m, g] -= qty
            if delivered:
                self.stock[m, g] += qty
                self.delivered[m, g] += qty
            else:
                self.orders_lost_t[m, g] += qty
                node = self.municipalities[m].supply_from
                if np.isfinite(self.warehouse_stock.get(node, np.inf)):
                    self.warehouse_stock[node] += qty  # the goods go back to the warehouse
        return done

    def record(self) -> FoodRecord:
        return FoodRecord(
            municipalities=[m.node for m in self.municipalities], groups=list(self.groups), population=self.population,
            threshold_days=self.spec.threshold_days, start=self.start_stock, delivered=self.delivered,
            consumed=self.consumed, unmet=self.unmet, spoiled=self.spoiled, end=self.stock.copy(), days=self.rec_days,
            min_days=self.min_days, hours_below=self.hours_below, stockout_hours=self.stockout_hours,
        )
