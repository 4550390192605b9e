"""Named random streams: one ``numpy.random.Generator`` per (seed, replication, stream name).

A stream's generator depends only on those three, never on which other streams exist or the
order they are drawn from. So a variant scenario (an investment) draws the *same* hazards as
its baseline for the same replication (common random numbers), and every executor gives the
same numbers.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """Stable 32-bit key of a stream name (CRC-32, the same in every process)."""
    return zlib.crc32(name.encode("utf-8"))


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The generator for stream ``name`` of ``replication`` under root ``seed``."""
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(replication, stream_key(name)))
    return np.random.default_rng(sequence)


class Streams:
    """Lazily created named streams of one replication."""

    def __init__(self, seed: int, replication: int):
        self.seed = seed
        self.replication = replication
        self._made: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._made.get(name)
        if gen is None:
            gen = self._made[name] = stream(self.seed, self.replication, name)
        return gen
