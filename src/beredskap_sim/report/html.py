"""One self-contained HTML report per results folder: figures embedded, no network needed.

Sections: the scenario in plain words, the headline KPIs with 95 % intervals, the figures, the
event log, and every assumption the network and scenario carry (their ``assumption:`` notes).
Made from the files on disk, so ``beredskap-sim report FOLDER`` remakes it without simulating.
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

import pandas as pd

from .. import __version__
from ..results import RunFolder, atomic_write_text
from ..scenario.loader import load_scenario
from ..scenario.fact_sections import cited_sections, find_document, section_text, sections
from ..scenario.sources import citations
from .describe import describe
from .figures import make_figures
from .care_map import care_map
from .names import COMPARISON_KPIS, Names, display_unit, format_money, format_number, format_ratio, format_share_better

HEADLINE = [
    ("tonnes_demanded", "all", "Freight demanded"),
    ("tonnes_delivered", "all", "Freight delivered"),
    ("tonnes_late", "all", "Freight delivered late (> 1 h)"),
    ("tonnes_in_transit", "all", "Freight still on its way at the end"),
    ("tonnes_lost", "all", "Freight lost (past deadline)"),
    ("delay_mean_h", "all", "Mean freight delay"),
    ("resilience_loss_h", "all", "Resilience loss ∫(1−Q)dt"),
    ("time_to_recover_h", "all", "Time to recover to 95 %"),
    ("episodes", "all", "Disruption episodes (freight Q < 95 %)"),
    ("food_min_days_of_supply", "*", "Food: minimum days of supply"),
    ("food_person_days_below_threshold", "all", "Food: person-days below threshold"),
    ("energy_not_served_mwh", "all", "Power: energy not served"),
    ("load_ens_mwh", "*", "Power: energy not served at critical load"),
    ("hours_with_shedding", "all", "Power: hours with area load shedding"),
    ("fuel_out_events", "*", "Backup generators out of fuel"),
    ("departures_cancelled", "all", "Trains cancelled"),
    ("departures_replaced", "all", "Trains replaced by bus"),
    ("stranded_passenger_hours", "all", "Stranded passenger-hours"),
    ("commuter_trips_lost", "all", "Commuter trips lost"),
    ("critical_staff_absent_peak", "all", "Health/care staff kept from work, worst day"),
    ("critical_staff_days_absent", "all", "Health/care staff-days lost"),
    ("cost_per_year", "total", "Generalized cost per year"),
    ("care_hours_no_road", "*", "Care: hours without a hospital by road"),
    ("care_hours_air_only", "*", "Care: of those, hours by helicopter only"),
    ("care_person_hours_no_access", "all", "Care: person-hours without any access"),
]

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1b2631;background:#f7f9fb}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin-bottom:4px} h2{margin-top:32px;border-bottom:2px solid #d6dbdf;padding-bottom:4px}
p.lead{font-size:1.05em;line-height:1.5}
table{border-collapse:collapse;width:100%;font-size:.9em;background:#fff}
th,td{padding:5px 8px;border-bottom:1px solid #e5e8e8;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
figure{margin:16px 0;background:#fff;padding:8px;border:1px solid #e5e8e8}
figure img{max-width:100%} figcaption{font-size:.85em;color:#566573}
.meta{color:#566573;font-size:.85em}
details{background:#fff;border:1px solid #e5e8e8;padding:8px;margin:8px 0}
"""


def _image(path: Path) -> str:
    mime = "image/gif" if path.suffix == ".gif" else "image/png"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def headline_values(summary: pd.DataFrame, names: Names | None = None) -> list[dict]:
    """The headline KPIs present in ``summary`` as numbers: ``label`` (places, loads and
    services by name), ``kpi``, ``scope``, ``mean``, ``low``, ``high`` (95 % interval), ``n``
    and ``unit`` (counts say what they count)."""
    names = names or Names()
    out = []
    for kpi, scope, label in HEADLINE:
        rows = summary[(summary["kpi"] == kpi) & ((summary["scope"] == scope) if scope != "*" else (summary["scope"] != "all"))]
        for row in rows.itertuples():
            if row.n == 0 or (scope == "*" and kpi in ("fuel_out_events", "load_ens_mwh", "care_hours_no_road",
                                                       "care_hours_air_only") and row.max == 0):
                continue
            out.append({"label": label + (f" — {names.of(row.scope)}" if scope == "*" else ""), "kpi": kpi,
                        "scope": row.scope, "mean": float(row.mean), "low": float(row.ci95_low),
                        "high": float(row.ci95_high), "n": int(row.n), "unit": display_unit(kpi, str(row.unit))})
    return out


def headline_rows(summary: pd.DataFrame, names: Names | None = None) -> list[tuple[str, str, str, str]]:
    """(label, value, 95 % interval, unit) as text: whole numbers for counts and tonnes, no
    interval where every replication gave the same value."""
    return [(v["label"], format_number(v["mean"], v["unit"]),
             f"{format_number(v['low'], v['unit'])} – {format_number(v['high'], v['unit'])}"
             if v["n"] > 1 and v["high"] > v["low"] else "", v["unit"]) for v in headline_values(summary, names)]


def assumptions(scenario) -> list[tuple[str, str, str]]:
    """(file, field path, note) of every figure marked as an assumption."""
    out = []
    for model, where, defaults in ((scenario.network_spec, "network", scenario.network_spec.default_sources),
                                   (scenario.spec, "scenario", {})):
        cited, _ = citations(model, defaults)
        out += [(where, c.path, c.source) for c in cited if c.assumed]
    return out


def _markdown_block(text: str) -> str:
    """The little markdown ``docs/sources.md`` uses (headings, pipe tables, lists, paragraphs,
    **bold**, `code`) as HTML; everything escaped."""
    def inline(t: str) -> str:
        t = html.escape(t)
        t = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", t)
        return re.sub(r"`(.+?)`", r"<code>\1</code>", t)

    out, table, items, para = [], [], [], []

    def flush():
        if para:
            out.append(f"<p>{inline(' '.join(para))}</p>")
            para.clear()
        if table:
            rows = [r for r in table if not re.fullmatch(r"\|[\s|:-]+\|", r)]
            cells = [[c.strip() for c in r.strip("|").split("|")] for r in rows]
            head = "".join(f"<th>{inline(c)}</th>" for c in cells[0])
            body = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in r) + "</tr>" for r in cells[1:])
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            table.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in text.splitlines():
        if line.startswith("|"):
            table.append(line)
            continue
        if line.startswith("- ") or (line.startswith("  ") and items):
            if line.startswith("- "):
                items.append(line[2:])
            else:
                items[-1] += " " + line.strip()
            continue
        if line.strip() and not line.startswith(("#", "<a id=")):
            if table or items:
                flush()
            para.append(line.strip())
            continue
        flush()
        if line.startswith("#"):
            level = min(len(line) - len(line.lstrip("#")) + 1, 4)
            out.append(f"<h{level}>{inline(line.lstrip('#').strip())}</h{level}>")
    flush()
    return "".join(out)


def cited_sources(scenario, *more_places: str) -> tuple[str, list[str]]:
    """(HTML of every section of docs/sources.md the network and scenario cite, each under an
    anchor ``facts-N``; the section numbers) — ('', []) when the document is not found. The
    document is looked for above the scenario, its network and ``more_places`` (files)."""
    places = [scenario.source_file, scenario.network_file, *more_places]
    document = find_document(*(Path(p).parent for p in places if p))
    if document is None:
        return "", []
    numbers: list[str] = []
    for model, defaults in ((scenario.network_spec, scenario.network_spec.default_sources), (scenario.spec, {})):
        cited, _ = citations(model, defaults)
        for c in cited:
            numbers += cited_sections(c.source)
    known = sections(document)
    numbers = sorted(set(numbers) & set(known), key=lambda n: (int(re.match(r"\d+", n).group()), n))
    body = "".join(f"<section id='facts-{n}' class='source'>{_markdown_block(section_text(document, n))}</section>"
                   for n in numbers)
    return body, numbers


def link_citations(text: str) -> str:
    """``text`` escaped, each ``facts §N`` a link to its section in the report's sources appendix."""
    return re.sub(r"facts\s*§\s*(\d+[a-z]?)", lambda m: f"<a href='#facts-{m.group(1)}'>{m.group(0)}</a>", html.escape(text))


def write_report(folder: RunFolder, animate: bool = False, map_time: float | None = None) -> Path:
    """Make the figures and ``report.html`` in ``folder``; returns the report's path."""
    scenario = load_scenario(folder.scenario_file)
    figures = make_figures(folder, map_time, animate)
    care = care_map(folder, scenario, folder.path / "figures")
    if care is not None:
        figures["care"] = care
    summary = folder.summary()
    manifest = folder.read_manifest()
    events = folder.events()
    first = events[events["replication"] == events["replication"].min()] if not events.empty else events
    kpi_rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td class='num' data-kpi='{html.escape(label)}'>{_text(value)}</td>"
        f"<td class='num'>{_text(interval)}</td><td>{_text(unit)}</td></tr>"
        for label, value, interval, unit in headline_rows(summary, Names(scenario)))
    captions = {"map": "The network at the moment the most demand is affected (replication 0): closed links red, "
                       "degraded orange; on the right every route the flows use; where places crowd, a framed inset "
                       "shows them magnified.",
                "curves": "Performance Q = delivered / due per commodity and flow period; median and P5–P95 band over "
                          "replications; shaded: the disruptions on that commodity's routes.",
                "timeline": "Disruptions by target, with repairs, cascades and backup generators out of fuel.",
                "supply": "Days of food per municipality against the alarm level; energy not served per area and "
                          "critical load; passenger departures and commuter trips.",
                "animation": "The network over the horizon (links; municipalities coloured by days of food).",
                "care": "Access to emergency care at the moment the most people are without a hospital by road "
                        "(replication 0): places green (by road), orange (by helicopter only), red (no access); "
                        "crosses: emergency hospitals, triangles: air ambulance bases."}
    figure_html = "".join(
        f"<figure><img alt='{name}' src='{_image(path)}'><figcaption>{html.escape(captions.get(name, name))}</figcaption></figure>"
        for name, path in figures.items())
    shown = first.head(400)
    event_rows = "".join(
        f"<tr><td class='num'>{(scenario.start + pd.Timedelta(hours=float(e.time_h))):%Y-%m-%d %H:%M}</td>"
        f"<td>{html.escape(e.kind)}</td><td>{html.escape(str(e.target))}</td><td>{html.escape(str(e.detail))}</td></tr>"
        for e in shown.itertuples())
    more = f"<p class='meta'>Showing {len(shown)} of {len(first)} events.</p>" if len(first) > len(shown) else ""
    assumption_rows = "".join(
        f"<tr><td>{_text(where)}</td><td>{html.escape(path)}</td><td>{link_citations(note)}</td></tr>"
        for where, path, note in assumptions(scenario))
    sources_html, cited = cited_sources(scenario, manifest.get("scenario_file", ""), manifest.get("network_file", ""))
    n_assumptions = assumption_rows.count("<tr>")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(scenario.name)} — beredskap-sim report</title><style>{CSS}</style></head>
<body><main>
<h1>{html.escape(scenario.name)}</h1>
<p class="meta">{_text(manifest.get('replications'))} replication(s), seed {_text(manifest.get('seed'))}, beredskap-sim {__version__},
scenario {_text(str(manifest.get('scenario_sha256', ''))[:12])}, completed {html.escape(str(manifest.get('completed_at', '')))}</p>
<p class="lead">{html.escape(describe(scenario))}</p>
<p>{html.escape(scenario.spec.description)}</p>
<h2>Headline figures</h2>
<table id="headline-kpis"><thead><tr><th>measure</th><th>mean</th><th>95 % interval</th><th>unit</th></tr></thead>
<tbody>{kpi_rows}</tbody></table>
<h2>Pictures</h2>{figure_html}
<h2>Event log</h2>
<table id="event-log"><thead><tr><th>time</th><th>what</th><th>where</th><th>detail</th></tr></thead><tbody>{event_rows}</tbody></table>{more}
<h2>Assumptions</h2>
<p>{n_assumptions} figures in the network and scenario are assumptions rather than sourced facts:</p>
<details><summary>Show the assumptions</summary>
<table id="assumptions"><thead><tr><th>file</th><th>field</th><th>note</th></tr></thead><tbody>{assumption_rows}</tbody></table>
</details>
<h2>Sources</h2>
<p id="sources-intro">Every figure in the network and scenario names its source. Citations <code>facts §N</code> refer to the
project's sources document <code>docs/sources.md</code>; the {len(cited)} sections cited here follow, each with its figures and
the public pages they come from.</p>
<details id="sources"><summary>Show the cited sections ({', '.join('§' + n for n in cited) or 'none'})</summary>{sources_html}</details>
<p class="meta">Map outlines: TM_WORLD_BORDERS-0.3 (thematicmapping.org), CC BY-SA 3.0.</p>
<script type="application/json" id="manifest">{html.escape(json.dumps(manifest, ensure_ascii=False))}</script>
</main></body></html>
"""
    path = folder.path / "report.html"
    atomic_write_text(path, page)
    return path


def read_benefit_cost(folder: Path) -> pd.DataFrame:
    """The ``benefit_cost.csv`` of a comparison folder; empty when no variant had costs and values."""
    path = Path(folder) / "benefit_cost.csv"
    return pd.read_csv(path) if path.stat().st_size > 1 else pd.DataFrame()


def _text(value) -> str:
    """Any value read from disk (manifest, tables) as HTML text: a tampered folder cannot inject markup."""
    return html.escape(str(value))


def _ranking_rows(money: pd.DataFrame) -> str:
    """Rows of the ranking table: ratios to two significant figures, a currency on every amount."""
    if money.empty:
        return "<tr><td colspan='9'>no unit values given</td></tr>"

    def amount(r, name, unit):
        return (f"{_text(format_money(getattr(r, name), unit))} [{_text(format_number(getattr(r, name + '_low'), unit))} – "
                f"{_text(format_number(getattr(r, name + '_high'), unit))}]")

    def ratio(r, name):
        if name not in money.columns or getattr(r, name) != getattr(r, name):
            return "–"
        return f"{format_ratio(getattr(r, name))} [{format_ratio(getattr(r, name + '_low'))} – {format_ratio(getattr(r, name + '_high'))}]"

    rows = []
    for r in money.itertuples():
        per_year = f"{r.currency}/yr"
        invested = "bcr" in money.columns and r.bcr == r.bcr
        rows.append(
            f"<tr><td class='num'>{int(r.rank) if invested else '–'}</td><td>{_text(r.variant)}</td>"
            f"<td class='num'>{ratio(r, 'bcr')}</td><td class='num'>{ratio(r, 'nnb')}</td>"
            f"<td class='num'>{amount(r, 'npv', r.currency) if invested else '–'}</td>"
            f"<td class='num'>{amount(r, 'benefit_per_year', per_year)}</td>"
            f"<td class='num'>{amount(r, 'everyday_per_year', per_year)}</td>"
            f"<td class='num'>{amount(r, 'resilience_per_year', per_year)}</td>"
            f"<td class='num'>{_text(format_money(r.investment, r.currency)) if invested else '–'}</td></tr>")
    return "".join(rows)


def write_compare_report(folder: Path) -> Path:
    """``report.html`` for a ``compare`` folder: the ranking, the paired differences, the figure."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    diffs = pd.read_csv(folder / "differences.csv")
    money = read_benefit_cost(folder)
    ranking = _ranking_rows(money)
    keep = diffs[diffs["scope"].isin(["all", "total"]) & (diffs["mean_diff"].abs() > 1e-12)]
    labels = {(k, sc): label for k, sc, label, _ in COMPARISON_KPIS}
    rows = "".join(
        f"<tr><td>{html.escape(r.variant)}</td><td>{html.escape(labels.get((r.kpi, r.scope), r.kpi))}"
        f" <span class='meta'>{html.escape(r.kpi)}</span></td><td class='num'>{format_number(r.mean_diff, str(r.unit))}</td>"
        f"<td class='num'>{format_number(r.ci95_low, str(r.unit))} – {format_number(r.ci95_high, str(r.unit))}</td>"
        f"<td>{html.escape(display_unit(r.kpi, str(r.unit)))}</td>"
        f"<td class='num'>{_text(format_share_better(r.share_better, r.share_worse))}</td></tr>" for r in keep.itertuples())
    figure = folder / "comparison.png"
    image = f"<figure><img alt='comparison' src='{_image(figure)}'></figure>" if figure.exists() else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Comparison — {_text(manifest.get('baseline'))}</title><style>{CSS}</style></head>
<body><main><h1>{_text(manifest.get('baseline'))}: {len(manifest.get('variants') or [])} variant(s) compared</h1>
<p class="meta">{_text(manifest.get('replications'))} paired replications (common random numbers), seed {_text(manifest.get('seed'))}, beredskap-sim {__version__}</p>
<h2>Benefit against the baseline, ranked by benefit–cost ratio</h2>
<p class="meta">Benefit = the baseline's generalized cost − the variant's, paired by replication; everyday = the same
difference with every disruption off; resilience = the rest (disruption losses avoided). {_text(manifest.get('conventions') or '')}</p>
<table id="ranking"><thead><tr><th>rank</th><th>variant</th><th>BCR [95 %]</th><th>net benefit per budget krone [95 %]</th>
<th>NPV [95 %]</th><th>benefit per year [95 %]</th><th>everyday per year</th><th>resilience per year</th>
<th>investment</th></tr></thead><tbody>{ranking}</tbody></table>
<h2>Changes against the baseline</h2>{image}
<table id="differences"><thead><tr><th>variant</th><th>KPI</th><th>mean change</th><th>95 % interval</th><th>unit</th>
<th>replications better</th></tr></thead><tbody>{rows}</tbody></table>
</main></body></html>
"""
    path = folder / "report.html"
    atomic_write_text(path, page)
    return path
