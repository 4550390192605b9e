"""The tornado chart of a sensitivity analysis, and its terminal table.

One horizontal bar per figure, from the KPI at the figure's low end to the KPI at its high
end, drawn around the base value (a vertical line); the figure with the largest swing is on
top. Figures with no swing get no bar; their number is under the axis. Each bar is labelled in plain words with the range and its unit; the end that comes from
the high value is dark, the low end light.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .names import format_number, format_ratio

TOP = 15
"""Bars drawn at most (the table on disk has every figure)."""


def _short(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _range_text(row) -> str:
    unit = f" {row.unit}" if row.unit else ""
    return f"{_short(row.low)}–{_short(row.high)}{unit}"


def tornado(table: pd.DataFrame, base: float, kpi_label: str, title: str, path: Path, top: int = TOP) -> Path:
    """Draw the ranked rows of one variant (``experiment.sensitivity.one_at_a_time``) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    varied = table[table["swing"].notna()]
    rows = varied[varied["swing"] != 0].head(top)
    still = int((varied["swing"] == 0).sum())
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.45 * max(1, len(rows))))
    for i, row in enumerate(rows.itertuples()):
        y = len(rows) - 1 - i
        ends = [(row.kpi_low, "#9ecae1"), (row.kpi_high, "#08519c")]
        for end, colour in sorted(ends, key=lambda e: -abs(e[0] - base)):  # the shorter part in front
            ax.barh(y, end - base, left=base, color=colour, edgecolor="none")
    ax.axvline(base, color="black", linewidth=1)
    labels = [f"{row.label[:48]}\n{_range_text(row)}" for row in rows.itertuples()]
    ax.set_yticks(np.arange(len(rows))[::-1], labels, fontsize=8)
    ax.set_xlabel(kpi_label + (f"\n{still} more figure(s) made no difference within their range (see sensitivity.csv)"
                               if still else ""))
    ax.set_title(title, fontsize=10)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color="#9ecae1", label="figure at the low end"), Patch(color="#08519c", label="figure at the high end")],
              loc="lower right", fontsize=8, frameon=False)
    if rows.empty:
        ax.text(0.5, 0.5, "no figure changed the result", transform=ax.transAxes, ha="center")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def format_sensitivity(table: pd.DataFrame, base: float, unit: str, top: int = TOP) -> str:
    """The ranked table of one variant: figure, range, KPI at the low and high ends, swing."""
    lines = [f"{'#':>3} {'figure (assumed)':36} {'varied over':>24} {'at low':>11} {'at high':>11} {'swing':>9}"]

    def fmt(value: float) -> str:  # a ratio (BCR) to two significant figures, never "0.00"
        return format_ratio(value) if unit == "" else format_number(value, unit)

    for row in table.head(top).itertuples():
        if row.note.startswith("not varied"):
            lines.append(f"{row.rank:3d} {row.label[:36]:36} {_range_text(row)[:24]:>24}  {row.note[:33]}")
            continue
        cut = " *" if row.note else ""
        lines.append(f"{row.rank:3d} {row.label[:36]:36} {_range_text(row)[:24]:>24} {fmt(row.kpi_low):>11} "
                     f"{fmt(row.kpi_high):>11} {fmt(row.swing):>9}{cut}")
    if table.head(top)["note"].str.startswith("range cut").any():
        lines.append("* the ±50 % range was cut towards the file's value where its end would make the file invalid")
    lines.append(f"base value {fmt(base)}{' ' + unit if unit else ''}; swing = value with the figure at the high end − at the low end")
    return "\n".join(lines)
