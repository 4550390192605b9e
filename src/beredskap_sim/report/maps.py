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


def draw_map(network: Network, link_colours: dict[int, str], title: str, out: Path | None = None,
             legend: list[tuple[str, str]] | None = None, network_file: str | None = None,
             node_values: dict[str, str] | None = None, ax=None):
    """Draw ``network`` with the given colour per link index; save to ``out`` (PNG/SVG) if given."""
    nodes = network.spec.nodes
    # Frame the study area: the network's regions if it names any, else every place.
    focus = {n for members in network.spec.regions.values() for n in members}
    framed = [n for n in nodes if n.id in focus] or list(nodes)
    lons = [n.lon for n in framed]
    lats = [n.lat for n in framed]
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(10, 7.5), dpi=110)
    else:
        fig = ax.figure
    lat0 = sum(lats) / len(lats)
    ax.set_aspect(1 / math.cos(math.radians(lat0)))
    pad = 0.6
    ax.set_xlim(min(lons) - pad, max(lons) + pad)
    ax.set_ylim(min(lats) - pad * 0.5, max(lats) + pad * 0.5)
    ax.set_facecolor("#eaf2f8")
    outline = find_outline(network_file)
    if outline is not None:
        for ring in _outline(str(outline)):
            xs, ys = zip(*ring)
            ax.fill(xs, ys, facecolor="#fbfaf5", edgecolor="#555555", linewidth=0.8, zorder=1)
    for i, link in enumerate(network.spec.links):
        a, b = nodes[network.node_index[link.from_]], nodes[network.node_index[link.to]]
        style = MODE_STYLE.get(link.mode, MODE_STYLE["road"])
        ax.plot([a.lon, b.lon], [a.lat, b.lat], color=link_colours.get(i, STATE_COLOURS["open"]),
                linestyle=style["linestyle"], linewidth=style["width"] * (1.6 if i in link_colours else 1.0),
                zorder=3 if i in link_colours else 2, solid_capstyle="round")
    for node in nodes:
        marker, size, colour = {"border": ("D", 28, "#2c3e50"), "municipality": ("o", 30, "#1f4e79"),
                                "external": ("s", 40, "#6c3483")}.get(node.kind, ("o", 10, "#34495e"))
        if node_values and node.id in node_values:
            colour = node_values[node.id]
            size *= 2.2
        ax.scatter([node.lon], [node.lat], s=size, clip_on=True, marker=marker, color=colour, zorder=4, edgecolors="white", linewidths=0.5)
        if node.id in LABELLED and ax.get_xlim()[0] <= node.lon <= ax.get_xlim()[1] and ax.get_ylim()[0] <= node.lat <= ax.get_ylim()[1]:
            ax.annotate(node.name.split(" (")[0], (node.lon, node.lat), xytext=(4, 4), textcoords="offset points",
                        fontsize=8.5, zorder=5, color="#1b2631")
    handles = [Line2D([0], [0], color="#333", linestyle=MODE_STYLE[m]["linestyle"], label=m) for m in ("rail", "road")]
    handles += [Line2D([0], [0], color=c, linewidth=3, label=label) for label, c in (legend or [])]
    ax.legend(handles=handles, loc="best", fontsize=8, framealpha=0.9)
    ax.set_title(title, fontsize=12)
    ax.set_xlabel("longitude °E")
    ax.set_ylabel("latitude °N")
    ax.text(0.01, 0.01, ATTRIBUTION, transform=ax.transAxes, fontsize=6.5, color="#555", zorder=6)
    if own and out is not None:
        fig.tight_layout()
        fig.savefig(out)
        plt.close(fig)
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
