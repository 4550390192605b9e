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
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..experiment.executors import SerialExecutor
from ..experiment.runner import run_experiment
from ..scenario.errors import ScenarioError
from ..scenario.loader import load_scenario, load_variant
from ..scenario.overlay import load_overlay
from .figures import network_map, resilience_curves
from .html import headline_rows


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
        self._lock = threading.Lock()
        self._cache: dict[str, dict] = {}
        self.runs = 0

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

    def run(self, request: dict) -> dict:
        key = json.dumps(request, sort_keys=True)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            started = time.perf_counter()
            scenario, _ = load_variant(self.scenario_path, changes=self.changes_for(request))
            n = int(request.get("replications") or self.replications)
            folder = run_experiment(scenario, max(1, min(n, 20)), self.seed, self.workdir, SerialExecutor(), progress=False)
            out = folder.path / "figures"
            out.mkdir(exist_ok=True)
            map_png = network_map(folder, scenario, out)[0]
            curves_png = resilience_curves(folder, scenario, out)
            self.runs += 1
            result = {
                "run": self.runs, "name": scenario.name, "replications": n,
                "kpis": [{"label": label, "value": value, "interval": interval, "unit": unit}
                         for label, value, interval, unit in headline_rows(folder.summary())],
                "map": base64.b64encode(map_png.read_bytes()).decode(),
                "curves": base64.b64encode(curves_png.read_bytes()).decode(),
                "seconds": round(time.perf_counter() - started, 2),
            }
            self._cache[key] = result
            return result


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
            elif self.path == "/favicon.ico":
                self._send(204, b"", "image/x-icon")
            else:
                self._json(404, {"error": f"no such page {self.path}"})

        def do_POST(self):
            if self.path != "/api/run":
                self._json(404, {"error": f"no such endpoint {self.path}"})
                return
            try:
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                self._json(200, session.run(request))
            except ScenarioError as exc:
                self._json(400, {"problems": [str(p) for p in exc.problems]})
            except (ValueError, KeyError, TypeError) as exc:
                self._json(400, {"error": f"bad request: {exc}"})

    return ThreadingHTTPServer((host, port), Handler)
