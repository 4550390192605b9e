"""The workshop page (HTML, CSS and JavaScript in one string, no build step, nothing fetched
from the network), served by ``report.workshop``.

Made for a projector at 1920×1080 in front of a room: the page never scrolls — the controls
scroll inside their own column; the map fills the middle; on the right the headline figures
as tiles, each with the untouched scenario's value and the change in colour (green better,
red worse), and one chosen panel (curves, food, power, passengers, timeline, all figures).
Pictures appear only once a run has drawn them (no empty image frames).

Exercise mode: the lead steps the clock (+6 h, +1 day), injects a closure, a border decision
or a repair crew at the clock time, and runs; the map shows the network at the clock time and
a line says what is closed, the days of food and the demand affected then. Every step and
inject is logged on the page and saved with the run (``exercise-log.json`` and a replayable
``exercise-overlay.yaml``).
"""

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>beredskap-sim workshop</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
*{box-sizing:border-box}
html,body{height:100%;margin:0;overflow:hidden}
body{font-family:system-ui,sans-serif;color:#1b2631;background:#eef1f3;font-size:15px}
header{height:58px;background:#1b4f72;color:#fff;display:flex;align-items:center;gap:18px;padding:0 18px}
header h1{margin:0;font-size:1.35em;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:760px}
#clock{font-size:1.1em;background:#154360;padding:4px 10px;border-radius:4px;white-space:nowrap}
#status{font-weight:bold;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:420px}
header .grow{flex:1}
button{font-size:1em;padding:6px 14px;background:#1e8449;color:#fff;border:0;border-radius:4px;cursor:pointer}
button.small{font-size:.85em;padding:3px 9px;background:#2e86c1}
button:disabled{background:#95a5a6}
#layout{display:grid;grid-template-columns:340px minmax(0,1fr) 600px;gap:10px;padding:10px;height:calc(100vh - 58px)}
#controls{overflow-y:auto;overflow-x:hidden;min-width:0}
section{background:#fff;border:1px solid #d5dbdb;padding:8px 10px;margin-bottom:8px;min-width:0}
h2{font-size:.95em;margin:0 0 6px}
label{display:block;margin:3px 0;font-size:.9em}
.small{font-size:.8em;color:#566573}
.row{display:flex;gap:6px;align-items:center;font-size:.85em;flex-wrap:wrap}
select,input{max-width:100%}
select{width:100%}
input[type=range]{width:150px}
#centre{display:flex;flex-direction:column;min-width:0;min-height:0}
#map-box{flex:1;min-height:0;background:#fff;border:1px solid #d5dbdb;display:flex;align-items:center;justify-content:center}
#map-box img{max-width:100%;max-height:100%;object-fit:contain}
#now{background:#fff;border:1px solid #d5dbdb;margin-top:8px;padding:6px 10px;font-size:.95em;min-height:2.2em}
#right{display:flex;flex-direction:column;min-width:0;min-height:0}
#tiles{display:grid;grid-template-columns:repeat(3,1fr);gap:8px;margin-bottom:8px}
.tile{background:#fff;border:1px solid #d5dbdb;padding:6px 8px;min-width:0}
.tile .label{font-size:.78em;color:#566573;line-height:1.2;height:2.4em;overflow:hidden}
.tile .value{font-size:1.6em;font-weight:bold;font-variant-numeric:tabular-nums}
.tile .unit{font-size:.55em;font-weight:normal;color:#566573}
.tile .delta{font-size:.85em;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.better{color:#1e8449}.worse{color:#c0392b}.same{color:#566573}
#tabs{display:flex;gap:4px;flex-wrap:wrap}
#tabs button{background:#d6dbdf;color:#1b2631;font-size:.85em;padding:4px 10px;border-radius:4px 4px 0 0}
#tabs button.on{background:#fff;font-weight:bold}
#panel{flex:1;min-height:0;background:#fff;border:1px solid #d5dbdb;overflow:hidden;display:flex;align-items:center;justify-content:center}
#panel img{max-width:100%;max-height:100%;object-fit:contain}
#all{width:100%;height:100%;overflow-y:auto;padding:4px 8px}
table{border-collapse:collapse;width:100%;font-size:.85em} td{border-bottom:1px solid #eaeded;padding:2px 5px}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.hidden{display:none !important}
#log{max-height:150px;overflow-y:auto;margin:4px 0 0;padding-left:18px}
.wait{color:#566573;font-size:1.1em}
</style></head>
<body><header><h1 id="title">beredskap-sim workshop</h1><span id="clock" class="hidden"></span>
<span class="grow"></span><span id="status">loading…</span><button id="run" type="button">Run</button></header>
<div id="layout">
<div id="controls">
<section><h2>Disruptions</h2><div id="disruptions"></div></section>
<section><h2>Add a closure</h2><select id="extra-target"></select>
<div class="row">from day <input id="extra-start" type="number" value="1" min="0" step="0.5" style="width:4em">
for <input id="extra-duration" type="number" value="2" min="0.1" step="0.5" style="width:4em"> days
<button id="add-extra" type="button" class="small">add</button></div><ul id="extras" class="small"></ul></section>
<section><h2>Investments</h2><div id="overlays"></div></section>
<section id="food-section"><h2>Food stock in the municipalities</h2>
<div class="row"><input id="stock-days" type="range" min="1" max="21" step="0.5"><span id="stock-days-value"></span> days</div></section>
<section><div class="row">replications <input id="replications" type="number" min="1" max="20" style="width:4em"></div></section>
<section id="exercise"><h2>Exercise mode</h2>
<label><input id="exercise-on" type="checkbox"> run as an exercise (clock and injects)</label>
<div id="exercise-tools" class="hidden">
<div class="row">clock <button id="step-6h" type="button" class="small">+6 h</button>
<button id="step-1d" type="button" class="small">+1 day</button></div>
<div class="small">Inject now: closure of</div><select id="inject-target"></select>
<div class="row">for <input id="inject-hours" type="number" value="24" min="1" step="1" style="width:4.5em"> h
<button id="inject-closure" type="button" class="small">close</button></div>
<div class="small">Border decision: close</div><select id="inject-border"></select>
<div class="row"><label><input id="inject-exempt" type="checkbox" checked> freight and commuters exempt</label>
<button id="inject-border-go" type="button" class="small">decide</button></div>
<div class="small">Send a repair crew to</div><select id="inject-crew"></select>
<div class="row">done in <input id="crew-hours" type="number" value="12" min="1" step="1" style="width:4.5em"> h
<button id="inject-crew-go" type="button" class="small">send</button></div>
<ol id="log" class="small"></ol>
<button id="save-exercise" type="button" class="small">save the exercise with the run</button>
<div id="saved" class="small"></div></div></section>
</div>
<div id="centre"><div id="map-box"><span id="map-wait" class="wait">The map appears after the first run.</span>
<img id="map-img" alt="network map" class="hidden"></div><div id="now" class="small"></div></div>
<div id="right"><div id="tiles"></div>
<div id="tabs"></div>
<div id="panel"><span id="panel-wait" class="wait">Pictures appear after the first run.</span>
<img id="panel-img" alt="panel" class="hidden"><div id="all" class="hidden"><table id="kpis"></table></div></div>
</div></div>
<script>
const $ = (id) => document.getElementById(id);
const extras = [];
const TILES = ['Freight lost (past deadline)', 'Freight delivered late (> 1 h)', 'Food: minimum days of supply',
               'Power: energy not served', 'Trains replaced by bus', 'Commuter trips lost'];
const TABS = [['curves', 'Freight curves'], ['food', 'Food'], ['power', 'Power'], ['passengers', 'Passengers'],
              ['workforce', 'Workforce'], ['timeline', 'Timeline'], ['all', 'All figures']];
let current = null, tab = 'food';
function text(tag, content, cls) { const e = document.createElement(tag); e.textContent = content; if (cls) e.className = cls; return e; }
function option(select, id, label) { const o = document.createElement('option'); o.value = id; o.textContent = label; select.appendChild(o); }
function slider(min, max, step, value, onchange) {
  const s = document.createElement('input'); s.type = 'range'; s.min = min; s.max = max; s.step = step; s.value = value;
  s.addEventListener('input', onchange); return s;
}
async function loadOptions() {
  const o = await (await fetch('/api/options')).json();
  $('title').textContent = o.name; $('title').title = o.description;
  for (const d of o.disruptions) {
    const box = document.createElement('div');
    const label = document.createElement('label');
    const cb = document.createElement('input'); cb.type = 'checkbox'; cb.checked = true; cb.id = 'd-' + d.id; cb.dataset.id = d.id;
    label.appendChild(cb); label.appendChild(document.createTextNode(' ' + d.description));
    box.appendChild(label);
    const start = text('span', ''), dur = text('span', '');
    // Hourly steps from 0, so every whole-hour time in the scenario is a slider position and the
    // untouched page runs exactly the scenario as written.
    const hour = 1 / 24, fmt = (v) => (Math.round(parseFloat(v) * 24) / 24).toFixed(2);
    const s1 = slider(0, o.horizon_days, hour, d.start_days, () => start.textContent = 'day ' + fmt(s1.value));
    const s2 = slider(0, o.horizon_days, hour, d.duration_days, () => dur.textContent = fmt(s2.value) + ' d');
    s1.id = 'start-' + d.id; s2.id = 'duration-' + d.id;
    start.textContent = 'day ' + fmt(s1.value); dur.textContent = fmt(s2.value) + ' d';
    const r1 = document.createElement('div'); r1.className = 'row'; r1.append('start', s1, start);
    const r2 = document.createElement('div'); r2.className = 'row'; r2.append('length', s2, dur);
    box.append(r1, r2); $('disruptions').appendChild(box);
    option($('inject-crew'), d.id, d.description);
  }
  if (!o.disruptions.length) $('disruptions').appendChild(text('div', 'none in this scenario', 'small'));
  for (const t of o.targets) { option($('extra-target'), t.id, t.label); option($('inject-target'), t.id, t.label); }
  for (const b of o.borders) option($('inject-border'), b.id, b.label);
  o.overlays.forEach((ov, i) => {
    const label = document.createElement('label'); const cb = document.createElement('input');
    cb.type = 'checkbox'; cb.id = 'o-' + i; cb.dataset.file = ov.file; label.appendChild(cb);
    label.appendChild(document.createTextNode(' ' + ov.name)); label.title = ov.description; $('overlays').appendChild(label);
  });
  if (!o.overlays.length) $('overlays').appendChild(text('div', 'no overlay applies to this scenario', 'small'));
  if (o.stock_days === null) { $('food-section').classList.add('hidden'); }
  else { $('stock-days').value = o.stock_days; $('stock-days-value').textContent = o.stock_days;
         $('stock-days').addEventListener('input', () => $('stock-days-value').textContent = $('stock-days').value); }
  $('replications').value = o.replications;
  for (const [id, label] of TABS) {
    const b = text('button', label); b.type = 'button'; b.id = 'tab-' + id; b.addEventListener('click', () => { tab = id; show(); });
    $('tabs').appendChild(b);
  }
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
function tile(k) {
  const t = document.createElement('div'); t.className = 'tile'; t.dataset.tile = k.label;
  t.append(text('div', k.label, 'label'));
  const v = text('div', k.value, 'value'); v.append(' ', text('span', k.unit, 'unit')); t.append(v);
  const cls = k.better === true ? 'better' : k.better === false ? 'worse' : 'same';
  t.append(text('div', k.baseline === undefined ? 'the scenario as written' : 'was ' + k.baseline + ' · change ' + k.delta, 'delta ' + cls));
  t.title = k.label + (k.interval ? ' — 95 % interval ' + k.interval : '');
  return t;
}
function show() {
  for (const [id] of TABS) $('tab-' + id).className = id === tab ? 'on' : '';
  if (!current) return;
  $('panel-wait').classList.add('hidden');
  const image = current.images[tab];
  $('all').classList.toggle('hidden', tab !== 'all');
  $('panel-img').classList.toggle('hidden', tab === 'all' || !image);
  if (tab !== 'all' && image) $('panel-img').src = 'data:image/png;base64,' + image;
  if (tab !== 'all' && !image) { $('panel-wait').textContent = 'not modelled in this scenario'; $('panel-wait').classList.remove('hidden'); }
}
function render(r) {
  current = r;
  if (!r.images[tab]) tab = ['food', 'curves'].find(t => r.images[t]) || 'all';
  const tiles = $('tiles'); tiles.innerHTML = '';
  for (const name of TILES) { const k = r.kpis.find(k => k.label.startsWith(name)); if (k) tiles.appendChild(tile(k)); }
  const table = $('kpis'); table.innerHTML = '';
  for (const k of r.kpis) {
    const tr = document.createElement('tr');
    tr.append(text('td', k.label)); const v = text('td', k.value, 'num'); v.dataset.kpi = k.label; tr.append(v);
    tr.append(text('td', k.unit, 'small'));
    tr.append(text('td', k.interval ? '95 %: ' + k.interval : '', 'num small'));
    const cls = k.better === true ? 'better' : k.better === false ? 'worse' : 'same';
    tr.append(text('td', k.baseline === undefined ? '' : 'was ' + k.baseline + ' (' + k.delta + ')', 'num small ' + cls));
    table.appendChild(tr);
  }
  $('map-img').src = 'data:image/png;base64,' + r.map; $('map-img').classList.remove('hidden'); $('map-wait').classList.add('hidden');
  $('now').textContent = r.now ? 'At ' + r.now.time + ': ' + (r.now.closed.length ? 'closed: ' + r.now.closed.join('; ') : 'nothing closed') +
      '. Food: ' + Object.entries(r.now.food_days).map(([k, v]) => k + ' ' + v + ' d').join(', ') + '. ' + r.now.affected + '.' : '';
  show();
}
async function post(path, body) {
  const response = await fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  const r = await response.json();
  if (!response.ok) throw new Error((r.problems || [r.error]).join('; '));
  return r;
}
function exercising() { return $('exercise-on').checked; }
function showExercise(state) {
  $('clock').textContent = 'clock: ' + state.clock; $('clock').classList.toggle('hidden', !exercising());
  const log = $('log'); log.innerHTML = '';
  for (const e of state.log) {
    const what = e.kind === 'clock' ? 'clock +' + e.hours + ' h' : e.kind === 'crew' ? 'crew sent to ' + e.disruption + ', done in ' + e.hours + ' h'
      : (e.kind === 'border' ? 'border closed: ' : 'closed: ') + e.target + ' for ' + e.hours + ' h' + (e.exempt && e.exempt.length ? ' (exempt: ' + e.exempt.join(', ') + ')' : '');
    log.appendChild(text('li', e.at + ' — ' + what));
  }
}
let runs = 0;
async function run() {
  $('status').textContent = 'running…'; $('run').disabled = true;
  try {
    const r = await post(exercising() ? '/api/exercise/run' : '/api/run', request());
    render(r); runs += 1;
    $('status').textContent = 'done (run ' + r.run + ', ' + r.seconds + ' s)';
  } catch (e) { $('status').textContent = 'error: ' + e.message; }
  finally { $('run').disabled = false; }
}
async function exerciseAction(path, body) {
  try { showExercise(await post(path, body)); await run(); } catch (e) { $('status').textContent = 'error: ' + e.message; }
}
$('add-extra').addEventListener('click', () => {
  const item = {target: $('extra-target').value, start_days: parseFloat($('extra-start').value), duration_days: parseFloat($('extra-duration').value)};
  extras.push(item);
  $('extras').appendChild(text('li', $('extra-target').selectedOptions[0].textContent + ': day ' + item.start_days + ' for ' + item.duration_days + ' d'));
});
$('exercise-on').addEventListener('change', async () => {
  $('exercise-tools').classList.toggle('hidden', !exercising());
  showExercise(await (await fetch('/api/exercise')).json());
});
$('step-6h').addEventListener('click', () => exerciseAction('/api/exercise/step', {hours: 6}));
$('step-1d').addEventListener('click', () => exerciseAction('/api/exercise/step', {hours: 24}));
$('inject-closure').addEventListener('click', () => exerciseAction('/api/exercise/inject',
  {kind: 'closure', target: $('inject-target').value, hours: parseFloat($('inject-hours').value)}));
$('inject-border-go').addEventListener('click', () => exerciseAction('/api/exercise/inject',
  {kind: 'border', target: $('inject-border').value, hours: parseFloat($('inject-hours').value),
   exempt: $('inject-exempt').checked ? ['food', 'general', 'timber', 'fuel', 'commuters'] : []}));
$('inject-crew-go').addEventListener('click', () => exerciseAction('/api/exercise/inject',
  {kind: 'crew', disruption: $('inject-crew').value, hours: parseFloat($('crew-hours').value)}));
$('save-exercise').addEventListener('click', async () => {
  try { const r = await post('/api/exercise/save', request()); $('saved').textContent = 'saved: ' + r.log + ' and ' + r.overlay; }
  catch (e) { $('saved').textContent = 'error: ' + e.message; }
});
$('run').addEventListener('click', run);
loadOptions().then(() => { show(); return run(); });
</script></body></html>
"""
