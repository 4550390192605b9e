"""Local (distribution) grids: a storm puts customers out, crews restore them.

The picture is a grid company's outage map after a storm: thousands of customers behind a few
hundred faults (a tree on a line takes out the feeder section behind it), crews that cannot
start while the storm blows, then work through the faults one at a time — travel to the
fault, repair it. Bookkeeping only, no SimPy process:

* **Storm start** (a disruption on the grid's id): ``n = round(fragility × customers)``
  customers go out, in ``⌈n / customers_per_fault⌉`` faults of ``customers_per_fault``
  customers (the last one smaller), each fault split over households, businesses and critical
  customers in proportion to their numbers. A critical load of the area with ``grid:`` this
  grid gets a fault of its own (its feeder line).
* **Storm end** (the disruption ends): crews take the faults in order — critical loads' lines
  first, then the others in the order they arose. A fault's crew is the first free one;
  restore time = max(storm end, crew free) + ``travel_time_h`` + ``repair``. With c crews,
  travel T and repair R starting at the storm end E, fault j (0-based) is back at
  ``E + (⌊j / c⌋ + 1) × (T + R)``.
* **Crews from a base** (``crews.base``): each crew first drives from its base to the grid's
  node over the roads as they are at dispatch (``road_h``, the live network's shortest time,
  ``network.travel``), then works as above: fault j is back at
  ``E + D + (⌊j / c⌋ + 1) × (T + R)`` with D the drive. While no open road leads from the base
  to the grid, the faults wait and are dispatched again when the network changes (a road
  reopens): E is then the reopening time. So a closed road delays repair (Lierne, Feb 2024).
* **Measures**: customers out over time (mean per recording step), customer-hours
  ``Σ customers × (restore − start)`` (to the horizon when not yet restored), energy not
  served per customer group ``customer-hours × kW / 1000`` (MWh).

Simplifications: faults are not placed on a map (T is the same for every fault); the drive
from the base is planned at dispatch (a road closing after the crews left does not stop
them) and made once per storm; the storm's faults all arise at its start.
"""

from __future__ import annotations

import math

import numpy as np

GROUPS = ("households", "businesses", "critical")


def travel_time_h(grid, fault: int) -> float:
    """Hours for a crew of ``grid``, in the grid's area, to reach fault number ``fault``
    (``crews.travel``, the same for every fault: faults have no place on the map)."""
    return grid.crews.travel


class LocalGrids:
    """Faults and crews of every local grid of a run."""

    def __init__(self, specs, critical_loads, road_h=None) -> None:
        """``road_h(origin node id, target node id) -> hours`` (``inf``: no open road) is the
        live network's drive time for crews with a base; without it bases are ignored."""
        self.specs = list(specs)
        self.road_h = road_h
        self._blocked: list[int] = []  # faults whose crews find no open road from their base
        self.index = {g.id: i for i, g in enumerate(self.specs)}
        self.customers = np.array([[getattr(g, name).customers for name in GROUPS] for g in self.specs], dtype=float).reshape(-1, 3)
        self.kw = np.array([[getattr(g, name).kw for name in GROUPS] for g in self.specs], dtype=float).reshape(-1, 3)
        self.loads_of_grid = [[j for j, ld in enumerate(critical_loads) if ld.grid == g.id] for g in self.specs]
        self.crew_free = [[0.0] * g.crews.size for g in self.specs]
        # One row per fault: grid, start, restore (inf until assigned), customers per group, load (−1: none)
        self.f_grid: list[int] = []
        self.f_start: list[float] = []
        self.f_restore: list[float] = []
        self.f_customers: list[np.ndarray] = []
        self.f_load: list[int] = []
        self._pending: dict[str, list[int]] = {}

    def __bool__(self) -> bool:
        return bool(self.specs)

    def _add(self, grid: int, t: float, customers: np.ndarray, load: int) -> int:
        self.f_grid.append(grid)
        self.f_start.append(t)
        self.f_restore.append(math.inf)
        self.f_customers.append(customers)
        self.f_load.append(load)
        return len(self.f_grid) - 1

    def storm_start(self, key: str, grid_ids, t: float) -> list[tuple[str, int, int]]:
        """Put customers out on ``grid_ids`` at ``t``; returns (grid id, customers out, faults)."""
        report = []
        mine = self._pending.setdefault(key, [])
        for gid in grid_ids:
            i = self.index[gid]
            spec = self.specs[i]
            total = self.customers[i].sum()
            out = int(round(spec.fragility * total))
            share = self.customers[i] / total if total > 0 else np.zeros(3)
            for j in self.loads_of_grid[i]:
                mine.append(self._add(i, t, np.zeros(3), j))
            n_faults = math.ceil(out / spec.customers_per_fault)
            for f in range(n_faults):
                size = min(spec.customers_per_fault, out - f * spec.customers_per_fault)
                mine.append(self._add(i, t, share * size, -1))
            report.append((gid, out, n_faults))
        return report

    def storm_end(self, key: str, t: float) -> None:
        """The storm is over at ``t``: crews take its faults, critical loads' lines first."""
        self._dispatch(self._pending.pop(key, []), t)

    def network_changed(self, t: float) -> None:
        """The roads changed at ``t``: faults waiting for a road from their crews' base try again."""
        if self._blocked:
            waiting, self._blocked = self._blocked, []
            self._dispatch(waiting, t)

    def drive_h(self, i: int) -> float:
        """Hours from grid ``i``'s crew base to its node on the roads now (0 without a base)."""
        base = self.specs[i].crews.base
        if base is None or self.road_h is None or base == self.specs[i].node:
            return 0.0
        return self.road_h(base, self.specs[i].node)

    def _dispatch(self, faults: list[int], t: float) -> None:
        """Assign ``faults`` to crews at ``t`` (see the module docstring); those of a grid its
        crews cannot reach by road wait in ``_blocked``."""
        drive: dict[int, float] = {}
        set_out: set[tuple[int, int]] = set()  # crews that have made the drive in this dispatch
        for f in sorted(faults, key=lambda f: (self.f_load[f] < 0, f)):
            i = self.f_grid[f]
            spec = self.specs[i]
            if i not in drive:
                drive[i] = self.drive_h(i)
            if math.isinf(drive[i]):
                self._blocked.append(f)
                continue
            free = self.crew_free[i]
            c = min(range(len(free)), key=free.__getitem__)
            start = max(free[c], t)
            if (i, c) not in set_out:
                start += drive[i]
                set_out.add((i, c))
            done = start + travel_time_h(spec, f) + spec.crews.repair
            free[c] = done
            self.f_restore[f] = done

    def load_cut(self, load: int, t: float) -> bool:
        """True while critical load ``load`` has an unrepaired feeder fault at ``t``."""
        return any(self.f_load[f] == load and self.f_start[f] <= t < self.f_restore[f] for f in range(len(self.f_load)))

    def out_share(self, node: str, t: float) -> float:
        """Share of the customers of the grids at ``node`` without power at ``t`` (0 if none)."""
        if not self.f_grid:
            return 0.0
        grids = [i for i, g in enumerate(self.specs) if g.node == node]
        total = sum(self.customers[i].sum() for i in grids)
        if not grids or total <= 0:
            return 0.0
        out = sum(self.f_customers[f].sum() for f in range(len(self.f_grid))
                  if self.f_grid[f] in grids and self.f_start[f] <= t < self.f_restore[f])
        return float(out / total)

    def measures(self, horizon_h: float, step_h: float, n_steps: int) -> dict[str, np.ndarray]:
        """Customers out per step (mean), customer-hours and MWh not served per grid and group,
        and the peak number of customers out at once per grid."""
        n = len(self.specs)
        out_series = np.zeros((n, n_steps))
        hours = np.zeros((n, 3))
        peak = np.zeros(n)
        edges = np.arange(n_steps + 1) * step_h
        for f in range(len(self.f_grid)):
            i, start = self.f_grid[f], self.f_start[f]
            end = min(self.f_restore[f], horizon_h)
            customers = self.f_customers[f]
            hours[i] += customers * max(end - start, 0.0)
            overlap = np.clip(np.minimum(edges[1:], end) - np.maximum(edges[:-1], start), 0.0, None)
            out_series[i] += customers.sum() * overlap / step_h
        for f in range(len(self.f_grid)):  # the count is highest just after some fault starts
            i, t = self.f_grid[f], self.f_start[f]
            now = sum(self.f_customers[g].sum() for g in range(len(self.f_grid))
                      if self.f_grid[g] == i and self.f_start[g] <= t < self.f_restore[g])
            peak[i] = max(peak[i], now)
        return {"customers_out": out_series, "customer_hours": hours, "ens_mwh": hours * self.kw / 1000.0,
                "peak": peak}
