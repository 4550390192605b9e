"""Property-based fuzzing of the input files: every mutated document loads or gives a
``ScenarioError`` that names the file and the field — never another exception, never a hang.

The documents are the bundled scenario, network and overlay files, mutated the ways people
(and broken tools) get files wrong: dropped and duplicated keys, duplicated list entries
(duplicate ids), swapped types, NaN / inf / negative / zero / tiny / huge numbers, dangling
references, groups that contain themselves or each other, and duplicate YAML keys in the text.

The number of examples is modest so that the suite stays fast (about 20 s); set
``FUZZ_EXAMPLES`` for a longer search, ``FUZZ_EXPLORE=1`` to count other exceptions instead of
stopping at the first, ``FUZZ_RUN=1`` to also simulate one replication of each mutant that
loads, and ``FUZZ_REPORT=path.json`` to write the counts of what was tried and
what was found (the closing note of issue 12 quotes such a run).
"""

from __future__ import annotations

import atexit
import copy
import json
import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beredskap_sim.scenario.errors import ScenarioError
from beredskap_sim.experiment.replication import run_replication
from beredskap_sim.scenario.loader import load_scenario, load_variant

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
EXPLORE = bool(os.environ.get("FUZZ_EXPLORE"))
RUN = bool(os.environ.get("FUZZ_RUN"))
"""Also simulate one replication of every mutant that loads (a survey: slow, off by default)."""
SECONDS_PER_RUN = 120
"""Count other exceptions instead of failing at the first (to survey a long run)."""
SECONDS_PER_LOAD = 20
"""A load that takes longer counts as a hang (the bundled files load in well under a second)."""

SCENARIOS = ["baseline-week.yaml", "storm-gyda-2022.yaml", "winter-year-stochastic.yaml", "cold-spell-power.yaml"]
NETWORK = "trondelag-jamtland.yaml"
OVERLAYS = ["e14-upgrade-stjordal-meraker.yaml", "electrify-meraakerbanen.yaml", "food-stock-meraker.yaml",
            "meraakerbanen-passing-loops.yaml", "stronger-nea-jarpstrommen.yaml"]
OVERLAY_BASELINE = "storm-gyda-2022.yaml"

TRIED: Counter = Counter()
FOUND: Counter = Counter()


def _report() -> None:
    target = os.environ.get("FUZZ_REPORT")
    if target and TRIED:
        Path(target).write_text(json.dumps({"tried": dict(TRIED), "outcome": dict(FOUND)}, indent=2, sort_keys=True))


atexit.register(_report)


def _read(folder: str, name: str):
    return yaml.safe_load((ROOT / folder / name).read_text(encoding="utf-8"))


DOCS = {("scenario", n): _read("scenarios", n) for n in SCENARIOS}
DOCS[("network", NETWORK)] = _read("networks", NETWORK)
DOCS.update({("overlay", n): _read("overlays", n) for n in OVERLAYS})


def _paths(doc, here=()):
    """Every (path, value) in a parsed document, containers included."""
    yield here, doc
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, here + (key,))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _paths(value, here + (i,))


def _get(doc, path):
    for part in path:
        doc = doc[part]
    return doc


SWAPS = ["text", [], {}, True, None, 7, [["nested"]], {"unknown": 1}]
NUMBERS = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf"), "negative": -1.0, "zero": 0,
           "tiny": 1e-12, "huge": 1e18, "whole-as-fraction": 2.5, "giant-int": 10**30}
GROUP_KINDS = ("cycle", "self-group", "empty-group")
KINDS = ["drop", "duplicate-entry", "swap-type", "number", "dangling", *GROUP_KINDS, "duplicate-key"]


@st.composite
def mutated(draw):
    """(kind of document, file name, mutated data, YAML text or None, kinds applied)."""
    kind = draw(st.sampled_from(["scenario", "network", "overlay"]))  # each kind a third of the time
    name = draw(st.sampled_from(sorted(n for k, n in DOCS if k == kind)))
    doc = copy.deepcopy(DOCS[(kind, name)])
    applied = []
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(KINDS))
        if how in GROUP_KINDS and kind != "network":
            how = "drop"
        if how in GROUP_KINDS:  # on groups the scenario targets (meraakerbanen, e14-norway), so they are resolved
            groups = doc.get("groups")
            if not isinstance(groups, dict):
                groups = doc["groups"] = {}
            names = [g for g in groups if isinstance(groups[g], list)] or ["fuzz-a"]
            a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
            if how == "empty-group":
                groups[a] = []
            else:
                groups.setdefault(a, []).append(a if how == "self-group" else b)
                if how == "cycle":
                    groups.setdefault(b, []).append(a)
            applied.append(how)
            continue
        if how == "duplicate-key":  # done on the text below
            applied.append(how)
            continue
        wanted = {"number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
                  "dangling": lambda v: isinstance(v, str),
                  "duplicate-entry": lambda v: isinstance(v, list) and bool(v)}.get(how, lambda v: True)
        paths = [p for p, v in _paths(doc) if p and wanted(v)] or [p for p, _ in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _get(doc, path[:-1]), path[-1]
        value = parent[key]
        if how == "drop":
            del parent[key]
        elif how == "duplicate-entry" and isinstance(value, list) and value:
            value.append(copy.deepcopy(value[draw(st.integers(0, len(value) - 1))]))
        elif how == "number":
            label = draw(st.sampled_from(sorted(NUMBERS)))
            parent[key] = NUMBERS[label]
            how = f"number:{label}"
        elif how == "dangling":
            parent[key] = "no-such-id"
        else:
            how = "swap-type"
            parent[key] = copy.deepcopy(draw(st.sampled_from(SWAPS)))
        applied.append(how)
    text = None
    if "duplicate-key" in applied:
        lines = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).splitlines()
        candidates = [i for i, line in enumerate(lines)  # "key: value" lines, not list items
                      if ":" in line and not line.rstrip().endswith(":") and not line.lstrip().startswith("-")]
        if candidates:
            i = draw(st.sampled_from(candidates))
            lines.insert(i + 1, lines[i])
        text = "\n".join(lines) + "\n"
    return kind, name, doc, text, applied


def _nonfinite(doc) -> bool:
    return any(isinstance(v, float) and v != v or v in (float("inf"), float("-inf")) for _, v in _paths(doc))


def _bad_groups(doc) -> bool:
    """A group that is empty or reaches itself through its members (an independent oracle)."""
    groups = doc.get("groups") if isinstance(doc, dict) else None
    if not isinstance(groups, dict):
        return False
    members = {g: [m for m in v if isinstance(m, str) and m in groups] for g, v in groups.items() if isinstance(v, list)}
    if any(v == [] for v in groups.values()):
        return True

    def reaches(start, here, seen):
        return any(m == start or (m not in seen and reaches(start, m, seen | {m})) for m in members.get(here, []))

    return any(reaches(g, g, {g}) for g in members)


def garbage(kind: str, doc, text: str | None) -> list[str]:
    """What in the mutated document must never load: non-finite numbers, a key given twice,
    groups that are empty or contain themselves."""
    out = []
    if _nonfinite(doc):
        out.append("non-finite number")
    if text is not None and text != yaml.safe_dump(doc, allow_unicode=True, sort_keys=False):
        out.append("duplicate key")
    if kind == "network" and _bad_groups(doc):
        out.append("empty or cyclic group")
    return out


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def _load(kind: str, name: str, doc, text: str | None, folder: Path):
    """Write the mutated document next to unmutated copies of the others and load it."""
    for sub in ("scenarios", "networks", "overlays"):
        (folder / sub).mkdir(exist_ok=True)
    dumped = text if text is not None else yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    if kind == "network":
        (folder / "networks" / NETWORK).write_text(dumped, encoding="utf-8")
        scenario = folder / "scenarios" / OVERLAY_BASELINE
        scenario.write_text((ROOT / "scenarios" / OVERLAY_BASELINE).read_text(encoding="utf-8"), encoding="utf-8")
        return load_scenario(scenario)
    (folder / "networks" / NETWORK).write_text((ROOT / "networks" / NETWORK).read_text(encoding="utf-8"), encoding="utf-8")
    if kind == "scenario":
        path = folder / "scenarios" / name
        path.write_text(dumped, encoding="utf-8")
        return load_scenario(path)
    baseline = folder / "scenarios" / OVERLAY_BASELINE
    baseline.write_text((ROOT / "scenarios" / OVERLAY_BASELINE).read_text(encoding="utf-8"), encoding="utf-8")
    overlay = folder / "overlays" / name
    overlay.write_text(dumped, encoding="utf-8")
    return load_variant(baseline, overlay)


FILE_LEVEL = ("not valid YAML", "got ", "file not found", "expands to", "larger than", "not a regular file",
              "nested too deeply", "an alias refers")


@settings(max_examples=EXAMPLES, deadline=None, derandomize=not EXPLORE,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_mutated_documents_load_or_name_file_and_field(case, tmp_path_factory):
    """A mutant loads (and then holds no non-finite number, duplicate key or bad group) or
    gives a ScenarioError whose every problem names the file and, below file level, the field."""
    kind, name, doc, text, applied = case
    TRIED.update(applied)
    TRIED[f"document:{kind}"] += 1
    folder = tmp_path_factory.mktemp("fuzz")
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS_PER_LOAD)
    started = time.perf_counter()
    try:
        scenario = _load(kind, name, doc, text, folder)
        scenario = scenario[0] if isinstance(scenario, tuple) else scenario
        FOUND["loaded"] += 1
        for reason in garbage(kind, doc, text):
            FOUND[f"accepted:{reason}"] += 1
            if not EXPLORE:
                pytest.fail(f"{kind} {name} mutated by {applied} loaded despite a {reason}")
        if RUN:
            signal.alarm(SECONDS_PER_RUN)
            try:
                run_replication(scenario, 0, 0)
                FOUND["ran"] += 1
            except Hang:
                FOUND["run:hang"] += 1
                print(f"RUN HANG {kind} {name} {applied}")
            except Exception as exc:  # noqa: BLE001 — surveyed, not asserted (the load is the property)
                FOUND[f"run:{type(exc).__name__}"] += 1
                print(f"RUN CRASH {kind} {name} {applied}: {type(exc).__name__}: {exc}"[:400])
    except ScenarioError as exc:
        FOUND["ScenarioError"] += 1
        assert exc.problems, "a ScenarioError without problems"
        for problem in exc.problems:
            assert problem.file, f"problem without a file: {problem}"
            assert problem.field or problem.problem.startswith(FILE_LEVEL), f"problem without a field: {problem}"
    except Hang:
        FOUND["hang"] += 1
        pytest.fail(f"loading {kind} {name} mutated by {applied} took more than {SECONDS_PER_LOAD} s")
    except Exception as exc:
        FOUND[f"crash:{type(exc).__name__}"] += 1
        if not EXPLORE:
            raise
        print(f"CRASH {kind} {name} {applied}: {type(exc).__name__}: {exc}"[:400])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    FOUND["max_seconds"] = max(FOUND["max_seconds"], round(time.perf_counter() - started, 2))
