"""Disruptions over time: apply an effect at its start, revert it at its end.

One small SimPy process per disruption (there are few: scheduled ones plus hazard events).
Without repair, the effect lasts ``duration_h``. With repair, the disruption asks its crew
pool (a ``simpy.PriorityResource``, lower priority first) for a crew; the crew travels, then
works ``duration_h``; only then is the effect reverted and the crew freed. Every step goes to
the event log: ``disruption-start``, ``repair-requested``, ``repair-started``,
``disruption-end``.
"""

from __future__ import annotations

import simpy

from ..network.state import NetworkState
from ..scenario.resolved import Crew, Disruption
from .recording import Recorder


def describe_effect(d: Disruption) -> str:
    """A short human text of what ``d`` does, e.g. 'closed' or 'capacity ×0.5'."""
    e = d.effect
    parts = []
    if e.close:
        parts.append("closed" + (f" (except {', '.join(sorted(e.exempt))})" if e.exempt else ""))
    if e.capacity_factor != 1.0:
        parts.append(f"capacity ×{e.capacity_factor:g}")
    if e.speed_factor != 1.0:
        parts.append(f"speed ×{e.speed_factor:g}")
    if e.customs_delay_h:
        parts.append(f"customs +{e.customs_delay_h:g} h")
    if e.demand_factor != 1.0:
        parts.append(f"power demand ×{e.demand_factor:g}")
    return ", ".join(parts)


class DisruptionRunner:
    """Starts the disruption processes of a run and owns the crew pools."""

    def __init__(self, env: simpy.Environment, state: NetworkState, recorder: Recorder, crews: dict[str, Crew],
                 power=None):
        self.power = power
        self.env = env
        self.state = state
        self.recorder = recorder
        self.crews = crews
        self.pools = {cid: simpy.PriorityResource(env, capacity=crew.size) for cid, crew in crews.items()}
        self._open: dict[Disruption, float] = {}

    def schedule(self, disruptions: list[Disruption], horizon_h: float) -> None:
        for d in sorted(disruptions, key=lambda x: (x.start_h, x.id)):
            if d.start_h < horizon_h:
                self.env.process(self._run(d))

    def _run(self, d: Disruption):
        env, log = self.env, self.recorder.event
        if d.start_h > env.now:
            yield env.timeout(d.start_h - env.now)
        target = ", ".join(d.targets)
        started = env.now
        self._open[d] = started
        # Without repair work the end is known and announced; with it, once a crew is assigned.
        until = env.now + d.duration_h if d.repair is None and d.announced else None
        self.state.apply(d.id, d.links, d.nodes, d.effect, until)
        if d.power and self.power is not None:
            self.power.apply(d.id, d.power, d.effect)
        cause = f" [{d.cause}]" if d.cause else ""
        log(env.now, "disruption-start", target, f"{d.id}: {describe_effect(d)}{cause}")
        if d.repair is None:
            yield env.timeout(d.duration_h)
        else:
            crew = self.crews[d.repair.crew]
            log(env.now, "repair-requested", target, f"{d.id}: crew {crew.id}, priority {d.repair.priority}")
            with self.pools[crew.id].request(priority=d.repair.priority) as request:
                yield request
                log(env.now, "repair-started", target, f"{d.id}: crew {crew.id} assigned, arrives in {crew.travel_h:g} h, works {d.duration_h:.1f} h")
                if d.announced:
                    self.state.announce(d.id, env.now + crew.travel_h + d.duration_h)
                yield env.timeout(crew.travel_h + d.duration_h)
        del self._open[d]
        self.state.revert(d.id)
        if d.power and self.power is not None:
            self.power.revert(d.id)
        log(env.now, "disruption-end", target, f"{d.id}: restored")
        self._interval(d, started, env.now)

    def _interval(self, d: Disruption, start: float, end: float) -> None:
        kind = "closed" if d.effect.close else "degraded"
        self.recorder.disruptions.append((d.id, float(start), float(end), tuple(d.links), tuple(d.nodes), kind,
                                          d.cause or "scheduled", ", ".join(d.targets)))

    def close_open_intervals(self, horizon_h: float) -> None:
        """Record disruptions still active at the horizon as ending there."""
        for d, start in self._open.items():
            self._interval(d, start, horizon_h)
