"""The scenario in plain words speaks in names and dates, never in the ids of the files."""

import re

from beredskap_sim.report.describe import describe
from beredskap_sim.report.names import Names
from beredskap_sim.scenario.loader import load_scenario
from conftest import ROOT


def test_gyda_description_uses_names_and_dates():
    scenario = load_scenario(ROOT / "scenarios" / "storm-gyda-2022.yaml")
    text = describe(scenario)
    assert "Meråkerbanen Hell–Storlien" in text and "local grid Trondheim" in text
    assert "Wed 12 Jan 12:00" in text  # the fill collapses 2 d 12 h after the start, Monday 10 January 2022
    ids = {d.id for d in scenario.disruptions} | {t for d in scenario.disruptions for t in d.targets}
    spoken = set(re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+|[a-z]+", text))
    assert not ids & spoken, f"ids in the description: {ids & spoken}"


def test_names_of_a_list_count_the_rest():
    scenario = load_scenario(ROOT / "scenarios" / "storm-gyda-2022.yaml")
    names = Names(scenario)
    assert names.of_list("trondheim, malvik") == "Trondheim, Malvik"
    assert names.of_list(["trondheim", "malvik", "stjordal", "meraker"]) == "Trondheim, Malvik + 2 more"
    assert names.of("grid-meraker") == "local grid Meråker"
