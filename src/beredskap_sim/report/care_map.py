"""The map layer of access to emergency care: hospitals and air-ambulance bases, and the places
without road access at the worst moment of replication 0 — the recording step in which the
most people are without a hospital by road (ties: the first such step).

Places are coloured green (road access), orange (by helicopter only) or red (no access for
part or all of the step); closed and degraded links as on the network map. Read from the
results folder (``supply.parquet``, system ``care``), so it can be redrawn without simulating.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..results import RunFolder
from ..scenario.units import format_hours
from .figures import DPI, link_states_at, plt
from .maps import STATE_COLOURS, draw_map

ACCESS_COLOURS = {"road": "#27ae60", "air": "#f39c12", "none": "#c0392b"}


def worst_care_step(supply: pd.DataFrame, population: dict[str, float], replication: int = 0):
    """``(time_h, {place: "road" | "air" | "none"})`` at the step with the most people without
    road access, or None when every place keeps road access throughout."""
    care = supply[(supply["system"] == "care") & (supply["replication"] == replication)]
    if care.empty:
        return None
    road = care[care["series"] == "hours_no_road"].pivot(index="time_h", columns="name", values="value")
    none = care[care["series"] == "hours_no_access"].pivot(index="time_h", columns="name", values="value")
    people = (road > 1e-9).mul(pd.Series(population)).sum(axis=1)
    if people.max() <= 0:
        return None
    t = float(people.idxmax())
    state = {p: ("none" if none.at[t, p] > 1e-9 else "air" if road.at[t, p] > 1e-9 else "road") for p in road.columns}
    return t, state


def care_map(folder: RunFolder, scenario, out_dir: Path, replication: int = 0) -> Path | None:
    """Draw ``care-map.png``; None when the scenario does not ask about care."""
    plan = scenario.care
    if plan is None:
        return None
    worst = worst_care_step(folder.supply(), dict(zip(plan.places, plan.population)), replication)
    t, state = worst if worst is not None else (0.0, {p: "road" for p in plan.places})
    colours = link_states_at(scenario, folder.disruptions(), t, replication)
    when = scenario.start + pd.Timedelta(hours=t)
    cut = sum(pop for p, pop in zip(plan.places, plan.population) if state.get(p) != "road")
    title = (f"{scenario.name} — access to emergency care within {plan.threshold_h * 60:.0f} min\n"
             + (f"worst moment {when:%a %d %b %Y %H:%M} (+{format_hours(t)}): {cut:,} people without a hospital by road"
                if worst is not None else "every place keeps road access throughout"))
    fig, ax = plt.subplots(figsize=(11, 8), dpi=110)
    legend = [("closed", STATE_COLOURS["closed"]), ("degraded", STATE_COLOURS["degraded"])]
    legend += [(f"place: {label}", ACCESS_COLOURS[key]) for key, label in
               (("road", "hospital by road"), ("air", "by helicopter only"), ("none", "no access"))]
    draw_map(scenario.network, colours, title, None, legend, scenario.network_file,
             node_values={p: ACCESS_COLOURS[s] for p, s in state.items()}, ax=ax)
    nodes = scenario.network.spec.nodes
    for k in plan.hospital_nodes:
        ax.scatter([nodes[k].lon], [nodes[k].lat], s=140, marker="P", color="#c0392b", edgecolors="white", linewidths=1.0, zorder=6)
    for heli in scenario.network_spec.care.helicopters:
        ax.scatter([heli.lon], [heli.lat], s=90, marker="^", color="#1f618d", edgecolors="white", linewidths=0.8, zorder=6)
    ax.scatter([], [], s=140, marker="P", color="#c0392b", label="emergency hospital")
    ax.scatter([], [], s=90, marker="^", color="#1f618d", label="air ambulance base")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles=ax.get_legend().legend_handles + handles[-2:], loc="upper left", bbox_to_anchor=(1.01, 1.0),
              fontsize=8, frameon=False)
    fig.tight_layout()
    path = out_dir / "care-map.png"
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path
