"""Disruptions over time: apply an effect at its start, revert it at its end.

One small SimPy process per disruption (there are few: scheduled ones plus hazard events).
Without repair, the effect lasts ``duration_h``. With repair, the disruption asks its crew
pool (a ``simpy.PriorityResource``, lower priority first) for a crew:

* **Mutual aid.** A pool whose crews ``helps`` this pool (``after`` hours, ``where`` the job's
  links or nodes are among those named) is asked too once the job has waited that long; the
  first crew granted takes the job, the other request is withdrawn.
* **Travel.** A crew with a base first mobilises (``travel_h``), then travels over the
  network as it is (``network/travel.py``). If its road is closed it takes whichever comes
  first: the detour known at dispatch, or — waiting for the reopening — setting off when the
  network changes and arriving earlier that way. Arrival =
  min over network changes at times s ≥ dispatch of max(s, dispatch + mobilisation) + T(s),
  where T(s) is the travel time on the network as it is from s on. A crew without a base
  arrives ``travel_h`` after assignment.
* **Stages.** The crew works ``duration_h``; at each stage (a share of the work) the closure
  is replaced by the stage's lighter effect (e.g. speed ×0.4), and at the end the link is
  restored and the crew freed.

Every step goes to the event log: ``disruption-start``, ``repair-requested``,
``mutual-aid-requested``, ``repair-started``, ``crew-arrived``, ``disruption-stage``,
``disruption-end``.
"""

from __future__ import annotations

import simpy

from ..network.state import NetworkState
from ..network.travel import arc_speed_kmh, site_nodes, travel_time_h
from ..scenario.resolved import Crew, Disruption
from .recording import Recorder


def describe_effect(d: Disruption, effect=None) -> str:
    """A short human text of what ``d`` (or ``effect``) does, e.g. 'closed' or 'capacity ×0.5'."""
    e = effect if effect is not None else d.effect
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
    if e.food_demand_factor != 1.0:
        parts.append(f"food demand ×{e.food_demand_factor:g}")
    return ", ".join(parts)


class DisruptionRunner:
    """Starts the disruption processes of a run and owns the crew pools."""

    def __init__(self, env: simpy.Environment, state: NetworkState, recorder: Recorder, crews: dict[str, Crew],
                 power=None, network=None, food=None):
        self.power = power
        self.food = food
        self.env = env
        self.state = state
        self.recorder = recorder
        self.crews = crews
        self.network = network
        self.pools = {cid: simpy.PriorityResource(env, capacity=crew.size) for cid, crew in crews.items()}
        self._open: dict[Disruption, float] = {}
        self._speeds = arc_speed_kmh(network) if network is not None else None
        self._changed = env.event()
        state.subscribe(self._on_change)

    def _on_change(self) -> None:
        event, self._changed = self._changed, self.env.event()
        event.succeed()

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
        if d.effect.food_demand_factor != 1.0 and self.food is not None:
            self.food.apply_demand(d.id, d.nodes, d.effect.food_demand_factor)
        cause = f" [{d.cause}]" if d.cause else ""
        log(env.now, "disruption-start", target, f"{d.id}: {describe_effect(d)}{cause}")
        if d.repair is None:
            yield env.timeout(d.duration_h)
        else:
            log(env.now, "repair-requested", target, f"{d.id}: crew {d.repair.crew}, priority {d.repair.priority}")
            crew, pool, request = yield from self._acquire(d, target)
            log(env.now, "repair-started", target, f"{d.id}: crew {crew.id} assigned, works {d.duration_h:.1f} h")
            travel = yield from self._travel(crew, d)
            log(env.now, "crew-arrived", target, f"{d.id}: crew {crew.id} on site after {travel:.1f} h")
            if d.announced:  # the crew on site says when the line reopens (its first stage, if staged)
                first = d.repair.stages[0][0] if d.repair.stages else 1.0
                self.state.announce(d.id, env.now + first * d.duration_h)
            yield from self._work(d, target)
            pool.release(request)
        del self._open[d]
        self.state.revert(d.id)
        if d.power and self.power is not None:
            self.power.revert(d.id)
        if self.food is not None:
            self.food.revert_demand(d.id)
        log(env.now, "disruption-end", target, f"{d.id}: restored")
        self._interval(d, started, env.now)

    def _acquire(self, d: Disruption, target: str):
        """Wait for a crew of the job's pool, or of a pool that helps it once the job has
        waited long enough; returns ``(crew, pool, granted request)``."""
        env = self.env
        home = self.crews[d.repair.crew]
        helpers = sorted((after, c.id) for c in self.crews.values() for pool, after, links, nodes in c.helps
                         if pool == home.id and (not (links or nodes) or links.intersection(d.links) or nodes.intersection(d.nodes)))
        asked = env.now
        requests = [(home, self.pools[home.id].request(priority=d.repair.priority))]
        for after, helper in helpers:
            pending = [r for _, r in requests]
            if not any(r.triggered for r in pending) and asked + after > env.now:
                yield env.any_of(pending + [env.timeout(asked + after - env.now)])
            if any(r.triggered for r in pending):
                break
            requests.append((self.crews[helper], self.pools[helper].request(priority=d.repair.priority)))
            self.recorder.event(env.now, "mutual-aid-requested", target, f"{d.id}: crew {helper} asked to help {home.id}")
        if not any(r.triggered for _, r in requests):
            yield env.any_of([r for _, r in requests])
        chosen = next((c, r) for c, r in requests if r.triggered)
        for c, r in requests:
            if r is not chosen[1]:
                if r.triggered:
                    self.pools[c.id].release(r)
                else:
                    r.cancel()
        return chosen[0], self.pools[chosen[0].id], chosen[1]

    def _travel_now(self, crew: Crew, sites: list[int]) -> float:
        return travel_time_h(self.network, self.state.link_open, self.state.speed_factors, crew.base, sites,
                             crew.modes, self._speeds)

    def _travel(self, crew: Crew, d: Disruption):
        """Move the crew to the site (see the module docstring); returns the hours it took."""
        env = self.env
        dispatched = env.now
        if crew.base is None or self.network is None:
            yield env.timeout(crew.travel_h)
            return crew.travel_h
        sites = site_nodes(self.network, d.links, d.nodes)
        ready = dispatched + crew.travel_h
        arrival = ready + self._travel_now(crew, sites)
        while True:
            change = self._changed
            if arrival == float("inf"):
                yield change
            else:
                timer = env.timeout(arrival - env.now)
                yield env.any_of([timer, change])
                if env.now >= arrival - 1e-9:
                    break
            arrival = min(arrival, max(env.now, ready) + self._travel_now(crew, sites))
        return env.now - dispatched

    def _work(self, d: Disruption, target: str):
        """Work ``duration_h``, reopening in the repair's stages on the way."""
        done = 0.0
        for share, effect in d.repair.stages:
            yield self.env.timeout((share - done) * d.duration_h)
            done = share
            self.state.revert(d.id)
            self.state.apply(d.id, d.links, d.nodes, effect)
            self.recorder.event(self.env.now, "disruption-stage", target, f"{d.id}: reopened, {describe_effect(d, effect)}")
        yield self.env.timeout((1.0 - done) * d.duration_h)

    def _interval(self, d: Disruption, start: float, end: float) -> None:
        kind = "closed" if d.effect.close else "degraded"
        self.recorder.disruptions.append((d.id, float(start), float(end), tuple(d.links), tuple(d.nodes), kind,
                                          d.cause or "scheduled", ", ".join(d.targets)))

    def close_open_intervals(self, horizon_h: float) -> None:
        """Record disruptions still active at the horizon as ending there."""
        for d, start in self._open.items():
            self._interval(d, start, horizon_h)
