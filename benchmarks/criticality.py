"""Scaling of `analyze`'s single-link criticality on grid networks (prints figures, asserts nothing).

    python benchmarks/criticality.py [--repeats 3] [--old-max-links 2000] [--no-ra2ce]

For each grid of ``benchmarks/grids.py`` (480 … 8,064 two-way road links): CPU seconds
(``time.process_time``) of ``single_link_criticality`` — the median of ``--repeats`` runs after
one warm-up run — for

* **new**: the array implementation (bounded Dijkstra per link, ``network/alternatives.py``);
* **old**: the networkx implementation it replaced (``tests/criticality_oracle.py``), up to
  ``--old-max-links`` links, as it grows as edges^2.1;
* **ra2ce 1.2.2** (``SingleLinkRedundancy``, length weighting), when a throwaway environment
  ``/tmp/ra2ce-venv`` exists (see ``benchmarks/ra2ce_grid.py``); its alternative lengths are
  compared with ours link by link (all links have one speed, so fastest = shortest).

Then the growth exponent b of ``cpu = a · links^b`` (least squares on logs) per implementation.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))

from beredskap_sim.network.graph import Network, build_network  # noqa: E402
from beredskap_sim.network.redundancy import single_link_criticality  # noqa: E402
from beredskap_sim.scenario.network_schema import NetworkSpec  # noqa: E402
from criticality_oracle import old_single_link_criticality  # noqa: E402
from grids import SIZES, SPEED_KMH, grid_links, node_position  # noqa: E402

RA2CE_PYTHON = Path("/tmp/ra2ce-venv/bin/python")


def grid_network(n: int) -> Network:
    """The ``n × n`` grid as a project network: two-way road links at one speed."""
    links = grid_links(n)
    names = sorted({x for a, b, _ in links for x in (a, b)})
    nodes = [{"id": x, "name": x, "kind": "junction", "country": "NO", "lon": node_position(x)[0],
              "lat": node_position(x)[1]} for x in names]
    specs = [{"id": f"e{i}", "name": f"e{i}", "from": a, "to": b, "mode": "road", "length_km": km,
              "speed_kmh": SPEED_KMH, "tonnes_per_hour": 100.0} for i, (a, b, km) in enumerate(links)]
    defaults = {"truck_payload_t": 10.0, "train_payload_t": 500.0, "truck_speed_kmh": SPEED_KMH,
                "freight_train_speed_kmh": SPEED_KMH}
    return build_network(NetworkSpec.model_validate({"name": f"grid {n}x{n}", "defaults": defaults,
                                                     "nodes": nodes, "links": specs}))


def cpu_median(fn, repeats: int) -> tuple[float, object]:
    """Median CPU seconds of ``repeats`` calls after one warm-up call, and the last result."""
    out = fn()
    times = []
    for _ in range(repeats):
        start = time.process_time()
        out = fn()
        times.append(time.process_time() - start)
    return statistics.median(times), out


def exponent(links: list[int], seconds: list[float]) -> float:
    """b in seconds = a · links^b (least squares on logarithms); NaN with fewer than two sizes."""
    if len(links) < 2:
        return float("nan")
    return float(np.polyfit(np.log(links), np.log(seconds), 1)[0])


def ra2ce_run(n: int, repeats: int) -> dict | None:
    if not RA2CE_PYTHON.exists():
        return None
    proc = subprocess.run([str(RA2CE_PYTHON), "-W", "ignore", str(HERE / "ra2ce_grid.py"), str(n), str(repeats)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def by_link_order(table) -> np.ndarray:
    """``alt_dist`` per link in link order (the table is ranked)."""
    return table.sort_values("link", key=lambda s: s.str[1:].astype(int))["alt_dist"].to_numpy()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--old-max-links", type=int, default=2000, help="largest grid the old implementation runs on")
    parser.add_argument("--no-ra2ce", action="store_true")
    args = parser.parse_args()

    rows = []
    print(f"single-link criticality, CPU s (median of {args.repeats} after a warm-up)")
    print(f"{'links':>7} {'new':>9} {'old':>9} {'ra2ce':>9} {'old/new':>8} {'ra2ce/new':>9}  cross-checks")
    for n in SIZES:
        network = grid_network(n)
        new_s, new_table = cpu_median(lambda: single_link_criticality(network), args.repeats)
        alt_new = by_link_order(new_table)
        checks = []
        old_s = ra2ce_s = float("nan")
        if network.n_links <= args.old_max_links:
            old_s, old_table = cpu_median(lambda: old_single_link_criticality(network), args.repeats)
            diff = np.abs(alt_new - by_link_order(old_table))
            checks.append(f"old: {int((diff > 1e-6).sum())} links differ")
        if not args.no_ra2ce:
            ra2ce = ra2ce_run(n, args.repeats)
            if ra2ce is not None:
                ra2ce_s = statistics.median(ra2ce["cpu_s"])
                diff = np.abs(alt_new - np.array(ra2ce["alt_km"]))
                checks.append(f"ra2ce: {int((diff > 1e-6).sum())} links differ (max {diff.max():.2g} km)")
        rows.append((network.n_links, new_s, old_s, ra2ce_s))
        print(f"{network.n_links:>7,} {new_s:>9.3f} {old_s:>9.3f} {ra2ce_s:>9.3f} {old_s / new_s:>8.1f} "
              f"{ra2ce_s / new_s:>9.1f}  {'; '.join(checks)}", flush=True)
    print("growth exponent b (cpu ∝ links^b):")
    for col, name in ((1, "new"), (2, "old"), (3, "ra2ce")):
        pts = [(r[0], r[col]) for r in rows if np.isfinite(r[col])]
        if pts:
            print(f"  {name:6} {exponent([p[0] for p in pts], [p[1] for p in pts]):5.2f}  "
                  f"({len(pts)} sizes, {pts[0][0]:,}–{pts[-1][0]:,} links)")
    if not RA2CE_PYTHON.exists() and not args.no_ra2ce:
        print("ra2ce not timed: no /tmp/ra2ce-venv (see benchmarks/ra2ce_grid.py)")


if __name__ == "__main__":
    main()
