"""Exercise mode shows no future: every curve, bar and panel of the workshop stops at the
exercise clock (issue 13), while the same figures without a clock run to the horizon."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from beredskap_sim.experiment.executors import SerialExecutor  # noqa: E402
from beredskap_sim.experiment.runner import run_experiment  # noqa: E402
from beredskap_sim.report import figures  # noqa: E402
from beredskap_sim.scenario.loader import load_scenario  # noqa: E402
from conftest import ROOT  # noqa: E402

CLOCK_H = 80.0  # Thu 13 Jan 2022 08:00: Meråkerbanen closed since the 12th, E14 since 06:00


@pytest.fixture(scope="module")
def gyda(tmp_path_factory):
    scenario = load_scenario(ROOT / "scenarios" / "storm-gyda-2022.yaml")
    return scenario, run_experiment(scenario, 1, 0, tmp_path_factory.mktemp("runs"), SerialExecutor(), progress=False)


def latest_x(draw) -> float:
    """The largest date (as a matplotlib date number) any data line, step or bar reaches in
    the figures ``draw`` makes (figures are kept open to be read)."""
    plt.close("all")
    keep = figures.plt.close
    figures.plt.close = lambda *a, **k: None
    try:
        draw()
    finally:
        figures.plt.close = keep
    latest = -np.inf
    for number in plt.get_fignums():
        for ax in plt.figure(number).axes:
            for line in ax.lines:
                if line.get_label().startswith("now"):
                    continue
                x = np.asarray(line.get_xdata(), dtype=float)
                if x.size and x.max() > 1000:  # data in dates, not an axhline in axes fractions
                    latest = max(latest, float(x.max()))
            for patch in ax.patches:
                if isinstance(patch, Rectangle) and patch.get_x() > 1000:
                    latest = max(latest, patch.get_x() + patch.get_width())
    plt.close("all")
    return latest


def test_exercise_figures_stop_at_the_clock(gyda, tmp_path):
    scenario, folder = gyda
    clock = mdates.date2num(pd.Timestamp(scenario.start).to_pydatetime()) + CLOCK_H / 24
    for draw in (lambda until: figures.resilience_curves(folder, scenario, tmp_path, until_h=until),
                 lambda until: figures.timeline(folder, scenario, tmp_path, until_h=until),
                 lambda until: figures.panel_figures(folder, scenario, tmp_path, until_h=until)):
        assert latest_x(lambda: draw(CLOCK_H)) <= clock + 1e-6
        assert latest_x(lambda: draw(None)) > clock + 1  # without a clock they run on: the check can fail


def test_exercise_panels_show_the_state_so_far(gyda, tmp_path):
    """By the clock the Meråkerbanen fill has closed the line for 20 h (from 12 Jan 12:00)
    and Nabotoget departures have been replaced by buses: the panels exist, and the timeline
    says the closure is open "so far" and leaves out the storm of the 16th."""
    scenario, folder = gyda
    panels = figures.panel_figures(folder, scenario, tmp_path, until_h=CLOCK_H)
    assert {"food", "power", "passengers"} <= set(panels)
    events = folder.events()
    assert ((events["kind"] == "departure-replaced") & (events["time_h"] < CLOCK_H)).any()
    known = figures.until_clock(folder.disruptions(), CLOCK_H)
    fill = known[known["id"] == "meraakerbanen-fill"].iloc[0]
    assert fill.end_h == CLOCK_H and fill.end_h - fill.start_h == pytest.approx(20.0)  # 12 Jan 12:00 (+60 h) to the clock (+80 h)
    assert "storm-16-jan-local-grids" not in set(known["id"])


def test_a_commodity_with_nothing_due_gets_no_curve_panel(gyda, tmp_path):
    """Fuel with nothing due all run long (no backup generator ordered any) is no panel of a
    flat Q = 1; the other commodities keep theirs."""
    scenario, folder = gyda

    class NoFuel:
        def __getattr__(self, name):
            return getattr(folder, name)

        def timeseries(self):
            series = folder.timeseries()
            return series.assign(due_t=series["due_t"].where(series["commodity"] != "fuel", 0.0))

    def panels(source) -> list[str]:
        plt.close("all")
        keep = figures.plt.close
        figures.plt.close = lambda *a, **k: None
        try:
            figures.resilience_curves(source, scenario, tmp_path)
        finally:
            figures.plt.close = keep
        labels = [ax.get_ylabel().split("\n")[0] for ax in plt.gcf().axes]
        plt.close("all")
        return labels

    assert "fuel" in panels(folder)
    without = panels(NoFuel())
    assert "fuel" not in without and "timber" in without
