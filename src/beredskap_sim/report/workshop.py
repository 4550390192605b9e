"""The live workshop page: ``beredskap-sim workshop SCENARIO``.

A local web page (standard-library HTTP server on 127.0.0.1, no build step, no network) where
a workshop lead switches the scenario's disruptions on and off, moves them in time, adds a
closure, picks investments (the overlays that apply to the scenario) and the days of food
stock, presses *Run*, and sees the map, the performance curves and the headline figures of a
few replications a few seconds later.

``WorkshopSession`` does the work (options, one run per request, a cache of earlier runs);
``make_server`` wraps it in a ``ThreadingHTTPServer``. Endpoints: ``GET /`` the page,
``GET /api/options``, ``POST /api/run`` (JSON in, JSON with KPIs and base64 PNGs out).
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

from pydantic import Field, ValidationError

from ..experiment.executors import SerialExecutor
from ..experiment.runner import run_experiment
from ..scenario.errors import ScenarioError, problem_from_pydantic
from ..scenario.fields import Strict
from ..scenario.loader import load_scenario, load_variant
from ..scenario.overlay import load_overlay
from .figures import network_map, resilience_curves
from . import WORKSHOP_MAX_REPLICATIONS
from .html import headline_rows

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


class RunRequest(Strict):
    """What the page sends to ``POST /api/run`` (checked before anything runs)."""

    disabled: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    edits: dict[str, _Edit] = Field(default_factory=dict, max_length=MAX_ITEMS)
    extra: list[_Extra] = Field(default_factory=list, max_length=MAX_EXTRA)
    overlays: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    stock_days: float | None = None
    replications: int | None = None


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

    def close(self) -> None:
        """Remove the temporary folder this session made (not a ``workdir`` given to it)."""
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def options(self) -> dict:
        s = self.scenario
        net = s.network
        targets = [{"id": g, "label": f"{g} (group)"} for g in net.spec.groups]
        targets += [{"id": link.id, "label": link.name} for link in net.spec.links]
        food = s.spec.food
        return {
            "name": s.name, "description": s.spec.description, "horizon_days": s.horizon_h / 24,
            "disruptions": [{"id": d.id, "description": d.description or d.id, "targets": ", ".join(d.targets),
                             "start_days": d.start_h / 24, "duration_days": d.duration_h / 24} for d in s.disruptions],
            "targets": targets, "overlays": self.overlays,
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
            "extra": [{"target": x.target, "start_days": start(x.start_days), "duration_days": length(x.duration_days)}
                      for x in request.extra],
            "overlays": list(dict.fromkeys(request.overlays)),
            "stock_days": None if request.stock_days is None else _clamp(request.stock_days, *STOCK_DAYS),
            "replications": _clamp(request.replications or self.replications, 1, WORKSHOP_MAX_REPLICATIONS),
        }

    def changes_for(self, request: dict) -> list:
        """Overlay changes that turn the baseline into what the room asked for (a normalised request)."""
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
                "effect": "close"}})
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
        started = time.perf_counter()
        scenario, _ = load_variant(self.scenario_path, changes=self.changes_for(request))
        n = request["replications"]
        folder = run_experiment(scenario, n, self.seed, self.workdir, SerialExecutor(), progress=False)
        try:
            out = folder.path / "figures"
            out.mkdir(exist_ok=True)
            map_png = network_map(folder, scenario, out)[0]
            curves_png = resilience_curves(folder, scenario, out)
            kpis = [{"label": label, "value": value, "interval": interval, "unit": unit}
                    for label, value, interval, unit in headline_rows(folder.summary())]
            ran = int(folder.read_manifest()["replications"])
            images = base64.b64encode(map_png.read_bytes()).decode(), base64.b64encode(curves_png.read_bytes()).decode()
        finally:
            shutil.rmtree(folder.path, ignore_errors=True)
        self.runs += 1
        result = {"run": self.runs, "name": scenario.name, "replications": ran, "kpis": kpis,
                  "map": images[0], "curves": images[1], "seconds": round(time.perf_counter() - started, 2)}
        with self._cache_lock:
            self._cache[key] = result
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return result


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>beredskap-sim workshop</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;color:#1b2631;background:#f4f6f7}
header{background:#1b4f72;color:#fff;padding:12px 20px} header h1{margin:0;font-size:1.3em} header .small{color:#d6eaf8}
#layout{display:grid;grid-template-columns:360px 1fr;gap:16px;padding:16px}
section{background:#fff;border:1px solid #d5dbdb;padding:10px 12px;margin-bottom:12px}
h2{font-size:1em;margin:0 0 8px} label{display:block;margin:4px 0} .small{font-size:.8em;color:#566573}
.row{display:flex;gap:6px;align-items:center;font-size:.85em} input[type=range]{width:150px}
button{font-size:1.05em;padding:8px 18px;background:#1e8449;color:#fff;border:0;border-radius:4px;cursor:pointer}
table{border-collapse:collapse;width:100%;font-size:.9em} td{border-bottom:1px solid #eaeded;padding:3px 6px}
td.num{text-align:right;font-variant-numeric:tabular-nums} img{max-width:100%;border:1px solid #eaeded}
#status{font-weight:bold;margin-left:12px}
</style></head>
<body><header><h1 id="title">beredskap-sim workshop</h1><div id="desc" class="small"></div></header>
<div id="layout"><div>
<section><h2>Disruptions</h2><div id="disruptions"></div></section>
<section><h2>Add a closure</h2><select id="extra-target"></select>
<div class="row">from day <input id="extra-start" type="number" value="1" min="0" step="0.5" style="width:4em">
for <input id="extra-duration" type="number" value="2" min="0.1" step="0.5" style="width:4em"> days
<button id="add-extra" type="button" style="font-size:.8em;padding:3px 8px">add</button></div><ul id="extras" class="small"></ul></section>
<section><h2>Investments</h2><div id="overlays"></div></section>
<section id="food-section"><h2>Food stock in the municipalities</h2>
<div class="row"><input id="stock-days" type="range" min="1" max="21" step="0.5"><span id="stock-days-value"></span> days</div></section>
<section><div class="row">replications <input id="replications" type="number" min="1" max="20" style="width:4em"></div>
<p><button id="run" type="button">Run</button><span id="status">loading…</span></p></section>
</div><div>
<section><h2>Headline figures</h2><table id="kpis"></table></section>
<section><img id="map-img" alt="network map"></section>
<section><img id="curves-img" alt="performance curves"></section>
</div></div>
<script>
const $ = (id) => document.getElementById(id);
const extras = [];
function text(tag, content, cls) { const e = document.createElement(tag); e.textContent = content; if (cls) e.className = cls; return e; }
function slider(min, max, step, value, onchange) {
  const s = document.createElement('input'); s.type = 'range'; s.min = min; s.max = max; s.step = step; s.value = value;
  s.addEventListener('input', onchange); return s;
}
async function loadOptions() {
  const o = await (await fetch('/api/options')).json();
  $('title').textContent = o.name; $('desc').textContent = o.description;
  for (const d of o.disruptions) {
    const box = document.createElement('div');
    const label = document.createElement('label');
    const cb = document.createElement('input'); cb.type = 'checkbox'; cb.checked = true; cb.id = 'd-' + d.id; cb.dataset.id = d.id;
    label.appendChild(cb); label.appendChild(document.createTextNode(' ' + d.description));
    box.appendChild(label); box.appendChild(text('div', d.targets, 'small'));
    const start = text('span', ''), dur = text('span', '');
    // Hourly steps from 0, so every whole-hour time in the scenario is a slider position and the
    // untouched page runs exactly the scenario as written.
    const hour = 1 / 24, show = (v) => (Math.round(parseFloat(v) * 24) / 24).toFixed(2);
    const s1 = slider(0, o.horizon_days, hour, d.start_days, () => start.textContent = 'day ' + show(s1.value));
    const s2 = slider(0, o.horizon_days, hour, d.duration_days, () => dur.textContent = show(s2.value) + ' d');
    s1.id = 'start-' + d.id; s2.id = 'duration-' + d.id;
    start.textContent = 'day ' + show(s1.value); dur.textContent = show(s2.value) + ' d';
    const r1 = document.createElement('div'); r1.className = 'row'; r1.append('start', s1, start);
    const r2 = document.createElement('div'); r2.className = 'row'; r2.append('length', s2, dur);
    box.append(r1, r2); $('disruptions').appendChild(box);
  }
  if (!o.disruptions.length) $('disruptions').appendChild(text('div', 'none in this scenario', 'small'));
  for (const t of o.targets) { const opt = document.createElement('option'); opt.value = t.id; opt.textContent = t.label; $('extra-target').appendChild(opt); }
  o.overlays.forEach((ov, i) => {
    const label = document.createElement('label'); const cb = document.createElement('input');
    cb.type = 'checkbox'; cb.id = 'o-' + i; cb.dataset.file = ov.file; label.appendChild(cb);
    label.appendChild(document.createTextNode(' ' + ov.name)); label.title = ov.description; $('overlays').appendChild(label);
  });
  if (!o.overlays.length) $('overlays').appendChild(text('div', 'no overlay applies to this scenario', 'small'));
  if (o.stock_days === null) { $('food-section').style.display = 'none'; }
  else { $('stock-days').value = o.stock_days; $('stock-days-value').textContent = o.stock_days;
         $('stock-days').addEventListener('input', () => $('stock-days-value').textContent = $('stock-days').value); }
  $('replications').value = o.replications;
  window.baseline = o;
}
function request() {
  const disabled = [], edits = {};
  for (const d of window.baseline.disruptions) {
    if (!$('d-' + d.id).checked) disabled.push(d.id);
    const s = parseFloat($('start-' + d.id).value), l = parseFloat($('duration-' + d.id).value);
    if (Math.abs(s - d.start_days) > 1e-6 || Math.abs(l - d.duration_days) > 1e-6) edits[d.id] = {start_days: s, duration_days: l};
  }
  const overlays = [...document.querySelectorAll('#overlays input:checked')].map(cb => cb.dataset.file);
  const stock = window.baseline.stock_days === null ? null : parseFloat($('stock-days').value);
  const body = {disabled, edits, extra: extras, overlays, replications: parseInt($('replications').value)};
  if (stock !== null && Math.abs(stock - window.baseline.stock_days) > 1e-6) body.stock_days = stock;
  return body;
}
async function run() {
  $('status').textContent = 'running…'; $('run').disabled = true;
  try {
    const response = await fetch('/api/run', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(request())});
    const r = await response.json();
    if (!response.ok) { $('status').textContent = 'error: ' + (r.problems || [r.error]).join('; '); return; }
    const table = $('kpis'); table.innerHTML = '';
    for (const k of r.kpis) {
      const tr = document.createElement('tr');
      tr.append(text('td', k.label)); const v = text('td', k.value, 'num'); v.dataset.kpi = k.label; tr.append(v);
      tr.append(text('td', k.interval ? '[' + k.interval + ']' : '', 'num small')); tr.append(text('td', k.unit, 'small'));
      table.appendChild(tr);
    }
    $('map-img').src = 'data:image/png;base64,' + r.map; $('curves-img').src = 'data:image/png;base64,' + r.curves;
    $('status').textContent = 'done (run ' + r.run + ', ' + r.seconds + ' s)';
  } catch (e) { $('status').textContent = 'error: ' + e; }
  finally { $('run').disabled = false; }
}
$('add-extra').addEventListener('click', () => {
  const item = {target: $('extra-target').value, start_days: parseFloat($('extra-start').value), duration_days: parseFloat($('extra-duration').value)};
  extras.push(item); $('extras').appendChild(text('li', item.target + ': day ' + item.start_days + ' for ' + item.duration_days + ' d'));
});
$('run').addEventListener('click', run);
loadOptions().then(run);
</script></body></html>
"""


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
            if self.path != "/api/run":
                self._json(404, {"error": "no such endpoint"})
                return
            request = self._body()
            if request is None:
                return
            try:
                self._json(200, session.run(request))
            except Busy as exc:
                self._json(503, {"error": str(exc)}, {"Retry-After": "5"})
            except ScenarioError as exc:
                self._json(400, {"problems": [str(p) for p in exc.problems]})
            except ValueError as exc:
                self._json(400, {"error": f"bad request: {exc}"})
            except (ConnectionError, TimeoutError):
                pass
            except Exception as exc:  # noqa: BLE001 — the room sees a message, the lead's terminal no traceback
                import sys

                print(f"workshop: run failed: {type(exc).__name__}: {exc}", file=sys.stderr)
                self._json(500, {"error": f"the run failed: {type(exc).__name__}: {exc}"})

    return _Server((host, port), Handler)
