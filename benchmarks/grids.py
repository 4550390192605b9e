"""Square grid networks for the criticality benchmark, as plain lists (no project imports, so
the same grids can be built in a separate environment with ra2ce).

An ``n × n`` grid has ``2 n (n − 1)`` two-way links (n = 64: 8,064 links). Link lengths are
drawn uniformly from 5.0–15.0 km (0.1 km steps) with a fixed seed, so alternatives are unique
more often than on a uniform grid, and every link has the same speed: the fastest alternative
is then also the shortest, and both tools must report the same alternative length.
"""

from __future__ import annotations

import random

SIZES = (16, 23, 32, 45, 64)  # 480, 1,012, 1,984, 3,960, 8,064 links
SPEED_KMH = 80.0


def grid_links(n: int, seed: int = 1) -> list[tuple[str, str, float]]:
    """``(from node, to node, length km)`` per link of an ``n × n`` grid, in a fixed order."""
    rng = random.Random(seed)
    links = []
    for r in range(n):
        for c in range(n):
            for dr, dc in ((0, 1), (1, 0)):
                if r + dr < n and c + dc < n:
                    links.append((f"g{r}-{c}", f"g{r + dr}-{c + dc}", rng.randint(50, 150) / 10))
    return links


def node_position(node_id: str) -> tuple[float, float]:
    """(lon, lat) of a grid node: 0.1° apart east–west, 0.05° north–south."""
    r, c = (int(x) for x in node_id[1:].split("-"))
    return 10.0 + 0.1 * c, 60.0 + 0.05 * r
