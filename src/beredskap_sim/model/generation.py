"""Generation of one power area: capacity (MW) apart from energy (MWh).

A grid operator asks two different questions of a fleet: *how many MW can it give this hour*
(installed capacity × availability × a weather profile, e.g. wind in a calm week) and *how
many MWh are left* (a hydro reservoir holds a finite energy, fed by inflow). This module
answers both, hour by hour:

* available MW of generator g in hour h::

      a_g(h) = capacity_g × availability_g × profile_g[⌊h / profile_step⌋ mod len] × f_g(h)

  with ``f_g`` the product of active ``capacity_factor`` effects on ``AREA:TYPE`` and on the
  area;
* a **reservoir** generator (``energy_mwh`` or ``reservoir_mwh`` given) also cannot give more
  in one hour than its stored energy above ``reserve_mwh``::

      E_g(h) = e_g(h) · (E0_g + Σ inflow_g) − Σ produced_g − Σ spilled_g   (MWh, sums over the hours before h)
      a_g(h) ← min(a_g(h), max(E_g(h) + e_g(h)·inflow_g − reserve_g, 0))

  (the hour's own inflow can be used in that hour);

  where ``e_g`` is the product of active factors on ``AREA:TYPE:energy`` (a dry year scales
  the start content and the inflow — energy, not MW). ``E0`` is ``energy_mwh``, or
  ``reservoir_mwh × filling_by_month[start month]``; the inflow is ``inflow_by_month`` of the
  hour's month (or ``inflow_mw``); content above ``reservoir_mwh`` spills;
* what the area produces in an hour is taken from generators *without* an energy limit first
  (wind, run-of-river, thermal: unused, it is lost), then from reservoirs in file order.

Reference: the energy-versus-capacity distinction of hydro-dominated systems, e.g. Statnett's
and NVE's separate "energy" (TWh, reservoir filling) and "effekt" (MW, peak hour) balances.
"""

from __future__ import annotations

import numpy as np


class AreaGeneration:
    """The generators of one area, with the reservoirs' energy bookkeeping."""

    def __init__(self, area, start_month: int = 0) -> None:
        self.area_id = area.id
        self.gens = list(area.generation)
        self.keys = [f"{area.id}:{g.type}" for g in self.gens]
        self.energy_keys = [f"{area.id}:{g.type}:energy" for g in self.gens]
        self.reservoir = [g.is_reservoir for g in self.gens]
        self.has_reservoir = any(self.reservoir)
        self.e0 = [(g.energy_mwh if g.energy_mwh is not None else g.reservoir_mwh * g.filling_by_month[start_month])
                   if g.is_reservoir else 0.0 for g in self.gens]
        n = len(self.gens)
        self.inflow_cum = np.zeros(n)
        self.used_cum = np.zeros(n)
        self.spilled_cum = np.zeros(n)
        self._order = [j for j in range(n) if not self.reservoir[j]] + [j for j in range(n) if self.reservoir[j]]

    def stored_mwh(self, j: int, factor) -> float:
        """Energy in reservoir ``j`` now (MWh); ``factor(name, field)`` reads the active effects."""
        return factor(self.energy_keys[j], "capacity_factor") * (self.e0[j] + self.inflow_cum[j]) - self.used_cum[j] - self.spilled_cum[j]

    @staticmethod
    def inflow(g, month: int) -> float:
        """Inflow of reservoir ``g`` in an hour of ``month`` (0 = January), MWh."""
        return g.inflow_by_month[month] if g.inflow_by_month is not None else g.inflow_mw

    def stored_total_mwh(self, factor) -> float:
        return sum(self.stored_mwh(j, factor) for j in range(len(self.gens)) if self.reservoir[j])

    def available(self, t_h: float, factor, area_factor: float, month: int = 0) -> np.ndarray:
        """MW each generator can give in the hour starting at ``t_h``."""
        out = np.zeros(len(self.gens))
        for j, g in enumerate(self.gens):
            mw = g.capacity_mw * g.availability * factor(self.keys[j], "capacity_factor") * area_factor
            if g.profile is not None:
                mw *= g.profile[int(t_h // g.profile_step) % len(g.profile)]
            if self.reservoir[j]:
                hour_inflow = factor(self.energy_keys[j], "capacity_factor") * self.inflow(g, month)
                mw = min(mw, max(self.stored_mwh(j, factor) + hour_inflow - g.reserve_mwh, 0.0))
            out[j] = mw
        return out

    def produce(self, mw: float, available: np.ndarray, factor, month: int = 0) -> None:
        """Produce ``mw`` for one hour (non-reservoir generators first); reservoirs lose what
        they give, gain one hour of inflow and spill what is above their capacity."""
        left = mw
        for j in self._order:
            take = min(left, available[j])
            left -= take
            if self.reservoir[j]:
                self.used_cum[j] += take
        for j, g in enumerate(self.gens):
            if self.reservoir[j]:
                self.inflow_cum[j] += self.inflow(g, month)
                if g.reservoir_mwh is not None:
                    self.spilled_cum[j] += max(self.stored_mwh(j, factor) - g.reservoir_mwh, 0.0)

    # ------------------------------------------------------------ quiet stretches
    def base_mw(self, hours: np.ndarray) -> np.ndarray:
        """Available MW without any active effect, generators × ``hours`` (integer hours from the
        start): capacity × availability × profile; reservoirs not yet capped by energy."""
        out = np.empty((len(self.gens), len(hours)))
        for j, g in enumerate(self.gens):
            row = np.full(len(hours), g.capacity_mw * g.availability)
            if g.profile is not None:
                row *= np.asarray(g.profile)[(hours // g.profile_step).astype(int) % len(g.profile)]
            out[j] = row
        return out

    def inflows(self, months: np.ndarray) -> np.ndarray:
        """Inflow MWh per hour, generators × hours, for the hours' months (0 for non-reservoirs)."""
        out = np.zeros((len(self.gens), len(months)))
        for j, g in enumerate(self.gens):
            if self.reservoir[j]:
                out[j] = np.asarray(g.inflow_by_month)[months] if g.inflow_by_month is not None else g.inflow_mw
        return out

    def quiet_plan(self, demand: np.ndarray, base: np.ndarray, inflow: np.ndarray) -> tuple[int, dict]:
        """Vectorised ``available``/``produce`` for consecutive hours with no active effect.

        ``demand`` (hours), ``base`` and ``inflow`` (generators × hours) come from ``base_mw`` and
        ``inflows``. Production is taken as in ``produce`` (non-reservoirs first, then reservoirs
        in file order); a reservoir's content follows the clipped recurrence

            S_t = min(S_{t−1} + inflow_t − take_t, C)  ⇒  S_t = N_t + min(S_0, C − max_{k≤t} N_k)

        with N_t the cumulative net inflow, so a stretch costs a few array operations instead of a
        Python loop per hour. Returns ``(n, plan)``: the first ``n`` hours are exact — the area
        covers its demand and no reservoir's energy limit binds (the hour that breaks this is left
        to the hourly balance); ``plan`` holds the cumulative bookkeeping after each hour.
        """
        n_h = len(demand)
        left = demand.copy()
        takes = np.zeros_like(base)
        for j in self._order:
            takes[j] = np.minimum(left, base[j])
            left = left - takes[j]
        ok = left <= 1e-9
        used = np.zeros_like(base)
        spilled = np.zeros_like(base)
        for j, g in enumerate(self.gens):
            if not self.reservoir[j]:
                continue
            s0 = self.stored_mwh(j, lambda *_: 1.0)
            net = np.cumsum(inflow[j] - takes[j])
            if g.reservoir_mwh is not None:
                level = net + np.minimum(s0, g.reservoir_mwh - np.maximum.accumulate(net))
            else:
                level = s0 + net
            before = np.concatenate(([s0], level[:-1]))
            cap = np.maximum(before + inflow[j] - g.reserve_mwh, 0.0)
            ok &= takes[j] <= cap + 1e-9
            used[j] = np.cumsum(takes[j])
            spilled[j] = np.cumsum(before + inflow[j] - takes[j] - level)
        bad = np.flatnonzero(~ok)
        n = int(bad[0]) if len(bad) else n_h
        return n, {"used": used, "spilled": spilled, "inflow": np.cumsum(inflow, axis=1)}

    def commit(self, plan: dict, n: int) -> None:
        """Book the first ``n`` hours of a ``quiet_plan``."""
        if n <= 0 or not self.has_reservoir:
            return
        self.used_cum += plan["used"][:, n - 1]
        self.spilled_cum += plan["spilled"][:, n - 1]
        self.inflow_cum += plan["inflow"][:, n - 1]

    def stored_after(self, plan: dict, n: int) -> np.ndarray:
        """Total reservoir content after each of the first ``n`` hours of ``plan`` (MWh)."""
        res = [j for j in range(len(self.gens)) if self.reservoir[j]]
        e0 = np.array([self.e0[j] for j in res])[:, None]
        return (e0 + self.inflow_cum[res, None] + plan["inflow"][res, :n] - self.used_cum[res, None]
                - plan["used"][res, :n] - self.spilled_cum[res, None] - plan["spilled"][res, :n]).sum(axis=0)
