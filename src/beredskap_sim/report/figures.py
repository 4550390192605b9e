"""Figures from a results folder (read from disk, so they can be remade without simulating).

* ``network_map`` — link states (open / degraded / closed) at a chosen time; PNG and SVG.
* ``resilience_curves`` — Q(t) per commodity with the disruption windows shaded; with several
  replications the median and a P5–P95 band.
* ``timeline`` — a Gantt chart of disruptions (by target), with repairs and cascades marked.
* ``supply_panels`` — days of supply per municipality (heat map), power served vs demand per
  area, passenger departures run / replaced / cancelled, commuter trips, and health and care
  staff kept from work per day.
* ``map_animation`` — an animated GIF of the map over the horizon, for slides.
* ``comparison`` — KPI differences with 95 % intervals per variant (from ``compare``).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..results import RunFolder  # noqa: E402
from ..scenario.loader import load_scenario  # noqa: E402
from ..scenario.units import format_hours  # noqa: E402
from .maps import STATE_COLOURS, draw_map, draw_situation_map, recolour  # noqa: E402
from .moments import affected_at, commodity_routes, links_used, local_links, worst_moment  # noqa: E402
from .names import COMPARISON_KPIS, Names, format_number  # noqa: E402

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


def network_map(folder: RunFolder, scenario, out_dir: Path, t: float | None = None, replication: int = 0,
                figsize: tuple[float, float] = (16, 9)) -> list[Path]:
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
                             local_links(scenario, disrupted), links_used(scenario, moment) | disrupted, figsize)
    paths = [out_dir / "network-map.png", out_dir / "network-map.svg"]
    for path in paths:
        fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return paths


def _dates(scenario, hours) -> np.ndarray:
    """Hours from the scenario start as matplotlib dates (for date axes)."""
    import matplotlib.dates as mdates

    start = mdates.date2num(pd.Timestamp(scenario.start).to_pydatetime())
    return start + np.asarray(hours, dtype=float) / 24.0


def _date_axis(ax, scenario) -> None:
    import matplotlib.dates as mdates

    ax.set_xlim(_dates(scenario, [0.0, scenario.horizon_h]))
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def touching(disruptions: pd.DataFrame, scenario, links: set[int], nodes: set[int]) -> pd.DataFrame:
    """The rows of ``disruptions`` that hit one of ``links`` or close one of ``nodes``."""
    ids_l = {scenario.network.link_ids[i] for i in links}
    ids_n = {scenario.network.node_ids[i] for i in nodes}
    hit = [bool(set(str(r.links).split()) & ids_l or set(str(r.nodes).split()) & ids_n) for r in disruptions.itertuples()]
    return disruptions[hit] if len(disruptions) else disruptions


def until_clock(frame: pd.DataFrame, until_h: float | None, start: str = "time_h") -> pd.DataFrame:
    """The rows of ``frame`` known at the exercise clock ``until_h`` (all rows when None):
    records whose step began before the clock (``start`` < clock). Disruption rows (with
    ``end_h``) that have begun, their end cut at the clock."""
    if until_h is None or frame.empty:
        return frame
    if "end_h" in frame:
        known = frame[frame["start_h"] <= until_h].copy()
        known["end_h"] = known["end_h"].clip(upper=until_h)
        return known
    return frame[frame[start] < until_h]


def _now_line(ax, scenario, until_h: float | None) -> None:
    """A vertical line at the exercise clock, labelled "now"."""
    if until_h is not None:
        ax.axvline(_dates(scenario, [until_h])[0], color="#1b2631", linewidth=1.4, label="now (exercise clock)")


def _shade(ax, scenario, rows: pd.DataFrame) -> None:
    for row in rows.itertuples():
        ax.axvspan(*_dates(scenario, [row.start_h, row.end_h]), color=STATE_COLOURS[row.kind], alpha=0.13, lw=0)


def period_q(series: pd.DataFrame, period_h: float) -> pd.DataFrame:
    """Q per period: min(1, Σ delivered / Σ due) over consecutive periods of ``period_h`` hours
    from the start (periods with nothing due count as Q = 1), per replication; index = period
    start (h). A daily flow (one train a day) gives one value a day, so a train a few hours late
    within its day is not a dip to zero."""
    bins = (series["time_h"] // period_h) * period_h
    sums = series.assign(period=bins).groupby(["period", "replication"])[["delivered_t", "due_t"]].sum()
    q = np.where(sums["due_t"] > 1e-9, np.minimum(1.0, sums["delivered_t"] / sums["due_t"].where(sums["due_t"] > 1e-9, 1.0)), 1.0)
    return pd.Series(q, index=sums.index).unstack("replication")


def flow_period_h(scenario, commodity: str) -> float:
    """The longest release slot of the commodity's flows (24 h for a train a day), at least the
    record step; 24 h for commodities the food and power models order (no fixed slot)."""
    slots = [f.slot_h for f in scenario.demands if f.commodity == commodity]
    step = float(scenario.spec.record_step)
    return max(max(slots), step) if slots else max(24.0, step)


def resilience_curves(folder: RunFolder, scenario, out_dir: Path, until_h: float | None = None) -> Path:
    """Q per commodity — the exact curve the KPIs integrate (``metrics.curve``: the share of the
    tonnes due in the last 24 h that have arrived), averaged per flow period — median and P5–P95
    band over replications; shaded: the disruptions of replication 0 that touch the commodity's
    routes; dotted: the 95 % line.
    With ``until_h`` (the exercise clock) nothing after the clock is drawn."""
    from matplotlib.patches import Patch

    series = folder.timeseries()
    due = series.groupby("commodity", sort=False)["due_t"].sum()
    commodities = [c for c in dict.fromkeys(series["commodity"]) if due[c] > 1e-9] or list(due.index[:1])  # none empty
    series = until_clock(series, until_h)
    if not commodities:  # a scenario of passengers or supply alone has no freight curve
        fig, ax = plt.subplots(figsize=(12, 1.5))
        ax.axis("off")
        ax.text(0.5, 0.5, "No freight flows in this scenario.", ha="center", va="center")
        return _save(fig, out_dir / "resilience-curves.png")
    fig, axes = plt.subplots(len(commodities), 1, figsize=(12, 1.7 * len(commodities) + 1.2), sharex=True, squeeze=False)
    n_reps = series["replication"].nunique()
    disruptions = until_clock(folder.disruptions(), until_h)
    first = disruptions[disruptions["replication"] == disruptions["replication"].min()] if not disruptions.empty else disruptions
    routes = commodity_routes(scenario)
    exact = "performance_q" in series.columns
    for ax, commodity in zip(axes[:, 0], commodities):
        mine_series = series[series["commodity"] == commodity]
        period = flow_period_h(scenario, commodity)
        if exact:
            period = max(period, 24.0)  # Q already looks back a day: a day is its natural grain  # the curve every KPI integrates (``metrics.curve``), averaged per flow period:
            # the area under it is the resilience loss, and a daily train late by hours shows as
            # a day at the share of it that was on time, not as a comb of drops to zero
            bins = (mine_series["time_h"] // period) * period
            q = mine_series.assign(period=bins).pivot_table(index="period", columns="replication",
                                                            values="performance_q", aggfunc="mean", sort=True)
        else:  # folders written before the exact curve was stored
            q = period_q(mine_series, period)
        end = [q.index[-1] + period if until_h is None else min(q.index[-1] + period, until_h)] if len(q) else []
        x = _dates(scenario, list(q.index) + end)
        if not len(q):
            pass  # the clock stands at the start: nothing known yet
        elif n_reps > 1:
            ax.fill_between(x, list(q.quantile(0.05, axis=1)) + [q.quantile(0.05, axis=1).iloc[-1]],
                            list(q.quantile(0.95, axis=1)) + [q.quantile(0.95, axis=1).iloc[-1]],
                            color="#2e86c1", alpha=0.25, step="post", label="P5–P95 of replications")
            values = q.median(axis=1)
        else:
            values = q.iloc[:, 0]
        if len(q):
            ax.step(x, list(values) + [values.iloc[-1]], where="post", color="#1b4f72",
                    label="median" if n_reps > 1 else "Q")
        _now_line(ax, scenario, until_h)
        links, nodes = routes.get(commodity, (set(), set()))
        mine = touching(first, scenario, links, nodes) if commodity in routes else first
        _shade(ax, scenario, mine)
        ax.set_ylim(-0.05, 1.08)
        per = "day" if period == 24 else format_hours(period)
        ax.set_ylabel(f"{commodity}\nQ, mean per {per}" if exact else f"{commodity}\nQ per {per}", fontsize=9)
        ax.axhline(0.95, color="#555", linestyle=":", linewidth=0.9)
        _date_axis(ax, scenario)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    handles += [Line2D([0], [0], color="#555", linestyle=":", label="0.95 (recovered)"),
                Patch(color=STATE_COLOURS["closed"], alpha=0.3, label="a disruption on these flows' routes (closed)"),
                Patch(color=STATE_COLOURS["degraded"], alpha=0.3, label="… degraded")]
    fig.legend(handles=handles, loc="upper center", ncol=5, fontsize=8.5, frameon=False, bbox_to_anchor=(0.5, 0.985))
    title = ("performance Q (share of the last day's due tonnes arrived), mean per flow period" if exact
             else "performance Q = delivered / due per flow period")
    fig.suptitle(f"{scenario.name}: {title}", y=0.998, fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.955))
    fig.savefig(out_dir / "resilience-curves.png", dpi=DPI)
    plt.close(fig)
    return out_dir / "resilience-curves.png"


def timeline(folder: RunFolder, scenario, out_dir: Path, replication: int = 0, until_h: float | None = None) -> Path:
    """Disruptions of one replication by target (names), on a date axis, with repair starts,
    cascades and backup generators running out of fuel. With ``until_h`` (the exercise clock):
    only what has begun, bars cut at the clock, an open disruption's time "so far"."""
    names = Names(scenario)
    disruptions = folder.disruptions()
    ends = disruptions["end_h"].copy()
    disruptions = until_clock(disruptions, until_h)
    mine = disruptions[disruptions["replication"] == replication].sort_values("start_h")
    events = until_clock(folder.events(), until_h, start="time_h")
    events = events[events["replication"] == replication]
    labels = list(dict.fromkeys(mine["targets"])) or ["(no disruption)"]
    described = {d.id: d.description for d in scenario.spec.disruptions if getattr(d, "description", "")}
    fig, ax = plt.subplots(figsize=(12, 0.5 * len(labels) + 2.0))
    for row in mine.itertuples():
        y = labels.index(row.targets)
        x0, x1 = _dates(scenario, [row.start_h, row.end_h])
        ax.barh(y, x1 - x0, left=x0, color=STATE_COLOURS[row.kind], alpha=0.85, height=0.6)
        still_open = until_h is not None and ends[row.Index] > row.end_h
        text = f"{textwrap.shorten(described.get(row.id, names.of(row.id)), 60, placeholder=' …')}  " \
               f"({format_hours(row.end_h - row.start_h)}{' so far' if still_open else ''})"
        if row.end_h > 0.6 * scenario.horizon_h:  # no room after the bar: before it, or inside it
            before = row.start_h > 0.45 * scenario.horizon_h
            ax.text(x0 if before else x1, y, f"{text} " if before else f"{text} ", va="center", ha="right", fontsize=8,
                    color="#1b2631" if before else "white")
        else:
            ax.text(x1, y, f" {text}", va="center", fontsize=8)
    for kind, marker, colour, label in (("repair-started", "|", "#196f3d", "repair started"),
                                        ("cascade", "x", "#6c3483", "cascade (one failure causes another)"),
                                        ("fuel-out", "v", "#000", "backup generator out of fuel")):
        hits = events[events["kind"] == kind]
        if not hits.empty:
            ax.scatter(_dates(scenario, hits["time_h"]), [len(labels) - 0.35] * len(hits), marker=marker, color=colour,
                       label=label, zorder=3)
    _now_line(ax, scenario, until_h)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(["\n".join(textwrap.wrap(names.of_list(str(label)), 34)) for label in labels], fontsize=9)
    _date_axis(ax, scenario)
    ax.invert_yaxis()
    ax.grid(axis="x", color="#ddd", linewidth=0.6)
    ax.set_title(f"Disruptions, repairs and cascades (replication {replication})")
    from matplotlib.patches import Patch

    kinds = [k for k in ("closed", "degraded") if (mine["kind"] == k).any()]
    meaning = {"closed": "closed", "degraded": "degraded or changed (e.g. a demand surge)"}
    bars = [Patch(color=STATE_COLOURS[k], alpha=0.85, label=meaning[k]) for k in kinds]  # what the colours mean
    handles, _ = ax.get_legend_handles_labels()
    if handles or bars:
        ax.legend(handles=bars + handles, loc="lower right", fontsize=8)
    return _save(fig, out_dir / "timeline.png")


def _food_panel(ax, scenario, food: pd.DataFrame, names: Names, until_h: float | None = None) -> None:
    """Days of supply per municipality (median over replications) with the alarm level; with
    ``until_h`` only up to the exercise clock."""
    food = until_clock(food, until_h)
    for name, group in food.groupby("name"):
        median = group.groupby("time_h")["value"].median()
        ax.plot(_dates(scenario, median.index), median.values, linewidth=1.3, label=names.of(name))
    threshold = scenario.spec.food.threshold_days if scenario.spec.food is not None else None
    if threshold is not None:
        ax.axhline(threshold, color="#d62728", linestyle="--", linewidth=1.2, label=f"alarm level {threshold:g} d")
    _now_line(ax, scenario, until_h)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("days of supply")
    ax.set_title("Food: days of supply per municipality (median over replications)")
    ax.legend(fontsize=8, ncol=3, loc="lower left")
    _date_axis(ax, scenario)


def _power_panel(ax, kpis: pd.DataFrame, names: Names) -> None:
    """Energy not served (mean MWh over replications): general load per area and each critical load."""
    rows = []
    for kpi, label in (("ens_general_mwh", "general load, {}"), ("load_ens_mwh", "{}")):
        mean = kpis[kpis["kpi"] == kpi].groupby("scope")["value"].mean()
        rows += [(label.format(names.of(scope)), value) for scope, value in mean.items()]
    if not rows:
        ax.axis("off")
        return
    labels, values = zip(*rows)
    y = np.arange(len(rows))
    ax.barh(y, values, color=["#e67e22" if l.startswith("general") else "#c0392b" for l in labels])
    for yi, v in zip(y, values):
        ax.text(v, yi, f" {v:,.1f}", va="center", fontsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels([l[:38] for l in labels], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max(max(values) * 1.25, 1.0))
    ax.set_xlabel("energy not served over the horizon (MWh, mean)")
    ax.set_title("Power: not served per area and critical load", fontsize=10)


def _bars_panel(ax, table: pd.DataFrame, parts, xlabel: str, title: str, names: Names) -> None:
    left = np.zeros(len(table))
    for kpi, colour, label in parts:
        if kpi in table:
            ax.barh(["\n".join(textwrap.wrap(names.of(s), 22)) for s in table.index], table[kpi], left=left,
                    color=colour, label=label)
            left += table[kpi].to_numpy()
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower right")


def _travel_panel(ax, rows: pd.DataFrame, kind: str, names: Names) -> None:
    """Departures run / replaced / cancelled per service (``kind`` "pax"), or commuter trips
    made / lost per commuter flow ("commute"), as stacked bars of the mean per replication."""
    table = rows.groupby(["scope", "kpi"])["value"].mean().unstack("kpi").fillna(0)
    if kind == "pax":
        _bars_panel(ax, table, (("departures_run", "#27ae60", "run"), ("departures_replaced", "#f39c12", "replaced by bus"),
                                ("departures_cancelled", "#d62728", "cancelled")),
                    "departures over the horizon (mean)", "Passenger trains", names)
        return
    if "commuter_trips" in table and "commuter_trips_lost" in table:
        table["commuter_trips_made"] = table["commuter_trips"] - table["commuter_trips_lost"]
    _bars_panel(ax, table, (("commuter_trips_made", "#27ae60", "made"), ("commuter_trips_lost", "#d62728", "lost")),
                "commuter trips over the horizon (mean)", "Commuters", names)


def workforce_per_day(rows: pd.DataFrame, scenario) -> pd.DataFrame:
    """Health and care staff kept from work per calendar day (index: run hour of the day's
    midnight) and commuter flow (columns), mean over replications, from the ``workforce``
    supply series (which holds each day's count at every recording step of that day)."""
    per_step = rows.groupby(["name", "time_h"])["value"].mean().unstack("name").fillna(0)
    day_start = -(scenario.start.hour + scenario.start.minute / 60.0)
    day = np.floor((per_step.index.to_numpy() - day_start) / 24.0)
    daily = per_step.groupby(day).max()
    daily.index = daily.index.to_numpy() * 24.0 + day_start
    return daily


def _workforce_panel(ax, scenario, rows: pd.DataFrame, names: Names) -> None:
    """Health and care staff kept from work per day: each flow's mean over replications,
    stacked, one bar per day."""
    daily = workforce_per_day(rows, scenario)
    hours = daily.index.to_numpy()
    bottom = np.zeros(len(daily))
    for name in [n for n in daily.columns if daily[n].max() > 0]:
        ax.bar(_dates(scenario, hours + 12.0), daily[name].to_numpy(), width=0.8, bottom=bottom, label=names.of(name))
        bottom += daily[name].to_numpy()
    ax.set_ylim(0, max(bottom.max(initial=0.0) * 1.35, 1.0))  # room for the legend above the bars
    ax.set_ylabel("persons absent (mean)")
    ax.set_title("Workforce: health/care staff kept from work per day", fontsize=10)
    if bottom.max(initial=0.0) > 0:
        ax.legend(fontsize=8, loc="upper right")
    else:
        ax.text(0.5, 0.5, "none kept from work", transform=ax.transAxes, ha="center", va="center")
    _date_axis(ax, scenario)


def supply_panels(folder: RunFolder, scenario, out_dir: Path) -> Path | None:
    """Food days of supply (with the alarm level), energy not served per area and critical
    load, passenger departures and commuter trips — the panels present in the run."""
    names = Names(scenario)
    supply = folder.supply()
    kpis = folder.kpis()
    food = supply[(supply["system"] == "food") & (supply["series"] == "days_of_supply")]
    power = kpis[kpis["kpi"].isin(["ens_general_mwh", "load_ens_mwh"])]
    pax = kpis[kpis["kpi"].isin(["departures_run", "departures_replaced", "departures_cancelled"]) & (kpis["scope"] != "all")]
    commute = kpis[kpis["kpi"].isin(["commuter_trips", "commuter_trips_lost"]) & (kpis["scope"] != "all")]
    workforce = supply[supply["system"] == "workforce"]
    bottom = [p for p, present in (("power", not power.empty), ("pax", not pax.empty), ("commute", not commute.empty),
                                   ("workforce", not workforce.empty)) if present]
    if food.empty and not bottom:
        return None
    fig = plt.figure(figsize=(14, 8 if not food.empty and bottom else 4.5))
    grid = fig.add_gridspec(2 if (not food.empty and bottom) else 1, max(len(bottom), 1), height_ratios=[1.2, 1] if (not food.empty and bottom) else [1])
    if not food.empty:
        _food_panel(fig.add_subplot(grid[0, :]), scenario, food, names)
    row = 1 if not food.empty else 0
    for j, panel in enumerate(bottom):
        ax = fig.add_subplot(grid[row, j])
        if panel == "power":
            _power_panel(ax, power, names)
        elif panel == "workforce":
            _workforce_panel(ax, scenario, workforce, names)
        else:
            _travel_panel(ax, pax if panel == "pax" else commute, panel, names)
    return _save(fig, out_dir / "supply-panels.png")


def _power_to_now(ax, scenario, supply: pd.DataFrame, until_h: float) -> bool:
    """Customers without power (all local grids, mean over replications) and the areas' load
    not served (MW = MWh per hour, demand − served) up to the exercise clock. False when the
    run has neither series."""
    grid = until_clock(supply[(supply["system"] == "local-grid") & (supply["series"] == "customers_out")], until_h)
    area = until_clock(supply[supply["system"] == "power"], until_h)
    if grid.empty and area.empty:
        return False
    if not grid.empty:
        out = grid.groupby(["time_h", "replication"])["value"].sum().groupby("time_h").mean()
        ax.step(_dates(scenario, out.index), out.values, where="post", color="#c0392b", label="customers without power")
        ax.set_ylabel("customers without power")
    if not area.empty:
        wide = area.pivot_table(index=["time_h", "replication"], columns="series", values="value", aggfunc="sum")
        short = (wide["demand_mwh"] - wide["served_mwh"]).clip(lower=0).groupby("time_h").mean()
        if short.max() > 1e-9:
            twin = ax.twinx()
            twin.step(_dates(scenario, short.index), short.values, where="post", color="#e67e22",
                      label="area load not served (MW)")
            twin.set_ylabel("area load not served (MW)")
            twin.set_ylim(bottom=0)
    _now_line(ax, scenario, until_h)
    ax.set_ylim(0, max(float(grid["value"].max()) * 1.15 if not grid.empty else 0.0, 10.0))
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("Power up to now", fontsize=10)
    _date_axis(ax, scenario)
    return True


def _trains_to_now(ax, scenario, events: pd.DataFrame, until_h: float, replications: int) -> bool:
    """Departures replaced by bus and cancelled so far (cumulative, mean per replication) up to
    the exercise clock. False when none has been yet."""
    kinds = (("departure-replaced", "#f39c12", "replaced by bus"), ("departure-cancelled", "#d62728", "cancelled"))
    known = until_clock(events[events["kind"].isin([k for k, _, _ in kinds])], until_h)
    for kind, colour, label in kinds:
        hits = np.sort(known.loc[known["kind"] == kind, "time_h"].to_numpy())
        if len(hits):
            x = _dates(scenario, np.r_[0.0, hits, until_h])
            y = np.r_[0, np.arange(1, len(hits) + 1), len(hits)] / max(replications, 1)
            ax.step(x, y, where="post", color=colour, label=label)
    _now_line(ax, scenario, until_h)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("departures so far (mean)")
    ax.set_title("Passenger trains up to now", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    _date_axis(ax, scenario)
    return True


def panel_figures(folder: RunFolder, scenario, out_dir: Path, size: tuple[float, float] = (8.0, 4.6),
                  until_h: float | None = None) -> dict[str, Path]:
    """The supply panels one by one, each ``size`` inches (for the workshop page): ``food``,
    ``power``, ``passengers`` (trains and commuters side by side) and ``workforce`` (health and
    care staff kept from work per day), those the run has.

    With ``until_h`` (exercise mode) no panel shows the future: food is drawn to the clock,
    and the horizon totals of power and passengers give way to their course up to the clock
    (customers out and area load not served; departures replaced and cancelled so far)."""
    names = Names(scenario)
    supply, kpis = folder.supply(), folder.kpis()
    out: dict[str, Path] = {}
    food = supply[(supply["system"] == "food") & (supply["series"] == "days_of_supply")]
    if not food.empty:
        fig, ax = plt.subplots(figsize=size)
        _food_panel(ax, scenario, food, names, until_h)
        out["food"] = _save(fig, out_dir / "panel-food.png")
    if until_h is not None:
        fig, ax = plt.subplots(figsize=size)
        if _power_to_now(ax, scenario, supply, until_h):
            out["power"] = _save(fig, out_dir / "panel-power.png")
        else:
            plt.close(fig)
        if scenario.spec.passengers is not None:
            fig, ax = plt.subplots(figsize=size)
            _trains_to_now(ax, scenario, folder.events(), until_h, int(kpis["replication"].nunique()))
            out["passengers"] = _save(fig, out_dir / "panel-passengers.png")
        return out
    power = kpis[kpis["kpi"].isin(["ens_general_mwh", "load_ens_mwh"])]
    if not power.empty:
        fig, ax = plt.subplots(figsize=size)
        _power_panel(ax, power, names)
        out["power"] = _save(fig, out_dir / "panel-power.png")
    pax = kpis[kpis["kpi"].isin(["departures_run", "departures_replaced", "departures_cancelled"]) & (kpis["scope"] != "all")]
    commute = kpis[kpis["kpi"].isin(["commuter_trips", "commuter_trips_lost"]) & (kpis["scope"] != "all")]
    if not pax.empty or not commute.empty:
        fig, axes = plt.subplots(1, 2, figsize=size, squeeze=False)
        for ax, rows, kind in ((axes[0, 0], pax, "pax"), (axes[0, 1], commute, "commute")):
            if rows.empty:
                ax.axis("off")
            else:
                _travel_panel(ax, rows, kind, names)
        out["passengers"] = _save(fig, out_dir / "panel-passengers.png")
    workforce = supply[supply["system"] == "workforce"]
    if not workforce.empty:
        fig, ax = plt.subplots(figsize=size)
        _workforce_panel(ax, scenario, workforce, names)
        out["workforce"] = _save(fig, out_dir / "panel-workforce.png")
    return out


def map_animation(folder: RunFolder, scenario, out_dir: Path, frames: int = 24, replication: int = 0) -> Path:
    """An animated GIF of link states and days of food over the horizon (one frame per
    horizon/frames, 3 frames a second).

    The map (outlines, open links, places, labels) is rendered once as a background; each
    frame restores it and draws on top only what changes — the disrupted links in their state
    colour, the food municipalities coloured by days of supply, the date — so a frame costs a
    few artists, not a map (the way matplotlib's blitting works)."""
    from PIL import Image

    disruptions = folder.disruptions()
    supply = folder.supply()
    food = supply[(supply["replication"] == replication) & (supply["system"] == "food")]
    fig = plt.figure(figsize=(9.5, 6), dpi=80)
    ax = fig.add_axes((0.01, 0.02, 0.78, 0.9))  # the legend to the right
    times = np.linspace(0, scenario.horizon_h, frames, endpoint=False)
    cmap = plt.get_cmap("RdYlGn")
    artists: dict = {}
    draw_map(scenario.network, {}, "", legend=[("closed", STATE_COLOURS["closed"])], network_file=scenario.network_file,
             ax=ax, artists=artists, max_labels=22)
    stamp = ax.text(0.5, 1.01, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=12)
    fig.canvas.draw()
    background = fig.canvas.copy_from_bbox(fig.bbox)
    images = []
    for t in times:
        node_values = {}
        if not food.empty:
            at = food[food["time_h"] <= t].groupby("name")["value"].last()
            node_values = {name: matplotlib.colors.to_hex(cmap(min(v, 7.0) / 7.0)) for name, v in at.items()}
        colours = link_states_at(scenario, disruptions, t, replication)
        recolour(scenario.network, artists, colours, node_values)
        fig.canvas.restore_region(background)
        for i in sorted(colours):
            ax.draw_artist(artists["links"][i])
        for node_id in node_values:
            if node_id in artists["nodes"]:
                ax.draw_artist(artists["nodes"][node_id])
        stamp.set_text(f"{scenario.start + pd.Timedelta(hours=float(t)):%Y-%m-%d %H:%M}")
        ax.draw_artist(stamp)
        images.append(Image.frombuffer("RGBA", fig.canvas.get_width_height(), bytes(fig.canvas.buffer_rgba())).convert("RGB"))
    plt.close(fig)
    path = out_dir / "network-animation.gif"
    palette = images[0].quantize(colors=255, method=Image.Quantize.FASTOCTREE)  # one palette for every frame
    frames_p = [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images]
    frames_p[0].save(path, save_all=True, append_images=frames_p[1:], duration=int(1000 / 3), loop=0)
    return path


def comparison(compare_folder: Path, out: Path | None = None, kpis: list[tuple[str, str]] | None = None) -> Path:
    """One panel per KPI: each variant's paired change against the baseline (mean, 95 %
    interval), left of zero = fewer losses. Variant names wrap in full beside the first panel;
    each panel's axis names the KPI and its unit; at most 4 ticks."""
    from matplotlib.ticker import MaxNLocator

    diffs = pd.read_csv(compare_folder / "differences.csv")
    wanted = kpis or [(k, s) for k, s, _, _ in COMPARISON_KPIS]
    titles = {(k, s): (t, u) for k, s, t, u in COMPARISON_KPIS}
    wanted = [k for k in wanted if ((diffs.kpi == k[0]) & (diffs.scope == k[1])).any()]
    variants = list(dict.fromkeys(diffs["variant"]))
    n = max(len(wanted), 1)
    cols = min(n, 3)
    rows_n = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows_n, cols, figsize=(4.2 * cols + 2.6, (0.55 * len(variants) + 1.3) * rows_n + 0.8),
                             squeeze=False)
    labels = ["\n".join(textwrap.wrap(v, 26)) for v in variants]
    for i, ax in enumerate(axes.flat):
        if i >= len(wanted):
            ax.axis("off")
            continue
        kpi, scope = wanted[i]
        rows = diffs[(diffs.kpi == kpi) & (diffs.scope == scope)].set_index("variant").reindex(variants)
        y = np.arange(len(variants))
        err = np.vstack([rows["mean_diff"] - rows["ci95_low"], rows["ci95_high"] - rows["mean_diff"]])
        ax.errorbar(rows["mean_diff"], y, xerr=err, fmt="o", color="#1b4f72", capsize=3)
        ax.axvline(0, color="#999", linewidth=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(labels if i % cols == 0 else [], fontsize=8.5)
        ax.set_ylim(len(variants) - 0.5, -0.5)
        title, unit = titles.get((kpi, scope), (kpi, ""))
        unit = unit or (str(rows["unit"].dropna().iloc[0]) if "unit" in rows and rows["unit"].notna().any() else "")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(f"change ({unit})" if unit and unit != "1" else "change")
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.ticklabel_format(axis="x", style="plain", useOffset=False)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 10 else f"{v:,.2g}"))
    fig.suptitle("Change against the baseline (mean and 95 % interval of paired replications); left of 0 = fewer losses",
                 fontsize=11)
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
    """One parameter: the KPI's mean with its 95 % interval along the grid, on an axis from
    zero. Two or more: a heat map of the mean over the first two parameters (the rest
    averaged) whose colour scale starts at zero (or is centred on zero when values have both
    signs), each cell labelled in a colour that stays readable on it."""
    from matplotlib.colors import TwoSlopeNorm

    rows = table[(table["kpi"] == kpi) & (table["scope"] == scope)]
    unit = str(rows["unit"].iloc[0]) if "unit" in rows and len(rows) else ""
    label = f"{kpi} ({scope})" + (f" [{unit}]" if unit and unit not in ("1", "nan") else "")

    def short(p):
        return p.rsplit(".", 1)[-1] + (f" at {p.split('[')[1].split(']')[0]}" if "[" in p else "")

    if len(params) == 1:
        rows = rows.sort_values(params[0])
        x = [f"{v:g}" if isinstance(v, float) else str(v) for v in rows[params[0]]]
        fig, ax = plt.subplots(figsize=(7.5, 4.5))
        ax.errorbar(x, rows["mean"], yerr=[rows["mean"] - rows["ci95_low"], rows["ci95_high"] - rows["mean"]],
                    fmt="o-", color="#1b4f72", capsize=4)
        low = min(0.0, float(rows["ci95_low"].min()))
        ax.set_ylim(low, max(float(rows["ci95_high"].max()) * 1.1, low + 1e-9))
        ax.set_xlabel(short(params[0]))
        ax.set_ylabel(label)
    else:
        grid = rows.groupby([params[0], params[1]])["mean"].mean().unstack(params[1])
        values = grid.to_numpy(dtype=float)
        fig, ax = plt.subplots(figsize=(8, 5.5))
        lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
        if lo < 0 < hi:
            cmap, norm = plt.get_cmap("RdBu_r"), TwoSlopeNorm(0.0, lo, hi)
        else:
            cmap = plt.get_cmap("Blues")
            norm = matplotlib.colors.Normalize(min(lo, 0.0), max(hi, 0.0) or 1.0)
        image = ax.imshow(values, cmap=cmap, norm=norm, aspect="auto")
        ax.set_yticks(range(len(grid.index)))
        ax.set_yticklabels([f"{v:g}" if isinstance(v, float) else str(v) for v in grid.index])
        ax.set_xticks(range(len(grid.columns)))
        ax.set_xticklabels([f"{v:g}" if isinstance(v, float) else str(v) for v in grid.columns])
        ax.set_ylabel(short(params[0]))
        ax.set_xlabel(short(params[1]))
        for (i, j), value in np.ndenumerate(values):
            r, g, b, _ = cmap(norm(value))
            ink = "#1b2631" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"
            ax.text(j, i, format_number(value, unit), ha="center", va="center", color=ink, fontsize=9)
        fig.colorbar(image, ax=ax, label=label)
    ax.set_title(f"Sweep: mean {kpi} ({scope})")
    return _save(fig, out)
