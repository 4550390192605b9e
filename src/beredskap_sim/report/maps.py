"""The network map: places by longitude/latitude, links by mode, the national border, links
coloured by state (open / degraded / closed) or by a value such as criticality.

No tiles are fetched: the country outlines come from ``networks/nordic-outline.geojson``
(TM_WORLD_BORDERS-0.3, CC BY-SA 3.0; the attribution is printed on every map).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from ..network.graph import Network  # noqa: E402

OUTLINE_NAME = "nordic-outline.geojson"
ATTRIBUTION = "Outlines: TM_WORLD_BORDERS-0.3, thematicmapping.org, CC BY-SA 3.0"
LABELLED = ["trondheim", "stjordal", "meraker", "storlien", "are", "ostersund", "sundsvall", "steinkjer", "verdal",
            "oslo", "stockholm", "karlstad", "roros", "kil", "arvika", "kongsvinger", "laxa"]
STATE_COLOURS = {"open": "#7f8c8d", "degraded": "#f39c12", "closed": "#d62728"}
MODE_STYLE = {"rail": dict(linestyle="-", width=2.2), "road": dict(linestyle="--", width=1.6),
              "ferry": dict(linestyle=":", width=1.4)}


ISO3 = {"NOR": "NO", "SWE": "SE", "FIN": "FI"}


@lru_cache(maxsize=4)
def _country_rings(path: str) -> dict[str, list]:
    """Country code → its outline rings as matplotlib paths (for point-in-country tests)."""
    from matplotlib.path import Path as Ring

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out: dict[str, list] = {}
    for feature in data["features"]:
        code = ISO3.get(feature.get("properties", {}).get("iso3", ""))
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        if code:
            out[code] = [Ring(polygon[0]) for polygon in polygons]
    return out


@lru_cache(maxsize=4)
def _outline(path: str) -> list[list[tuple[float, float]]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    rings = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for polygon in polygons:
            rings.append([tuple(point) for point in polygon[0]])
    return rings


def find_outline(network_file: str | None = None) -> Path | None:
    """The outline file beside the network file, or in the project's ``networks/`` folder."""
    candidates = []
    if network_file:
        candidates.append(Path(network_file).parent / OUTLINE_NAME)
    candidates.append(Path(__file__).resolve().parents[3] / "networks" / OUTLINE_NAME)
    return next((c for c in candidates if c.exists()), None)


PLACE_STYLE = {  # kind → (marker, size, colour, legend label)
    "municipality": ("o", 34, "#1f4e79", "town / municipality"),
    "border": ("D", 30, "#2c3e50", "border crossing"),
    "port": ("v", 40, "#117a65", "port"),
    "airport": ("^", 36, "#5d6d7e", "airport"),
    "external": ("s", 40, "#6c3483", "national supply / beyond the map"),
    "warehouse": ("P", 36, "#7d6608", "warehouse"),
    "terminal": ("o", 14, "#34495e", "junction / terminal"),
    "junction": ("o", 14, "#34495e", "junction / terminal"),
    "production": ("o", 14, "#34495e", "junction / terminal"),
}
COUNTRY_NAMES = {"NO": "NORGE", "SE": "SVERIGE", "FI": "SUOMI"}
LABEL_KINDS = {"municipality", "border", "port", "airport", "external", "warehouse"}
MAX_LABELS = 45
PARALLEL_OFFSET_PT = 2.2  # rail drawn this far to one side of the straight line, road to the other


def _frame(network: Network, frame_links: set[int] | None) -> tuple[float, float, float, float]:
    """(lon0, lon1, lat0, lat1) holding the ends of ``frame_links`` (else the regions, else
    every place), with a margin."""
    nodes = network.spec.nodes
    if frame_links:
        ids = {e for i in frame_links for e in (network.spec.links[i].from_, network.spec.links[i].to)}
    else:
        ids = {n for members in network.spec.regions.values() for n in members}
    framed = [n for n in nodes if n.id in ids] or list(nodes)
    lons, lats = [n.lon for n in framed], [n.lat for n in framed]
    pad_lon = max(0.45, 0.08 * (max(lons) - min(lons)))
    pad_lat = max(0.2, 0.07 * (max(lats) - min(lats)))
    return min(lons) - pad_lon, max(lons) + pad_lon, min(lats) - pad_lat, max(lats) + pad_lat


def _scale_bar(ax, lat0: float) -> None:
    """A bar of a round number of km in the lower left corner (1° of longitude = 111.32 km ×
    cos(latitude))."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_deg = 111.32 * math.cos(math.radians(lat0))
    target = (x1 - x0) * km_per_deg / 5
    km = max(v for v in (10, 20, 25, 50, 100, 200, 250, 500) if v <= max(target, 10))
    length = km / km_per_deg
    xs, ys = x0 + 0.04 * (x1 - x0), y0 + 0.06 * (y1 - y0)
    xe = xs + length
    ax.plot([xs, xe], [ys, ys], color="#1b2631", linewidth=3, solid_capstyle="butt", zorder=7)
    ax.text(xe - length / 2, ys + 0.012 * (y1 - y0), f"{km} km", ha="center", va="bottom", fontsize=9, zorder=7)


def _offset(ax, fig, a, b, lat0: float, side: float):
    """A transform shifting a line from a to b sideways by ``side`` points, so that a road and
    a railway between the same places are both seen."""
    from matplotlib.transforms import offset_copy

    dx, dy = (b.lon - a.lon) * math.cos(math.radians(lat0)), b.lat - a.lat
    norm = math.hypot(dx, dy) or 1.0
    return offset_copy(ax.transData, fig=fig, x=-dy / norm * side, y=dx / norm * side, units="points")


def _country_names(ax, visible, frame, lat0: float, outline: Path | None) -> None:
    """Each country's name where it is farthest from every place: over a grid of the frame,
    the point inside that country's outline (or, without outlines, nearest to one of its
    places) that is as far from every place as possible."""
    x0, x1, y0, y1 = frame
    if not visible:
        return
    k = math.cos(math.radians(lat0))
    rings = _country_rings(str(outline)) if outline is not None else {}
    best: dict[str, tuple[float, float, float]] = {}
    for i in range(1, 14):
        for j in range(1, 10):
            x, y = x0 + (x1 - x0) * i / 14, y0 + (y1 - y0) * j / 10
            dist, near = min((math.hypot((n.lon - x) * k, n.lat - y), n.country) for n in visible)
            if rings:
                near = next((c for c, rs in rings.items() if any(r.contains_point((x, y)) for r in rs)), None)
            if near in COUNTRY_NAMES and dist > best.get(near, (-1.0, 0, 0))[0]:
                best[near] = (dist, x, y)
    for country, (_, x, y) in best.items():
        ax.text(x, y, COUNTRY_NAMES[country], fontsize=18, color="#c8c2b0", ha="center", va="center", zorder=1.5,
                fontweight="bold", alpha=0.85)


def _labels(ax, nodes, shown, visible) -> None:
    """Names of the ranked places in ``shown``, moved apart by adjustText so that none overlaps
    another, a marker or the frame."""
    from adjustText import adjust_text

    texts = [ax.text(n.lon, n.lat, n.name.split(" (")[0], fontsize=8.5, zorder=6, color="#1b2631",
                     bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none", alpha=0.7))
             for n in shown]
    if texts:
        adjust_text(texts, x=[n.lon for n in visible], y=[n.lat for n in visible], ax=ax,
                    expand=(1.15, 1.3), arrowprops=dict(arrowstyle="-", color="#888", lw=0.5), min_arrow_len=8)


def draw_map(network: Network, link_colours: dict[int, str], title: str, out: Path | None = None,
             legend: list[tuple[str, str]] | None = None, network_file: str | None = None,
             node_values: dict[str, str] | None = None, ax=None, frame_links: set[int] | None = None,
             labels: bool = True, max_labels: int = MAX_LABELS, legend_ax=None):
    """Draw ``network`` with the given colour per link index; save to ``out`` (PNG/SVG) if given.

    The frame holds the ends of ``frame_links`` (default: the network's regions). Rail and road
    between the same places are drawn side by side. Places of the kinds in ``LABEL_KINDS`` are
    named (the largest first, at most ``MAX_LABELS``), the labels placed without overlaps; a
    legend gives the kinds of place and the link states; country names and a scale bar stand in
    for longitude and latitude."""
    nodes = network.spec.nodes
    x0, x1, y0, y1 = _frame(network, frame_links)
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(11, 8), dpi=110)
    else:
        fig = ax.figure
    lat0 = (y0 + y1) / 2
    ax.set_aspect(1 / math.cos(math.radians(lat0)))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_facecolor("#eaf2f8")
    outline = find_outline(network_file)
    if outline is not None:
        for ring in _outline(str(outline)):
            xs, ys = zip(*ring)
            ax.fill(xs, ys, facecolor="#fbfaf5", edgecolor="#555555", linewidth=0.8, zorder=1)
    visible = [n for n in nodes if x0 <= n.lon <= x1 and y0 <= n.lat <= y1]
    _country_names(ax, visible, (x0, x1, y0, y1), lat0, outline)
    for i, link in enumerate(network.spec.links):
        a, b = nodes[network.node_index[link.from_]], nodes[network.node_index[link.to]]
        style = MODE_STYLE.get(link.mode, MODE_STYLE["road"])
        side = PARALLEL_OFFSET_PT if link.mode == "rail" else -PARALLEL_OFFSET_PT
        ax.plot([a.lon, b.lon], [a.lat, b.lat], color=link_colours.get(i, STATE_COLOURS["open"]),
                linestyle=style["linestyle"], linewidth=style["width"] * (1.5 if i in link_colours else 1.0),
                zorder=3 if i in link_colours else 2, solid_capstyle="round", transform=_offset(ax, fig, a, b, lat0, side))
    for node in nodes:
        marker, size, colour, _ = PLACE_STYLE.get(node.kind, PLACE_STYLE["junction"])
        if node_values and node.id in node_values:
            colour = node_values[node.id]
            size *= 2.2
        ax.scatter([node.lon], [node.lat], s=size, clip_on=True, marker=marker, color=colour, zorder=4,
                   edgecolors="white", linewidths=0.6)
    if labels:
        ranked = sorted((n for n in visible if n.kind in LABEL_KINDS or n.id in LABELLED),
                        key=lambda n: (n.kind != "municipality", -(n.population or 0)))
        _labels(ax, nodes, ranked[:max_labels], visible)
    kinds = dict.fromkeys(PLACE_STYLE[n.kind][1:] for n in visible if n.kind in PLACE_STYLE)
    handles = [Line2D([0], [0], color="#333", linestyle=MODE_STYLE[m]["linestyle"], label=m) for m in ("rail", "road")]
    handles += [Line2D([0], [0], color=c, linewidth=3, label=label) for label, c in (legend or [])]
    shapes = {PLACE_STYLE[k][3]: PLACE_STYLE[k] for k in PLACE_STYLE if PLACE_STYLE[k][1:] in kinds}
    handles += [Line2D([0], [0], marker=m, color="none", markerfacecolor=c, markeredgecolor="white", markersize=7, label=label)
                for label, (m, _, c, _) in shapes.items()]
    if legend_ax is not None:
        legend_ax.axis("off")
        legend_ax.legend(handles=handles, loc="upper left", fontsize=9, frameon=False, ncol=2)
    elif legend is not None:  # beside the map, so that it hides no place
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, ncol=1)
    ax.set_title(title, fontsize=12)
    ax.set_xticks([])
    ax.set_yticks([])
    _scale_bar(ax, lat0)
    ax.text(0.99, 0.01, ATTRIBUTION, transform=ax.transAxes, fontsize=6.5, color="#555", zorder=7, ha="right")
    if own and out is not None:
        fig.tight_layout()
        fig.savefig(out)
        plt.close(fig)
    return fig


def draw_situation_map(network: Network, link_colours: dict[int, str], title: str, legend: list[tuple[str, str]],
                       network_file: str | None, main_links: set[int], overview_links: set[int],
                       figsize: tuple[float, float] = (16, 9)):
    """A figure (16:9 by default): the study area (framed on ``main_links``) large on the left; on the right
    an overview framed on ``overview_links`` (e.g. a detour via Oslo and Stockholm) with the
    study area outlined, and the legend below it. The overview is left out when it would show
    little more than the study area."""
    from matplotlib.patches import Rectangle

    fig = plt.figure(figsize=figsize, dpi=110)
    grid = fig.add_gridspec(2, 2, width_ratios=[2.1, 1] if figsize[0] > figsize[1] * 1.3 else [1.6, 1],
                            height_ratios=[1.25, 1], wspace=0.04, hspace=0.05)
    main = fig.add_subplot(grid[:, 0])
    x0, x1, y0, y1 = _frame(network, main_links)
    big = _frame(network, overview_links | main_links)
    wide = (big[1] - big[0]) * (big[3] - big[2]) > 1.6 * (x1 - x0) * (y1 - y0)
    legend_ax = fig.add_subplot(grid[1, 1] if wide else grid[:, 1])
    draw_map(network, link_colours, title, None, legend, network_file, ax=main, frame_links=main_links, legend_ax=legend_ax)
    if wide:
        over = fig.add_subplot(grid[0, 1])
        draw_map(network, link_colours, "", None, None, network_file, ax=over, frame_links=overview_links | main_links,
                 max_labels=8)
        over.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="#1b2631", linewidth=1.2, zorder=8))
        over.set_title("overview: every route the flows use", fontsize=9)
    main.title.set_fontsize(13)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.92, bottom=0.02)
    return fig


def criticality_colours(network: Network, table) -> tuple[dict[int, str], list[tuple[str, str]]]:
    """Colours for a single-link criticality table: red = demand cut off, orange = detour with
    extra tonne-hours, yellow = no alternative but no demand, grey = redundant."""
    colours = {}
    for row in table.itertuples():
        i = network.link_index[row.link]
        if row.demand_cut_t_per_day > 0:
            colours[i] = "#d62728"
        elif row.extra_tonne_hours_per_day > 0:
            colours[i] = "#f39c12"
        elif row.detour == 0:
            colours[i] = "#f1c40f"
    legend = [("demand cut off", "#d62728"), ("detour, extra t·h", "#f39c12"), ("no alternative (no demand)", "#f1c40f")]
    return colours, legend
