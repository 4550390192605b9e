"""Performance figures for the engine (not a test: prints figures and ratios).

    python benchmarks/run.py [--quick]

1. Simulated events per wall-second on the reference scenario, beside a bare SimPy loop of
   timeouts measured in the same process, and their ratio (how much of raw SimPy speed the
   model keeps).
2. Wall time per simulated year of the reference flows (baseline scenario stretched to 365 days).
3. Replications per minute for the one-year stochastic scenario with 1 and 2 local workers (parallel
   efficiency), and the overhead of a Dask LocalCluster against the local pool.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

import simpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from beredskap_sim.model.engine import simulate  # noqa: E402
from beredskap_sim.scenario.loader import load_scenario, scenario_from_data  # noqa: E402
from beredskap_sim.scenario.yaml_source import load_yaml_with_lines  # noqa: E402


def bare_simpy_events_per_second(n: int = 400_000) -> float:
    """Events per second of one SimPy process doing nothing but ``yield env.timeout(1)``."""
    env = simpy.Environment()

    def loop():
        for _ in range(n):
            yield env.timeout(1)

    env.process(loop())
    start = time.perf_counter()
    env.run()
    return n / (time.perf_counter() - start)


def stretched(path: Path, horizon: str):
    data, lines = load_yaml_with_lines(path)
    data = copy.deepcopy(data)
    data["horizon"] = horizon
    return scenario_from_data(data, lines, str(path), path.parent)


def best_of(k: int, fn):
    best = None
    for _ in range(k):
        start = time.perf_counter()
        out = fn()
        wall = time.perf_counter() - start
        best = wall if best is None or wall < best else best
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    reps = 1 if args.quick else 3

    print("== engine speed ==")
    bare = max(bare_simpy_events_per_second() for _ in range(reps))
    print(f"bare SimPy timeout loop:          {bare:12,.0f} events/s")
    scenario = load_scenario(ROOT / "scenarios" / "meraakerbanen-slide-11d.yaml")
    wall, rec = best_of(reps, lambda: simulate(scenario, 0, 0))
    model = rec.sim_events / wall
    print(f"reference scenario (3 weeks):     {model:12,.0f} events/s  ({rec.sim_events:,} events in {wall:.3f} s)")
    print(f"ratio model / bare SimPy:         {model / bare:12.2f}")

    print("== simulated year ==")
    year = stretched(ROOT / "scenarios" / "meraakerbanen-slide-11d.yaml", "365d")
    wall, rec = best_of(1, lambda: simulate(year, 0, 0))
    print(f"wall time per simulated year:     {wall:12.2f} s   ({rec.sim_events:,} events, {rec.sim_events / wall:,.0f} events/s)")

    from beredskap_sim.experiment.executors import DaskExecutor, LocalExecutor

    year = load_scenario(ROOT / "scenarios" / "winter-year-stochastic.yaml")
    n = 4 if args.quick else 8
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


if __name__ == "__main__":
    main()
