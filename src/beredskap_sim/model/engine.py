"""Run one replication of a scenario: build the components, run SimPy, return a Recording."""

from __future__ import annotations

import time

import simpy

from ..network.state import NetworkState
from ..scenario.resolved import Scenario
from .disruptions import DisruptionRunner
from .hazards import hazard_disruptions
from .freight import FreightModel
from .recording import Recorder, Recording
from .rng import Streams


def simulate(scenario: Scenario, seed: int = 0, replication: int = 0) -> Recording:
    """Simulate ``scenario`` once. The same (seed, replication) always gives the same Recording."""
    wall = time.perf_counter()
    env = simpy.Environment()
    net = scenario.network
    state = NetworkState(net.n_links, net.n_nodes)
    streams = Streams(seed, replication)
    recorder = Recorder(scenario.name, seed, replication, scenario.horizon_h, scenario.record_step_h,
                        scenario.commodities, net.node_ids)
    freight = FreightModel(env, scenario, state, recorder, streams)
    disruptions = list(scenario.disruptions)
    disruptions += hazard_disruptions(scenario.hazards, scenario.start, scenario.horizon_h, streams)
    DisruptionRunner(env, state, recorder, scenario.crews).schedule(disruptions, scenario.horizon_h)
    freight.start(streams)
    env.run(until=scenario.horizon_h)
    freight.finish(scenario.horizon_h)
    return recorder.finish(freight.scheduled, time.perf_counter() - wall)
