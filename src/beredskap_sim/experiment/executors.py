"""Where replications run: ``serial`` (this process), ``local`` (a process pool, the default)
or ``dask`` (an existing ``dask.distributed`` scheduler, or a cluster object for tests).

All executors yield ``ReplicationResult``s as they finish, in any order. Each replication's
numbers depend only on (scenario, seed, replication), so every executor gives identical
results; the runner sorts by replication before writing tables.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Iterable, Iterator, Protocol

from ..scenario.resolved import Scenario
from .replication import ReplicationResult, run_replication

EXECUTORS = ("serial", "local", "dask")


class Executor(Protocol):
    name: str

    def run(self, scenario: Scenario, seed: int, replications: Iterable[int]) -> Iterator[ReplicationResult]:
        """Run the given replications and yield each result as soon as it is done."""


class SerialExecutor:
    """Replications one after another in this process (simplest to debug)."""

    name = "serial"

    def run(self, scenario, seed, replications):
        for rep in replications:
            yield run_replication(scenario, seed, rep)


class ExecutorUnavailable(Exception):
    """The executor cannot start (e.g. no Dask scheduler answers at the address)."""


_WORKER_SCENARIO: Scenario | None = None

PARENT_POLL_S = 0.5
"""How often a pool worker checks that the process that started the pool is still alive."""


def _watch_parent(parent: int) -> None:
    """End this worker as soon as the process that started the pool is gone (killed with
    SIGKILL, say), so no worker keeps computing replications nobody will collect.

    Gone means: ``parent`` no longer exists, or this worker's own parent (the forkserver,
    which exits when ``parent`` dies) has changed."""
    own_parent = os.getppid()
    while True:
        time.sleep(PARENT_POLL_S)
        if os.getppid() != own_parent:
            os._exit(1)
        try:
            os.kill(parent, 0)
        except (ProcessLookupError, PermissionError):  # PermissionError: the pid now belongs to someone else
            os._exit(1)


def _init_worker(scenario: Scenario, parent: int | None = None) -> None:
    global _WORKER_SCENARIO
    _WORKER_SCENARIO = scenario
    if parent is not None:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watch").start()


def _run_in_worker(seed: int, rep: int) -> ReplicationResult:
    assert _WORKER_SCENARIO is not None
    return run_replication(_WORKER_SCENARIO, seed, rep)


class LocalExecutor:
    """A pool of worker processes on this machine; the scenario is sent once per worker.

    At most ``2 × workers`` replications are in flight, so a long run does not queue every
    task up front and an interrupt stops promptly. Workers end by themselves within
    ``PARENT_POLL_S`` of the death of the process that started them (``_watch_parent``).
    """

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)

    def run(self, scenario, seed, replications):
        pending_reps = list(replications)
        if not pending_reps:
            return
        if len(pending_reps) == 1:  # starting a pool would cost more than it saves
            yield run_replication(scenario, seed, pending_reps[0])
            return
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init_worker,
                                 initargs=(scenario, os.getpid())) as pool:
            in_flight = set()
            todo = iter(pending_reps)
            try:
                for rep in todo:
                    in_flight.add(pool.submit(_run_in_worker, seed, rep))
                    if len(in_flight) >= 2 * self.workers:
                        break
                while in_flight:
                    done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield future.result()
                        nxt = next(todo, None)
                        if nxt is not None:
                            in_flight.add(pool.submit(_run_in_worker, seed, nxt))
            finally:
                for future in in_flight:
                    future.cancel()


CONNECT_TIMEOUT_S = 5.0
"""How long the dask executor waits for its scheduler before giving up."""


class DaskExecutor:
    """Replications on a ``dask.distributed`` cluster.

    ``address`` is a scheduler address such as ``tcp://host:8786``; alternatively pass a
    ``cluster`` object (e.g. a ``LocalCluster``). The scenario is scattered once to all workers.
    """

    name = "dask"

    def __init__(self, address: str | None = None, cluster=None):
        if address is None and cluster is None:
            raise ValueError("the dask executor needs a scheduler address, e.g. --scheduler tcp://127.0.0.1:8786")
        self.address = address
        self.cluster = cluster

    def run(self, scenario, seed, replications):
        from distributed import Client, as_completed

        try:
            client = Client(self.cluster if self.cluster is not None else self.address, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExecutorUnavailable(
                f"no Dask scheduler answers at {self.address} within {CONNECT_TIMEOUT_S:g} s ({type(exc).__name__}); "
                "start one with `dask scheduler` or check --scheduler") from None
        with client:
            shared = client.scatter(scenario, broadcast=True)
            futures = [client.submit(run_replication, shared, seed, rep, pure=False) for rep in replications]
            try:
                for future in as_completed(futures):
                    yield future.result()
            finally:
                client.cancel(futures)


def make_executor(name: str, workers: int | None = None, scheduler: str | None = None) -> Executor:
    """Executor by name (see ``EXECUTORS``)."""
    if name == "serial":
        return SerialExecutor()
    if name == "local":
        return LocalExecutor(workers)
    if name == "dask":
        return DaskExecutor(scheduler)
    raise ValueError(f"unknown executor {name!r}, expected one of {', '.join(EXECUTORS)}")
