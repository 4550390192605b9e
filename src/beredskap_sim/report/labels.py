"""Place names on a map without overlaps: greedy placement over candidate positions.

Each place, in rank order, tries positions around its marker — the eight compass positions
(east first, as cartographers prefer: Imhof 1975) at growing distances, the "candidate
positions" of Christensen, Marks & Shieber (1995, ACM Trans. Graphics 14(3)) — and takes the
cheapest one whose box

* overlaps no label already placed, no marker and no reserved box (scale bar, attribution),
* lies inside the axes;

cost = 10 × (lines the box or its leader crosses, a disrupted line counting 3) + 30 × (another
marker is nearer the box than its own: the label would be read as that place's) + distance
rank; a leader may not cross a leader already drawn. A place with
no free position is left unlabelled, so the ranking decides who yields. Positions away from
the marker get a thin leader line to it. All geometry is in display pixels, so the map's
layout (figure size, aspect, subplots) must be final before ``place_labels`` is called.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LABEL_GID = "place-label"
DIRECTIONS = [(1, 0), (1, 1), (1, -1), (-1, 0), (0, 1), (0, -1), (-1, 1), (-1, -1)]  # E, NE, SE, W, N, S, NW, SW
GAPS_PT = (3.5, 9.0, 16.0, 26.0, 38.0)  # distance from the marker's centre to the label's near edge
LEADER_FROM_PT = 9.0                     # gaps from this one on get a leader line
MARKER_HALF_PX = 4.0                     # half the side of the square a marker occupies
MARGIN_PX = 1.5                          # air kept around every label box


@dataclass(frozen=True)
class Place:
    """One place to label: its ``key`` (node id), the ``text`` shown, its marker at ``x``, ``y`` (data coordinates)."""

    key: str
    text: str
    x: float
    y: float


def overlaps(box: np.ndarray, boxes: np.ndarray) -> bool:
    """Whether ``box`` (x0, y0, x1, y1) overlaps any row of ``boxes``."""
    if not len(boxes):
        return False
    return bool(np.any((boxes[:, 0] < box[2]) & (boxes[:, 2] > box[0]) & (boxes[:, 1] < box[3]) & (boxes[:, 3] > box[1])))


def crossings(box: np.ndarray, segments: np.ndarray, weights: np.ndarray) -> float:
    """Σ weight of the segments (x0, y0, x1, y1 rows) that pass through ``box`` (Liang–Barsky
    clipping: a segment meets the box when its parameter interval inside all four slabs is
    not empty)."""
    if not len(segments):
        return 0.0
    x0, y0 = segments[:, 0], segments[:, 1]
    dx, dy = segments[:, 2] - x0, segments[:, 3] - y0
    lo, hi = np.zeros(len(segments)), np.ones(len(segments))
    ok = np.ones(len(segments), dtype=bool)
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        parallel = np.abs(p) < 1e-12
        ok &= ~(parallel & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        lo = np.where(~parallel & (p < 0), np.maximum(lo, r), lo)
        hi = np.where(~parallel & (p > 0), np.minimum(hi, r), hi)
    return float(weights[ok & (lo <= hi)].sum())


def _box_distance(box: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Distance (px) from each of ``points`` to the nearest point of ``box``."""
    dx = np.maximum(np.maximum(box[0] - points[:, 0], 0), points[:, 0] - box[2])
    dy = np.maximum(np.maximum(box[1] - points[:, 1], 0), points[:, 1] - box[3])
    return np.hypot(dx, dy)


def _segments_cross(a: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Whether segment ``a`` (x0, y0, x1, y1) properly crosses each row of ``segments``."""
    if not len(segments):
        return np.zeros(0, dtype=bool)

    def side(px, py, qx, qy, rx, ry):
        return (qx - px) * (ry - py) - (qy - py) * (rx - px)

    s1 = side(a[0], a[1], a[2], a[3], segments[:, 0], segments[:, 1])
    s2 = side(a[0], a[1], a[2], a[3], segments[:, 2], segments[:, 3])
    s3 = side(segments[:, 0], segments[:, 1], segments[:, 2], segments[:, 3], a[0], a[1])
    s4 = side(segments[:, 0], segments[:, 1], segments[:, 2], segments[:, 3], a[2], a[3])
    return (s1 * s2 < 0) & (s3 * s4 < 0)


def _candidate(px: float, py: float, w: float, h: float, ux: int, uy: int, gap: float) -> np.ndarray:
    """The box of a ``w`` × ``h`` label whose near edge is ``gap`` px from (px, py) in direction (ux, uy)."""
    left = px + gap if ux > 0 else px - gap - w if ux < 0 else px - w / 2
    bottom = py + gap if uy > 0 else py - gap - h if uy < 0 else py - h / 2
    return np.array([left - MARGIN_PX, bottom - MARGIN_PX, left + w + MARGIN_PX, bottom + h + MARGIN_PX])


def place_labels(ax, places: list[Place], markers: list[tuple[float, float]],
                 segments: list[tuple[float, float, float, float, float]], reserved: list | None = None,
                 fontsize: float = 8.5) -> tuple[list[str], list[str]]:
    """Draw the labels of ``places`` (ranked, most important first) on ``ax`` where they fit.

    ``markers``: data coordinates of every marker on the map; ``segments``: lines as
    (x0, y0, x1, y1, weight) in data coordinates; ``reserved``: matplotlib artists whose boxes
    no label may cover. Returns (keys placed, keys left out)."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()
    to_px = ax.transData.transform
    frame = ax.get_window_extent(renderer)
    pt = fig.dpi / 72.0
    marker_px = to_px(np.asarray(markers, dtype=float).reshape(-1, 2)) if markers else np.empty((0, 2))
    taken = [np.column_stack([marker_px - MARKER_HALF_PX, marker_px + MARKER_HALF_PX])]
    for artist in reserved or []:
        bb = artist.get_window_extent(renderer)
        taken.append(np.array([[bb.x0, bb.y0, bb.x1, bb.y1]]))
    blocked = np.vstack(taken)
    seg = np.asarray(segments, dtype=float).reshape(-1, 5)
    seg_px = np.column_stack([to_px(seg[:, 0:2]), to_px(seg[:, 2:4])]) if len(seg) else np.empty((0, 4))
    weights = seg[:, 4] if len(seg) else np.empty(0)
    style = dict(fontsize=fontsize, color="#1b2631", zorder=6,
                 bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none", alpha=0.7))
    placed, left_out = [], []
    leaders = np.empty((0, 4))
    for place in places:
        probe = ax.text(0, 0, place.text, **style)
        bb = probe.get_window_extent(renderer)
        probe.remove()
        w, h = bb.width + 0.2 * fontsize * pt * 2, bb.height + 0.2 * fontsize * pt  # the round box's padding
        px, py = to_px((place.x, place.y))
        best = None
        for rank, (gap_pt, (ux, uy)) in enumerate((g, d) for g in GAPS_PT for d in DIRECTIONS):
            box = _candidate(px, py, w, h, ux, uy, gap_pt * pt)
            if box[0] < frame.x0 or box[2] > frame.x1 or box[1] < frame.y0 or box[3] > frame.y1:
                continue
            if overlaps(box, blocked):
                continue
            cost = 10.0 * crossings(box, seg_px, weights) + rank
            leader = None
            if gap_pt >= LEADER_FROM_PT:
                near = np.array([min(max(px, box[0]), box[2]), min(max(py, box[1]), box[3])])
                leader = np.array([px, py, near[0], near[1]])
                if _segments_cross(leader, leaders).any():
                    continue
                cost += 10.0 * float(weights[_segments_cross(leader, seg_px)].sum()) if len(seg_px) else 0.0
            own = math.hypot(max(box[0] - px, 0, px - box[2]), max(box[1] - py, 0, py - box[3]))
            others = _box_distance(box, marker_px)
            if np.sum(others < own - 0.5) > 0:
                cost += 30.0
            if best is None or cost < best[0]:
                best = (cost, box, gap_pt, ux, uy, leader)
            if cost == rank and gap_pt == GAPS_PT[0]:
                break  # a clean position next to the marker: no better one exists
        if best is None:
            left_out.append(place.key)
            continue
        _, box, gap_pt, ux, uy, leader = best
        if leader is not None:
            leaders = np.vstack([leaders, leader[None, :]])
        ha = "left" if ux > 0 else "right" if ux < 0 else "center"
        va = "bottom" if uy > 0 else "top" if uy < 0 else "center"
        arrow = dict(arrowstyle="-", color="#888", lw=0.5, shrinkA=0, shrinkB=2, patchA=None) if gap_pt >= LEADER_FROM_PT else None
        ax.annotate(place.text, xy=(place.x, place.y), xytext=(ux * gap_pt, uy * gap_pt),
                    textcoords="offset points", ha=ha, va=va, arrowprops=arrow, gid=LABEL_GID, **style)
        blocked = np.vstack([blocked, box[None, :]])
        placed.append(place.key)
    return placed, left_out
