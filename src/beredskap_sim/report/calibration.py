"""The calibration table and figure of ``beredskap-sim hazards``: record vs simulated per
asset and per joint pair (rows from ``model/calibration.py``), and the fit of each hazard."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..model.calibration import CalibrationRow  # noqa: E402
from ..model.hazard_fit import HazardFit  # noqa: E402

COLUMNS = ["kind", "name", "record_events", "record_rate", "record_lo", "record_hi", "record_hours",
           "record_hours_lo", "record_hours_hi",
           "sim_rate", "sim_lo", "sim_hi", "sim_hours", "sim_hours_lo", "sim_hours_hi", "independent_rate", "within"]


def _hours(r: CalibrationRow) -> str:
    """Record hours per year with its 90 % interval (none without a recorded closure)."""
    if r.record_hours_lo != r.record_hours_lo:  # nan: nothing recorded
        return f"{r.record_hours:.1f}"
    return f"{r.record_hours:.1f} [{r.record_hours_lo:.1f}–{r.record_hours_hi:.1f}]"


def format_calibration(rows: list[CalibrationRow], years_record: float, years_sim: int) -> str:
    """A plain-text table: events per year (record with its 90 % interval, simulated with the
    90 % interval of its mean) and hours closed per year; joint pairs with independence."""
    out = [f"Record ({years_record:.1f} years) vs simulated ({years_sim} years) — events per year [90 % interval], hours closed per year",
           f"  {'asset':28} {'rec. events':>11} {'record /yr':>22} {'simulated /yr':>22} {'record h/yr':>19} {'sim. h/yr':>9}  fits"]
    for r in rows:
        if r.kind != "asset":
            continue
        out.append(f"  {r.name:28} {r.record_events:11d} {r.record_rate:7.3f} [{r.record_lo:5.3f}–{r.record_hi:5.3f}] "
                   f"{r.sim_rate:7.3f} [{r.sim_lo:5.3f}–{r.sim_hi:5.3f}] {_hours(r):>19} {r.sim_hours:9.1f}  "
                   f"{'yes' if r.within else 'NO'}")
    joint = [r for r in rows if r.kind == "joint"]
    if joint:
        out.append(f"  {'joint closures (same event)':28} {'':11} {'record /yr':>22} {'simulated /yr':>22} {'if indep.':>9}")
        for r in joint:
            out.append(f"  {r.name:28} {r.record_events:11d} {r.record_rate:7.3f} [{r.record_lo:5.3f}–{r.record_hi:5.3f}] "
                       f"{r.sim_rate:7.3f} [{r.sim_lo:5.3f}–{r.sim_hi:5.3f}] {r.independent_rate:9.4f}  "
                       f"{'yes' if r.within else 'NO'}")
    return "\n".join(out)


def format_fits(fits: list[HazardFit], hazards) -> str:
    """What the record gives for each hazard, next to what the file states."""
    out = ["Fit of each hazard to the record (file value in brackets):"]
    for fit, h in zip(fits, hazards):
        lo, hi = fit.rate.interval()
        out.append(f"  {h.id}: {fit.rate.events} events / {fit.rate.years:.1f} y → rate {fit.rate.mean:.4f} "
                   f"[90 % {lo:.3f}–{hi:.3f}] ({h.rate_per_year:g}); months "
                   + ", ".join(f"{w:.3f}" for w in fit.month_weights))
        if h.classes:
            out.append("    classes " + ", ".join(f"{c} {n} → {s:.3f} ({w:.3f})" for c, n, s, w in
                                                 zip(h.classes, fit.class_counts, fit.class_shares, h.class_weights)))
        for m, p, hits, durations in zip(h.members, fit.probabilities, fit.hits, fit.durations_h):
            stated = m.class_probability or (m.probability,)
            out.append(f"    {', '.join(m.targets)}: hits {list(hits)} → p {[round(x, 3) for x in p]} ({list(stated)}); "
                       f"recorded durations h {list(durations)}")
    return "\n".join(out)


def write_calibration_csv(rows: list[CalibrationRow], path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow([getattr(r, c) for c in COLUMNS])
    return path


def calibration_figure(rows: list[CalibrationRow], path: Path) -> Path:
    """Events per year per asset and joint pair: the record (dot, 90 % interval) and the
    simulation (square, 90 % interval of the mean); independence for joint pairs (cross)."""
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(rows) + 1.5))
    for i, r in enumerate(rows):
        y = len(rows) - 1 - i
        ax.plot([r.record_lo, r.record_hi], [y + 0.12] * 2, color="tab:blue", lw=2)
        ax.plot(r.record_rate, y + 0.12, "o", color="tab:blue", label="record (90 % interval)" if i == 0 else None)
        ax.plot([r.sim_lo, r.sim_hi], [y - 0.12] * 2, color="tab:orange", lw=2)
        ax.plot(r.sim_rate, y - 0.12, "s", color="tab:orange", label="simulated" if i == 0 else None)
        if r.kind == "joint":
            ax.plot(r.independent_rate, y - 0.12, "x", color="grey",
                    label="if independent" if r is next(x for x in rows if x.kind == "joint") else None)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([("joint: " if r.kind == "joint" else "") + r.name for r in reversed(rows)])
    ax.set_xlabel("closing events per year")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
