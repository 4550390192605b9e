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
import numpy as np

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


def _scale_bar(ax, lat0: float) -> list:
    """A bar of a round number of km in the lower left corner (1° of longitude = 111.32 km ×
    cos(latitude)); returns its artists (labels keep off them)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_deg = 111.32 * math.cos(math.radians(lat0))
    target = (x1 - x0) * km_per_deg / 5
    km = max(v for v in (10, 20, 25, 50, 100, 200, 250, 500) if v <= max(target, 10))
    length = km / km_per_deg
    xs, ys = x0 + 0.04 * (x1 - x0), y0 + 0.06 * (y1 - y0)
    xe = xs + length
    bar = ax.plot([xs, xe], [ys, ys], color="#1b2631", linewidth=3, solid_capstyle="butt", zorder=7)
    return bar + [ax.text(xe - length / 2, ys + 0.012 * (y1 - y0), f"{km} km", ha="center", va="bottom", fontsize=9, zorder=7)]


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
                fontweight="bold", alpha=0.85, gid="country-name")


def _labels(ax, network: Network, link_colours: dict[int, str], visible, max_labels: int, reserved: list,
            skip: set[str] = frozenset()) -> list[str]:
    """Names of the visible places placed without overlaps (``labels.place_labels``), ranked:
    towns and national supply points by population, then the ends of disrupted links (the
    story of the map), then border crossings, ports and airports, then junctions; at most
    ``max_labels``. Returns the ids left unlabelled for want of room."""
    from .labels import Place, place_labels

    nodes = network.spec.nodes
    ends = {e for i in link_colours for e in (network.spec.links[i].from_, network.spec.links[i].to)}

    def tier(n) -> int:
        if n.kind in ("municipality", "external"):
            return 0
        return 1 if n.id in ends else 2 if n.kind in LABEL_KINDS or n.id in LABELLED else 3

    ranked = sorted((n for n in visible if n.id not in skip), key=lambda n: (tier(n), -(n.population or 0)))[:max_labels]
    segments = []
    for i, link in enumerate(network.spec.links):
        a, b = nodes[network.node_index[link.from_]], nodes[network.node_index[link.to]]
        segments.append((a.lon, a.lat, b.lon, b.lat, 3.0 if i in link_colours else 1.0))
    places = [Place(n.id, n.name.split(" (")[0], n.lon, n.lat) for n in ranked]
    _, left_out = place_labels(ax, places, [(n.lon, n.lat) for n in visible], segments, reserved)
    return left_out


def draw_map(network: Network, link_colours: dict[int, str], title: str, out: Path | None = None,
             legend: list[tuple[str, str]] | None = None, network_file: str | None = None,
             node_values: dict[str, str] | None = None, ax=None, frame_links: set[int] | None = None,
             labels: bool = True, max_labels: int = MAX_LABELS, legend_ax=None,
             frame: tuple[float, float, float, float] | None = None, detail: bool = False,
             artists: dict | None = None):
    """Draw ``network`` with the given colour per link index; save to ``out`` (PNG/SVG) if given.

    The frame holds the ends of ``frame_links`` (default: the network's regions). Rail and road
    between the same places are drawn side by side. Places are named in rank order (``_labels``:
    towns, ends of disrupted links, crossings/ports/airports, junctions; at most ``max_labels``)
    where a label fits without overlapping another label or a marker; a
    legend gives the kinds of place and the link states; country names and a scale bar stand in
    for longitude and latitude. ``frame`` (lon0, lon1, lat0, lat1) overrides ``frame_links``.
    With ``detail``, a cluster of places too close to label (``_dense_cluster``) is shown
    magnified in an inset (``_detail_inset``) and labelled there. ``artists``, when given, is
    filled with the drawn ``links`` (index → line) and ``nodes`` (id → marker), so that an
    animation can recolour them without drawing the map again (``recolour``)."""
    nodes = network.spec.nodes
    x0, x1, y0, y1 = frame or _frame(network, frame_links)
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
    if outline is not None:  # one collection of all rings: drawn in one pass, not a patch per ring
        from matplotlib.collections import PolyCollection

        ax.add_collection(PolyCollection(_outline(str(outline)), facecolors="#fbfaf5", edgecolors="#555555",
                                         linewidths=0.8, zorder=1), autolim=False)
    visible = [n for n in nodes if x0 <= n.lon <= x1 and y0 <= n.lat <= y1]
    if frame is None:  # a detail inset (given its frame) has no room for country names
        _country_names(ax, visible, (x0, x1, y0, y1), lat0, outline)
    drawn_links, drawn_nodes = {}, {}
    for i, link in enumerate(network.spec.links):
        a, b = nodes[network.node_index[link.from_]], nodes[network.node_index[link.to]]
        style = MODE_STYLE.get(link.mode, MODE_STYLE["road"])
        side = PARALLEL_OFFSET_PT if link.mode == "rail" else -PARALLEL_OFFSET_PT
        line, = ax.plot([a.lon, b.lon], [a.lat, b.lat], linestyle=style["linestyle"], solid_capstyle="round",
                        transform=_offset(ax, fig, a, b, lat0, side))
        drawn_links[i] = line
    for node in nodes:
        marker, size, colour, _ = PLACE_STYLE.get(node.kind, PLACE_STYLE["junction"])
        drawn_nodes[node.id] = ax.scatter([node.lon], [node.lat], s=size, clip_on=True, marker=marker, color=colour,
                                          zorder=4, edgecolors="white", linewidths=0.6)
    recolour(network, {"links": drawn_links, "nodes": drawn_nodes}, link_colours, node_values)
    if artists is not None:
        artists.update(links=drawn_links, nodes=drawn_nodes)
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
    reserved = _scale_bar(ax, lat0)
    if frame is None:  # an inset is inside a map that carries the attribution
        reserved.append(ax.text(0.99, 0.01, ATTRIBUTION, transform=ax.transAxes, fontsize=6.5, color="#555", zorder=7,
                                ha="right"))
    if own:
        fig.tight_layout()  # the layout is final before labels are placed in pixels
    if labels:
        skip: set[str] = set()
        cluster = _dense_cluster(ax, visible) if detail else []
        if cluster:
            reserved += _detail_inset(ax, network, link_colours, network_file, node_values, cluster, visible, reserved)
            skip = {n.id for n in cluster[1:]}  # the largest place keeps its label on the main map
        reserved += [t for t in ax.texts if t.get_gid() == "country-name"]
        _labels(ax, network, link_colours, visible, max_labels, reserved, skip)
    if own and out is not None:
        fig.savefig(out)
        plt.close(fig)
    return fig


def recolour(network: Network, artists: dict, link_colours: dict[int, str], node_values: dict[str, str] | None = None):
    """Set each drawn link's colour, width and layer (a coloured link: 1.5 × wider, on top; the
    rest in the open colour) and each place's marker (a value colour: that colour, 2.2 × the
    area; else its kind's colour and size)."""
    for i, line in artists["links"].items():
        width = MODE_STYLE.get(network.spec.links[i].mode, MODE_STYLE["road"])["width"]
        line.set_color(link_colours.get(i, STATE_COLOURS["open"]))
        line.set_linewidth(width * (1.5 if i in link_colours else 1.0))
        line.set_zorder(3 if i in link_colours else 2)
    kinds = {n.id: n.kind for n in network.spec.nodes}
    for node_id, marker in artists["nodes"].items():
        _, size, colour, _ = PLACE_STYLE.get(kinds[node_id], PLACE_STYLE["junction"])
        if node_values and node_id in node_values:
            colour, size = node_values[node_id], size * 2.2
        marker.set_facecolor(colour)
        marker.set_sizes([size])


DENSE_PX = 16.0      # places closer than this on the map form a cluster shown in a detail inset
INSET_WIDTH = 0.34   # the inset's width as a share of the map's
NEAR_PX = 30.0       # places this close to the inset count as covered (their labels need the room)


def _dense_cluster(ax, visible) -> list:
    """The largest group (≥ 3) of places linked by pairs less than ``DENSE_PX`` apart on the
    drawn map, largest population first; empty when there is none."""
    ax.apply_aspect()
    px = ax.transData.transform([(n.lon, n.lat) for n in visible]) if visible else []
    parent = list(range(len(visible)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(visible)):
        for j in range(i + 1, len(visible)):
            if math.dist(px[i], px[j]) < DENSE_PX:
                parent[root(i)] = root(j)
    groups: dict[int, list] = {}
    for i, n in enumerate(visible):
        groups.setdefault(root(i), []).append(n)
    best = max(groups.values(), key=len, default=[])
    return sorted(best, key=lambda n: -(n.population or 0)) if len(best) >= 3 else []


def _detail_inset(ax, network: Network, link_colours, network_file, node_values, cluster, visible, reserved) -> list:
    """Draw the area of ``cluster`` magnified in an inset where the map is emptiest: of nine
    positions (corners, edges' middles, centre) clear of ``reserved`` and of the cluster, the one
    with the fewest places within ``NEAR_PX`` (10 each) and the fewest lines crossed (1 each);
    labelled; its area outlined on the map.
    Returns the artists the main map's labels must keep off."""
    from matplotlib.patches import Rectangle

    from .labels import crossings, overlaps

    lons, lats = [n.lon for n in cluster], [n.lat for n in cluster]
    pad = max(0.25 * (max(lons) - min(lons)), 0.08)
    lat_mid = (min(lats) + max(lats)) / 2
    k = math.cos(math.radians(lat_mid))
    half_w = (max(lons) - min(lons)) / 2 + pad
    half_h = max((max(lats) - min(lats)) / 2 + pad * k, 0.45 * half_w * k)
    cx = (min(lons) + max(lons)) / 2
    frame = (cx - half_w, cx + half_w, lat_mid - half_h, lat_mid + half_h)
    ax.apply_aspect()
    box = ax.get_window_extent()
    fig = ax.figure
    w = INSET_WIDTH * box.width
    h = w * (2 * half_h) / (2 * half_w * k)
    to_px = ax.transData.transform
    markers = to_px([(n.lon, n.lat) for n in visible])
    segments = []
    for link in network.spec.links:
        a, b = network.spec.nodes[network.node_index[link.from_]], network.spec.nodes[network.node_index[link.to]]
        segments.append([*to_px((a.lon, a.lat)), *to_px((b.lon, b.lat))])
    segments = np.asarray(segments)
    taken = np.array([[bb.x0, bb.y0, bb.x1, bb.y1] for bb in (r.get_window_extent() for r in reserved)])
    area = np.array([*to_px((frame[0], frame[2])), *to_px((frame[1], frame[3]))])
    best = None
    m = 6.0
    clear = max((b[3] for b in taken), default=box.y0) + m  # above the scale bar and attribution
    for left in (box.x0 + m, (box.x0 + box.x1 - w) / 2, box.x1 - w - m):
        for bottom in (box.y0 + m, clear, (box.y0 + box.y1 - h) / 2, box.y1 - h - m):
            rect = np.array([left, bottom, left + w, bottom + h])
            if overlaps(rect, taken) or overlaps(rect, area[None, :]):
                continue
            room = rect + np.array([-NEAR_PX, -NEAR_PX, NEAR_PX, NEAR_PX])  # a place's label needs room too
            inside = ((markers[:, 0] > room[0]) & (markers[:, 0] < room[2]) & (markers[:, 1] > room[1])
                      & (markers[:, 1] < room[3])).sum()
            cost = 10.0 * inside + crossings(rect, segments, np.ones(len(segments)))
            if best is None or cost < best[0]:
                best = (cost, rect)
    if best is None:
        return []
    rect = best[1]
    fw, fh = fig.get_window_extent().width, fig.get_window_extent().height
    inset = fig.add_axes([rect[0] / fw, rect[1] / fh, (rect[2] - rect[0]) / fw, (rect[3] - rect[1]) / fh], zorder=9)
    draw_map(network, link_colours, "", None, None, network_file, node_values=node_values, ax=inset, frame=frame,
             max_labels=len(cluster) + 12)
    for spine in inset.spines.values():
        spine.set_edgecolor("#1b2631")
        spine.set_linewidth(1.2)
    outline = Rectangle((frame[0], frame[2]), frame[1] - frame[0], frame[3] - frame[2], fill=False,
                        edgecolor="#1b2631", linewidth=1.0, zorder=8)
    ax.add_patch(outline)
    for text in [t for t in ax.texts if t.get_gid() == "country-name"]:
        bb = text.get_window_extent()
        if overlaps(np.array([bb.x0, bb.y0, bb.x1, bb.y1]), rect[None, :]):
            text.remove()  # a country name half hidden under the inset reads as a stray word
    return [inset]


def draw_situation_map(network: Network, link_colours: dict[int, str], title: str, legend: list[tuple[str, str]],
                       network_file: str | None, main_links: set[int], overview_links: set[int],
                       figsize: tuple[float, float] = (16, 9)):
    """A figure (16:9 by default): the study area (framed on ``main_links``) large on the left; on the right
    an overview framed on ``overview_links`` (e.g. a detour via Oslo and Stockholm) with the
    study area outlined, and the legend below it. The overview is left out when it would show
    little more than the study area."""
    from matplotlib.patches import Rectangle

    fig = plt.figure(figsize=figsize, dpi=110)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.92, bottom=0.02)  # before drawing: labels are placed in pixels
    grid = fig.add_gridspec(2, 2, width_ratios=[2.1, 1] if figsize[0] > figsize[1] * 1.3 else [1.6, 1],
                            height_ratios=[1.25, 1], wspace=0.04, hspace=0.05)
    main = fig.add_subplot(grid[:, 0])
    x0, x1, y0, y1 = _frame(network, main_links)
    big = _frame(network, overview_links | main_links)
    wide = (big[1] - big[0]) * (big[3] - big[2]) > 1.6 * (x1 - x0) * (y1 - y0)
    legend_ax = fig.add_subplot(grid[1, 1] if wide else grid[:, 1])
    draw_map(network, link_colours, title, None, legend, network_file, ax=main, frame_links=main_links, legend_ax=legend_ax,
             detail=True)
    if wide:
        over = fig.add_subplot(grid[0, 1])
        draw_map(network, link_colours, "", None, None, network_file, ax=over, frame_links=overview_links | main_links,
                 max_labels=8)
        over.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="#1b2631", linewidth=1.2, zorder=8))
        over.set_title("overview: every route the flows use", fontsize=9)
    main.title.set_fontsize(13)
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
