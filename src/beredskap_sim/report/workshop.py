"""The live workshop page: ``beredskap-sim workshop SCENARIO``.

A local web page (standard-library HTTP server on 127.0.0.1, no build step, no network) where
a workshop lead switches the scenario's disruptions on and off, moves them in time, adds a
closure, picks investments (the overlays that apply to the scenario) and the days of food
stock, presses *Run*, and sees the map, the performance curves and the headline figures of a
few replications a few seconds later.

``WorkshopSession`` does the work (options, one run per request, a cache of earlier runs);
``make_server`` wraps it in a ``ThreadingHTTPServer``. Endpoints: ``GET /`` the page
(``workshop_page``), ``GET /api/options``, ``POST /api/run`` (JSON in, JSON with KPIs and base64
PNGs out); exercise mode: ``GET /api/exercise`` and ``POST /api/exercise/{step,inject,run,save}``.
"""

from __future__ import annotations

import base64
import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd

from ..experiment.executors import SerialExecutor
from ..experiment.runner import run_experiment
from ..scenario.errors import ScenarioError
from ..scenario.loader import load_scenario, load_variant
from ..scenario.overlay import load_overlay
from .figures import network_map, panel_figures, resilience_curves, timeline
from .html import headline_values
from .moments import affected_at
from .names import Names, format_number
from .workshop_page import PAGE


class WorkshopSession:
    """State of one workshop: the baseline scenario, the overlays on offer, a run cache."""

    def __init__(self, scenario_path: str | Path, overlays_dir: str | Path | None = None, replications: int = 3,
                 seed: int = 0, workdir: str | Path | None = None):
        self.scenario_path = Path(scenario_path)
        self.scenario = load_scenario(self.scenario_path)
        self.replications = replications
        self.seed = seed
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="beredskap-workshop-"))
        self.overlays = []
        folder = Path(overlays_dir) if overlays_dir else self.scenario_path.parent.parent / "overlays"
        for path in sorted(folder.glob("*.yaml")) if folder.exists() else []:
            try:
                load_variant(self.scenario_path, path)
            except ScenarioError:
                continue  # an overlay for another baseline
            spec = load_overlay(path)
            self.overlays.append({"file": str(path), "name": spec.name, "description": spec.description})
        self._lock = threading.RLock()  # run() asks for the untouched baseline inside its lock
        self._cache: dict[str, dict] = {}
        self.runs = 0
        self.exercise = Exercise(self.scenario)
        self.last_folder: Path | None = None

    def options(self) -> dict:
        s = self.scenario
        net = s.network
        names = Names(s)
        targets = [{"id": g, "label": f"{names.of(g)} (all of it)"} for g in net.spec.groups]
        targets += [{"id": link.id, "label": link.name} for link in net.spec.links]
        borders = [{"id": n.id, "label": n.name} for n in net.spec.nodes if n.kind == "border"]
        food = s.spec.food
        return {
            "name": s.name, "description": s.spec.description, "horizon_days": s.horizon_h / 24,
            "disruptions": [{"id": d.id, "description": d.description or d.id, "targets": ", ".join(d.targets),
                             "start_days": d.start_h / 24, "duration_days": d.duration_h / 24} for d in s.disruptions],
            "targets": targets, "borders": borders, "overlays": self.overlays,
            "start": s.start.isoformat(), "horizon_h": s.horizon_h,
            "stock_days": (sum(m.stock_days for m in food.municipalities) / len(food.municipalities)) if food else None,
            "replications": self.replications,
        }

    def changes_for(self, request: dict) -> list:
        """Overlay changes that turn the baseline into what the room asked for."""
        changes: list = []
        for did in request.get("disabled", []):
            changes.append({"remove": f"scenario.disruptions[id={did}]"})
        for did, edit in request.get("edits", {}).items():
            if did in request.get("disabled", []):
                continue
            if "start_days" in edit:
                changes.append({"set": f"scenario.disruptions[id={did}].start", "value": f"{round(float(edit['start_days']) * 24, 3):g}h"})
            if "duration_days" in edit:
                changes.append({"set": f"scenario.disruptions[id={did}].duration",
                                "value": f"{max(round(float(edit['duration_days']) * 24, 3), 1):g}h"})
        extra = request.get("extra", [])
        if extra and "disruptions" not in self.scenario.raw:
            changes.append({"set": "scenario.disruptions", "value": []})
        for i, item in enumerate(extra):
            changes.append({"add": "scenario.disruptions", "value": {
                "id": f"workshop-{i}", "description": "added in the workshop", "target": item["target"],
                "start": f"{float(item['start_days']) * 24:g}h", "duration": f"{max(float(item['duration_days']) * 24, 1):g}h",
                "effect": "close", **({"exempt": list(item["exempt"])} if item.get("exempt") else {})}})
        for file in request.get("overlays", []):
            if file in {o["file"] for o in self.overlays}:
                changes += list(load_overlay(file).changes)
        stock = request.get("stock_days")
        if stock is not None and self.scenario.spec.food is not None:
            v = max(float(stock), 0.5)
            for name, value in (("order_up_to_days", v), ("reorder_days", 0.8 * v), ("stock_days", v)):
                changes.append({"set": f"scenario.food.municipalities[node=*].{name}", "value": value})
        return changes

    def run(self, request: dict) -> dict:
        """Run what the room asked for; the result carries the headline figures, each with the
        untouched scenario's value and the change (``delta``, ``better``), the map (at
        ``map_time_h`` when given, e.g. the exercise clock) and the curves and supply panels
        as base64 PNGs."""
        key = json.dumps(request, sort_keys=True)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            n = int(request.get("replications") or self.replications)
            untouched = {"disabled": [], "edits": {}, "extra": [], "overlays": [], "replications": n}  # as the page sends it
            baseline = None if self._is_untouched(request) else self.run(untouched)
            started = time.perf_counter()
            scenario, _ = load_variant(self.scenario_path, changes=self.changes_for(request))
            folder = run_experiment(scenario, max(1, min(n, 20)), self.seed, self.workdir, SerialExecutor(), progress=False)
            self.last_folder = folder.path
            out = folder.path / "figures"
            out.mkdir(exist_ok=True)
            map_time = request.get("map_time_h")
            map_png = network_map(folder, scenario, out, float(map_time) if map_time is not None else None,
                                  figsize=(12, 10.5))[0]  # the page's middle column is about as tall as wide
            pictures = {"map": map_png, "curves": resilience_curves(folder, scenario, out),
                        "timeline": timeline(folder, scenario, out), **panel_figures(folder, scenario, out)}
            self.runs += 1
            names = Names(scenario)
            kpis = [self._with_delta(v, baseline) for v in headline_values(folder.summary(), names)]
            result = {
                "run": self.runs, "name": scenario.name, "replications": n, "kpis": kpis,
                "images": {name: base64.b64encode(path.read_bytes()).decode() for name, path in pictures.items()},
                "map": base64.b64encode(map_png.read_bytes()).decode(),
                "curves": base64.b64encode(pictures["curves"].read_bytes()).decode(),
                "seconds": round(time.perf_counter() - started, 2), "folder": str(folder.path),
            }
            if map_time is not None:
                result["now"] = self._state_at(folder, scenario, float(map_time), names)
            self._cache[key] = result
            return result

    def exercise_post(self, path: str, request: dict) -> dict:
        """The exercise endpoints: ``/api/exercise/step`` {hours}, ``/inject`` {kind, target or
        disruption, hours, exempt}, ``/run`` (the page's request plus the injects, map at the
        clock) and ``/save`` (log and replay overlay into the last exercise run's folder)."""
        action = path.rsplit("/", 1)[-1]
        if action == "step":
            self.exercise.step(float(request.get("hours", 0)))
        elif action == "inject":
            self.exercise.inject(request)
        elif action == "run":
            return self.run(self.exercise.request(request))
        elif action == "save":
            if self.last_folder is None:
                raise ValueError("run the exercise once before saving it")
            wanted = {k: v for k, v in self.exercise.request(request).items() if k != "map_time_h"}
            return {**self.exercise.state(), **self.exercise.save(self.last_folder, self.changes_for(wanted))}
        else:
            raise KeyError(path)
        return self.exercise.state()

    @staticmethod
    def _is_untouched(request: dict) -> bool:
        return not any(request.get(k) for k in ("disabled", "edits", "extra", "overlays", "map_time_h")) \
            and request.get("stock_days") is None

    @staticmethod
    def _with_delta(value: dict, baseline: dict | None) -> dict:
        """A headline figure as text (value, interval), with the untouched scenario's value and
        the change; ``better`` is True/False/None (lower is better except for days of food
        and trains run)."""
        unit = value["unit"]
        out = {"label": value["label"], "value": format_number(value["mean"], unit), "unit": unit,
               "interval": f"{format_number(value['low'], unit)} – {format_number(value['high'], unit)}"
               if value["n"] > 1 and value["high"] > value["low"] else ""}
        before = next((b for b in (baseline or {}).get("kpis", []) if b["label"] == value["label"]), None)
        if before is not None:
            delta = value["mean"] - before["mean"]
            higher_better = value["kpi"] in ("food_min_days_of_supply", "tonnes_delivered")
            out["baseline"] = before["value"]
            out["delta"] = ("+" if delta > 0 else "") + format_number(delta, unit) if abs(delta) > 1e-9 else "0"
            out["better"] = None if abs(delta) <= 1e-9 else (delta > 0) == higher_better
        out["mean"] = value["mean"]
        return out

    def _state_at(self, folder, scenario, t: float, names: Names) -> dict:
        """What the room sees at clock time ``t`` (replication 0): the date, what is closed,
        days of food per municipality, and the demand affected."""
        disruptions = folder.disruptions()
        first = disruptions[disruptions["replication"] == 0]
        active = first[(first["start_h"] <= t) & (first["end_h"] > t)]
        supply = folder.supply()
        food = supply[(supply["replication"] == 0) & (supply["series"] == "days_of_supply") & (supply["time_h"] <= t)]
        days = food.groupby("name")["value"].last() if not food.empty else {}
        return {"time": f"{scenario.start + pd.Timedelta(hours=t):%a %d %b %Y %H:%M}",
                "closed": [", ".join(names.of(x) for x in str(r.targets).split()) for r in active.itertuples()],
                "food_days": {names.of(k): round(float(v), 1) for k, v in dict(days).items()},
                "affected": affected_at(scenario, first, t).describe()}


class Exercise:
    """Exercise mode: a clock the lead steps, and injects made at the clock time — a closure,
    a border decision (a crossing closed, some commodities exempt) or a repair crew sent to a
    disruption (it ends a given number of hours from now). Every step and inject is logged;
    ``request`` turns the injects into the run request, ``save`` writes the log and an overlay
    that replays the exercise with ``beredskap-sim compare BASELINE --variant OVERLAY``."""

    def __init__(self, scenario):
        self.scenario = scenario
        self.clock_h = 0.0
        self.log: list[dict] = []
        self.extra: list[dict] = []
        self.edits: dict[str, dict] = {}

    def _note(self, kind: str, **detail) -> dict:
        entry = {"at_h": self.clock_h, "at": f"{self.scenario.start + pd.Timedelta(hours=self.clock_h):%Y-%m-%d %H:%M}",
                 "kind": kind, "logged": time.strftime("%Y-%m-%dT%H:%M:%S"), **detail}
        self.log.append(entry)
        return entry

    def step(self, hours: float) -> dict:
        if not 0 < hours <= self.scenario.horizon_h:
            raise ValueError(f"a step of {hours} h, expected between 0 and the horizon ({self.scenario.horizon_h:g} h)")
        self.clock_h = min(self.clock_h + hours, self.scenario.horizon_h)
        return self._note("clock", hours=hours)

    def inject(self, item: dict) -> dict:
        kind = item.get("kind")
        hours = float(item.get("hours", 24))
        if hours <= 0:
            raise ValueError(f"hours {hours}, expected more than 0")
        if kind in ("closure", "border"):
            target = str(item["target"])
            if self.scenario.network.resolve_target(target) is None:
                raise ValueError(f"unknown target {target!r}")
            exempt = [str(x) for x in item.get("exempt", [])] if kind == "border" else []
            self.extra.append({"target": target, "start_days": self.clock_h / 24, "duration_days": hours / 24,
                               **({"exempt": exempt} if exempt else {})})
            return self._note(kind, target=target, hours=hours, exempt=exempt)
        if kind == "crew":
            did = str(item["disruption"])
            match = next((d for d in self.scenario.disruptions if d.id == did), None)
            if match is None:
                raise ValueError(f"unknown disruption {did!r}")
            end = max(self.clock_h + hours, match.start_h + 1)
            self.edits[did] = {"start_days": match.start_h / 24, "duration_days": (end - match.start_h) / 24}
            return self._note(kind, disruption=did, hours=hours)
        raise ValueError(f"inject kind {kind!r}, expected closure, border or crew")

    def request(self, base: dict) -> dict:
        """``base`` (the page's request) with the injects added and the map at the clock."""
        out = dict(base)
        out["extra"] = list(base.get("extra", [])) + self.extra
        out["edits"] = {**base.get("edits", {}), **self.edits}
        out["map_time_h"] = self.clock_h
        return out

    def state(self) -> dict:
        return {"clock_h": self.clock_h, "clock": f"{self.scenario.start + pd.Timedelta(hours=self.clock_h):%a %d %b %Y %H:%M}",
                "log": self.log}

    def save(self, folder: Path, changes: list) -> dict:
        """``exercise-log.json`` and ``exercise-overlay.yaml`` into the run folder ``folder``."""
        import yaml

        folder = Path(folder)
        log = folder / "exercise-log.json"
        log.write_text(json.dumps({"scenario": str(self.scenario.source_file), "clock_h": self.clock_h, "log": self.log},
                                  indent=2, ensure_ascii=False), encoding="utf-8")
        overlay = folder / "exercise-overlay.yaml"
        overlay.write_text(yaml.safe_dump({"name": f"{self.scenario.name}: workshop exercise",
                                           "description": "Injects and decisions of a workshop exercise, in the order made.",
                                           "changes": changes}, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return {"log": str(log), "overlay": str(overlay)}



EXERCISE_POSTS = ("/api/exercise/step", "/api/exercise/inject", "/api/exercise/run", "/api/exercise/save")


def make_server(session: WorkshopSession, host: str = "127.0.0.1", port: int = 8765) -> ThreadingHTTPServer:
    """An HTTP server for ``session`` (call ``serve_forever``); ``port=0`` picks a free port."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the terminal for the workshop lead
            pass

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, payload) -> None:
            self._send(status, json.dumps(payload).encode(), "application/json")

        def do_GET(self):
            if self.path in ("/", "/index.html"):
                self._send(200, PAGE.encode(), "text/html; charset=utf-8")
            elif self.path == "/api/options":
                self._json(200, session.options())
            elif self.path == "/api/exercise":
                self._json(200, session.exercise.state())
            elif self.path == "/favicon.ico":
                self._send(204, b"", "image/x-icon")
            else:
                self._json(404, {"error": f"no such page {self.path}"})

        def do_POST(self):
            if self.path != "/api/run" and self.path not in EXERCISE_POSTS:
                self._json(404, {"error": f"no such endpoint {self.path}"})
                return
            try:
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                self._json(200, session.run(request) if self.path == "/api/run" else session.exercise_post(self.path, request))
            except ScenarioError as exc:
                self._json(400, {"problems": [str(p) for p in exc.problems]})
            except (ValueError, KeyError, TypeError) as exc:
                self._json(400, {"error": f"bad request: {exc}"})

    return ThreadingHTTPServer((host, port), Handler)
