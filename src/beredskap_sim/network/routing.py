"""Generalized cost to a destination, per traffic class, on ``scipy.sparse.csgraph``.

A *traffic class* is (allowed modes mask, commodity, electric traction, vehicle limits: the
flow's axle load and gross weight, ``scenario.vehicle_limits``). For a class, every arc
has a cost in hours-equivalent::

    cost[a] = run_h[a] / speed_factor            running time
            + entry_h[head] + customs_delay[head] expected customs at a border it enters
            + distance_nok_per_t[a] / VOT          operating cost, at the commodity's value of time
            + wait[a]                              congestion waiting ahead (a snapshot, see below)
            + max(0, reopen_h − now)               a closed link with an announced reopening

and is infinite where the class may not pass: a mode outside the mask, electric traction on an
unelectrified or unpowered link, a closed link without an announced reopening, a node closed to
the commodity, a rail link whose permitted axle load is below the class's axle load, a road link
whose weight class permits less than the class's gross weight. One Dijkstra from the destination over the reversed graph (parallel arcs reduced
to their cheapest) gives every node's cost-to-go; consignments choose their next arc at the node
where they stand, as ``cost[a] + live waiting + to_go[head]`` (see ``model.freight``).

Route tables are cached per (class, destination) and recomputed only when a change touches
them: after a state change, or a new congestion snapshot, the router compares each cached
table with the arcs whose cost moved, and drops a table only if such an arc lay on one of its
shortest paths (its cost rose) or would now shorten one (its cost fell). A closure in one corner
of a large network therefore leaves the tables elsewhere alone, so routing work grows with the
changes that matter, not with network size × changes. Tables that contain time-dependent terms
(waiting for a reopening, congestion) also expire after ``refresh_h`` of simulated time.

A table that must be remade (dropped, expired, or cleared with its class) first compares the
cost vector it was solved on with the class's current one: when every arc whose cost differs is
strictly slack in float arithmetic under both (``_same_solution``), a new Dijkstra would return
the same bits, so the costs-to-go are kept and only the costs and the expiry are renewed.
Otherwise, when the change touches few nodes, the table is repaired in place of a search
(``repair``: dynamic shortest paths, the same bits as Dijkstra). The reversed graph is built
once per cost vector and shared by the destinations solved on it.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from ..scenario.vehicle_limits import NO_LIMITS
from .graph import MODES, Network
from .repair import repair
from .state import NetworkState


REPAIR_LIMIT = 48  # nodes a table repair may touch before a full Dijkstra is the cheaper way


def mode_bits(mask: int) -> list[int]:
    """The single-mode masks contained in ``mask``, in ``MODES`` order."""
    return [1 << i for i in range(len(MODES)) if (mask >> i) & 1]


def modes_mask(modes) -> int:
    """Bit mask of allowed modes (bit i for ``MODES[i]``)."""
    mask = 0
    for mode in modes:
        mask |= 1 << MODES.index(mode)
    return mask


class _Table:
    """Cost-to-go of every node to one destination; ``valid`` turns False when it is dropped."""

    __slots__ = ("to_go", "to_go_list", "expires", "valid", "cost_list", "basis", "basis_list")

    def __init__(self, to_go: np.ndarray, expires: float, cost_list: list[float], basis: np.ndarray,
                 to_go_list: list[float] | None = None, basis_list: list[float] | None = None):
        self.to_go = to_go
        self.to_go_list = to_go.tolist() if to_go_list is None else to_go_list
        self.expires = expires
        self.valid = True
        self.cost_list = cost_list  # the class's arc costs it was computed with (moved on by ``_update``)
        self.basis = basis  # the cost array ``to_go`` is the shortest-path solution of (never changed)
        self.basis_list = cost_list if basis_list is None else basis_list  # the same as a list


class _Class:
    """Cost vector of one traffic class and its tables per destination."""

    __slots__ = ("key", "cost", "cost_list", "timed", "tables", "computed_at", "last", "graph", "graph_cost",
                 "closed_arcs", "closed_key")

    def __init__(self, key: tuple[int, str, bool, tuple[float, float]], cost: np.ndarray, timed: bool, computed_at: float):
        self.key = key
        self.computed_at = computed_at  # when waits for announced reopenings were measured
        self.cost = cost
        self.cost_list = cost.tolist()
        self.timed = timed
        self.tables: dict[int, _Table] = {}
        self.last: dict[int, _Table] = {}  # the latest table made per destination, valid or not
        self.graph, self.graph_cost = None, None  # reversed csgraph of ``graph_cost`` (``cost`` when current)
        self.closed_arcs, self.closed_key = None, None  # ``_expiry``'s closed arcs for (state version, cost)


class Router:
    """Cost-to-go tables per (class, destination), kept up to date with the network state.

    ``value_of_time(commodity)`` (NOK per tonne-hour) weighs the arcs' distance cost; without it
    the router minimises time alone (passengers, commuters). ``clock()`` gives the current time
    for announced reopenings; ``refresh_h`` bounds the age of time-dependent tables. With
    ``wait_for_reopening=False`` closed links are impassable whatever is announced (a commuter
    does not wait half a day for a road to reopen).
    """

    def __init__(self, network: Network, state: NetworkState, node_entry_h: np.ndarray | None = None,
                 value_of_time: Callable[[str], float] | None = None, clock: Callable[[], float] | None = None,
                 refresh_h: float = 1.0, wait_for_reopening: bool = True):
        self.network = net = network
        self.state = state
        self.node_entry_h = node_entry_h if node_entry_h is not None else np.zeros(network.n_nodes)
        self._vot = value_of_time
        self._clock = clock or (lambda: 0.0)
        self.refresh_h = refresh_h
        self._wait_for_reopening = wait_for_reopening  # False: a closed link is impassable (travellers do not wait)
        self.waits = np.zeros(net.n_arcs)  # congestion snapshot, hours per arc
        self.waits_list = self.waits.tolist()  # the same, for reads one arc at a time in the event loop
        self.has_waits = False
        self._classes: dict[tuple[int, str, bool, tuple[float, float]], _Class] = {}
        self._version = state.version
        self.recomputations = 0
        state.subscribe(self._on_state_change)  # eager, so tables held by consignments stay true
        # Reversed graph on unique (head, tail) pairs, so parallel arcs reduce to the cheapest.
        pairs, pair_of_arc = np.unique(np.stack([net.arc_to, net.arc_from], axis=1), axis=0, return_inverse=True)
        self._pair_of_arc = pair_of_arc.ravel()
        self._n_pairs = len(pairs)
        counts = np.bincount(pairs[:, 0], minlength=net.n_nodes)
        self._indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        self._indices = pairs[:, 1].astype(np.int32)  # pairs are sorted by head, then tail
        self._mode_bit = net.arc_mode_bits  # a RoRo ferry's arcs carry road vehicles too
        self._dist = net.arc_distance_nok_per_t
        self._arc_to_list = net.arc_to.tolist()
        self._arc_from, self._arc_to = net.arc_from, net.arc_to
        self._arc_from_list = net.arc_from.tolist()
        self._in_arcs: list[list[int]] = [[] for _ in range(net.n_nodes)]  # arcs whose head is each node
        for a, v in enumerate(self._arc_to_list):
            self._in_arcs[v].append(a)
        # arcs touching each node (into or out of it), for node closures
        touching: list[list[int]] = [[] for _ in range(net.n_nodes)]
        for a, (u, v) in enumerate(zip(net.arc_from.tolist(), net.arc_to.tolist())):
            touching[u].append(a)
            touching[v].append(a)
        self._node_arcs = touching
        # for each arc, the one other arc of its mode into its tail (not its own reverse) when the
        # tail is a node on a line, else -1
        ins: list[list[int]] = [[] for _ in range(net.n_nodes)]
        for a, v in enumerate(net.arc_to.tolist()):
            ins[v].append(a)
        modes, rev = net.arc_mode.tolist(), net.arc_reverse.tolist()
        self._line_in = []
        for a, u in enumerate(net.arc_from.tolist()):
            others = [b for b in ins[u] if modes[b] == modes[a] and b != rev[a]]
            self._line_in.append(others[0] if len(others) == 1 else -1)

    # ------------------------------------------------------------------ costs
    def _cost_vector(self, mask: int, commodity: str, electric: bool,
                     limits: tuple[float, float] = NO_LIMITS) -> tuple[np.ndarray, bool]:
        net, st = self.network, self.state
        link = net.arc_link
        cost = (net.arc_time_h / st.link_speed_factor[link] + self.node_entry_h[net.arc_to]
                + st.node_customs_delay_h[net.arc_to] + self.waits)
        if self._vot is not None:
            cost = cost + self._dist / self._vot(commodity)
        blocked = (self._mode_bit & mask) == 0
        if electric:
            blocked |= (net.arc_mode == 0) & (~net.arc_electrified | st.link_unpowered[link])
        if limits[0] > 0:  # heavier axles than a rail link permits
            blocked |= (net.arc_mode == 0) & (net.arc_axle_limit_t < limits[0])
        if limits[1] > 0:  # heavier vehicles than a road link's weight class permits
            blocked |= (net.arc_mode == 1) & (net.arc_gross_limit_t < limits[1])
        closed = st.link_closed[link] | (st.link_capacity_factor[link] <= 0.0)
        timed = self.has_waits
        if closed.any():
            reopen = st.link_reopen_h[link]
            announced = closed & np.isfinite(reopen) if self._wait_for_reopening else np.zeros_like(closed)
            if announced.any():
                cost = cost + self._reopening_waits(announced, reopen)
                timed = True
            blocked |= closed & ~announced
        if st.node_closed.any():
            for node in np.flatnonzero(st.node_closed):
                if st.node_closed_for(int(node), commodity):
                    blocked[self._node_arcs[int(node)]] = True
        cost[blocked] = np.inf
        return cost, timed

    def _reopening_waits(self, announced: np.ndarray, reopen: np.ndarray) -> np.ndarray:
        """Hours to wait at each announced closed arc: until its reopening, but only once along a
        closed stretch. An arc whose tail is a node on a line (one other way in, in its mode)
        reached over a closed arc that reopens no earlier has been waited for already."""
        waits = np.where(announced, np.maximum(reopen - self._clock(), 0.0), 0.0)
        for a in np.flatnonzero(announced):
            into = self._line_in[a]
            if into >= 0 and announced[into] and reopen[into] >= reopen[a] - 1e-9:
                waits[a] = 0.0
        return waits

    def _class(self, mask: int, commodity: str, electric: bool, limits: tuple[float, float] = NO_LIMITS) -> _Class:
        if self._version != self.state.version:
            self._on_state_change()
        key = (mask, commodity, electric, limits)
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = _Class(key, *self._cost_vector(*key), self._clock())
        return cls

    # ----------------------------------------------------------- invalidation
    def _on_state_change(self) -> None:
        """Refresh cost vectors after a state change; drop only the tables the change touches."""
        self._version = self.state.version
        links, nodes = self.state.last_changed
        arcs = {a for li in links for a in self.network.link_arcs[li]}
        arcs.update(a for n in nodes for a in self._node_arcs[n])
        self._update(np.fromiter(arcs, dtype=np.int64, count=len(arcs)))

    def set_waits(self, waits: np.ndarray, tolerance_h: float = 0.05) -> None:
        """A new congestion snapshot (hours of waiting ahead per arc); tables follow where it moved."""
        moved = np.flatnonzero(np.abs(waits - self.waits) > tolerance_h)
        if moved.size == 0:
            return
        # Only the moved arcs take their new wait: the others keep the one the class costs (and
        # the tables' on-path tests) were computed with, so small moves cannot add up unseen.
        self.waits = self.waits.copy()
        self.waits[moved] = waits[moved]
        self.waits_list = self.waits.tolist()
        self.has_waits = bool(self.waits.any())
        self._update(moved)

    def _update(self, arcs: np.ndarray) -> None:
        if self._version != self.state.version:
            self._version = self.state.version
        if arcs.size == 0:
            return
        heads, tails = self.network.arc_to[arcs], self.network.arc_from[arcs]
        for key, cls in list(self._classes.items()):
            new_cost, timed = self._cost_vector(*key)
            old, new = cls.cost[arcs], new_cost[arcs]
            changed = ~((old == new) | (np.isinf(old) & np.isinf(new)))
            cls.cost, cls.cost_list, cls.timed = new_cost, new_cost.tolist(), timed
            cls.computed_at = self._clock()
            if not changed.any():
                continue
            a_old, a_new, h, t = old[changed], new[changed], heads[changed], tails[changed]
            for dest, table in list(cls.tables.items()):
                go_head, go_tail = table.to_go[h], table.to_go[t]
                with np.errstate(invalid="ignore"):  # inf − inf where neither end reaches dest
                    on_path = np.isfinite(go_tail) & (np.abs(go_tail - (a_old + go_head)) <= 1e-9 * (1 + go_tail))
                    shorter = a_new + go_head < go_tail - 1e-9
                if ((a_new > a_old) & on_path).any() or shorter.any():
                    del cls.tables[dest]
                    table.valid = False
                else:
                    table.cost_list = cls.cost_list

    # ----------------------------------------------------------------- tables
    def _table(self, cls: _Class, dest: int) -> _Table:
        table = cls.tables.get(dest)
        now = self._clock()
        if table is not None and now <= table.expires:
            return table
        if table is not None:  # expired: its time-dependent terms moved on
            cls.cost, cls.timed = self._cost_vector(*cls.key)
            cls.cost_list = cls.cost.tolist()
            cls.computed_at = now
            for old in cls.tables.values():
                old.valid = False
            cls.tables.clear()
        self.recomputations += 1
        last = cls.last.get(dest)
        if last is not None and _same_solution(cls.cost, last, self._arc_from, self._arc_to):
            table = _Table(last.to_go, self._expiry(cls, last.to_go, now), cls.cost_list, last.basis, last.to_go_list,
                           last.basis_list)
        else:
            repaired = self._repair(cls, last) if last is not None else None
            if repaired is not None:
                to_go, to_go_list = repaired
            else:
                to_go = dijkstra(self._graph(cls), directed=True, indices=dest)
                to_go_list = None
            table = _Table(to_go, self._expiry(cls, to_go, now), cls.cost_list, cls.cost, to_go_list)
        cls.tables[dest] = cls.last[dest] = table
        return table

    def _repair(self, cls: _Class, last: _Table) -> tuple[np.ndarray, list[float]] | None:
        """``last``'s costs-to-go moved to the class's current costs by ``repair.repair`` (the same
        bits as a new Dijkstra), or None when the touched region is large or a cost could be lost
        in float rounding (a cost of zero, or below 2⁻⁵⁰ of the largest cost-to-go)."""
        changed = np.flatnonzero(last.basis != cls.cost)
        least = min(float(last.basis.min()), float(cls.cost.min()))
        if least <= 0.0:
            return None
        found = repair(last.to_go_list, last.basis_list, cls.cost_list, changed.tolist(), self._arc_from_list,
                       self._arc_to_list, self._in_arcs, self.network.node_out_arcs, REPAIR_LIMIT)
        if found is None:
            return None
        finite = last.to_go[np.isfinite(last.to_go)]
        largest = max([float(finite.max()) if finite.size else 0.0] + [v for v in found.values() if v != np.inf])
        if least < largest * 2.0 ** -50:
            return None
        to_go, to_go_list = last.to_go.copy(), list(last.to_go_list)
        for node, value in found.items():
            to_go[node] = value
            to_go_list[node] = value
        return to_go, to_go_list

    def _graph(self, cls: _Class) -> csr_matrix:
        """The reversed graph with the class's current costs (parallel arcs at their cheapest),
        built once per cost vector and shared by the destinations computed with it."""
        if cls.graph_cost is not cls.cost:
            pair_cost = np.full(self._n_pairs, np.inf)
            np.minimum.at(pair_cost, self._pair_of_arc, cls.cost)
            if cls.graph is None:
                n = self.network.n_nodes
                cls.graph = csr_matrix((pair_cost, self._indices, self._indptr), shape=(n, n))
            else:  # same structure, new weights: no need to build and check a matrix again
                cls.graph.data = pair_cost
            cls.graph_cost = cls.cost
        return cls.graph

    def _expiry(self, cls: _Class, to_go: np.ndarray, now: float) -> float:
        """When a table with waits for announced reopenings must be recomputed.

        Such a wait shrinks by an hour every hour. A closed arc on one of the table's shortest
        paths makes its costs-to-go run high: refresh after ``refresh_h``. A closed arc off them
        becomes worth waiting for at ``now + cost + to_go[head] − to_go[tail]``: refresh then.
        """
        if not cls.timed:
            return np.inf
        st, net = self.state, self.network
        if cls.closed_key is None or cls.closed_key[0] != st.version or cls.closed_key[1] is not cls.cost:
            link = net.arc_link
            closed = (st.link_closed[link] | (st.link_capacity_factor[link] <= 0.0)) & np.isfinite(st.link_reopen_h[link])
            arcs = np.flatnonzero(closed & np.isfinite(cls.cost))
            cls.closed_arcs = (arcs, net.arc_from[arcs], net.arc_to[arcs], cls.cost[arcs])
            cls.closed_key = (st.version, cls.cost)
        arcs, tails, heads, costs = cls.closed_arcs
        if arcs.size == 0:
            return np.inf
        go_tail, go_head = to_go[tails], to_go[heads]
        reach = np.isfinite(go_tail) & np.isfinite(go_head)
        if not reach.any():
            return np.inf
        slack = costs[reach] + go_head[reach] - go_tail[reach]
        if (slack <= 1e-9).any():
            return now + self.refresh_h
        return now + float(slack.min())

    def lookup(self, dest: int, mask: int, commodity: str, electric: bool = False,
               limits: tuple[float, float] = NO_LIMITS) -> tuple[list[float], list[float]]:
        """``(cost per arc, cost-to-go per node)`` as lists, for decisions in the event loop."""
        table = self.table(dest, mask, commodity, electric, limits)
        return table.cost_list, table.to_go_list

    def table(self, dest: int, mask: int, commodity: str, electric: bool = False,
              limits: tuple[float, float] = NO_LIMITS) -> _Table:
        """The current table; a caller may keep it while ``valid`` and the clock is before ``expires``."""
        return self._table(self._class(mask, commodity, electric, limits), dest)

    def cost_age_h(self, mask: int, commodity: str, electric: bool = False,
                   limits: tuple[float, float] = NO_LIMITS) -> float:
        """Hours since the class's waits for announced reopenings were measured (they are that much shorter now)."""
        return self._clock() - self._class(mask, commodity, electric, limits).computed_at

    # -------------------------------------------------------------- queries
    def time_to_go(self, node: int, dest: int, mask: int, commodity: str, electric: bool = False,
                   limits: tuple[float, float] = NO_LIMITS) -> float:
        """Generalized cost of the best route, hours-equivalent; inf if there is none."""
        cls = self._class(mask, commodity, electric, limits)
        return float(self._table(cls, dest).to_go[node])

    def next_arc(self, node: int, dest: int, mask: int, commodity: str, electric: bool = False,
                 limits: tuple[float, float] = NO_LIMITS) -> int:
        """Arc to take from ``node`` towards ``dest`` on the cheapest route; -1 if there is none."""
        cost, to_go = self.lookup(dest, mask, commodity, electric, limits)
        if node == dest:
            return -1
        best, best_value = -1, np.inf
        for arc in self.network.node_out_arcs[node]:
            value = cost[arc] + to_go[self._arc_to_list[arc]]
            if value < best_value:
                best, best_value = arc, value
        return best

    def best_mode(self, node: int, dest: int, mask: int, commodity: str, electric: bool = False,
                  limits: tuple[float, float] = NO_LIMITS) -> int:
        """The single-mode mask among ``mask`` with the cheapest route to ``dest``; 0 if none has one."""
        best, best_cost = 0, np.inf
        for bit in mode_bits(mask):
            cost = self.time_to_go(node, dest, bit, commodity, electric, limits)
            if cost < best_cost:
                best, best_cost = bit, cost
        return best

    def path(self, origin: int, dest: int, mask: int, commodity: str, electric: bool = False,
             limits: tuple[float, float] = NO_LIMITS) -> list[int] | None:
        """Arcs of the current cheapest route, or None if there is none."""
        node, arcs = origin, []
        while node != dest:
            arc = self.next_arc(node, dest, mask, commodity, electric, limits)
            if arc < 0 or len(arcs) > self.network.n_arcs:
                return None
            arcs.append(arc)
            node = self._arc_to_list[arc]
        return arcs


def _same_solution(cost: np.ndarray, table: _Table, arc_from: np.ndarray, arc_to: np.ndarray) -> bool:
    """True when a Dijkstra on ``cost`` would give exactly ``table.to_go`` (the solution on
    ``table.basis``), so the table can be reused without a search.

    Costs-to-go are the least float sums ``to_go[head] + cost`` over paths. If every arc whose cost
    differs between the two vectors is strictly slack under both — ``to_go[head] + cost >
    to_go[tail]`` in float arithmetic, old and new cost alike — then no least path uses it under
    either vector and none becomes shorter through it, so every least sum, and therefore every
    bit of the result, is the same. An arc whose head cannot reach the destination adds only
    infinite sums and changes nothing either. Anything else tight, or of cost zero (scipy may
    drop explicit zero entries), is left to a new search.
    """
    basis = table.basis
    if basis is cost:
        return True
    changed = np.flatnonzero(basis != cost)
    if changed.size == 0:
        return True
    old, new = basis[changed], cost[changed]
    go_tail, go_head = table.to_go[arc_from[changed]], table.to_go[arc_to[changed]]
    with np.errstate(invalid="ignore"):
        slack = (go_head + old > go_tail) & (go_head + new > go_tail) & (old != 0.0) & (new != 0.0)
    return bool((slack | np.isinf(go_head)).all())
