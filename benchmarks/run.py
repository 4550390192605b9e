"""Performance figures for the engine (not a test: prints figures and ratios).

    python benchmarks/run.py [--quick] [--no-scaling] [--no-executors]

1. CPU seconds per simulated year of the real one-year stochastic replication
   (``winter-year-stochastic``: freight, food, power, hazards), median of several runs after a
   warm-up, beside a bare SimPy loop of the same event kind (timeouts whose callbacks do no
   work) measured in the same process: the ratio says how much of raw SimPy speed the model
   keeps. Events are read from SimPy's own counter.
2. The same replication on the network scaled ×1, ×2, ×4, ×8 (flows and hazards scaled with it,
   ``benchmarks/scaled.py``): CPU seconds per simulated year and the fitted growth exponent
   (seconds ∝ size^b).
3. Replications per minute with 1 and 2 local workers (parallel efficiency) and a 2-worker Dask
   LocalCluster against the local pool.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import simpy
from simpy.events import Timeout

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from beredskap_sim.model.engine import events_scheduled, simulate  # noqa: E402
from beredskap_sim.scenario.loader import load_scenario  # noqa: E402

YEAR = ROOT / "scenarios" / "winter-year-stochastic.yaml"


def bare_simpy_cpu_per_event(n: int = 400_000) -> float:
    """CPU seconds per event of a chain of timeouts whose callbacks schedule the next one."""
    env = simpy.Environment()
    left = [n]

    def tick(event) -> None:
        left[0] -= 1
        if left[0] > 0:
            Timeout(env, 1.0).callbacks.append(tick)

    Timeout(env, 1.0).callbacks.append(tick)
    start = time.process_time()
    env.run()
    return (time.process_time() - start) / events_scheduled(env)


def cpu_median(fn, runs: int, warmup: int = 1):
    """(median CPU seconds, last result) of ``fn()`` over ``runs`` runs after ``warmup``."""
    for _ in range(warmup):
        fn()
    times, out = [], None
    for _ in range(runs):
        start = time.process_time()
        out = fn()
        times.append(time.process_time() - start)
    return statistics.median(times), out


def engine(runs: int) -> None:
    print("== one simulated year: winter-year-stochastic (freight, food, power, hazards) ==")
    bare = statistics.median(bare_simpy_cpu_per_event() for _ in range(runs))
    scenario = load_scenario(YEAR)
    years = scenario.horizon_h / 8760.0
    cpu, rec = cpu_median(lambda: simulate(scenario, 0, 0), runs)
    per_event = cpu / rec.sim_events
    print(f"bare SimPy callback timeouts:     {1 / bare:12,.0f} events per CPU second")
    print(f"model:                            {1 / per_event:12,.0f} events per CPU second ({rec.sim_events:,} events)")
    print(f"ratio model / bare SimPy:         {bare / per_event:12.2f}")
    print(f"CPU seconds per simulated year:   {cpu / years:12.2f}   (median of {runs} after a warm-up)")


def scaling(runs: int) -> None:
    from scaled import load_scaled

    print("== the network scaled ×k (flows and hazards with it) ==")
    sizes, seconds = [], []
    for k in (1, 2, 4, 8):
        scenario = load_scaled(k)
        years = scenario.horizon_h / 8760.0
        cpu, rec = cpu_median(lambda: simulate(scenario, 0, 0), runs)
        sizes.append(k)
        seconds.append(cpu / years)
        print(f"×{k}: {scenario.network.n_links:5d} links  {cpu / years:8.2f} CPU s per simulated year"
              f"  ({rec.sim_events:,} events)")
    slope = np.polyfit(np.log(sizes), np.log(seconds), 1)[0]
    print(f"growth exponent (CPU ∝ size^b):   {slope:12.2f}")


def executors(n: int) -> None:
    from beredskap_sim.experiment.executors import DaskExecutor, LocalExecutor

    year = load_scenario(YEAR)
    print(f"== replications of the one-year stochastic scenario (n={n}) ==")
    rates = {}
    for workers in (1, 2):
        executor = LocalExecutor(workers)
        start = time.perf_counter()
        list(executor.run(year, 0, range(n)))
        rates[workers] = n / (time.perf_counter() - start) * 60
        print(f"local pool, {workers} worker(s):          {rates[workers]:8.1f} replications/min")
    print(f"parallel efficiency (2 workers):  {rates[2] / (2 * rates[1]):12.2f}")
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        executor = DaskExecutor(cluster=cluster)
        start = time.perf_counter()
        list(executor.run(year, 0, range(n)))
        dask_rate = n / (time.perf_counter() - start) * 60
    print(f"dask LocalCluster, 2 workers:     {dask_rate:8.1f} replications/min")
    print(f"dask / local pool (2 workers):    {dask_rate / rates[2]:12.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 5, fewer replications")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--no-executors", action="store_true")
    args = parser.parse_args()
    runs = 3 if args.quick else 5
    engine(runs)
    if not args.no_scaling:
        scaling(3)
    if not args.no_executors:
        executors(4 if args.quick else 8)


if __name__ == "__main__":
    main()
