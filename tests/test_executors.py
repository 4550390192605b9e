"""Serial, local pool and a real Dask LocalCluster give identical numbers; precision runs stop."""

import pandas as pd
import pytest

from beredskap_sim.experiment.executors import DaskExecutor, LocalExecutor, SerialExecutor
from beredskap_sim.experiment.runner import PrecisionTarget, run_experiment
from beredskap_sim.scenario.loader import scenario_from_data
from beredskap_sim.scenario.yaml_source import load_yaml_with_lines
from conftest import ROOT


@pytest.fixture(scope="module")
def stochastic_month():
    path = ROOT / "scenarios" / "winter-year-stochastic.yaml"
    data, lines = load_yaml_with_lines(path)
    data["horizon"] = "45d"
    data["start"] = "2024-12-01"
    return scenario_from_data(data, lines, str(path), path.parent)


def test_every_executor_gives_identical_tables(stochastic_month, tmp_path):
    from distributed import LocalCluster

    runs = {}
    runs["serial"] = run_experiment(stochastic_month, 6, seed=3, out=tmp_path / "s", executor=SerialExecutor(), progress=False)
    runs["local"] = run_experiment(stochastic_month, 6, seed=3, out=tmp_path / "l", executor=LocalExecutor(2), progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        runs["dask"] = run_experiment(stochastic_month, 6, seed=3, out=tmp_path / "d",
                                      executor=DaskExecutor(cluster=cluster), progress=False)
    base = runs["serial"]
    assert base.kpis()["value"].std() > 0
    for name in ("local", "dask"):
        pd.testing.assert_frame_equal(base.kpis(), runs[name].kpis(), check_exact=True)
        pd.testing.assert_frame_equal(base.timeseries(), runs[name].timeseries(), check_exact=True)
        pd.testing.assert_frame_equal(base.events(), runs[name].events(), check_exact=True)
        assert runs[name].read_manifest()["executor"] == name
    # Different years in different replications.
    lost = base.kpis().query("kpi == 'tonne_hours_delay' and scope == 'all'")["value"]
    assert lost.nunique() > 1


def test_until_precision_keeps_the_smallest_sufficient_prefix(stochastic_month, tmp_path):
    target = PrecisionTarget(("tonnes_demanded", "all"), 1.0, min_replications=5)  # constant KPI: zero width
    folder = run_experiment(stochastic_month, 30, seed=1, out=tmp_path, executor=LocalExecutor(2), progress=False, target=target)
    manifest = folder.read_manifest()
    assert manifest["replications"] == 5 and manifest["precision_reached"] is True
    assert sorted(folder.kpis()["replication"].unique()) == [0, 1, 2, 3, 4]


def test_dask_executor_needs_an_address():
    with pytest.raises(ValueError, match="scheduler address"):
        DaskExecutor()
