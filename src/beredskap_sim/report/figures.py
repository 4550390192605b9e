"""Figures from a results folder (read from disk, so they can be remade without simulating).

* ``network_map`` — link states (open / degraded / closed) at a chosen time; PNG and SVG.
* ``resilience_curves`` — Q(t) per commodity with the disruption windows shaded; with several
  replications the median and a P5–P95 band.
* ``timeline`` — a Gantt chart of disruptions (by target), with repairs and cascades marked.
* ``supply_panels`` — days of supply per municipality (heat map), power served vs demand per
  area, passenger departures run / replaced / cancelled.
* ``map_animation`` — an animated GIF of the map over the horizon, for slides.
* ``comparison`` — KPI differences with 95 % intervals per variant (from ``compare``).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..results import RunFolder  # noqa: E402
from ..scenario.loader import load_scenario  # noqa: E402
from ..scenario.units import format_hours  # noqa: E402
from .maps import STATE_COLOURS, draw_map, draw_situation_map  # noqa: E402
from .moments import affected_at, links_used, local_links, worst_moment  # noqa: E402

DPI = 110


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def link_states_at(scenario, disruptions: pd.DataFrame, t: float, replication: int = 0) -> dict[int, str]:
    """Colour per link index for the links disrupted at time ``t`` (closed wins over degraded)."""
    colours: dict[int, str] = {}
    mine = disruptions[(disruptions["replication"] == replication) & (disruptions["start_h"] <= t) & (disruptions["end_h"] > t)]
    for row in mine.itertuples():
        for link_id in str(row.links).split():
            index = scenario.network.link_index.get(link_id)
            if index is None:
                continue
            if row.kind == "closed" or colours.get(index) != STATE_COLOURS["closed"]:
                colours[index] = STATE_COLOURS[row.kind]
    return colours


def worst_time(folder: RunFolder, replication: int = 0) -> float:
    """The start of the step with the lowest overall performance Q in ``replication``."""
    series = folder.timeseries()
    mine = series[series["replication"] == replication].groupby("time_h")[["delivered_t", "due_t"]].sum()
    due = mine["due_t"].to_numpy()
    q = np.where(due > 1e-9, np.minimum(1, mine["delivered_t"].to_numpy() / np.where(due > 1e-9, due, 1)), 1.0)
    disruptions = folder.disruptions()
    if q.min() >= 0.999 and not disruptions.empty:
        first = disruptions.sort_values("start_h").iloc[0]
        return float((first.start_h + first.end_h) / 2)
    return float(mine.index[int(np.argmin(q))])


def network_map(folder: RunFolder, scenario, out_dir: Path, t: float | None = None, replication: int = 0) -> list[Path]:
    """The network at ``t`` (default: the moment the most demand is affected, ``moments``),
    framed to hold every link the flows use and every disrupted link."""
    disruptions = folder.disruptions()
    mine = disruptions[disruptions["replication"] == replication]
    if t is None:
        moment = worst_moment(scenario, disruptions, replication)
        t = moment.time_h if moment is not None else worst_time(folder, replication)
        label = "worst moment"
    else:
        label = "network"
    moment = affected_at(scenario, mine, t)
    colours = link_states_at(scenario, disruptions, t, replication)
    disrupted = {scenario.network.link_index[x] for links in mine["links"] for x in str(links).split()
                 if x in scenario.network.link_index}
    when = scenario.start + pd.Timedelta(hours=t)
    legend = [("open", STATE_COLOURS["open"]), ("degraded", STATE_COLOURS["degraded"]), ("closed", STATE_COLOURS["closed"])]
    fig = draw_situation_map(scenario.network, colours, f"{scenario.name} — {label} {when:%a %d %b %Y %H:%M} "
                             f"(+{format_hours(t)})\n{moment.describe()}", legend, scenario.network_file,
                             local_links(scenario, disrupted), links_used(scenario, moment) | disrupted)
    paths = [out_dir / "network-map.png", out_dir / "network-map.svg"]
    for path in paths:
        fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return paths


def _shade(ax, disruptions: pd.DataFrame, replication: int = 0) -> None:
    mine = disruptions[disruptions["replication"] == replication]
    for row in mine.itertuples():
        ax.axvspan(row.start_h / 24, row.end_h / 24, color=STATE_COLOURS[row.kind], alpha=0.12, lw=0)


def resilience_curves(folder: RunFolder, scenario, out_dir: Path) -> Path:
    series = folder.timeseries()
    commodities = list(dict.fromkeys(series["commodity"]))
    fig, axes = plt.subplots(len(commodities), 1, figsize=(10, 1.9 * len(commodities) + 0.8), sharex=True, squeeze=False)
    n_reps = series["replication"].nunique()
    disruptions = folder.disruptions()
    for ax, commodity in zip(axes[:, 0], commodities):
        mine = series[series["commodity"] == commodity].pivot(index="time_h", columns="replication", values="performance_q")
        days = mine.index.to_numpy() / 24
        if n_reps > 1:
            ax.fill_between(days, mine.quantile(0.05, axis=1), mine.quantile(0.95, axis=1), color="#2e86c1", alpha=0.25,
                            label="P5–P95", step="post")
            ax.step(days, mine.median(axis=1), where="post", color="#1b4f72", label="median")
        else:
            ax.step(days, mine.iloc[:, 0], where="post", color="#1b4f72", label="Q(t)")
        _shade(ax, disruptions)
        ax.set_ylim(-0.05, 1.05)
        ax.set_ylabel(f"Q {commodity}")
        ax.axhline(0.95, color="#999", linestyle=":", linewidth=0.8)
    axes[0, 0].set_title(f"{scenario.name}: performance Q(t) = delivered / due (shaded: disruptions of replication 0)")
    axes[0, 0].legend(loc="lower left", fontsize=8)
    axes[-1, 0].set_xlabel("days from start")
    return _save(fig, out_dir / "resilience-curves.png")


def timeline(folder: RunFolder, scenario, out_dir: Path, replication: int = 0) -> Path:
    disruptions = folder.disruptions()
    mine = disruptions[disruptions["replication"] == replication].sort_values("start_h")
    events = folder.events()
    events = events[events["replication"] == replication]
    labels = list(dict.fromkeys(mine["targets"])) or ["(no disruption)"]
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(labels) + 1.8))
    for row in mine.itertuples():
        y = labels.index(row.targets)
        ax.barh(y, (row.end_h - row.start_h) / 24, left=row.start_h / 24, color=STATE_COLOURS[row.kind], alpha=0.85)
        ax.text(row.end_h / 24, y, f" {row.id}", va="center", fontsize=7)
    for kind, marker, colour in (("repair-started", "|", "#196f3d"), ("cascade", "x", "#6c3483"), ("fuel-out", "v", "#000")):
        hits = events[events["kind"] == kind]
        if not hits.empty:
            ax.scatter(hits["time_h"] / 24, [len(labels) - 0.3] * len(hits), marker=marker, color=colour, label=kind, zorder=3)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels([label[:45] for label in labels], fontsize=8)
    ax.set_xlim(0, scenario.horizon_h / 24)
    ax.set_xlabel("days from start")
    ax.invert_yaxis()
    ax.set_title(f"Timeline of disruptions, repairs and cascades (replication {replication})")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right", fontsize=8)
    return _save(fig, out_dir / "timeline.png")


def supply_panels(folder: RunFolder, scenario, out_dir: Path) -> Path | None:
    supply = folder.supply()
    kpis = folder.kpis()
    food = supply[(supply["system"] == "food") & (supply["series"] == "days_of_supply")]
    power = supply[supply["system"] == "power"]
    pax = kpis[kpis["kpi"].isin(["departures_run", "departures_replaced", "departures_cancelled"]) & (kpis["scope"] != "all")]
    panels = [p for p, present in (("food", not food.empty), ("power", not power.empty), ("pax", not pax.empty)) if present]
    if not panels:
        return None
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 2.8 * len(panels)), squeeze=False)
    for ax, panel in zip(axes[:, 0], panels):
        if panel == "food":
            grid = food.groupby(["name", "time_h"])["value"].median().unstack("time_h")
            image = ax.imshow(grid.to_numpy(), aspect="auto", cmap="RdYlGn", vmin=0, vmax=max(7.0, np.nanmax(grid.to_numpy())),
                              extent=[0, grid.columns.max() / 24, len(grid) - 0.5, -0.5], interpolation="nearest")
            ax.set_yticks(range(len(grid)))
            ax.set_yticklabels(grid.index)
            ax.set_title("Food: days of supply per municipality (median over replications)")
            fig.colorbar(image, ax=ax, label="days")
            ax.set_xlabel("days from start")
        elif panel == "power":
            for name, group in power.groupby("name"):
                mean = group.groupby(["series", "time_h"])["value"].mean()
                demand, served = mean["demand_mwh"], mean["served_mwh"]
                ax.plot(demand.index / 24, demand.values, label=f"{name} demand", linewidth=1)
                ax.fill_between(served.index / 24, served.values, demand.values, where=demand.values > served.values + 1e-6,
                                color="#d62728", alpha=0.5, label=f"{name} not served")
            ax.set_title("Power: demand and energy not served per area (MWh per step, mean)")
            ax.set_xlabel("days from start")
            ax.legend(fontsize=7, ncol=2)
        else:
            table = pax.groupby(["scope", "kpi"])["value"].mean().unstack("kpi").fillna(0)
            bottom = np.zeros(len(table))
            for kpi, colour in (("departures_run", "#27ae60"), ("departures_replaced", "#f39c12"), ("departures_cancelled", "#d62728")):
                if kpi in table:
                    ax.barh(table.index, table[kpi], left=bottom, color=colour, label=kpi.replace("departures_", ""))
                    bottom += table[kpi].to_numpy()
            ax.set_title("Passenger departures (mean per replication)")
            ax.legend(fontsize=8)
    return _save(fig, out_dir / "supply-panels.png")


def map_animation(folder: RunFolder, scenario, out_dir: Path, frames: int = 24, replication: int = 0) -> Path:
    """An animated GIF of link states over the horizon (one frame per horizon/frames)."""
    from matplotlib.animation import FuncAnimation, PillowWriter

    disruptions = folder.disruptions()
    supply = folder.supply()
    food = supply[(supply["replication"] == replication) & (supply["system"] == "food")]
    fig, ax = plt.subplots(figsize=(7.5, 6), dpi=80)
    times = np.linspace(0, scenario.horizon_h, frames, endpoint=False)
    cmap = plt.get_cmap("RdYlGn")

    def frame(i):
        ax.clear()
        t = times[i]
        node_values = {}
        if not food.empty:
            at = food[food["time_h"] <= t].groupby("name")["value"].last()
            node_values = {name: matplotlib.colors.to_hex(cmap(min(v, 7.0) / 7.0)) for name, v in at.items()}
        when = scenario.start + pd.Timedelta(hours=float(t))
        draw_map(scenario.network, link_states_at(scenario, disruptions, t, replication),
                 f"{when:%Y-%m-%d %H:%M}", legend=[("closed", STATE_COLOURS["closed"])],
                 network_file=scenario.network_file, node_values=node_values, ax=ax)

    animation = FuncAnimation(fig, frame, frames=frames)
    path = out_dir / "network-animation.gif"
    animation.save(path, writer=PillowWriter(fps=3))
    plt.close(fig)
    return path


def comparison(compare_folder: Path, out: Path | None = None, kpis: list[tuple[str, str]] | None = None) -> Path:
    diffs = pd.read_csv(compare_folder / "differences.csv")
    kpis = kpis or [("tonnes_lost", "all"), ("tonne_hours_delay", "all"), ("food_person_days_below_threshold", "all"),
                    ("energy_not_served_mwh", "all"), ("stranded_passenger_hours", "all"), ("cost_per_year", "total")]
    kpis = [k for k in kpis if ((diffs.kpi == k[0]) & (diffs.scope == k[1])).any()]
    variants = list(dict.fromkeys(diffs["variant"]))
    fig, axes = plt.subplots(1, max(len(kpis), 1), figsize=(3.2 * max(len(kpis), 1), 0.6 * len(variants) + 1.8), squeeze=False)
    for ax, (kpi, scope) in zip(axes[0], kpis):
        rows = diffs[(diffs.kpi == kpi) & (diffs.scope == scope)].set_index("variant").reindex(variants)
        y = np.arange(len(variants))
        err = np.vstack([rows["mean_diff"] - rows["ci95_low"], rows["ci95_high"] - rows["mean_diff"]])
        ax.errorbar(rows["mean_diff"], y, xerr=err, fmt="o", color="#1b4f72", capsize=3)
        ax.axvline(0, color="#999", linewidth=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels([v[:28] for v in variants] if ax is axes[0][0] else [])
        ax.set_title(f"Δ {kpi}", fontsize=9)
    fig.suptitle("Change against the baseline (mean, 95 % CI); left of 0 is fewer losses")
    return _save(fig, out or compare_folder / "comparison.png")


def make_figures(folder: RunFolder, map_time: float | None = None, animate: bool = True) -> dict[str, Path]:
    """All run figures into ``folder/figures``; returns them by name."""
    scenario = load_scenario(folder.scenario_file)
    out_dir = folder.path / "figures"
    out_dir.mkdir(exist_ok=True)
    figures = {"map": network_map(folder, scenario, out_dir, map_time)[0],
               "curves": resilience_curves(folder, scenario, out_dir),
               "timeline": timeline(folder, scenario, out_dir)}
    panels = supply_panels(folder, scenario, out_dir)
    if panels is not None:
        figures["supply"] = panels
    if animate:
        figures["animation"] = map_animation(folder, scenario, out_dir)
    return figures


def sweep_figure(table: pd.DataFrame, params: list[str], kpi: str, scope: str, out: Path) -> Path:
    """One parameter: the KPI's mean with its 95 % interval along the grid. Two or more: a heat
    map of the mean over the first two parameters (the rest averaged)."""
    rows = table[(table["kpi"] == kpi) & (table["scope"] == scope)]
    if len(params) == 1:
        rows = rows.sort_values(params[0])
        x = [str(v) for v in rows[params[0]]]
        fig, ax = plt.subplots(figsize=(7, 4))
        ax.errorbar(x, rows["mean"], yerr=[rows["mean"] - rows["ci95_low"], rows["ci95_high"] - rows["mean"]],
                    fmt="o-", color="#1b4f72", capsize=4)
        ax.set_xlabel(params[0].rsplit(".", 1)[-1])
        ax.set_ylabel(f"{kpi} ({scope})")
    else:
        grid = rows.groupby([params[0], params[1]])["mean"].mean().unstack(params[1])
        fig, ax = plt.subplots(figsize=(7, 5))
        image = ax.imshow(grid.to_numpy(dtype=float), cmap="viridis", aspect="auto")
        ax.set_yticks(range(len(grid.index)))
        ax.set_yticklabels([str(v) for v in grid.index])
        ax.set_xticks(range(len(grid.columns)))
        ax.set_xticklabels([str(v) for v in grid.columns])
        ax.set_ylabel(params[0].rsplit(".", 1)[-1])
        ax.set_xlabel(params[1].rsplit(".", 1)[-1])
        for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
            ax.text(j, i, f"{value:,.1f}", ha="center", va="center", color="white", fontsize=8)
        fig.colorbar(image, ax=ax, label=f"{kpi} ({scope})")
    ax.set_title(f"Sweep: mean {kpi} ({scope})")
    return _save(fig, out)
