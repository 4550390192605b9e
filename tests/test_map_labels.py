"""Place names on the map: no label overlaps another label or a marker, the crowded
Trondheim–Stjørdal area gets a detail inset where Hell, Værnes, Malvik and Muruvik are named."""

import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.text as mtext  # noqa: E402
import numpy as np  # noqa: E402

from beredskap_sim.network.graph import Network  # noqa: E402
from beredskap_sim.report.labels import LABEL_GID, Place, place_labels  # noqa: E402
from beredskap_sim.report.maps import draw_situation_map  # noqa: E402
from beredskap_sim.report.moments import local_links  # noqa: E402
from beredskap_sim.scenario.loader import load_scenario  # noqa: E402
from conftest import ROOT  # noqa: E402


def label_boxes(ax):
    """Display boxes of the text (not the leader line) of every place label on ``ax``."""
    ax.figure.canvas.draw()  # annotations take their place when drawn
    renderer = ax.figure.canvas.get_renderer()
    out = {}
    for t in ax.texts:
        if t.get_gid() == LABEL_GID:
            bb = mtext.Text.get_window_extent(t, renderer)
            out[t.get_text()] = np.array([bb.x0, bb.y0, bb.x1, bb.y1])
    return out


def overlap(a, b, tol=0.5):
    return a[0] < b[2] - tol and b[0] < a[2] - tol and a[1] < b[3] - tol and b[1] < a[3] - tol


def test_two_places_on_one_spot_get_labels_on_different_sides():
    """By hand: two places at the same point cannot both sit east of it; the second takes the
    next free candidate, and neither label covers the marker."""
    fig, ax = plt.subplots(figsize=(4, 3), dpi=100)
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    placed, left_out = place_labels(ax, [Place("a", "Alpha", 5, 5), Place("b", "Beta", 5, 5)], [(5, 5)], [])
    assert placed == ["a", "b"] and left_out == []
    boxes = label_boxes(ax)
    assert not overlap(boxes["Alpha"], boxes["Beta"])
    marker = ax.transData.transform((5, 5))
    for box in boxes.values():
        assert not (box[0] < marker[0] < box[2] and box[1] < marker[1] < box[3])
    assert boxes["Alpha"][0] > marker[0]  # the first choice is east of the marker
    plt.close(fig)


def test_a_place_without_room_is_left_unlabelled():
    """By hand: axes 20 px wide hold no label of 'Trondheim' at 8.5 pt anywhere: left out, not drawn."""
    fig = plt.figure(figsize=(3, 3), dpi=100)
    ax = fig.add_axes([0.4, 0.4, 0.07, 0.07])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    placed, left_out = place_labels(ax, [Place("t", "Trondheim", 0.5, 0.5)], [(0.5, 0.5)], [])
    assert placed == [] and left_out == ["t"]
    assert label_boxes(ax) == {}
    plt.close(fig)


def test_gyda_situation_map_labels_do_not_overlap_and_name_the_trondheim_cluster():
    scenario = load_scenario(ROOT / "scenarios" / "storm-gyda-2022.yaml")
    net: Network = scenario.network
    corridor = {net.link_index[x] for g in ("meraakerbanen", "e14-norway") for x in scenario.network_spec.groups[g]}
    closed = {i: "#d62728" for i in corridor}
    # framed as the report frames the Gyda map: the study area around the closures and the food municipalities
    fig = draw_situation_map(net, closed, "test", [("closed", "#d62728")], scenario.network_file,
                             local_links(scenario, set(corridor)), set(range(net.n_links)))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    maps = [ax for ax in fig.axes if label_boxes(ax)]
    named = set()
    for ax in maps:
        boxes = label_boxes(ax)
        named |= set(boxes)
        for (na, a), (nb, b) in itertools.combinations(boxes.items(), 2):
            assert not overlap(a, b), f"labels {na!r} and {nb!r} overlap"
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        points = ax.transData.transform([(n.lon, n.lat) for n in net.spec.nodes
                                         if x0 <= n.lon <= x1 and y0 <= n.lat <= y1])
        for name, box in boxes.items():
            inside = (points[:, 0] > box[0]) & (points[:, 0] < box[2]) & (points[:, 1] > box[1]) & (points[:, 1] < box[3])
            assert not inside.any(), f"label {name!r} covers a place's marker"
    # the detail inset lies over the main map: no main-map label under it
    main, inset = maps[0], [ax for ax in fig.axes if ax.get_zorder() == 9]
    assert inset, "the crowded Trondheim–Stjørdal area gets a detail inset"
    bb = inset[0].get_window_extent(renderer)
    for name, box in label_boxes(main).items():
        assert not overlap(box, np.array([bb.x0, bb.y0, bb.x1, bb.y1])), f"{name!r} hidden under the inset"
    assert {"Trondheim", "Stjørdal", "Malvik", "Hell", "Trondheim Airport Værnes", "Muruvik port", "Hegra", "Gudå",
            "Meråker"} <= named
    plt.close(fig)
