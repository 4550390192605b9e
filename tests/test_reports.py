"""Figures, the HTML report in headless Chromium, and the live workshop page driven in it."""

import json
import subprocess
import sys
import threading

import numpy as np
import pytest
from PIL import Image

from beredskap_sim.experiment.executors import SerialExecutor
from beredskap_sim.experiment.runner import run_experiment
from beredskap_sim.report.figures import comparison, make_figures
from beredskap_sim.report.html import write_report
from beredskap_sim.scenario.loader import load_scenario
from browser import console_errors, start_chromium
from conftest import ROOT

CLOSED_RGB = (214, 39, 40)  # "#d62728"


@pytest.fixture(scope="module")
def gyda_run(tmp_path_factory):
    scenario = load_scenario(ROOT / "scenarios" / "storm-gyda-2022.yaml")
    return run_experiment(scenario, 2, 0, tmp_path_factory.mktemp("runs"), SerialExecutor(), progress=False)


@pytest.fixture(scope="module")
def browser():
    driver = start_chromium()
    yield driver
    driver.quit()


def colour_pixels(path, rgb, tolerance=12) -> int:
    pixels = np.asarray(Image.open(path).convert("RGB")).astype(int)
    return int((np.abs(pixels - np.array(rgb)).max(axis=2) <= tolerance).sum())


def test_figures_are_made_and_show_the_closed_links(gyda_run):
    figures = make_figures(gyda_run, map_time=3 * 24.0, animate=True)
    assert {"map", "curves", "timeline", "supply", "animation"} <= set(figures)
    for path in figures.values():
        image = Image.open(path)
        assert image.width >= 600 and image.height >= 300
    # On day 3 Meråkerbanen and E14 are closed: the closed colour is on the map, and not on a
    # map of the undisturbed first hours.
    closed = colour_pixels(figures["map"], CLOSED_RGB)
    calm = colour_pixels(make_figures(gyda_run, map_time=1.0, animate=False)["map"], CLOSED_RGB)
    assert calm < 150  # only the legend swatch
    assert closed > calm + 300  # plus the closed rail line and road
    assert (gyda_run.path / "figures" / "network-map.svg").stat().st_size > 10_000
    gif = Image.open(figures["animation"])
    assert getattr(gif, "n_frames", 1) >= 10


def test_html_report_opens_in_chromium_without_console_errors(gyda_run, browser):
    report = write_report(gyda_run, animate=False)
    browser.get(report.as_uri())
    table = browser.find_element("id", "headline-kpis").text
    assert "Freight lost (past deadline)" in table and "Trains replaced by bus" in table
    assert "Food: minimum days of supply — Meråker" in table and "meraker" not in table  # names, not ids
    assert "Trains replaced by bus" in table and "departures" in table  # counts say what they count
    assert browser.find_element("id", "event-log").text.count("disruption-start") >= 4
    assert len(browser.find_elements("css selector", "figure img")) >= 4
    assert all(img.get_property("naturalWidth") > 0 for img in browser.find_elements("css selector", "figure img"))
    assert console_errors(browser) == []
    text = report.read_text()
    assert "http://" not in text.replace("http://www.w3.org", "") and "https://" not in text  # self-contained


def test_report_command_remakes_the_report_from_disk(gyda_run):
    (gyda_run.path / "report.html").unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, "-m", "beredskap_sim.cli", "report", str(gyda_run.path), "--no-animation"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (gyda_run.path / "report.html").exists()
    bad = subprocess.run([sys.executable, "-m", "beredskap_sim.cli", "report", str(gyda_run.path / "nope")],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "not a complete results folder" in bad.stderr


def test_workshop_page_toggle_a_disruption_and_see_a_kpi_change(browser, tmp_path):
    from selenium.webdriver.support.ui import WebDriverWait

    from beredskap_sim.report.workshop import WorkshopSession, make_server

    session = WorkshopSession(ROOT / "scenarios" / "storm-gyda-2022.yaml", replications=2, workdir=tmp_path)
    server = make_server(session, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browser.get(f"http://127.0.0.1:{server.server_address[1]}/")
        wait = WebDriverWait(browser, 90)
        wait.until(lambda d: d.find_element("id", "status").text.startswith("done (run 1"))

        def kpi(label):
            return browser.find_element("css selector", f"td[data-kpi='{label}']").get_attribute("textContent")

        replaced = kpi("Trains replaced by bus")
        assert float(replaced.replace(",", "")) > 0
        # The untouched page runs the scenario exactly as written (no slider rounding).
        assert session._cache and json.loads(next(iter(session._cache)))["edits"] == {}
        assert browser.find_element("id", "map-img").get_property("naturalWidth") > 0
        # Switch off the collapsed fill under Meråkerbanen and run again: Nabotoget runs.
        browser.find_element("id", "d-meraakerbanen-fill").click()
        browser.find_element("id", "run").click()
        wait.until(lambda d: d.find_element("id", "status").text.startswith("done (run 2"))
        assert float(kpi("Trains replaced by bus").replace(",", "")) < float(replaced.replace(",", ""))
        # Before/after: the tile keeps the untouched scenario's value and shows the change as better.
        tile = browser.find_element("css selector", "[data-tile='Trains replaced by bus']")
        assert f"was {replaced}" in tile.text and tile.find_element("css selector", ".better")
        assert console_errors(browser) == []
    finally:
        server.shutdown()
        server.server_close()


def test_workshop_page_fits_a_projector_and_runs_an_exercise(browser, tmp_path):
    """At 1920×1080 the page does not scroll, nothing overflows its panel, no image frame is
    empty; in exercise mode a step and an inject are logged, the map is drawn at the clock time,
    and saving writes the log and a replayable overlay into the run folder."""
    from selenium.webdriver.support.ui import WebDriverWait

    from beredskap_sim.report.workshop import WorkshopSession, make_server
    from beredskap_sim.scenario.loader import load_variant

    session = WorkshopSession(ROOT / "scenarios" / "storm-gyda-2022.yaml", replications=1, workdir=tmp_path)
    server = make_server(session, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browser.set_window_size(1920, 1080)
        inner = browser.execute_script("return window.innerHeight")
        browser.set_window_size(1920, 1080 + (1080 - inner))
        browser.get(f"http://127.0.0.1:{server.server_address[1]}/")
        wait = WebDriverWait(browser, 120)
        wait.until(lambda d: d.find_element("id", "status").text.startswith("done (run 1"))
        size = browser.execute_script("return [window.innerWidth, window.innerHeight, document.documentElement.scrollWidth,"
                                      " document.documentElement.scrollHeight]")
        assert size[1] == 1080 and size[2] <= size[0] and size[3] <= size[1], size
        overflowing = browser.execute_script("""
            return [...document.querySelectorAll('section, .tile, #panel, #map-box')].filter(
                e => e.scrollWidth > e.clientWidth + 1).map(e => e.id || e.className);""")
        assert overflowing == []
        assert browser.execute_script("return [...document.images].filter(i => i.offsetParent && !i.complete"
                                      " || i.offsetParent && i.naturalWidth === 0).length") == 0
        assert len(browser.find_elements("css selector", ".tile")) >= 5
        browser.find_element("id", "exercise-on").click()
        wait.until(lambda d: d.find_element("id", "step-1d").is_displayed())
        for _ in range(3):  # each step's run must be done (a new "done (run N") before the next click
            before = browser.find_element("id", "status").text
            browser.find_element("id", "step-1d").click()
            wait.until(lambda d: d.find_element("id", "status").text.startswith("done")
                       and d.find_element("id", "status").text != before)
        browser.find_element("id", "inject-closure").click()  # the first target: a whole line
        wait.until(lambda d: len(d.find_elements("css selector", "#log li")) == 4
                   and d.find_element("id", "status").text.startswith("done (run"))
        assert "closed" in browser.find_element("id", "log").text
        assert browser.find_element("id", "now").text.startswith("At Thu 13 Jan 2022 00:00")
        browser.find_element("id", "save-exercise").click()
        wait.until(lambda d: d.find_element("id", "saved").text.startswith("saved"))
        folder = session.last_folder
        log = json.loads((folder / "exercise-log.json").read_text(encoding="utf-8"))
        assert [e["kind"] for e in log["log"]] == ["clock", "clock", "clock", "closure"]
        assert log["log"][-1]["at_h"] == 72.0
        replay, _ = load_variant(ROOT / "scenarios" / "storm-gyda-2022.yaml", folder / "exercise-overlay.yaml")
        added = [d for d in replay.disruptions if d.id.startswith("workshop-")]
        assert len(added) == 1 and added[0].start_h == 72.0
        assert console_errors(browser) == []
    finally:
        server.shutdown()
        server.server_close()


def test_comparison_figure(tmp_path):
    import pandas as pd

    folder = tmp_path / "cmp"
    folder.mkdir()
    pd.DataFrame([
        {"variant": "a", "kpi": "tonnes_lost", "scope": "all", "mean_diff": -5.0, "ci95_low": -7.0, "ci95_high": -3.0},
        {"variant": "b", "kpi": "tonnes_lost", "scope": "all", "mean_diff": 1.0, "ci95_low": -1.0, "ci95_high": 3.0},
    ]).to_csv(folder / "differences.csv", index=False)
    path = comparison(folder)
    assert Image.open(path).width > 200


def test_compare_report_opens_in_chromium(browser, tmp_path):
    import yaml

    from beredskap_sim.experiment.compare import compare
    from beredskap_sim.scenario.loader import load_variant

    overlay = tmp_path / "stock.yaml"
    overlay.write_text(yaml.safe_dump({"name": "More food in Meråker", "investment": {"cost": 1e6, "lifetime_years": 10},
                                       "changes": [{"set": "scenario.food.municipalities[node=meraker].stock_days", "value": 9},
                                                   {"set": "scenario.food.municipalities[node=meraker].reorder_days", "value": 8},
                                                   {"set": "scenario.food.municipalities[node=meraker].order_up_to_days", "value": 9}]}))
    base_path = ROOT / "scenarios" / "storm-gyda-2022.yaml"
    folder = compare(load_scenario(base_path), [load_variant(base_path, overlay)], 2, 0, tmp_path / "out", SerialExecutor(), False)
    browser.get((folder / "report.html").as_uri())
    assert "More food in Meråker" in browser.find_element("id", "differences").text
    assert "food_min_days_of_supply" in browser.find_element("id", "differences").text
    assert console_errors(browser) == []


def test_report_links_every_citation_to_its_section_of_the_sources_document(gyda_run):
    import re

    text = write_report(gyda_run, animate=False).read_text(encoding="utf-8")
    anchors = set(re.findall(r"<section id='(facts-[0-9a-z]+)'", text))
    links = set(re.findall(r"href='#(facts-[0-9a-z]+)'", text))
    assert {"facts-1", "facts-8", "facts-11"} <= anchors
    assert links and links <= anchors  # no citation points at a section the report lacks
    assert "Meråker" in text and "public source" in text
