"""Time ra2ce's single-link redundancy on the benchmark grids (run with ra2ce's own Python).

    /tmp/ra2ce-venv/bin/python benchmarks/ra2ce_grid.py N [REPEATS]

ra2ce is not a project dependency: it is installed in a throwaway virtual environment
(``python3 -m venv /tmp/ra2ce-venv && /tmp/ra2ce-venv/bin/pip install ra2ce==1.2.2``). Prints
one JSON line: the links, the CPU seconds of each run of ``SingleLinkRedundancy.execute``
(length weighting) after one warm-up, and the alternative length (km) per link in
``grid_links`` order, for the cross-check against the project's answer.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
from ra2ce.analysis.analysis_config_data.enums.weighing_enum import WeighingEnum
from ra2ce.analysis.losses.single_link_redundancy import SingleLinkRedundancy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grids import grid_links, node_position  # noqa: E402


def ra2ce_graph(n: int) -> nx.MultiGraph:
    graph = nx.MultiGraph(crs="EPSG:4326")
    for a, b, km in grid_links(n):
        for node in (a, b):
            x, y = node_position(node)
            graph.add_node(node, x=x, y=y)
        graph.add_edge(a, b, length=km * 1000.0)  # ra2ce lengths are metres
    return graph


def run(n: int):
    graph = ra2ce_graph(n)
    wrapper = SimpleNamespace(
        analysis=SimpleNamespace(weighing=WeighingEnum.LENGTH, name="single_link_redundancy"),
        graph_file=SimpleNamespace(graph=graph, get_graph=lambda: graph),
        input_path=Path("."), static_path=Path("."), output_path=Path("."), hazard_names=None)
    analysis = SingleLinkRedundancy(wrapper)
    start = time.process_time()
    result = analysis.execute()
    return time.process_time() - start, result


def main() -> None:
    n = int(sys.argv[1])
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    run(n)  # warm-up
    times, alt = [], None
    for _ in range(repeats):
        cpu, result = run(n)
        times.append(cpu)
    gdf = result.results_collection[0].analysis_result
    by_pair = {}
    for (u, v, _), value in zip(gdf.index, gdf["alt_length"]):
        by_pair[(u, v)] = by_pair[(v, u)] = value / 1000.0
    alt = [by_pair[(a, b)] for a, b, _ in grid_links(n)]
    print(json.dumps({"links": len(alt), "cpu_s": times, "alt_km": alt}))


if __name__ == "__main__":
    main()
