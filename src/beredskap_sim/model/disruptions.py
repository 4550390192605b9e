"""Scheduled disruptions: one SimPy process walks the sorted start and end times.

At a start the disruption's effect is applied to the network state, at its end reverted;
each change is written to the run's event log. Effects of overlapping disruptions compose
in ``NetworkState``.
"""

from __future__ import annotations

import simpy

from ..network.graph import Network
from ..network.state import NetworkState
from ..scenario.resolved import Disruption
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
    return ", ".join(parts)


def schedule_disruptions(env: simpy.Environment, network: Network, state: NetworkState,
                         disruptions: list[Disruption], recorder: Recorder, horizon_h: float) -> None:
    """Start the process that applies and reverts ``disruptions`` within the horizon."""
    changes: list[tuple[float, int, Disruption]] = []
    for d in disruptions:
        if d.start_h < horizon_h:
            changes.append((d.start_h, 1, d))
            if d.end_h < horizon_h:
                changes.append((d.end_h, 0, d))
    # Ends before starts at the same instant, so back-to-back effects never double up.
    changes.sort(key=lambda c: (c[0], c[1]))

    def run():
        for at, is_start, d in changes:
            if at > env.now:
                yield env.timeout(at - env.now)
            target = ", ".join(d.targets)
            if is_start:
                state.apply(d.id, d.links, d.nodes, d.effect)
                recorder.event(env.now, "disruption-start", target, f"{d.id}: {describe_effect(d)}")
            else:
                state.revert(d.id)
                recorder.event(env.now, "disruption-end", target, f"{d.id}: restored")

    env.process(run())
