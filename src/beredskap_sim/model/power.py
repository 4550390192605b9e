"""Hourly power balance per area, load shedding by priority, backup generators, cascades.

**Balance.** Each hour every area has a demand (its profile × any active ``demand_factor``)
and available generation (capacity apart from energy, see ``generation``: installed MW ×
availability × profile × active factors, reservoirs capped by their stored energy). When every area can
cover its own demand, all is served. Otherwise the hour is solved as a *transport* problem on
the area graph — source → generation of each area, interconnectors with their directional
limits, external neighbours as sources of at most ``export_mw``, areas → sink with their
demand — and its maximum flow is the most demand that can be served. This is a
copper-plate-per-area, loss-free flow model: no grid inside an area, no prices, no ramping;
when the maximum can be reached in several ways, Edmonds–Karp decides where the shortfall
lands: networkx's ``edmonds_karp`` on a residual network kept between hours (``maxflow``).

**Shedding.** An area's shortfall is taken from its general load first, then from critical
loads, least critical (highest ``priority`` number) first. A critical load whose grid supply
fails runs on its backup generator while the tank holds fuel; the tank is refilled by road
freight from a depot (so a closed road can end backup power).

**Cascades.** A ``rail-power`` dependency takes traction power off its rail links while the
feeding load has no power (electric trains stop; diesel and bimodal trains run). A
``cold-chain`` dependency makes chilled food at a municipality spoil while its area sheds
general load. Every change of a critical load's state is logged with its cause.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import simpy

from ..network.state import Effect, NetworkState
from ..network.travel import travel_time_h
from ..scenario.resolved import Scenario
from .distribution import LocalGrids
from .generation import AreaGeneration
from .maxflow import FlowGraph
from .calendar import hours_of_run, month_of_hours
from .recording import PowerRecord, Recorder

DIESEL_T_PER_L = 0.00084  # density of diesel, tonnes per litre


QUIET_WINDOW_H = 168  # longest stretch of quiet hours booked in one go


def demand_mw(profile, t_h, day_of_year0: float):
    """Demand at hours ``t_h`` of the run (a number or an array): mean × seasonal (peak
    mid-January) × daily (07–20 plateau)."""
    t_h = np.asarray(t_h, dtype=float)
    day = (day_of_year0 + t_h / 24.0) % 365.0
    hour = t_h % 24.0
    seasonal = 1.0 + profile.seasonal * np.cos(2 * np.pi * (day - 15) / 365.0)
    daily = 1.0 + profile.daily * np.where((hour >= 7) & (hour < 20), 1.0, -1.0)
    return profile.mean_mw * seasonal * daily


class PowerSystem:
    """The power areas of a run; ``start()`` begins the hourly process."""

    def __init__(self, env: simpy.Environment, scenario: Scenario, state: NetworkState, recorder: Recorder, freight):
        spec = scenario.network_spec.power
        assert spec is not None
        self.env, self.state, self.recorder, self.freight = env, state, recorder, freight
        self.scenario = scenario
        self.areas = [a for a in spec.areas if not a.external]
        self.externals = [a for a in spec.areas if a.external]
        self.area_index = {a.id: i for i, a in enumerate(self.areas)}
        self.lines = spec.interconnectors
        self.loads = spec.critical_loads
        self.load_index = {load.id: i for i, load in enumerate(self.loads)}
        self.day0 = scenario.start.timetuple().tm_yday - 1 + scenario.start.hour / 24.0
        # Active power effects by key: (power targets, effect).
        self._active: dict[str, tuple[tuple[str, ...], Effect]] = {}
        self._transport_cache = None  # the hour's transport problem while no power effect starts or ends
        n_areas, n_loads = len(self.areas), len(self.loads)
        self.load_powered = np.ones(n_loads, dtype=bool)  # from grid or backup
        self.tank_l = np.array([(ld.backup.initial_l if ld.backup and ld.backup.initial_l is not None else
                                 (ld.backup.tank_l if ld.backup else 0.0)) for ld in self.loads])
        self.fuel_on_order_l = np.zeros(n_loads)
        self._with_backup = [j for j, load in enumerate(self.loads) if load.backup is not None]
        self._loads_of_area = [[j for j, load in enumerate(self.loads) if load.area == area.id] for area in self.areas]
        self._critical_mw = [sum(self.loads[j].mw for j in mine) for mine in self._loads_of_area]
        self.general_unserved_share = np.zeros(n_areas)
        self._shedding = False  # some area sheds general load (``general_unserved_share`` not all 0)
        self.fleets = [AreaGeneration(a, scenario.start.month - 1) for a in self.areas]
        self.grids = LocalGrids(spec.distribution, self.loads, self._road_h)
        if any(g.crews.base is not None for g in spec.distribution):
            state.subscribe(lambda: self.grids.network_changed(self.env.now))  # a reopened road lets crews through
        self._rail_deps = [(d, tuple(self._links(d.links))) for d in spec.dependencies if d.kind == "rail-power"]
        steps = recorder.n_steps
        self.rec_demand = np.zeros((n_areas, steps))
        self.rec_served = np.zeros((n_areas, steps))
        self.rec_ens_general = np.zeros((n_areas, steps))
        self.rec_ens_critical = np.zeros((n_areas, steps))
        self.rec_stored = np.full((n_areas, steps), np.nan)  # reservoir energy at the end of each step, MWh
        self.shed_hours = np.zeros(n_areas)
        self.peak_shortfall_mw = np.zeros(n_areas)
        self.load_ens_mwh = np.zeros(n_loads)
        self.load_backup_mwh = np.zeros(n_loads)
        self.fuel_out_events = np.zeros(n_loads, dtype=int)
        self.fuel_burnt_l = np.zeros(n_loads)
        self.fuel_delivered_l = np.zeros(n_loads)
        # Everything an hour needs that does not depend on the run's state, for every hour at once.
        hours = hours_of_run(scenario.horizon_h)
        self._month_h = month_of_hours(scenario.start, hours)  # 0 = January
        self._demand_h = np.array([demand_mw(a.demand, hours, self.day0) for a in self.areas]).reshape(n_areas, len(hours))
        self._base_h = [fleet.base_mw(hours) for fleet in self.fleets]
        self._inflow_h = [fleet.inflows(self._month_h) for fleet in self.fleets]
        self._bin_h = recorder.bins(hours)
        self.hour_demand = np.zeros((n_areas, len(hours)))  # MWh per area and hour, for the service indices
        self.hour_served = np.zeros((n_areas, len(hours)))
        self._process = None
        self._asleep: tuple[int, int, list] | None = None  # (first hour, hours, plans) of a quiet stretch
        self._poked = False

    def _road_h(self, origin: str, target: str) -> float:
        """Hours by road from node ``origin`` to node ``target`` on the network as it is now
        (``network.travel.travel_time_h``); ``inf`` when no open road leads there."""
        net = self.scenario.network
        return travel_time_h(net, self.state.link_open, self.state.speed_factors, net.node_index[origin],
                             [net.node_index[target]], ("road",))

    def _links(self, names: list[str]) -> list[int]:
        out: list[int] = []
        for name in names:
            found = self.scenario.network.resolve_target(name)
            if found:
                out += found[0]
        return out

    # --------------------------------------------------------------- effects
    def apply(self, key: str, targets: tuple[str, ...], effect: Effect) -> None:
        """Start effect ``key`` on power assets; the active keys name the cause of any cascade."""
        self._poke()
        self._active[key] = (targets, effect)
        self._transport_cache = None
        storm = [name for name in targets if name in self.grids.index]
        for grid, out, faults in self.grids.storm_start(key, storm, self.env.now) if storm else ():
            self.recorder.event(self.env.now, "grid-outage", grid, f"{key}: {out:,} customers out in {faults} faults")

    def revert(self, key: str) -> None:
        self._poke()
        self._active.pop(key, None)
        self._transport_cache = None
        if self.grids:
            self.grids.storm_end(key, self.env.now)

    def _factor(self, target: str, field: str) -> float:
        value = 1.0
        for targets, effect in self._active.values():
            if target in targets:
                if effect.close and field != "demand_factor":
                    return 0.0
                value *= getattr(effect, field)
        return value

    # --------------------------------------------------------------- process
    def start(self) -> None:
        self._process = self.env.process(self._hourly())

    def _hourly(self):
        """One balance per hour; a stretch of quiet hours (no power effect active, every load
        powered, every area covering its own demand) is booked in one go, in arrears: when an
        effect starts (or a fuel order fails) during the stretch, the hours that began before it
        are booked and the hourly balance takes over. The result equals the hour-by-hour loop."""
        env = self.env
        while True:
            h = int(round(env.now))
            plan = self._quiet_plan(h) if self._quiet() else None
            if plan is not None and plan[1] >= 2:
                self._asleep, self._poked = plan, False
                try:
                    yield env.timeout(plan[1])
                    self._book_quiet(h + plan[1])
                except simpy.Interrupt:
                    upto = math.ceil(env.now - 1e-9)
                    self._book_quiet(upto)
                    if upto > env.now:
                        yield env.timeout(upto - env.now)
                continue
            self._balance_hour(env.now)
            yield env.timeout(1.0)

    def _poke(self) -> None:
        """Something that a quiet stretch assumed unchanged changed: end the stretch now."""
        if self._asleep is not None and not self._poked and self.env.active_process is not self._process:
            self._poked = True
            self._process.interrupt("power state changed")

    def _quiet(self) -> bool:
        return not self._active and self.load_powered.all() and not self.general_unserved_share.any()

    def _quiet_plan(self, h: int) -> tuple[int, int, list] | None:
        """(h, n, plans): the next ``n`` hours from ``h`` are quiet (see ``AreaGeneration.quiet_plan``);
        None while a backup tank waits for a refill order to be placed (the hourly balance places it)."""
        if any(self.tank_l[j] + self.fuel_on_order_l[j] < self.loads[j].backup.reorder_l for j in self._with_backup):
            return None
        end = min(h + QUIET_WINDOW_H, len(self._bin_h))
        n, plans = end - h, []
        for i, fleet in enumerate(self.fleets):
            m, plan = fleet.quiet_plan(self._demand_h[i, h:end], self._base_h[i][:, h:end], self._inflow_h[i][:, h:end])
            n = min(n, m)
            plans.append(plan)
        return h, n, plans

    def _book_quiet(self, upto: int) -> None:
        """Book the quiet hours of the pending stretch that start before hour ``upto``."""
        if self._asleep is None:
            return
        h, n, plans = self._asleep
        self._asleep = None
        m = max(0, min(upto, h + n) - h)
        if m == 0:
            return
        bins = self._bin_h[h:h + m]
        keep = bins >= 0
        demand = self._demand_h[:, h:h + m]
        self.hour_demand[:, h:h + m] = demand
        self.hour_served[:, h:h + m] = demand
        for i, fleet in enumerate(self.fleets):
            np.add.at(self.rec_demand[i], bins[keep], demand[i, keep])
            np.add.at(self.rec_served[i], bins[keep], demand[i, keep])
            if fleet.has_reservoir:
                stored = fleet.stored_after(plans[i], m)
                # the content at the end of each record step: the last hour booked in the step
                last_first, idx = np.unique(bins[keep][::-1], return_index=True)
                self.rec_stored[i, last_first] = stored[keep][::-1][idx]
            fleet.commit(plans[i], m)

    def _month(self, t: float) -> int:
        return int(self._month_h[int(round(t))]) if 0 <= t < len(self._month_h) else \
            (self.scenario.start + dt.timedelta(hours=t)).month - 1

    def _produce(self, t: float, produced: np.ndarray, available: list[np.ndarray]) -> None:
        """Book one hour of production per area on its generators (reservoirs lose energy)."""
        k = self.recorder._bin(t)
        month = self._month(t)
        for i, fleet in enumerate(self.fleets):
            if fleet.has_reservoir:
                fleet.produce(float(produced[i]), available[i], self._factor, month)
                if k >= 0:
                    self.rec_stored[i, k] = fleet.stored_total_mwh(self._factor)

    def _balance_hour(self, t: float) -> None:
        h = int(round(t))
        demand = self._demand_h[:, h].copy() if 0 <= h < self._demand_h.shape[1] else \
            np.array([float(demand_mw(a.demand, t, self.day0)) for a in self.areas])
        if self._active:
            demand *= [self._factor(a.id, "demand_factor") for a in self.areas]
        month = self._month(t)
        available = [fleet.available(t, self._factor, self._factor(a.id, "capacity_factor"), month)
                     for fleet, a in zip(self.fleets, self.areas)]
        generation = np.array([av.sum() for av in available])
        quiet = not self._active and self.load_powered.all() and self.general_unserved_share.max(initial=0.0) == 0.0
        if (generation >= demand - 1e-9).all():
            served = demand.copy()
            self._produce(t, demand, available)
            if quiet:
                # Fast path for the ordinary hour: every area covers itself, no power asset is
                # disrupted and every critical load already has grid power, so nothing changes.
                self._record_hour(t, h, demand, served)
                for j in self._with_backup:  # tanks drained in an earlier outage still get refilled
                    self._maybe_order_fuel(j)
                return
        else:
            served, produced = self._max_flow(demand, generation)
            self._produce(t, produced, available)
        shortfall = np.maximum(demand - served, 0.0)
        self._shed(t, demand, shortfall)
        self._record_hour(t, h, demand, served)
        self.shed_hours += shortfall > 1e-6
        self.peak_shortfall_mw = np.maximum(self.peak_shortfall_mw, shortfall)
        for j in self._with_backup:
            self._maybe_order_fuel(j)

    def _record_hour(self, t: float, h: int, demand: np.ndarray, served: np.ndarray) -> None:
        """Book the hour's MWh in its recording step and in the hourly series."""
        k = self.recorder._bin(t)
        if k >= 0:
            self.rec_demand[:, k] += demand
            self.rec_served[:, k] += served
        if 0 <= h < self.hour_demand.shape[1]:
            self.hour_demand[:, h] = demand
            self.hour_served[:, h] = served

    def _transport(self) -> tuple[FlowGraph, list[float], list[int], list[int]]:
        """The hour's transport problem apart from generation and demand, kept until a power effect
        starts or ends: (graph, capacity per arc with the areas' arcs at 0, arc source → area i,
        arc area i → sink). Nodes and arcs are in the order ``networkx.DiGraph`` gives when the
        arcs are added as listed: source → area and area → sink per area, source → external
        (``export_mw`` × factor), then each interconnector direction whose limit × factor is
        positive, parallel lines summed into one arc."""
        if self._transport_cache is not None:
            return self._transport_cache
        adj: dict[str, dict[str, float]] = {}

        def add(a: str, b: str, cap: float) -> None:
            adj.setdefault(a, {})
            adj.setdefault(b, {})
            if b in adj[a]:
                adj[a][b] += cap
            else:
                adj[a][b] = cap

        for area in self.areas:
            add("source", area.id, 0.0)
            add(area.id, "sink", 0.0)
        for ext in self.externals:
            add("source", ext.id, float(ext.export_mw * self._factor(ext.id, "capacity_factor")))
        for line in self.lines:
            factor = self._factor(line.id, "capacity_factor")
            for a, b, cap in ((line.from_, line.to, line.capacity_mw), (line.to, line.from_, line.reverse_capacity_mw)):
                if cap * factor > 0:
                    add(a, b, cap * factor)
        arcs = [(u, v) for u, out in adj.items() for v in out]
        position = {arc: k for k, arc in enumerate(arcs)}
        self._transport_cache = (FlowGraph(list(adj), arcs), [adj[u][v] for u, v in arcs],
                                 [position["source", a.id] for a in self.areas],
                                 [position[a.id, "sink"] for a in self.areas])
        return self._transport_cache

    def _max_flow(self, demand: np.ndarray, generation: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(served, produced) MW per area: the maximum flow of the hour's transport problem
        (``_transport``), solved by ``maxflow.FlowGraph`` — networkx's Edmonds–Karp, as networkx's
        ``maximum_flow(..., flow_func=edmonds_karp)`` would split it where the maximum can be
        reached in several ways."""
        graph, fixed, from_source, to_sink = self._transport()
        capacity = list(fixed)
        for i in range(len(self.areas)):
            capacity[from_source[i]] = float(generation[i])
            capacity[to_sink[i]] = float(demand[i])
        flow = graph.solve(capacity, "source", "sink")
        return np.array([flow[k] for k in to_sink]), np.array([flow[k] for k in from_source])

    def _shed(self, t: float, demand: np.ndarray, shortfall: np.ndarray) -> None:
        k = self.recorder._bin(t)
        for i, area in enumerate(self.areas):
            mine = self._loads_of_area[i]
            general = max(demand[i] - self._critical_mw[i], 0.0)
            from_general = min(shortfall[i], general)
            self.general_unserved_share[i] = from_general / general if general > 0 else 0.0
            left = shortfall[i] - from_general
            grid_cut = set()
            for j in sorted(mine, key=lambda j: -self.loads[j].priority):
                if left <= 1e-9:
                    break
                grid_cut.add(j)
                left -= self.loads[j].mw
            ens_critical = 0.0
            for j in mine:
                load = self.loads[j]
                grid_ok = (j not in grid_cut and self._factor(load.id, "capacity_factor") > 0
                           and not (load.grid and self.grids.load_cut(j, t)))
                powered = grid_ok or self._run_backup(j, t)
                if not powered:
                    ens_critical += load.mw
                    self.load_ens_mwh[j] += load.mw
                self._set_powered(j, powered, grid_ok, t)
            if k >= 0:
                self.rec_ens_general[i, k] += from_general
                self.rec_ens_critical[i, k] += ens_critical
        self._shedding = bool(self.general_unserved_share.any())

    def _run_backup(self, j: int, t: float) -> bool:
        backup = self.loads[j].backup
        if backup is None:
            return False
        need = min(backup.mw, self.loads[j].mw) * backup.fuel_l_per_mwh
        if backup.mw < self.loads[j].mw - 1e-9 or self.tank_l[j] < need:
            if self.tank_l[j] < need and self.load_powered[j]:
                self.fuel_out_events[j] += 1
                self.recorder.event(t, "fuel-out", self.loads[j].id, f"backup generator of {self.loads[j].id} has no fuel left")
            return False
        self.tank_l[j] -= need
        self.fuel_burnt_l[j] += need
        self.load_backup_mwh[j] += self.loads[j].mw
        return True

    def _maybe_order_fuel(self, j: int) -> None:
        backup = self.loads[j].backup
        if backup is None or self.tank_l[j] + self.fuel_on_order_l[j] >= backup.reorder_l:
            return
        litres = backup.tank_l - self.tank_l[j] - self.fuel_on_order_l[j]
        if litres <= 0:
            return
        self.fuel_on_order_l[j] += litres
        net = self.scenario.network
        load = self.loads[j]

        def done(consignment, delivered: bool, j=j, litres=litres):
            self._poke()
            self.fuel_on_order_l[j] -= litres
            if delivered:
                self.tank_l[j] = min(backup.tank_l, self.tank_l[j] + litres)
                self.fuel_delivered_l[j] += litres

        self.freight.ship(net.node_index[backup.depot], net.node_index[load.node], "fuel", litres * DIESEL_T_PER_L,
                          backup.modes, backup.deadline, done)

    def _set_powered(self, j: int, powered: bool, grid_ok: bool, t: float) -> None:
        if powered == self.load_powered[j]:
            return
        self.load_powered[j] = powered
        load = self.loads[j]
        causes = ", ".join(sorted(set(self._active))) or "shortfall in the area"
        if not powered:
            self.recorder.event(t, "cascade", load.id, f"{load.name or load.id} without power (cause: {causes})")
        else:
            self.recorder.event(t, "cascade", load.id, f"{load.name or load.id} has power again")
        for dep, links in self._rail_deps:
            if dep.load != load.id or not links:
                continue
            key = f"power:{dep.id}"
            if not powered and not self.state.is_active(key):
                self.state.apply(key, links, (), Effect(unpowered=True))
                self.recorder.event(t, "cascade", ", ".join(dep.links),
                                    f"no traction power from {load.id}: electric trains stop ({dep.id})")
            elif powered and self.state.is_active(key):
                self.state.revert(key)
                self.recorder.event(t, "cascade", ", ".join(dep.links), f"traction power back ({dep.id})")

    def area_unserved_share(self, area_id: str) -> float:
        """Share of the area's general load shed in the last hour (0 when the area is unknown)."""
        i = self.area_index.get(area_id)
        return 0.0 if i is None else float(self.general_unserved_share[i])

    def cold_chain_at_risk(self) -> bool:
        """False when no area sheds general load and no local grid has a fault: nothing can spoil."""
        return self._shedding or bool(self.grids and self.grids.f_grid)

    def local_out_share(self, node: str) -> float:
        """Share of the customers of the local grids at ``node`` without power now."""
        return self.grids.out_share(node, self.env.now) if self.grids else 0.0

    def record(self) -> PowerRecord:
        self._book_quiet(math.ceil(self.env.now - 1e-9))
        local = self.grids.measures(self.scenario.horizon_h, self.recorder.step_h, self.rec_demand.shape[1])
        return PowerRecord(
            grids=[g.id for g in self.grids.specs], grid_customers_out=local["customers_out"],
            grid_customer_hours=local["customer_hours"], grid_ens_mwh=local["ens_mwh"], grid_peak_out=local["peak"],
            areas=[a.id for a in self.areas], demand=self.rec_demand, served=self.rec_served,
            ens_general=self.rec_ens_general, ens_critical=self.rec_ens_critical, shed_hours=self.shed_hours,
            peak_shortfall_mw=self.peak_shortfall_mw, loads=[ld.id for ld in self.loads],
            load_priority=np.array([ld.priority for ld in self.loads]), load_ens_mwh=self.load_ens_mwh,
            load_backup_mwh=self.load_backup_mwh, fuel_out_events=self.fuel_out_events, stored_mwh=self.rec_stored,
            hourly_demand=self.hour_demand, hourly_served=self.hour_served,
        )
