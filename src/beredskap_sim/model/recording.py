"""What a run leaves behind: preallocated numpy arrays, filled by bookkeeping in the event loop.

Flows are binned by the recording step (``step_h``): step ``k`` covers ``[k·step, (k+1)·step)``.
Nothing is sampled by a clock process and no pandas is touched while simulating; frames are
made from a finished ``Recording`` by the metrics and results layers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class FoodRecord:
    """Food outcome. Per municipality (order of ``municipalities``) and group (``groups``), tonnes:
    ``start``, ``delivered``, ``consumed``, ``unmet``, ``spoiled``, ``end`` (mass balance:
    start + delivered = consumed + spoiled + end). ``days`` is days of supply at each
    recording step (n_municipalities, n_steps); ``min_days``, ``hours_below`` (threshold),
    ``stockout_hours`` per municipality; ``population`` per municipality."""

    municipalities: list[str]
    groups: list[str]
    population: np.ndarray
    threshold_days: float
    start: np.ndarray
    delivered: np.ndarray
    consumed: np.ndarray
    unmet: np.ndarray
    spoiled: np.ndarray
    end: np.ndarray
    days: np.ndarray
    min_days: np.ndarray
    hours_below: np.ndarray
    stockout_hours: np.ndarray
    # Supply chain: tonnes each municipality ordered from each source (``sources``), transport
    # work of those orders (t·km) and its unit cost, changes of source, lowest stock of each
    # finite warehouse (``warehouses``).
    sources: list[str] = field(default_factory=list)
    ordered_from: np.ndarray | None = None
    transport_tkm: np.ndarray | None = None
    transport_cost_per_tonne_km: float = 0.0
    switches: np.ndarray | None = None
    warehouses: list[str] = field(default_factory=list)
    warehouse_min_t: np.ndarray | None = None
    # Tonnes bought beyond normal need during a hoarding surge (part of ``consumed``), per
    # municipality and group.
    surged: np.ndarray | None = None


@dataclass
class PowerRecord:
    """Power outcome per area (``areas``): MWh per recording step of ``demand``, ``served``,
    ``ens_general`` and ``ens_critical``; ``shed_hours`` and ``peak_shortfall_mw`` per area. Per
    critical load (``loads``, with ``load_priority``): ``load_ens_mwh``, ``load_backup_mwh``,
    ``fuel_out_events``."""

    areas: list[str]
    demand: np.ndarray
    served: np.ndarray
    ens_general: np.ndarray
    ens_critical: np.ndarray
    shed_hours: np.ndarray
    peak_shortfall_mw: np.ndarray
    loads: list[str]
    load_priority: np.ndarray
    load_ens_mwh: np.ndarray
    load_backup_mwh: np.ndarray
    fuel_out_events: np.ndarray
    stored_mwh: np.ndarray | None = None  # reservoir energy per area at the end of each step, MWh (NaN: no reservoir)
    # Local grids (``grids``): mean customers out per step, customer-hours and MWh not served per
    # grid and customer group (households, businesses, critical), peak customers out at once.
    grids: list[str] = field(default_factory=list)
    grid_customers_out: np.ndarray | None = None
    grid_customer_hours: np.ndarray | None = None
    grid_ens_mwh: np.ndarray | None = None
    grid_peak_out: np.ndarray | None = None
    # MWh demanded and served per area in each hour of the run (the balance's own resolution),
    # whatever the recording step: the service indices are computed from these.
    hourly_demand: np.ndarray | None = None
    hourly_served: np.ndarray | None = None


@dataclass
class PassengerRecord:
    """Passenger outcome per service: departures ``run``/``replaced``/``cancelled`` (counted per
    direction), passengers ``carried``, ``stranded_h`` (passenger-hours waiting for a departure
    that runs), ``abandoned`` (trips given up after ``max_wait``) and ``extra_h``
    (passenger-hours of extra travel time); per commuter flow:
    ``commuter_trips``, ``commuter_lost`` and ``commuter_extra_h`` (persons × trips), and the
    workforce measure (see ``model.passengers``)."""

    services: list[str]
    run: np.ndarray
    replaced: np.ndarray
    cancelled: np.ndarray
    carried: np.ndarray
    stranded_h: np.ndarray
    extra_h: np.ndarray
    abandoned: np.ndarray
    commuters: list[str]
    commuter_trips: np.ndarray
    commuter_lost: np.ndarray
    commuter_extra_h: np.ndarray
    # Workforce: critical staff (health and care) per commuter flow, persons; of them, absent
    # from work per calendar day from the start date (n_flows, n_days); day 0 begins at run
    # hour ``day_start_h`` (≤ 0).
    commuter_critical: np.ndarray | None = None
    critical_absent: np.ndarray | None = None
    day_start_h: float = 0.0

    def critical_absent_steps(self, step_h: float, n_steps: int) -> np.ndarray:
        """Critical staff absent on the day of each recording step, per flow (n_flows, n_steps)."""
        if self.critical_absent is None:
            return np.zeros((len(self.commuters), n_steps))
        day = ((np.arange(n_steps) * step_h - self.day_start_h) // 24.0).astype(int)
        return self.critical_absent[:, np.minimum(day, self.critical_absent.shape[1] - 1)]


@dataclass
class CareRecord:
    """Access to emergency care per place (``places``, with ``population``), hours over the
    horizon: ``no_road_h`` without a usable hospital by road within ``threshold_h``;
    ``air_h`` the part of those with an air ambulance that can fly and is free (fractional when
    the helicopters are saturated); ``no_access_h = no_road_h − air_h``. ``steps_no_road`` and
    ``steps_no_access``: the same hours per recording step, shape (n_places, n_steps)."""

    places: list[str]
    population: np.ndarray
    threshold_h: float
    no_road_h: np.ndarray
    air_h: np.ndarray
    no_access_h: np.ndarray
    steps_no_road: np.ndarray
    steps_no_access: np.ndarray


@dataclass
class Recording:
    """The outcome of one replication.

    Freight arrays, tonnes per recording step, shape ``(n_commodities, n_steps)``:

    * ``released`` — consignments released at their origin in the step;
    * ``due`` — tonnes whose undisrupted arrival time (release + base travel time) falls in the step;
    * ``delivered`` — tonnes that reached their destination in the step;
    * ``lost`` — tonnes cancelled in the step before they left their origin (no way to make
      their deadline).

    Totals, tonnes, shape ``(n_commodities, n_nodes)`` by destination: ``demanded_t``,
    ``delivered_t``, ``lost_t`` and ``in_transit_t`` (still on the way at the horizon).
    ``demanded = delivered + lost + in_transit`` holds exactly. ``in_transit_delay_th`` holds,
    per commodity and destination, Σ tonnes × delay up to the horizon of what was still on its
    way there (a censored delay: the consignment was late by at least that much).

    Per delivered consignment: ``delivery_*`` arrays (commodity index, destination index,
    tonnes, delay in hours against the undisrupted travel time, delivery time and release
    time in hours).

    ``events`` is the run's log: ``(time_h, kind, target, detail)``.

    ``due_events`` holds one row per released consignment, ``(commodity index, destination
    index, tonnes, due time in hours)``, the due time being release + undisrupted travel time
    (any value, also past the horizon); ``lost_events`` the same for the cancelled ones. With the
    delivery rows they give the exact performance curve (``metrics.curve``), free of the
    recording step: what is neither delivered nor lost is still on its way at the horizon.
    """

    scenario: str
    seed: int
    replication: int
    horizon_h: float
    step_h: float
    commodities: list[str]
    node_ids: list[str]
    released: np.ndarray
    due: np.ndarray
    delivered: np.ndarray
    lost: np.ndarray
    demanded_t: np.ndarray
    delivered_t: np.ndarray
    lost_t: np.ndarray
    in_transit_t: np.ndarray
    delivery_commodity: np.ndarray
    delivery_dest: np.ndarray
    delivery_tonnes: np.ndarray
    delivery_delay_h: np.ndarray
    delivery_time_h: np.ndarray
    delivery_release_h: np.ndarray
    in_transit_delay_th: np.ndarray = None  # censored tonne-hours of delay of what is in transit at the horizon
    due_by_dest: np.ndarray = None  # tonnes due per destination node and step (all commodities)
    delivered_by_dest: np.ndarray = None  # tonnes delivered per destination node and step
    disruptions: list[tuple] = field(default_factory=list)  # (id, start_h, end_h, links, nodes, kind, cause)
    events: list[tuple[float, str, str, str]] = field(default_factory=list)
    sim_events: int = 0
    wall_s: float = 0.0
    food: FoodRecord | None = None
    power: PowerRecord | None = None
    passengers: PassengerRecord | None = None
    care: CareRecord | None = None
    families: dict = field(default_factory=dict)  # family name -> member commodities (``food`` -> food groups)
    # Transport work (see ``Recorder.carry``): tonne-km per commodity and mode (order of ``modes``),
    # tonnes transshipped between modes per commodity, and tonne-hours since release of what was
    # still on its way (or waiting at its origin) at the horizon, per commodity.
    modes: list[str] = field(default_factory=list)
    tonne_km: np.ndarray = None
    transshipped_t: np.ndarray = None
    in_transit_th: np.ndarray = None
    due_events: np.ndarray | None = None  # (n, 4): commodity, destination, tonnes, due time h (see above)
    lost_events: np.ndarray | None = None  # (n, 4): the same for the cancelled consignments

    def __post_init__(self) -> None:
        if self.in_transit_delay_th is None:  # a recording made by hand, without censored delays
            self.in_transit_delay_th = np.zeros_like(self.demanded_t)
        n = len(self.commodities)
        if self.tonne_km is None:  # a recording made by hand, without transport work
            self.tonne_km = np.zeros((n, len(self.modes)))
        if self.transshipped_t is None:
            self.transshipped_t = np.zeros(n)
        if self.in_transit_th is None:
            self.in_transit_th = np.zeros(n)

    def tonne_hours_in_transport(self) -> np.ndarray:
        """Tonne-hours from release to delivery (delivered) or to the horizon (not yet delivered),
        per commodity: Σ tonnes × (delivered − released) + ``in_transit_th``."""
        hours = self.delivery_tonnes * (self.delivery_time_h - self.delivery_release_h)
        return np.bincount(self.delivery_commodity, weights=hours, minlength=len(self.commodities)) + self.in_transit_th

    @property
    def n_steps(self) -> int:
        return self.released.shape[1]

    @property
    def times_h(self) -> np.ndarray:
        """Start of each recording step, hours."""
        return np.arange(self.n_steps) * self.step_h

    def backlog_t(self) -> np.ndarray:
        """Tonnes in the system (released, neither delivered nor lost) at the end of each step, per commodity."""
        return np.cumsum(self.released - self.delivered - self.lost, axis=1)


def _array(rows: list[list[float]], columns: int) -> np.ndarray:
    """A list of equal rows as a 2-D float array (also when there are no rows)."""
    return np.array(rows, dtype=float).reshape(len(rows), columns)


class Recorder:
    """Collects flows into a ``Recording`` during a run (O(1) per call)."""

    def __init__(self, scenario: str, seed: int, replication: int, horizon_h: float, step_h: float,
                 commodities: list[str], node_ids: list[str]):
        self.meta = (scenario, seed, replication, horizon_h, step_h, list(commodities), list(node_ids))
        self.horizon_h = horizon_h
        self.step_h = step_h
        n_steps = max(1, math.ceil(horizon_h / step_h - 1e-9))
        shape = (len(commodities), n_steps)
        self.n_steps = n_steps
        # Sums the event loop adds to one cell at a time, kept as lists of Python floats (the same
        # additions in the same order as on numpy arrays, without numpy's per-element cost) and
        # turned into arrays by ``finish``.
        self._released = [[0.0] * n_steps for _ in commodities]
        self._due = [[0.0] * n_steps for _ in commodities]
        self._delivered = [[0.0] * n_steps for _ in commodities]
        self._demanded_t = [[0.0] * len(node_ids) for _ in commodities]
        self._delivered_t = [[0.0] * len(node_ids) for _ in commodities]
        self._due_by_dest = [[0.0] * n_steps for _ in node_ids]
        self._delivered_by_dest = [[0.0] * n_steps for _ in node_ids]
        self.lost = np.zeros(shape)
        totals = (len(commodities), len(node_ids))
        self.lost_t = np.zeros(totals)
        self.in_transit_delay_th = np.zeros(totals)
        self._deliveries: list[tuple[int, int, float, float, float, float]] = []
        self.disruptions: list[tuple] = []
        self.events: list[tuple[float, str, str, str]] = []
        # tonnes set off along each arc, per commodity: {arc: tonnes} (``carry``)
        self._arc_tonnes: list[dict[int, float]] = [{} for _ in commodities]
        self._last_bin = n_steps - 1
        self._transshipped = np.zeros(len(commodities))
        self._in_transit_th = np.zeros(len(commodities))
        self._geometry = ([], np.zeros(0, dtype=np.int64), np.zeros(0))
        self._dues: list[tuple[int, int, float, float]] = []
        self._lost_dues: list[tuple[int, int, float, float]] = []

    def _bin(self, t: float) -> int:
        """Step index of time ``t``, or -1 when ``t`` is at or after the horizon."""
        if t >= self.horizon_h:
            return -1
        # The tolerance keeps sums of floats that land a hair below a step boundary in the
        # step they belong to, so due and delivered tonnes of an on-time consignment share a bin.
        k = int(t / self.step_h + 1e-9)
        return k if k < self._last_bin else self._last_bin

    def bins(self, times: np.ndarray) -> np.ndarray:
        """``_bin`` of every time in ``times`` at once (the same float operations): step index,
        -1 at or after the horizon."""
        times = np.asarray(times, dtype=float)
        k = np.minimum((times / self.step_h + 1e-9).astype(int), self._last_bin)
        k[times >= self.horizon_h] = -1
        return k

    def release(self, commodity: int, dest: int, tonnes: float, t: float, due_t: float) -> None:
        self._demanded_t[commodity][dest] += tonnes
        self._dues.append((commodity, dest, tonnes, due_t))
        k = self._bin(t)
        if k >= 0:
            self._released[commodity][k] += tonnes
        k = self._bin(due_t)
        if k >= 0:
            self._due[commodity][k] += tonnes
            self._due_by_dest[dest][k] += tonnes

    def deliver(self, commodity: int, dest: int, tonnes: float, t: float, delay_h: float, release_h: float) -> None:
        self._delivered_t[commodity][dest] += tonnes
        k = self._bin(t)
        self._delivered[commodity][k] += tonnes
        self._delivered_by_dest[dest][k] += tonnes
        self._deliveries.append((commodity, dest, tonnes, delay_h, t, release_h))

    def lose(self, commodity: int, dest: int, tonnes: float, t: float, due_h: float | None = None) -> None:
        """Tonnes cancelled at ``t``; ``due_h``: their undisrupted arrival time (for ``lost_events``)."""
        if due_h is not None:
            self._lost_dues.append((commodity, dest, tonnes, due_h))
        self.lost_t[commodity, dest] += tonnes
        self.lost[commodity, max(0, self._bin(t))] += tonnes

    def censor(self, commodity: int, dest: int, tonnes: float, delay_h: float) -> None:
        """A consignment still on its way at the horizon, late by at least ``delay_h``."""
        self.in_transit_delay_th[commodity, dest] += tonnes * delay_h

    def carry(self, commodity: int, arc: int, tonnes: float) -> None:
        """``tonnes`` of ``commodity`` set off along ``arc`` (tonne-km follow from the arc's length)."""
        carried = self._arc_tonnes[commodity]
        carried[arc] = carried.get(arc, 0.0) + tonnes

    def transship(self, commodity: int, tonnes: float) -> None:
        """``tonnes`` changed mode at a terminal."""
        self._transshipped[commodity] += tonnes

    def in_transport(self, commodity: int, tonnes: float, hours: float) -> None:
        """At the horizon, ``tonnes`` had been on their way (or waiting at the origin) ``hours`` since release."""
        self._in_transit_th[commodity] += tonnes * hours

    def arc_geometry(self, modes, arc_mode: np.ndarray, arc_length_km: np.ndarray) -> None:
        """The mode names and, per arc, the mode index and length (km) that turn ``carry`` into tonne-km."""
        self._geometry = (list(modes), np.asarray(arc_mode), np.asarray(arc_length_km, dtype=float))

    def _tonne_km(self) -> np.ndarray:
        modes, arc_mode, length = self._geometry
        out = np.zeros((len(self._transshipped), len(modes)))
        for ci, carried in enumerate(self._arc_tonnes):
            for arc, tonnes in carried.items():
                out[ci, arc_mode[arc]] += tonnes * length[arc]
        return out

    def event(self, t: float, kind: str, target: str, detail: str = "") -> None:
        self.events.append((float(t), kind, target, detail))

    def finish(self, sim_events: int, wall_s: float) -> Recording:
        rows = np.array(self._deliveries, dtype=float).reshape(-1, 6)
        n_nodes = len(self.meta[6])
        demanded_t, delivered_t = _array(self._demanded_t, n_nodes), _array(self._delivered_t, n_nodes)
        in_transit = demanded_t - delivered_t - self.lost_t
        in_transit[np.abs(in_transit) < 1e-9] = 0.0
        return Recording(
            *self.meta,
            released=_array(self._released, self.n_steps),
            due=_array(self._due, self.n_steps),
            delivered=_array(self._delivered, self.n_steps),
            lost=self.lost,
            demanded_t=demanded_t,
            delivered_t=delivered_t,
            lost_t=self.lost_t,
            in_transit_t=in_transit,
            in_transit_delay_th=self.in_transit_delay_th,
            delivery_commodity=rows[:, 0].astype(np.int32),
            delivery_dest=rows[:, 1].astype(np.int32),
            delivery_tonnes=rows[:, 2],
            delivery_delay_h=rows[:, 3],
            delivery_time_h=rows[:, 4],
            delivery_release_h=rows[:, 5],
            due_by_dest=_array(self._due_by_dest, self.n_steps),
            delivered_by_dest=_array(self._delivered_by_dest, self.n_steps),
            disruptions=list(self.disruptions),
            events=sorted(self.events, key=lambda e: e[0]),
            sim_events=sim_events,
            wall_s=wall_s,
            modes=list(self._geometry[0]),
            tonne_km=self._tonne_km(),
            transshipped_t=self._transshipped.copy(),
            in_transit_th=self._in_transit_th.copy(),
            due_events=np.array(self._dues, dtype=float).reshape(-1, 4),
            lost_events=np.array(self._lost_dues, dtype=float).reshape(-1, 4),
        )
