"""Plain-text tables for the terminal: the run summary, the supply headline, the comparison."""

from __future__ import annotations

import pandas as pd


KPI_LINES = [
    ("tonnes_demanded", "demanded", "t"),
    ("tonnes_delivered", "delivered", "t"),
    ("tonnes_lost", "lost (past deadline)", "t"),
    ("delay_mean_h", "mean delay", "h"),
    ("delay_p95_h", "95th pct delay", "h"),
    ("resilience_loss_h", "resilience loss ∫(1−Q)dt", "h"),
    ("time_to_recover_h", "time to recover (Q≥95%)", "h"),
]


def format_kpi_table(summary, scopes: list[str]) -> str:
    """A compact text table: one row per KPI, one column per scope, 'mean ± CI half-width'."""
    index = {(r.kpi, r.scope): r for r in summary.itertuples()}
    header = f"{'':28}" + "".join(f"{scope:>22}" for scope in scopes)
    lines = [header]
    for kpi, label, unit in KPI_LINES:
        cells = []
        for scope in scopes:
            row = index.get((kpi, scope))
            if row is None or row.n == 0:
                cells.append(f"{'–':>22}")
                continue
            half = (row.ci95_high - row.ci95_low) / 2
            text = f"{row.mean + 0.0:,.1f}" + (f" ± {half:,.1f}" if row.n > 1 else "")
            cells.append(f"{text + ' ' + unit:>22}")
        lines.append(f"{label:28}" + "".join(cells))
    return "\n".join(lines)


SUPPLY_LINES = [
    ("food_min_days_of_supply", "food: min days of supply", "d"),
    ("food_person_days_below_threshold", "food: person-days below threshold", "person·d"),
    ("food_spoiled_t", "food: spoiled", "t"),
    ("energy_not_served_mwh", "power: energy not served", "MWh"),
    ("hours_with_shedding", "power: hours with shedding", "h"),
    ("departures_cancelled", "trains: departures cancelled", ""),
    ("departures_replaced", "trains: replaced by bus", ""),
    ("stranded_passenger_hours", "passengers: stranded", "pax·h"),
    ("commuter_trips_lost", "commuters: trips lost", ""),
]


def format_supply_table(summary) -> str:
    """Headline supply KPIs (scope 'all' and, for food, each municipality); '' when none were modelled."""
    lines = []
    for kpi, label, unit in SUPPLY_LINES:
        rows = summary[summary["kpi"] == kpi]
        for row in rows.itertuples():
            if row.n == 0 or (kpi != "food_min_days_of_supply" and row.scope != "all"):
                continue
            half = (row.ci95_high - row.ci95_low) / 2
            value = f"{row.mean + 0.0:,.1f}" + (f" ± {half:,.1f}" if row.n > 1 else "")
            scope = "" if row.scope == "all" else f" ({row.scope})"
            lines.append(f"{label + scope:44}{value:>22} {unit}")
    return "\n".join(lines)


COMPARE_KPIS = [
    ("tonnes_lost", "all", "freight lost", "t"),
    ("tonne_hours_delay", "all", "freight delay", "t·h"),
    ("food_person_days_below_threshold", "all", "food: person-days below", "person·d"),
    ("energy_not_served_mwh", "all", "energy not served", "MWh"),
    ("stranded_passenger_hours", "all", "stranded passengers", "pax·h"),
    ("cost_per_year", "total", "cost per year", ""),
]


def format_comparison(diffs: pd.DataFrame, money: pd.DataFrame) -> str:
    """The ranking by benefit–cost (when costs are known) and each variant's headline changes."""
    lines = []
    if not money.empty:
        lines.append(f"{'rank':>4}  {'variant':40} {'BCR [95% CI]':>24} {'NPV':>18} {'avoided/yr':>16}")
        for row in money.itertuples():
            lines.append(f"{row.rank:4d}  {row.variant[:40]:40} {row.bcr:7.2f} [{row.bcr_low:6.2f}, {row.bcr_high:6.2f}]"
                         f" {row.npv:18,.0f} {row.avoided_per_year:16,.0f} {row.currency}")
    lines.append("Change against the baseline (mean [95% CI], share of replications better):")
    for name in diffs["variant"].unique():
        lines.append(f"  {name}")
        mine = diffs[diffs["variant"] == name]
        for kpi, scope, label, unit in COMPARE_KPIS:
            hit = mine[(mine.kpi == kpi) & (mine.scope == scope)]
            if hit.empty:
                continue
            r = hit.iloc[0]
            lines.append(f"    {label:26} {r.mean_diff + 0.0:14,.1f} [{r.ci95_low + 0.0:12,.1f}, {r.ci95_high + 0.0:12,.1f}] "
                         f"{unit:8} better in {r.share_better:4.0%}")
    return "\n".join(lines)
