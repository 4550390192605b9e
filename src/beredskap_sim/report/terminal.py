"""Plain-text tables for the terminal: the run summary, the supply headline, the comparison.

Every table fits ``width`` columns (default: the terminal, at most 100): a table with more
scopes than fit is split into blocks of columns, each repeating the row labels. Rows carry
names, not ids (``report.names``), and a unit; counts and tonnes print as whole numbers and
``-0`` never appears. With several replications a cell reads ``mean ± half-width of the
Student-t 95 % interval``.
"""

from __future__ import annotations

import shutil
import textwrap

import pandas as pd

from .names import COMPARISON_KPIS, Names, display_unit, format_money, format_number, format_ratio, format_share_better

MAX_WIDTH = 100
STOCHASTIC_MIN_REPLICATIONS = 10

KPI_LINES = [
    ("tonnes_demanded", "demanded"),
    ("tonnes_delivered", "delivered"),
    ("tonnes_late", "  of which late (> 1 h)"),
    ("tonnes_in_transit", "in transit at the end"),
    ("tonnes_lost", "lost (past deadline)"),
    ("delay_mean_h", "mean delay"),
    ("delay_p95_h", "95th percentile delay"),
    ("resilience_loss_h", "resilience loss ∫(1−Q)dt"),
    ("time_to_recover_h", "longest time to recover (Q ≥ 95 %)"),
    ("episodes", "disruption episodes (Q < 95 %)"),
    ("episode_ttr_mean_h", "  mean time to recover"),
    ("episode_loss_max_h", "  largest loss of one episode"),
]


def terminal_width(limit: int = MAX_WIDTH) -> int:
    """The terminal's width, at most ``limit`` (100 when standard output is not a terminal)."""
    return min(limit, shutil.get_terminal_size((limit, 24)).columns)


def _cell(row, unit: str) -> str:
    text = format_number(row.mean, unit)
    half = (row.ci95_high - row.ci95_low) / 2
    # equal in every replication (up to rounding noise of the sums): no interval to show
    if row.n > 1 and half > 1e-9 * max(1.0, abs(row.mean)):
        shown = format_number(half, unit)
        if shown.strip("0.,") != "":
            text += " ± " + shown
    return text


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def _empty_scope(index: dict, scope: str) -> bool:
    """Whether no tonne of ``scope`` was demanded in any replication (a commodity the
    scenario names but never moves): its column would be all zeros and dashes."""
    demanded = index.get(("tonnes_demanded", scope))
    return demanded is None or not demanded.max > 0


def format_kpi_table(summary: pd.DataFrame, scopes: list[str], names: Names | None = None,
                     width: int | None = None) -> str:
    """Freight KPIs: one row per KPI with its unit, one column per scope (``all`` and each
    commodity) that carried freight in some replication (empty ones are left out), split into
    blocks of columns so that no line is longer than ``width``."""
    names = names or Names()
    width = width or terminal_width()
    index = {(r.kpi, r.scope): r for r in summary.itertuples()}
    scopes = [s for s in scopes if s == "all" or not _empty_scope(index, s)]
    rows = []
    for kpi, label in KPI_LINES:
        present = [index.get((kpi, s)) for s in scopes]
        if not any(r is not None and r.n > 0 for r in present):
            continue
        unit = display_unit(kpi, next(str(r.unit) for r in present if r is not None))
        rows.append((label, unit, [_cell(r, unit) if r is not None and r.n > 0 else "–" for r in present]))
    if not rows:
        return ""
    label_w = max(len(label) for label, _, _ in rows) + 1
    unit_w = max(len(unit) for _, unit, _ in rows) + 2
    cell_w = max(max(len(c) for _, _, cells in rows for c in cells), 8) + 2
    per_block = max(1, (width - label_w - unit_w) // cell_w)
    cell_w = min(cell_w, width - label_w - unit_w) if per_block == 1 else cell_w
    blocks = []
    for start in range(0, len(scopes), per_block):
        chunk = range(start, min(start + per_block, len(scopes)))
        header = "Freight".ljust(label_w) + "unit".ljust(unit_w) + "".join(
            _fit(names.of(scopes[j]), cell_w - 1).rjust(cell_w) for j in chunk)
        lines = [header.rstrip()]
        for label, unit, cells in rows:
            lines.append((label.ljust(label_w) + unit.ljust(unit_w)
                          + "".join(cells[j].rjust(cell_w) for j in chunk)).rstrip())
        blocks.append("\n".join(lines))
    if any("±" in c for _, _, cells in rows for c in cells):
        blocks.append(_fit("± : half-width of the 95 % interval of the mean over the replications", width))
    return "\n\n".join(blocks)


SUPPLY_LINES = [
    ("food_min_days_of_supply", "*", "food: lowest days of supply"),
    ("food_min_days_of_supply", "all", "food: lowest days of supply, any municipality"),
    ("food_person_days_below_threshold", "all", "food: person-days below the alarm level"),
    ("food_spoiled_t", "all", "food: spoiled"),
    ("energy_not_served_mwh", "all", "power: energy not served"),
    ("ens_priority_general_mwh", "all", "  general load shed in areas"),
    ("load_ens_mwh", "*", "  at critical load"),
    ("hours_with_shedding", "all", "power: hours with area load shedding"),
    ("departures_cancelled", "all", "trains: departures cancelled"),
    ("departures_replaced", "all", "trains: replaced by bus"),
    ("stranded_passenger_hours", "all", "passengers: stranded"),
    ("commuter_trips_lost", "all", "commuters: trips lost"),
    ("critical_staff_absent_peak", "all", "workforce: health/care staff kept from work, worst day"),
    ("critical_staff_days_absent", "all", "workforce: health/care staff-days lost"),

    ("care_hours_no_road", "*", "care: hours without a hospital by road"),
    ("care_hours_air_only", "*", "  of which by helicopter"),
    ("care_person_hours_no_access", "all", "care: person-hours without any access"),
]
SHOWN_WHEN_ABOVE_ZERO = ("load_ens_mwh", "care_hours_no_road", "care_hours_air_only")


def _energy_note(summary: pd.DataFrame) -> str:
    """One sentence when energy was not served: how much was area shedding and how much was
    at critical loads cut off on their own (a substation out, a backup out of fuel)."""
    def mean(kpi, scope="all"):
        hit = summary[(summary["kpi"] == kpi) & (summary["scope"] == scope)]
        return float(hit["mean"].iloc[0]) if not hit.empty else 0.0

    total = mean("energy_not_served_mwh")
    if total <= 0.05:
        return ""
    general = mean("ens_priority_general_mwh")
    critical = float(summary.loc[summary["kpi"] == "load_ens_mwh", "mean"].sum())
    return (f"note: of the {format_number(total, 'MWh')} MWh not served, {format_number(general, 'MWh')} MWh is "
            f"general load shed when an area was short (counted in the hours with shedding) and "
            f"{format_number(critical, 'MWh')} MWh is at critical loads cut off on their own (a substation out, "
            f"a backup generator without fuel), which can happen while the area has power to spare.")


def format_supply_table(summary: pd.DataFrame, names: Names | None = None, width: int | None = None) -> str:
    """Headline supply KPIs with a unit on every row; food per municipality by name, energy not
    served split into area shedding and critical loads; '' when none were modelled."""
    names = names or Names()
    width = width or terminal_width()
    rows = []
    ens = summary[(summary["kpi"] == "energy_not_served_mwh") & (summary["scope"] == "all")]
    split_energy = not ens.empty and float(ens["max"].max()) > 0
    for kpi, scope, label in SUPPLY_LINES:
        if kpi in ("ens_priority_general_mwh", "load_ens_mwh") and not split_energy:
            continue
        hits = summary[summary["kpi"] == kpi]
        hits = hits[hits["scope"] != "all"] if scope == "*" else hits[hits["scope"] == scope]
        for row in hits.itertuples():
            if row.n == 0 or (kpi in SHOWN_WHEN_ABOVE_ZERO and row.max <= 0):
                continue
            unit = display_unit(kpi, str(row.unit))
            text = label + (f" — {names.of(row.scope)}" if scope == "*" else "")
            rows.append((text, _cell(row, unit), unit))
    if not rows:
        return ""
    value_w = max(len(v) for _, v, _ in rows) + 2
    unit_w = max(len(u) for _, _, u in rows) + 1
    label_w = min(max(len(t) for t, _, _ in rows) + 1, width - value_w - unit_w)
    lines = [(_fit(t, label_w - 1).ljust(label_w) + v.rjust(value_w) + " " + u).rstrip() for t, v, u in rows]
    note = _energy_note(summary)
    if note:
        lines += textwrap.wrap(note, width, subsequent_indent="  ")
    return "\n".join(lines)


def stochastic_warning(scenario, replications: int) -> str:
    """A warning when a scenario with random hazards runs with fewer than 10 replications;
    '' otherwise. One draw of a random year says little about the next."""
    if not scenario.hazards or replications >= STOCHASTIC_MIN_REPLICATIONS:
        return ""
    return (f"warning: this scenario has {len(scenario.hazards)} random hazard(s) and runs with {replications} "
            f"replication(s); one random year says little — use -n {STOCHASTIC_MIN_REPLICATIONS} or more "
            f"(the scenario file may say how many).")


def format_comparison(diffs: pd.DataFrame, money: pd.DataFrame, width: int | None = None) -> str:
    """The appraisal (benefit per year against the baseline, everyday and resilience apart, and
    for investments NPV, BCR and net benefit per budget krone, ranked by BCR) and each variant's
    headline changes, each with its unit or currency, 95 % interval and — where replications
    differ — the share of replications better."""
    width = width or terminal_width()
    lines = format_appraisal(money, width) if not money.empty else []
    lines.append("Change against the baseline (mean [95% CI], share of replications better):")
    for name in diffs["variant"].unique() if not diffs.empty else []:
        lines.append(f"  {_fit(name, width - 2)}")
        mine = diffs[diffs["variant"] == name]
        for kpi, scope, label, unit in COMPARISON_KPIS:
            hit = mine[(mine.kpi == kpi) & (mine.scope == scope)]
            if hit.empty:
                continue
            r = hit.iloc[0]
            if not unit and "unit" in r.index:
                unit = str(r["unit"])
            shown = unit if unit not in ("", "1", "nan") else ""
            interval = f"[{format_number(r.ci95_low, unit)}, {format_number(r.ci95_high, unit)}]"
            lines.append(f"    {label[:29]:30}{format_number(r.mean_diff, unit):>12} {interval:>24} {shown:9}"
                         f"{format_share_better(r.share_better, r.share_worse)}".rstrip())
    return "\n".join(lines)


def format_appraisal(money: pd.DataFrame, width: int) -> list[str]:
    """The ``benefit_cost.csv`` rows as text: ratios to two significant figures, a currency on
    every amount."""
    lines = []
    conventions = money["conventions"].dropna().unique() if "conventions" in money.columns else []
    head = "Benefit against the baseline (mean [95% CI])"
    if len(conventions):
        lines.append(head + ", appraised by")
        lines.append(textwrap.fill(f"{conventions[0]}:", width=width, initial_indent="  ", subsequent_indent="  "))
    else:
        lines.append(head + ":")
    for row in money.itertuples():
        cur = row.currency
        rank = f"{int(row.rank)}." if "rank" in money.columns and row.rank == row.rank else "–"
        lines.append(f"{rank:>4} {_fit(row.variant, width - 5)}")

        def amount(name, unit=cur + "/yr"):
            mean, low, high = getattr(row, name), getattr(row, f"{name}_low"), getattr(row, f"{name}_high")
            return f"{format_money(mean, unit)} [{format_number(low, unit)}, {format_number(high, unit)}]"

        lines.append(f"       benefit per year     {amount('benefit_per_year')}  "
                     f"{format_share_better(row.share_better, row.share_worse)}")
        lines.append(f"         everyday           {amount('everyday_per_year')}")
        lines.append(f"         resilience         {amount('resilience_per_year')}")
        if "bcr" in money.columns and row.bcr == row.bcr:
            lines.append(f"       BCR {format_ratio(row.bcr)} [{format_ratio(row.bcr_low)}, {format_ratio(row.bcr_high)}]"
                         f"   net benefit per budget {cur} {format_ratio(row.nnb)} [{format_ratio(row.nnb_low)}, {format_ratio(row.nnb_high)}]")
            lines.append(f"       NPV {amount('npv', cur)}   investment {format_money(row.investment, cur)}")
    return lines

def print_care_access(access, links, top: int = 10) -> None:
    """The ``analyze`` block on emergency care: minutes to the nearest hospital per place, and
    the road links whose loss lengthens that most (those that take a place past the threshold first)."""
    threshold = float(access["threshold_min"].iloc[0]) if len(access) else 0.0
    print(f"Road time to the nearest emergency hospital a place may use (threshold {threshold:.0f} min):")
    for row in access.itertuples():
        minutes = f"{row.minutes:5.0f} min" if row.minutes != float("inf") else "unreachable"
        flag = "" if row.within_threshold else "  ← beyond the threshold"
        print(f"  {row.place:14} {row.population:9,d} people  {minutes:>11}  {row.nearest_hospital or '-'}{flag}")
    if len(links):
        print("Road links whose loss lengthens the way to hospital most:")
        for row in links.head(top).itertuples():
            without = f"{row.minutes_without:4.0f} min" if row.minutes_without != float("inf") else "cut off"
            flag = "  ← loses access" if row.loses_access else ""
            print(f"  {row.link[:30]:30} {row.place:12} {row.minutes_with:4.0f} → {without}{flag}")


def format_stratification(stratification: dict) -> str:
    """Which rare hazards were stratified, how many replications each stratum got, and Kish's
    effective sample size (the manifest's ``stratification``, see ``model.strata``)."""
    kinds = ", ".join(f"{k['kind']} {'/'.join(str(c) for c in k['replications_per_stratum'])}"
                      for k in stratification["kinds"])
    n = sum(stratification["kinds"][0]["replications_per_stratum"]) if stratification["kinds"] else 0
    ess = stratification.get("effective_sample_size", float("nan"))
    text = (f"Rare hazards (at most {stratification['rare_rate_per_year']:g} events a year) stratified — replications "
            f"with 0/1/2+ events: {kinds}. Each replication is weighted by how likely its strata are; effective "
            f"sample size {ess:.1f} of {n} (the weighted means are about as precise as that many equally "
            f"weighted replications).")
    return "\n".join(textwrap.wrap(text, terminal_width(), break_on_hyphens=False))
