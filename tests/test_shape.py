"""The shape of the package: imports between modules run one way (lazy imports included)."""

import ast
from pathlib import Path

import networkx as nx

from conftest import ROOT

PACKAGE = ROOT / "src" / "beredskap_sim"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> nx.DiGraph:
    """Module → module for every ``from .x import y`` / ``import beredskap_sim.x`` anywhere in a file."""
    graph = nx.DiGraph()
    for path in PACKAGE.rglob("*.py"):
        me = module_name(path)
        package = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                graph.add_edge(me, target)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("beredskap_sim"):
                graph.add_edge(me, node.module)
    return graph


def test_compare_and_html_import_one_way():
    graph = import_graph()
    assert graph.has_edge("beredskap_sim.experiment.compare", "beredskap_sim.report.html")
    assert not nx.has_path(graph, "beredskap_sim.report.html", "beredskap_sim.experiment.compare")


def test_no_import_cycles_among_the_report_modules():
    graph = import_graph()
    report = graph.subgraph([n for n in graph if n.startswith("beredskap_sim.report")])
    assert list(nx.simple_cycles(report)) == []


def test_metric_modules_import_one_way():
    # kpis builds the table of one replication from supply and costs; those two and resilience
    # never reach back to kpis, so there is no circle among the metric modules.
    graph = import_graph()
    metrics = graph.subgraph([n for n in graph if n.startswith("beredskap_sim.metrics")])
    assert list(nx.simple_cycles(metrics)) == []
    for low in ("costs", "supply", "rows", "resilience"):
        assert not nx.has_path(graph, f"beredskap_sim.metrics.{low}", "beredskap_sim.metrics.kpis"), low
    assert graph.has_edge("beredskap_sim.metrics.kpis", "beredskap_sim.metrics.costs")


def test_appraisal_reads_conventions_and_never_the_runner():
    graph = import_graph()
    assert not nx.has_path(graph, "beredskap_sim.experiment.appraisal", "beredskap_sim.experiment.runner")
    assert not nx.has_path(graph, "beredskap_sim.scenario.appraisal", "beredskap_sim.experiment.appraisal")
