"""The ``beredskap-sim`` command line: parse, call the library, print. Nothing else lives here.

Exit codes: 0 ok; 1 a run failed inside the model (the message names the scenario; the
partial folder is kept for --resume when replications were stored); 2 a bad input file,
argument or --resume folder, or an unreachable Dask scheduler (problems printed, no
traceback); 130 interrupted (the partial results folder can be resumed).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import textwrap
from pathlib import Path

from .report import WORKSHOP_MAX_REPLICATIONS
from .scenario.errors import ScenarioError

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def _whole(low: int, high: int | None = None):
    """An argparse type: a whole number in [low, high]; argparse names the option on error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"got {text!r}, expected a whole number") from None
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise argparse.ArgumentTypeError(f"got {value}, expected a whole number {bounds}")
        return value

    return parse


def _positive_number(text: str) -> float:
    """An argparse type: a finite number above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"got {text}, expected a finite number above zero")
    return value


SEED = _whole(0, 2**63 - 1)
REPLICATIONS = _whole(1, 1_000_000)
WORKERS = _whole(1, 1024)
PORT = _whole(0, 65535)
EXIT_INTERRUPTED = 130


def _print_problems(error: ScenarioError) -> None:
    count = len(error.problems)
    print(f"{count} problem{'s' if count != 1 else ''} found:", file=sys.stderr)
    for problem in error.problems:
        print(f"  {problem}", file=sys.stderr)


def cmd_validate(args) -> int:
    from .scenario.loader import load_scenario

    scenario = load_scenario(args.scenario, strict_sources=args.strict_sources)
    for warning in scenario.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    _check_closure_record(scenario.network_file)
    print("ok")
    from .report.describe import describe

    print(describe(scenario))
    return 0


def _check_closure_record(network_file: str) -> None:
    """Check the closure record beside the network, if there is one (raises ScenarioError)."""
    from .scenario.closures import record_path

    if record_path(network_file).exists():
        from .scenario.hazard_context import load_hazard_context

        load_hazard_context(network_file)


def cmd_schema(args) -> int:
    from .scenario.network_schema import NetworkSpec
    from .scenario.schema import ScenarioSpec

    model = NetworkSpec if args.kind == "network" else ScenarioSpec
    text = json.dumps(model.model_json_schema(by_alias=True), indent=2, ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(args.output)
    else:
        print(text)
    return 0


def _progress(args) -> bool:
    """Show progress bars unless -q was given or standard error is not a terminal."""
    return not args.quiet and sys.stderr.isatty()


def _executor(args):
    """The executor the options ask for, or None after printing why it cannot be made."""
    from .experiment.executors import make_executor

    try:
        return make_executor(args.executor, args.workers, args.scheduler)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def cmd_run(args) -> int:
    from .experiment.runner import resume_experiment, run_experiment
    from .scenario.loader import load_scenario

    executor = _executor(args)
    if executor is None:
        return EXIT_BAD_INPUT
    progress = _progress(args)
    try:
        if args.resume:
            folder = resume_experiment(args.resume, executor, progress)
        else:
            if not args.scenario:
                print("error: give a scenario file, or --resume FOLDER", file=sys.stderr)
                return EXIT_BAD_INPUT
            scenario = load_scenario(args.scenario)
            for warning in scenario.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            _warn_few_replications(scenario, args.replications)
            target = None
            if args.until_precision is not None:
                from .experiment.runner import PrecisionTarget

                kpi, _, scope = args.precision_kpi.partition(":")
                target = PrecisionTarget((kpi, scope or "all"), args.until_precision)
            folder = run_experiment(scenario, args.replications, args.seed, args.out, executor, progress, target,
                                    stratify=bool(args.stratify))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    _print_run_tables(folder)
    if not args.no_report:
        from .report.html import write_report

        print(f"report: {write_report(folder, animate=args.animate)}")
    print(f"results: {folder.path}")
    return 0


def _warn_few_replications(scenario, replications: int) -> None:
    from .report.terminal import stochastic_warning

    warning = stochastic_warning(scenario, replications)
    if warning:
        print(warning, file=sys.stderr)


def _print_run_tables(folder) -> None:
    """The freight table and the supply headline of a finished run, with names and units."""
    from .report.names import Names
    from .report.terminal import format_kpi_table, format_supply_table
    from .scenario.loader import load_scenario

    summary = folder.summary()
    manifest = folder.read_manifest()
    names = Names(load_scenario(folder.scenario_file))
    freight_scopes = summary.loc[summary["kpi"] == "tonnes_demanded", "scope"]
    scopes = ["all"] + [s for s in dict.fromkeys(freight_scopes) if s != "all" and "→" not in s]
    print(f"{manifest['scenario']} — {manifest['replications']} replication(s), seed {manifest['seed']}")
    if "stratification" in manifest:
        from .report.terminal import format_stratification

        print(format_stratification(manifest["stratification"]))
    print(format_kpi_table(summary, scopes, names))
    supply = format_supply_table(summary, names)
    if supply:
        print()
        print(supply)


def cmd_report(args) -> int:
    from .report.html import write_report
    from .results import RunFolder
    from .scenario.units import parse_duration

    folder = RunFolder(Path(args.folder))
    if not folder.manifest_path.exists() or folder.is_partial:
        print(f"error: {args.folder} is not a complete results folder (expected manifest.json and no .partial)", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        map_time = parse_duration(args.map_time) if args.map_time else None
    except ValueError as exc:
        print(f"error: --map-time: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"report: {write_report(folder, animate=not args.no_animation, map_time=map_time)}")
    return 0


def cmd_workshop(args) -> int:
    import webbrowser

    from .report.workshop import WorkshopSession, make_server

    session = WorkshopSession(args.scenario, args.overlays, args.replications, args.seed)
    try:
        for note in session.skipped:
            print(f"overlay not offered: {note}", file=sys.stderr)
        try:
            server = make_server(session, "127.0.0.1", args.port)
        except OSError as exc:
            print(f"error: --port {args.port}: cannot listen on 127.0.0.1 ({exc.strerror or exc})", file=sys.stderr)
            return EXIT_BAD_INPUT
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        print(f"workshop page: {url}  (Ctrl-C to stop)")
        if not args.no_browser:
            webbrowser.open(url)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("\nworkshop stopped")
        finally:
            server.server_close()
    finally:
        session.close()  # its temporary run folders
    return 0


def _network_or_scenario(file: str):
    """``(scenario, None)`` for a scenario file, ``(None, network spec)`` for a network file."""
    from .scenario.loader import load_network_spec, load_scenario
    from .scenario.yaml_source import load_yaml_with_lines

    data, _ = load_yaml_with_lines(Path(file))
    if isinstance(data, dict) and "links" in data:
        return None, load_network_spec(Path(file))[0]
    return load_scenario(file), None


def cmd_list(args) -> int:
    from .report.listing import list_ids
    from .report.terminal import terminal_width

    scenario, spec = _network_or_scenario(args.file)
    if scenario is not None:
        spec = scenario.network_spec
    kinds = [args.kind] if args.kind else None
    print(list_ids(spec, scenario.spec if scenario is not None else None, kinds, terminal_width()))
    return 0


def cmd_analyze(args) -> int:
    from .network.analysis import analyze, write_analysis
    from .network.graph import build_network

    scenario, spec = _network_or_scenario(args.file)
    if scenario is None:
        network, network_file = build_network(spec), args.file
    else:
        network, network_file = scenario.network, scenario.network_file
    pairs = [tuple(p.split(":", 1)) for p in args.pair] if args.pair else [tuple(p) for p in network.spec.region_pairs]
    try:
        tables = analyze(network, pairs, args.footprint, scenario, network_file)
    except KeyError as exc:
        from .scenario.errors import Problem
        from .scenario.suggest import network_names, with_suggestions

        hinted = with_suggestions([Problem("", "", str(exc.args[0]))], network_names(network))[0].problem
        print(f"error: {hinted}", file=sys.stderr)
        return EXIT_BAD_INPUT
    folder = write_analysis(tables, network, Path(args.out), network_file)
    pairs_table = tables["pairs"]
    print("Redundancy between regions (link-disjoint paths / node-disjoint paths / min cut t/h):")
    place = {node.id: node.name for node in network.spec.nodes}
    link_name = {link.id: link.name for link in network.spec.links}
    for row in pairs_table.itertuples():
        pair = f"{place.get(row._1, row._1)} ↔ {place.get(row.to, row.to)}"
        print(f"  {pair[:34]:34} {row.modes:10} {row.edge_disjoint_paths:3d} {row.node_disjoint_paths:3d} "
              f"{row.min_cut_tph:10,.0f}")
        cut = [link_name.get(x, x) for x in str(row.min_cut_links).split()] if row.min_cut_links else []
        if cut:  # the links of the minimum cut, wrapped within 100 columns
            print(textwrap.fill("cut: " + ", ".join(cut), width=96, initial_indent="      ", subsequent_indent="           "))
    if scenario is None:
        print("Most critical links — a network alone gives no demand, so this is a detour ranking only (extra\n"
              "travel time when the link is removed; dead-end spurs have no alternative). Give a scenario file to\n"
              "rank by the freight cut off and the extra tonne-hours a day:")
    else:
        print("Most critical links, by freight cut off (t/day), then extra tonne-hours a day:")
    link_names = {link.id: link.name for link in network.spec.links}
    for row in tables["single_link"].head(args.top).itertuples():
        alt = "no alternative" if not row.detour else f"detour +{row.diff_time_h:.1f} h (+{row.diff_dist:.0f} km)"
        demand = (f"  cut {row.demand_cut_t_per_day:6,.0f} t/d, extra {row.extra_tonne_hours_per_day:8,.0f} t·h/d"
                  if scenario is not None else "")
        print(f"  {row.rank:3d}. {link_names.get(row.link, row.link)[:36]:36} {alt:30}{demand}")
    for row in tables["multi_link"].itertuples():
        print(f"Footprint {row.footprint}: connected={row.connected}, isolated {row.isolated or 'nothing'} "
              f"({row.isolated_population:,} people), OD cut: {row.od_disconnected or 'none'}")
    if "tts_ttr" in tables:
        print("Time to survive vs time to recover (days):")
        for row in tables["tts_ttr"].itertuples():
            flag = "  ← TTR > TTS" if row.ttr_exceeds_tts else ""
            back = f"  (by {row.supply_modes}: back when {row.restored_by} reopens" + (
                f", a route {row.restored_route_extra_h:.1f} h longer)" if row.restored_route_extra_h > 0.05 else ")") \
                if row.restored_by else ""
            print(f"  {row.municipality:12} TTS {row.tts_days:5.1f}  TTR {row.ttr_days:5.1f}{flag}{back}")
    if "care_access" in tables:
        from .report.terminal import print_care_access

        print_care_access(tables["care_access"], tables["care_links"], args.top)
    print(f"results: {folder}")
    return 0


def cmd_compare(args) -> int:
    import pandas as pd

    from .experiment.compare import compare
    from .report.html import read_benefit_cost
    from .report.terminal import format_comparison
    from .scenario.loader import load_scenario, load_variant

    executor = _executor(args)
    if executor is None:
        return EXIT_BAD_INPUT
    if not args.variant:
        print("error: compare needs at least one --variant OVERLAY (the baseline is compared with it)", file=sys.stderr)
        return EXIT_BAD_INPUT
    baseline = load_scenario(args.baseline)
    variants = [load_variant(args.baseline, path) for path in args.variant]
    if args.appraisal:
        from .scenario.appraisal import conventions_of_preset

        baseline.appraisal = conventions_of_preset(Path(args.appraisal))
        if baseline.spec.values is None:
            print(f"note: --appraisal has nothing to appraise: {args.baseline} gives no unit values (`values:`), "
                  "so only the paired differences are reported", file=sys.stderr)
    progress = _progress(args)
    stratify = args.stratify is not False  # on unless --no-stratify: it changes nothing without rare hazards
    if stratify and args.replications < 3:
        print("note: fewer than 3 replications: rare hazards are not stratified (plain Monte Carlo); "
              "stratification wants about 20 or more", file=sys.stderr)
    try:
        folder = compare(baseline, variants, args.replications, args.seed, Path(args.out), executor, progress, stratify)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    diffs = pd.read_csv(folder / "differences.csv")
    money = read_benefit_cost(folder)
    print(f"{baseline.name}: {len(variants)} variant(s), {args.replications} paired replications, seed {args.seed}")
    stratification = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("stratification")
    if stratification:
        from .report.terminal import format_stratification

        print(format_stratification(stratification))
    print(format_comparison(diffs, money))
    print(f"results: {folder}")
    return 0


def cmd_sweep(args) -> int:
    from .experiment.sweep import parse_param, sweep

    executor = _executor(args)
    if executor is None:
        return EXIT_BAD_INPUT
    try:
        params = [parse_param(p) for p in args.param]
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    progress = _progress(args)
    kpi, _, scope = args.kpi.partition(":")
    folder = sweep(args.scenario, params, args.replications, args.seed, Path(args.out), executor, progress,
                   (kpi, scope or "all"))
    import pandas as pd

    table = pd.read_csv(folder / "sweep.csv")
    headline = table[(table.kpi == args.kpi.partition(":")[0]) & (table.scope == (args.kpi.partition(":")[2] or "all"))]
    from .report.names import format_number

    unit = str(headline["unit"].iloc[0]) if len(headline) else ""
    shown = headline[[p for p, _ in params]].copy()
    shown["mean"] = [format_number(v, unit) for v in headline["mean"]]
    shown["95 % interval"] = [f"{format_number(a, unit)} – {format_number(b, unit)}" if b > a else ""
                              for a, b in zip(headline["ci95_low"], headline["ci95_high"])]
    shown.columns = [c.rsplit(".", 1)[-1] if c in dict(params) else c for c in shown.columns]
    print(f"{args.kpi} over the grid ({unit}):")
    print(shown.to_string(index=False))
    print(f"results: {folder}")
    return 0


def cmd_sensitivity(args) -> int:
    import datetime as dt

    from .experiment.sensitivity import Study, assumed_figures, one_at_a_time, sampled_inputs
    from .report.tornado import format_sensitivity, tornado
    from .results import atomic_write_text, slug

    executor = _executor(args)
    if executor is None:
        return EXIT_BAD_INPUT
    kpi = "bcr" if args.kpi == "bcr" else (args.kpi.partition(":")[0], args.kpi.partition(":")[2] or "all")
    try:
        study = Study(args.scenario, args.variant, kpi, args.replications, args.seed, executor, args.stratify is not False)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from .scenario.loader import load_scenario

    scenario = load_scenario(args.scenario)
    figures = assumed_figures(scenario, args.figure, args.ranged_only)
    if not figures:
        print("error: no assumption-marked figure matches (check --figure and --ranged-only)", file=sys.stderr)
        return EXIT_BAD_INPUT
    runs = (2 * len(figures) + 1) * (len(args.variant) + 1)
    print(f"{scenario.name}: {len(figures)} assumed figure(s), {sum(f.ranged for f in figures)} with a range:, "
          f"the rest ±50 %; {runs} runs of {args.replications} replication(s)", file=sys.stderr)

    def progress(done, total):
        if _progress(args):
            print(f"\r  {done}/{total} figures", end="" if done < total else "\n", file=sys.stderr)

    try:
        table, base = one_at_a_time(study, figures, progress)
        inputs = sampled_inputs(study, [f for f in figures if f.ranged]) if args.sample_inputs else None
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    folder = Path(args.out) / f"sensitivity-{slug(scenario.name)}" / dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / "sensitivity.csv", table.to_csv(index=False))
    from .report.names import COMPARISON_KPIS

    words = {(k, sc): label for k, sc, label, _ in COMPARISON_KPIS}
    kpi_label = "benefit–cost ratio" if kpi == "bcr" else words.get(kpi, kpi[0].replace("_", " ")) + (
        f" ({kpi[1]})" if kpi[1] not in ("all", "total") else "")
    unit = study.unit
    for name, value in zip(study.names, base):
        rows = table[table["variant"] == name]
        what = kpi_label if not args.variant or kpi == "bcr" else f"{kpi_label}, variant − baseline"
        title = f"{scenario.name}" + (f" + {name}" if args.variant else "") + f": {what}"
        png = tornado(rows, value, f"{what}" + (f" [{unit}]" if unit else ""), title,
                      folder / (f"tornado-{slug(name)}.png" if args.variant else "tornado.png"))
        print(title)
        print(format_sensitivity(rows, value, unit))
        print(f"tornado: {png}")
    if inputs is not None:
        atomic_write_text(folder / "sampled_inputs.csv", inputs.to_csv(index=False))
        for row in inputs.itertuples():
            print(f"{row.variant}: {row.value_fixed_inputs:,.4g} ± {row.halfwidth_fixed_inputs:,.3g} with the file's "
                  f"figures; {row.value_sampled_inputs:,.4g} ± {row.halfwidth_sampled_inputs:,.3g} with the ranged "
                  "figures drawn per replication")
    atomic_write_text(folder / "manifest.json", json.dumps({
        "scenario_file": args.scenario, "variants": args.variant, "kpi": args.kpi, "replications": args.replications,
        "seed": args.seed, "figures": len(figures), "stratified": study.plan is not None,
        "sample_inputs": bool(args.sample_inputs)}, indent=2, ensure_ascii=False))
    print(f"results: {folder}")
    return 0


def _add_executor_options(p) -> None:
    p.add_argument("-n", "--replications", type=REPLICATIONS, default=10, help="replications per scenario (default 10)")
    p.add_argument("--seed", type=SEED, default=0, help="root random seed (default 0)")
    p.add_argument("--out", default="results", help="results root folder")
    p.add_argument("--executor", default="local", choices=["serial", "local", "dask"])
    p.add_argument("--workers", type=WORKERS, default=None)
    p.add_argument("--scheduler", default=None, help="Dask scheduler address for --executor dask")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="beredskap-sim",
        description="Scenario simulator for cross-border preparedness and logistics, Trøndelag ↔ Jämtland Härjedalen.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a scenario file and the network it names")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--strict-sources", action="store_true", help="treat figures without a source as errors")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("run", help="simulate a scenario and write a results folder")
    p.add_argument("scenario", nargs="?", help="scenario YAML file")
    p.add_argument("-n", "--replications", type=REPLICATIONS, default=1, help="number of replications (default 1)")
    p.add_argument("--seed", type=SEED, default=0, help="root random seed (default 0)")
    p.add_argument("--out", default="results", help="results root folder (default ./results)")
    p.add_argument("--executor", default="local", choices=["serial", "local", "dask"],
                   help="where replications run (default local: a process pool)")
    p.add_argument("--workers", type=WORKERS, default=None, help="worker processes for --executor local (default: all cores)")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address for --executor dask, e.g. tcp://host:8786")
    p.add_argument("--until-precision", type=_positive_number, metavar="X",
                   help="stop when the 95%% CI half-width of --precision-kpi is below X (then -n is the maximum)")
    p.add_argument("--precision-kpi", default="tonnes_lost:all", metavar="KPI[:SCOPE]",
                   help="KPI for --until-precision (default tonnes_lost:all)")
    p.add_argument("--resume", metavar="FOLDER", help="finish an interrupted run (a *.partial results folder)")
    p.add_argument("--stratify", action=argparse.BooleanOptionalAction, default=False,
                   help="stratify rare hazards (≤ 0.2 a year) on their number of events, with weighted statistics "
                        "(default off for run, on for compare)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-report", action="store_true", help="skip the figures and report.html")
    p.add_argument("--animate", action="store_true", help="also make the animated map (GIF) for slides")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("report", help="remake the figures and report.html of a results folder (no simulation)")
    p.add_argument("folder", help="a results folder")
    p.add_argument("--no-animation", action="store_true", help="skip the animated map")
    p.add_argument("--map-time", help="time of the network map, e.g. 36h or 3d (default: the worst moment)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("workshop", help="a live page on 127.0.0.1: switch disruptions and investments, run, see the outcome")
    p.add_argument("scenario", help="scenario file (2–4 weeks runs in seconds)")
    p.add_argument("--port", type=PORT, default=8765, help="port on 127.0.0.1 (default 8765; 0 = any free port)")
    p.add_argument("--overlays", help="folder of overlays to offer (default: overlays/ next to scenarios/)")
    p.add_argument("-n", "--replications", type=_whole(1, WORKSHOP_MAX_REPLICATIONS), default=3,
                   help=f"replications per run (default 3, at most {WORKSHOP_MAX_REPLICATIONS})")
    p.add_argument("--seed", type=SEED, default=0)
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.set_defaults(func=cmd_workshop)

    p = sub.add_parser("analyze", help="static redundancy: disjoint paths, min cut, link criticality, footprints, TTS vs TTR")
    p.add_argument("file", help="a network file, or a scenario file (adds its demands, food and hazards)")
    p.add_argument("--pair", action="append", metavar="A:B", help="region or node pair (default: the network's region_pairs)")
    p.add_argument("--footprint", action="append", default=[], metavar="GROUP",
                   help="links removed together, e.g. storm-stjordal-meraker (repeatable)")
    p.add_argument("--top", type=_whole(1), default=10, help="how many critical links to print")
    p.add_argument("--out", default="results", help="results root folder")
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("compare", help="baseline vs variants (overlays) with common random numbers and benefit–cost")
    p.add_argument("baseline", help="baseline scenario file")
    p.add_argument("--variant", action="append", default=[], metavar="OVERLAY", help="overlay file (repeatable)")
    p.add_argument("--appraisal", metavar="PRESET", help="appraisal preset file (e.g. appraisal/sweden-asek.yaml) "
                   "instead of the scenario's own")
    _add_executor_options(p)
    p.add_argument("--stratify", action=argparse.BooleanOptionalAction, default=None,
                   help="stratify rare hazards (≤ 0.2 a year) with one plan for every variant (default on; "
                        "--no-stratify for plain Monte Carlo)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("sweep", help="a grid over scenario parameters")
    p.add_argument("scenario", help="scenario file")
    p.add_argument("--param", action="append", required=True, metavar="PATH=V1,V2",
                   help="e.g. 'scenario.food.municipalities[node=meraker].stock_days=3,7,14' (repeatable)")
    p.add_argument("--kpi", default="tonnes_lost:all", help="KPI[:SCOPE] to print and draw (all are in sweep.csv)")
    _add_executor_options(p)
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("sensitivity", help="which assumptions decide: vary each assumed figure one at a time, tornado chart")
    p.add_argument("scenario", help="scenario file")
    p.add_argument("--variant", action="append", default=[], metavar="OVERLAY",
                   help="overlay file (repeatable): the KPI becomes the paired difference variant − baseline")
    p.add_argument("--kpi", required=True, metavar="KPI[:SCOPE]|bcr",
                   help="e.g. tonne_hours_delay:all, or bcr (the variant's benefit–cost ratio)")
    p.add_argument("--figure", action="append", default=[], metavar="GLOB",
                   help="only figures whose path or label matches, e.g. 'network.defaults.*' (repeatable)")
    p.add_argument("--ranged-only", action="store_true", help="only figures with a range: in the data")
    p.add_argument("--sample-inputs", action="store_true",
                   help="also draw the ranged figures per replication (second-order Monte Carlo)")
    _add_executor_options(p)
    p.add_argument("--stratify", action=argparse.BooleanOptionalAction, default=None,
                   help="stratify rare hazards (default on)")
    p.set_defaults(func=cmd_sensitivity)

    p = sub.add_parser("hazards", help="the closure record vs the hazard process: events and hours closed per asset, joint closures")
    p.add_argument("file", help="a network file, or a scenario file (its hazards)")
    p.add_argument("--years", type=int, default=2000, help="simulated years (default 2000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sample-rates", action="store_true", help="draw each year's rates from their posteriors")
    p.add_argument("--fit", action="store_true", help="also print each hazard's fit to the record next to the file's figures")
    p.add_argument("--out", default="results", help="results root folder")
    p.add_argument("--no-figure", action="store_true", help="skip calibration.png")
    p.set_defaults(func=cmd_hazards)

    p = sub.add_parser("list", help="the ids of a network or scenario with their names and groups")
    p.add_argument("file", help="a network file, or a scenario file (adds its network and its own ids)")
    p.add_argument("--kind", choices=["node", "link", "group", "power", "scenario", "care"], help="only this kind of id")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("schema", help="print the JSON Schema of the scenario or network format (for editors)")
    p.add_argument("kind", nargs="?", default="scenario", choices=["scenario", "network"])
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.set_defaults(func=cmd_schema)
    return parser


def cmd_hazards(args) -> int:
    from .model.calibration import calibration_table
    from .model.hazard_fit import fit_hazard
    from .report.calibration import calibration_figure, format_calibration, format_fits, write_calibration_csv
    from .scenario.hazard_context import load_hazard_context

    if args.years < 2:
        print("error: --years must be at least 2", file=sys.stderr)
        return EXIT_BAD_INPUT
    scenario, record = load_hazard_context(args.file)
    rows = calibration_table(record, scenario.hazards, args.years, args.seed, args.sample_rates)
    print(format_calibration(rows, record.years, args.years))
    if args.fit:
        print(format_fits([fit_hazard(record, h) for h in scenario.hazards], scenario.hazards))
    folder = Path(args.out) / f"hazards-{scenario.network_spec.name}"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"table: {write_calibration_csv(rows, folder / 'calibration.csv')}")
    if not args.no_figure:
        print(f"figure: {calibration_figure(rows, folder / 'calibration.png')}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from .experiment.runner import RunFailed, RunInterrupted

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return code
    except ScenarioError as exc:
        _print_problems(exc)
        return EXIT_BAD_INPUT
    except RunInterrupted as exc:  # run, resume, compare and sweep alike: the partial folder can be resumed
        print(f"\n{exc}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except RunFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT if exc.unavailable else EXIT_FAILED
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `beredskap-sim validate x | head -1`: the reader has gone, stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
