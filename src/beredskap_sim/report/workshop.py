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
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
from pydantic import Field, ValidationError

from ..experiment.executors import SerialExecutor
from ..experiment.runner import run_experiment
from ..scenario.errors import ScenarioError, problem_from_pydantic
from ..scenario.fields import Strict
from ..scenario.loader import load_scenario, load_variant
from ..scenario.overlay import load_overlay
from . import WORKSHOP_MAX_REPLICATIONS
from .figures import network_map, panel_figures, resilience_curves, timeline
from .html import headline_values
from .moments import affected_at
from .names import Names, format_number
from .workshop_page import PAGE

MAX_BODY_BYTES = 64 * 1024
"""Largest request body accepted (the page sends well under 10 kB)."""
MAX_ITEMS = 500
"""Most disruptions, edits or overlays one request may name."""
MAX_EXTRA = 50
"""Most closures the room may add in one run."""
STOCK_DAYS = (1.0, 21.0)
"""Food stock range the page's slider offers, days."""
CACHE_SIZE = 32
"""Results kept in memory for requests seen before (the oldest is dropped first)."""


class _Edit(Strict):
    start_days: float | None = None
    duration_days: float | None = None


class _Extra(Strict):
    target: str
    start_days: float
    duration_days: float
    exempt: list[str] = Field(default_factory=list, max_length=50)


class RunRequest(Strict):
    """What the page sends to ``POST /api/run`` (checked before anything runs)."""

    disabled: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    edits: dict[str, _Edit] = Field(default_factory=dict, max_length=MAX_ITEMS)
    extra: list[_Extra] = Field(default_factory=list, max_length=MAX_EXTRA)
    overlays: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    stock_days: float | None = None
    replications: int | None = None
    map_time_h: float | None = None


class Busy(Exception):
    """Another run is under way; the page is told to try again."""


class WorkshopSession:
    """State of one workshop: the baseline scenario, the overlays on offer, a run cache.

    Requests are checked (``RunRequest``) and clamped to what the page offers: disruption
    start and length within the horizon (length at least one hour), food stock 1–21 days,
    1–``WORKSHOP_MAX_REPLICATIONS`` replications, only the scenario's disruptions, the
    network's targets and the overlays on offer. One run at a time (``Busy`` otherwise); the
    ``CACHE_SIZE`` most recent results are kept in memory and each run's folder is deleted as
    soon as its figures are read. ``close()`` removes the session's temporary folder.
    """

    def __init__(self, scenario_path: str | Path, overlays_dir: str | Path | None = None, replications: int = 3,
                 seed: int = 0, workdir: str | Path | None = None):
        self.scenario_path = Path(scenario_path)
        self.scenario = load_scenario(self.scenario_path)
        self.replications = max(1, min(int(replications), WORKSHOP_MAX_REPLICATIONS))
        self.seed = seed
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="beredskap-workshop-"))
        self.overlays = []
        self.skipped: list[str] = []
        folder = Path(overlays_dir) if overlays_dir else self.scenario_path.parent.parent / "overlays"
        for path in sorted(folder.glob("*.yaml")) if folder.exists() else []:
            try:
                _, spec = load_variant(self.scenario_path, path)
            except ScenarioError as exc:  # an overlay for another baseline, or a broken one
                self.skipped.append(f"{path.name}: {exc.problems[0] if exc.problems else 'cannot be used'}")
                continue
            self.overlays.append({"file": str(path), "name": spec.name, "description": spec.description})
        self._lock = threading.Lock()  # one run at a time
        self._cache_lock = threading.Lock()
        self._cache: OrderedDict[str, dict] = OrderedDict()
        self.runs = 0
        self.exercise = Exercise(self.scenario)
        self.last_folder: Path | None = None  # the latest run's folder, kept for saving an exercise

    def close(self) -> None:
        """Remove the temporary folder this session made (not a ``workdir`` given to it)."""
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

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

    def normalise(self, payload: object) -> dict:
        """The request as checked and clamped data; ``ValueError`` in words when it cannot be used."""
        if not isinstance(payload, dict):
            raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
        try:
            request = RunRequest.model_validate(payload)
        except ValidationError as exc:
            raise ValueError("; ".join(str(problem_from_pydantic("request", e, {})) for e in exc.errors()[:5])) from None
        horizon = self.scenario.horizon_h / 24
        known = {d.id for d in self.scenario.disruptions}
        targets = set(self.scenario.network.spec.groups) | set(self.scenario.network.link_index)
        offered = {o["file"] for o in self.overlays}
        for name, ids in (("disruption", [*request.disabled, *request.edits]), ("target", [x.target for x in request.extra]),
                          ("overlay", request.overlays)):
            allowed = {"disruption": known, "target": targets, "overlay": offered}[name]
            unknown = sorted(set(ids) - allowed)
            if unknown:
                raise ValueError(f"unknown {name} {unknown[0]!r}, expected one the page offers")

        def start(value: float) -> float:
            return _clamp(value, 0.0, horizon)

        def length(value: float) -> float:
            return _clamp(value, 1 / 24, horizon)

        edits = {}
        for did, edit in request.edits.items():
            entry = {}
            if edit.start_days is not None:
                entry["start_days"] = start(edit.start_days)
            if edit.duration_days is not None:
                entry["duration_days"] = length(edit.duration_days)
            edits[did] = entry
        return {
            "disabled": list(dict.fromkeys(request.disabled)),
            "edits": edits,
            "extra": [{"target": x.target, "start_days": start(x.start_days), "duration_days": length(x.duration_days),
                       **({"exempt": list(x.exempt)} if x.exempt else {})} for x in request.extra],
            "overlays": list(dict.fromkeys(request.overlays)),
            "stock_days": None if request.stock_days is None else _clamp(request.stock_days, *STOCK_DAYS),
            "replications": int(_clamp(request.replications or self.replications, 1, WORKSHOP_MAX_REPLICATIONS)),
            "map_time_h": None if request.map_time_h is None else _clamp(request.map_time_h, 0.0, self.scenario.horizon_h),
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

    def run(self, payload: object) -> dict:
        """Run what the page asked for (or answer from the cache); ``Busy`` while another run is under way."""
        request = self.normalise(payload)
        key = json.dumps(request, sort_keys=True)
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        if not self._lock.acquire(blocking=False):
            raise Busy("another run is under way; press Run again when it has finished")
        try:
            return self._run(request, key)
        finally:
            self._lock.release()

    def _run(self, request: dict, key: str) -> dict:
        """One run (the caller holds the run lock): the headline figures, each with the untouched
        scenario's value and the change (``delta``, ``better``), the map (at ``map_time_h`` when
        given, e.g. the exercise clock) and the curves and supply panels as base64 PNGs."""
        baseline = None
        if not self._is_untouched(request):
            untouched = self.normalise({"replications": request["replications"]})
            untouched_key = json.dumps(untouched, sort_keys=True)
            with self._cache_lock:
                baseline = self._cache.get(untouched_key)
            if baseline is None:
                baseline = self._run(untouched, untouched_key)
        started = time.perf_counter()
        scenario, _ = load_variant(self.scenario_path, changes=self.changes_for(request))
        folder = run_experiment(scenario, request["replications"], self.seed, self.workdir, SerialExecutor(), progress=False)
        map_time = request.get("map_time_h")
        exercise = map_time is not None  # an exercise run's folder is kept for saving the exercise
        try:
            out = folder.path / "figures"
            out.mkdir(exist_ok=True)
            map_png = network_map(folder, scenario, out, map_time, figsize=(12, 10.5))[0]  # about as tall as wide
            pictures = {"map": map_png, "curves": resilience_curves(folder, scenario, out, until_h=map_time),
                        "timeline": timeline(folder, scenario, out, until_h=map_time),
                        **panel_figures(folder, scenario, out, until_h=map_time)}  # exercise: nothing past the clock
            names = Names(scenario)
            kpis = [self._with_delta(v, baseline) for v in headline_values(folder.summary(), names)]
            ran = int(folder.read_manifest()["replications"])
            images = {name: base64.b64encode(path.read_bytes()).decode() for name, path in pictures.items()}
            now = self._state_at(folder, scenario, float(map_time), names) if exercise else None
        finally:
            if not exercise:
                shutil.rmtree(folder.path, ignore_errors=True)
        if exercise:
            if self.last_folder is not None and self.last_folder != folder.path:
                shutil.rmtree(self.last_folder, ignore_errors=True)  # one exercise folder: the latest
            self.last_folder = folder.path
        self.runs += 1
        result = {
            "run": self.runs, "name": scenario.name, "replications": ran, "kpis": kpis, "images": images,
            "map": images["map"], "curves": images["curves"], "seconds": round(time.perf_counter() - started, 2),
        }
        if now is not None:
            result["now"] = now
        with self._cache_lock:
            self._cache[key] = result
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
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


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


EXERCISE_POSTS = ("/api/exercise/step", "/api/exercise/inject", "/api/exercise/run", "/api/exercise/save")


class _Server(ThreadingHTTPServer):
    """Threads per request, a listen queue deep enough for a room of browsers, and quiet about
    clients that went away."""

    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request, client_address) -> None:
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # a browser closed the tab or the connection: nothing to report
        print(f"workshop: request from {client_address[0]} failed: {type(error).__name__}: {error}", file=sys.stderr)


def make_server(session: WorkshopSession, host: str = "127.0.0.1", port: int = 8765) -> ThreadingHTTPServer:
    """An HTTP server for ``session`` (call ``serve_forever``); ``port=0`` picks a free port.

    It serves only its own page: requests must name it as ``Host: 127.0.0.1:<port>`` or
    ``localhost:<port>`` (this defeats DNS rebinding), and ``POST /api/run`` must come from the
    page itself (``Origin`` the same host and port), as ``application/json`` of at most
    ``MAX_BODY_BYTES``. Answers: 403 wrong host or origin, 411/413 missing or too long a body,
    415 another content type, 400 a body that is not a valid request (in words), 503 while
    another run is under way.
    """

    class Handler(BaseHTTPRequestHandler):
        timeout = 30  # seconds a silent connection may hold a thread

        def log_message(self, *args):  # keep the terminal for the workshop lead
            pass

        def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("X-Content-Type-Options", "nosniff")
                self.send_header("X-Frame-Options", "DENY")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except (ConnectionError, TimeoutError):
                self.close_connection = True  # the browser went away while it waited

        def _json(self, status: int, payload, headers: dict | None = None) -> None:
            self._send(status, json.dumps(payload).encode(), "application/json", headers)

        def _origins(self) -> set[str]:
            port = self.server.server_address[1]
            return {f"127.0.0.1:{port}", f"localhost:{port}"}

        def _host_ok(self) -> bool:
            if (self.headers.get("Host") or "").strip().lower() in self._origins():
                return True
            self._json(403, {"error": "this server answers only to http://127.0.0.1 or http://localhost on its own port"})
            return False

        def do_GET(self):
            if not self._host_ok():
                return
            path = self.path.split("?", 1)[0]
            if path in ("/", "/index.html"):
                self._send(200, PAGE.encode(), "text/html; charset=utf-8")
            elif path == "/api/options":
                self._json(200, session.options())
            elif path == "/api/exercise":
                self._json(200, session.exercise.state())
            elif path == "/favicon.ico":
                self._send(204, b"", "image/x-icon")
            else:
                self._json(404, {"error": "no such page"})

        def _body(self):
            """The JSON body, or None after answering why it is refused."""
            origin = (self.headers.get("Origin") or "").strip().lower()
            if origin not in {f"http://{o}" for o in self._origins()}:
                self._json(403, {"error": "runs can only be started from the workshop page itself"})
                return None
            if (self.headers.get("Content-Type") or "").split(";")[0].strip().lower() != "application/json":
                self._json(415, {"error": "expected Content-Type: application/json"})
                return None
            if self.headers.get("Transfer-Encoding") or self.headers.get("Content-Length") is None:
                self._json(411, {"error": "expected a Content-Length"})
                return None
            try:
                length = int(self.headers["Content-Length"])
            except ValueError:
                length = -1
            if length < 0:
                self._json(400, {"error": "bad request: Content-Length is not a whole number ≥ 0"})
                return None
            if length > MAX_BODY_BYTES:
                self._json(413, {"error": f"request body larger than {MAX_BODY_BYTES} bytes"})
                return None
            self.connection.settimeout(10)
            raw = self.rfile.read(length)
            if len(raw) < length:
                self.close_connection = True
                return None
            try:
                return json.loads(raw.decode("utf-8") or "{}")
            except (UnicodeDecodeError, ValueError) as exc:
                self._json(400, {"error": f"bad request: not JSON ({exc})"})
                return None

        def do_POST(self):
            self.close_connection = True  # a refused body may still be on the wire
            if not self._host_ok():
                return
            if self.path != "/api/run" and self.path not in EXERCISE_POSTS:
                self._json(404, {"error": "no such endpoint"})
                return
            request = self._body()
            if request is None:
                return
            try:
                if self.path == "/api/run":
                    self._json(200, session.run(request))
                else:
                    self._json(200, session.exercise_post(self.path, request))
            except Busy as exc:
                self._json(503, {"error": str(exc)}, {"Retry-After": "5"})
            except ScenarioError as exc:
                self._json(400, {"problems": [str(p) for p in exc.problems]})
            except (ValueError, KeyError, TypeError) as exc:
                self._json(400, {"error": f"bad request: {exc}"})
            except (ConnectionError, TimeoutError):
                pass
            except Exception as exc:  # noqa: BLE001 — the room sees a message, the lead's terminal no traceback
                import sys

                print(f"workshop: run failed: {type(exc).__name__}: {exc}", file=sys.stderr)
                self._json(500, {"error": f"the run failed: {type(exc).__name__}: {exc}"})

    return _Server((host, port), Handler)
