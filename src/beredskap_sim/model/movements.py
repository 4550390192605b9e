"""Military movement windows: civilian capacity reduced, reserved capacity for the movement's flows.

During a movement's window [start, end) every link it reserves carries

* civilian traffic (everyone else, passenger trains included) at the capacity factor
  ``civil_factor`` — an effect ``movement:<id>:<link>`` in the network state, so it composes with
  storms and closures like any disruption (factors multiply); a point queue then spaces civilian
  trains ``q / (capacity × (C − r)/C)`` apart, i.e. ``24 / (C − r)`` hours for whole trains;
* the movement's own flows in **reserved sections**: one point queue per arc with capacity
  ``reserved_tph`` (r trains a day: ``24 / r`` hours between military trains), scaled by the
  other effects on the link (a storm's capacity factor reduces the reserved paths as well)
  and closed whenever the link is closed. Reserved paths are timetabled paths, so on a
  single-track link they do not wait for the civilian block (the block's civilian paths are the
  ones that remain).

Outside the window, and on links the movement does not reserve, its flows queue with everyone
else, served first by their priority class (``model.sections``). When the window ends, what
waits in a reserved section goes back to choosing its way (the civilian sections).
Reference: the "path" notion of capacity allocation (UIC 406: capacity consumed by train paths);
the reservation is the share of paths taken out of the civilian timetable.
"""

from __future__ import annotations

from typing import Callable

from simpy.events import URGENT, Event

from ..network.state import Effect, NetworkState
from .sections import PointQueue


class MovementWindows:
    """Applies each movement's civilian capacity factors during its window and holds its reserved sections."""

    def __init__(self, env, movements: list, network, state: NetworkState, recorder,
                 on_enter: Callable[[object, int], float], reroute: Callable[[object], None]):
        self.env = env
        self.movements = movements
        self.network = network
        self.state = state
        self.recorder = recorder
        self._reroute = reroute
        self.active = [False] * len(movements)
        # Reserved capacity divided by the civilian factor: the state's factor list carries the
        # civilian factor while the window is open, so the product is the reserved capacity
        # times the other effects on the link.
        self._sections: list[dict[int, PointQueue]] = []
        for m in movements:
            arcs: dict[int, PointQueue] = {}
            for r in m.reservations:
                for arc in network.link_arcs[r.link]:
                    arcs[arc] = PointQueue(env, on_enter, r.reserved_tph / r.civil_factor, state.open_links,
                                           state.capacity_factors, r.link)
            self._sections.append(arcs)
        self._by_link: dict[int, list[PointQueue]] = {}
        for arcs in self._sections:
            for arc, section in arcs.items():
                self._by_link.setdefault(int(network.arc_link[arc]), []).append(section)
        state.subscribe(self._on_state_change)

    def start(self) -> None:
        """Schedule the windows. They open and close before anything else happens at that time
        (a train released at the opening already sees the reduced civilian capacity)."""
        for k, m in enumerate(self.movements):
            if m.reservations:
                self._at(max(0.0, m.start_h), k, self._open)

    def _at(self, t: float, k: int, callback) -> None:
        event = Event(self.env)
        event._ok, event._value = True, k
        event.callbacks.append(callback)
        self.env.schedule(event, URGENT, t - self.env.now)

    def section(self, movement: int, arc: int) -> PointQueue | None:
        """The reserved section of ``arc`` for ``movement`` while its window is open, else None."""
        if movement < 0 or not self.active[movement]:
            return None
        return self._sections[movement].get(arc)

    def _open(self, event) -> None:
        k = event.value
        m = self.movements[k]
        self.active[k] = True
        for r in m.reservations:
            self.state.apply(f"movement:{m.id}:{r.link}", (r.link,), (), Effect(capacity_factor=r.civil_factor),
                             until=m.end_h)
        names = ", ".join(self.network.link_ids[r.link] for r in m.reservations)
        self.recorder.event(self.env.now, "movement-start", m.id, f"capacity reserved on {names}")
        self._at(m.end_h, k, self._close)

    def _close(self, event) -> None:
        k = event.value
        m = self.movements[k]
        self.active[k] = False
        waiting = [user for section in self._sections[k].values() for user in section.drain()]
        for r in m.reservations:
            self.state.revert(f"movement:{m.id}:{r.link}")
        self.recorder.event(self.env.now, "movement-end", m.id, "reserved capacity returned to civilian traffic")
        for user in waiting:
            self._reroute(user)

    def _on_state_change(self) -> None:
        """Reserved sections follow their link: stretched spacing, queues pulled off a closed link."""
        links, _ = self.state.last_changed
        stranded = []
        for link in set(links):
            for section in self._by_link.get(link, ()):
                section.rescale()
                if not section.waiting():
                    continue
                if not self.state.open_links[link]:
                    stranded += section.drain()
                else:
                    section.serve()
        for user in stranded:
            self._reroute(user)
