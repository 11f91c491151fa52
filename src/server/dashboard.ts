// The live dashboard page served at `/`: one self-contained document (no CDN,
// no build step), fed by /api/status, /api/events and the event stream. Every
// value is written with textContent, never as HTML, and the Content-Security-
// Policy allows only this page's own script and style (by hash) and
// same-origin requests. Status reads without colour: a glyph and a word.
import { createHash } from 'node:crypto';
import { STATUS_GLYPHS, STATUS_RANK } from '../core/format.js';
import type { DaemonStatus } from '../core/types.js';

/** JSON for the inline script, ASCII only (non-ASCII as \u escapes), so the page's bytes are plain. */
const asciiJson = (v: unknown) =>
  JSON.stringify(v).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

// The page's glyphs and order are the ones every other display uses.
const PAGE_GLYPHS = Object.fromEntries(
  (Object.keys(STATUS_GLYPHS) as DaemonStatus[]).map((s) => [s, `${STATUS_GLYPHS[s]} ${s}`]),
);

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f23; --bg: #fff; --muted: #5a636e; --line: #d0d7de;
  --up: #1a7f37; --late: #9a6700; --down: #cf222e; --unknown: #6e7781; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1;
  --line: #30363d; --up: #3fb950; --late: #d29922; --down: #f85149; --unknown: #8b949e; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 1rem 1.5rem; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.2rem; margin: 0 0 .25rem; } h2 { font-size: 1rem; margin: 1.25rem 0 .5rem; }
header dl { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: .25rem 0; }
header dt { color: var(--muted); } header dd { margin: 0 0 0 .35rem; font-weight: 600; }
header div { display: flex; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { color: var(--muted); font-weight: 600; } td.num, th.num { text-align: right; }
td.reason { white-space: normal; max-width: 28rem; overflow-wrap: anywhere; }
.st { font-weight: 700; } .st[data-status="up"] { color: var(--up); } .st[data-status="late"] { color: var(--late); }
.st[data-status="down"] { color: var(--down); } .st[data-status="unknown"] { color: var(--unknown); }
tr[data-status="down"] td { background: color-mix(in srgb, var(--down) 8%, transparent); }
#conn { font-weight: 600; } #conn[data-state="live"] { color: var(--up); } #conn[data-state="lost"] { color: var(--down); }
#notice { padding: .5rem .75rem; border: 2px solid var(--down); margin: .5rem 0; }
ol#events { list-style: none; padding: 0; margin: 0; font-family: ui-monospace, monospace; font-size: 13px; }
ol#events li { padding: .15rem 0; border-bottom: 1px dotted var(--line); overflow-wrap: anywhere; }
.sev { display: inline-block; min-width: 5.5em; font-weight: 700; }
.sev-error, .sev-critical { color: var(--down); } .sev-warn { color: var(--late); }
meter { width: 8rem; vertical-align: middle; }
ol#events:empty::before { content: 'No events yet.'; color: var(--muted); }
.scroll { overflow-x: auto; }
@media (max-width: 40rem) {
  body { padding: .75rem; }
  th, td { padding: .3rem .4rem; }
  th:nth-child(4), td:nth-child(4), th:nth-child(n+6), td:nth-child(n+6) { display: none; }
}
`;

const SCRIPT = `
'use strict';
const GLYPH = ${asciiJson(PAGE_GLYPHS)};
const ORDER = ${asciiJson(STATUS_RANK)};
const $ = (id) => document.getElementById(id);
let snap = null, snapAt = 0;
const seen = new Set();

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function dur(sec) {
  if (sec == null || !isFinite(sec)) return '-';
  sec = Math.max(0, Math.floor(sec));
  const d = Math.floor(sec / 86400), h = Math.floor(sec % 86400 / 3600), m = Math.floor(sec % 3600 / 60), s = sec % 60;
  if (d) return d + 'd ' + h + 'h'; if (h) return h + 'h ' + m + 'm'; if (m) return m + 'm ' + s + 's'; return s + 's';
}
function bytes(n) {
  if (n == null) return '-';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB']; let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + ' ' + u[i];
}
function notice(text) { const n = $('notice'); n.hidden = !text; n.textContent = text || ''; }

function renderHeader(s) {
  $('host').textContent = s.system && s.system.hostname || '-';
  const c = s.summary || {};
  $('summary').textContent = (c.up || 0) + ' up, ' + (c.late || 0) + ' late, ' + (c.down || 0) + ' down, ' + (c.unknown || 0) + ' unknown';
  $('polled').textContent = new Date(s.at).toLocaleTimeString();
  const k = s.clock || {};
  const off = k.offsetMs;
  $('drift').textContent = off == null ? 'n/a' : (off >= 0 ? '+' : '') + off.toFixed(1) + ' ms' + (k.errorBoundMs != null ? ' (\\u00B1' + k.errorBoundMs.toFixed(1) + ' ms)' : '');
  $('driftbar').value = off == null ? 0 : Math.min(500, Math.abs(off));
  $('sync').textContent = k.synced == null ? 'n/a' + (k.note ? ' (' + k.note + ')' : '') : (k.synced ? 'synced' : 'NOT synced') + (k.source ? ' (' + k.source + (k.stratum != null ? ', stratum ' + k.stratum : '') + ')' : '');
  $('dirnote').textContent = s.heartbeatDirError ? 'Heartbeat directory problem: ' + s.heartbeatDirError : '';
}
function renderTable(s) {
  const rows = [...s.daemons].sort((a, b) => (ORDER[a.status] - ORDER[b.status]) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const tb = $('daemons'); const frag = document.createDocumentFragment();
  const elapsed = (Date.now() - snapAt) / 1000;
  for (const d of rows) {
    const tr = document.createElement('tr');
    tr.dataset.daemon = d.name; tr.dataset.status = d.status;
    const st = el('td', GLYPH[d.status] || d.status, 'st'); st.dataset.status = d.status; tr.append(st);
    tr.append(el('td', d.name, 'name'), el('td', d.reason || '', 'reason'), el('td', d.pid == null ? '-' : d.pid, 'num'));
    tr.append(el('td', d.ageMs == null ? '-' : dur(d.ageMs / 1000 + elapsed), 'num age'));
    tr.append(el('td', dur(d.uptimeSec == null ? null : d.uptimeSec + elapsed), 'num'));
    tr.append(el('td', d.cpuPct == null ? '-' : d.cpuPct.toFixed(1) + '%', 'num'), el('td', bytes(d.memRssBytes), 'num'), el('td', d.restarts, 'num'));
    frag.append(tr);
  }
  tb.replaceChildren(frag);
}
function render(s) { snap = s; snapAt = Date.now(); renderHeader(s); renderTable(s); }
function addEvent(e, atTop) {
  if (seen.has(e.id)) return; seen.add(e.id);
  const li = el('li'); li.dataset.severity = e.severity;
  li.append(el('span', new Date(e.at).toLocaleTimeString() + ' '), el('span', e.severity, 'sev sev-' + e.severity), el('span', (e.daemon && !e.message.startsWith(e.daemon) ? e.daemon + ': ' : '') + e.message));
  const list = $('events');
  if (atTop) list.prepend(li); else list.append(li);
  while (list.children.length > 300) list.lastChild.remove();
}
async function get(path) {
  const r = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  if (r.status === 401) { notice('Not authorised. Open this page once as /?token=YOUR_TOKEN; the browser then keeps a session cookie.'); throw new Error('401'); }
  if (!r.ok) throw new Error(String(r.status));
  return r.json();
}
async function loadEvents() {
  const { events } = await get('/api/events?limit=200');
  for (let i = events.length - 1; i >= 0; i--) addEvent(events[i], false);
}
function connect() {
  const es = new EventSource('/api/events/stream');
  es.addEventListener('open', () => { $('conn').textContent = 'live'; $('conn').dataset.state = 'live'; notice(''); });
  es.addEventListener('error', () => { $('conn').textContent = 'reconnecting'; $('conn').dataset.state = 'lost'; });
  es.addEventListener('snapshot', (m) => render(JSON.parse(m.data)));
  es.addEventListener('anomaly', (m) => addEvent(JSON.parse(m.data), true));
  es.addEventListener('reset', () => { loadEvents().catch(() => {}); });
}
setInterval(() => { if (snap) renderTable(snap); }, 1000);
get('/api/status').then(render, () => {}).finally(() => { loadEvents().catch(() => {}); connect(); });
`;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64');

export const DASHBOARD_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${sha256(SCRIPT)}'`,
  `style-src 'sha256-${sha256(STYLE)}'`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const dashboardHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ghost-hb</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>ghost-hb on <span id="host">-</span></h1>
<dl>
<div><dt>Daemons</dt><dd id="summary">-</dd></div>
<div><dt>Last poll</dt><dd id="polled">-</dd></div>
<div><dt>Clock drift</dt><dd><span id="drift">n/a</span> <meter id="driftbar" min="0" max="500" low="50" high="499" optimum="0" value="0" title="offset against the 500 ms error threshold"></meter></dd></div>
<div><dt>NTP</dt><dd id="sync">n/a</dd></div>
<div><dt>Stream</dt><dd id="conn" data-state="lost">connecting</dd></div>
</dl>
<p id="dirnote"></p>
<p id="notice" role="alert" hidden></p>
</header>
<main>
<h2>Daemons</h2>
<div class="scroll"><table>
<thead><tr><th>Status</th><th>Daemon</th><th>Reason</th><th class="num">PID</th><th class="num">Last beat</th><th class="num">Uptime</th><th class="num">CPU</th><th class="num">Memory</th><th class="num">Restarts</th></tr></thead>
<tbody id="daemons"></tbody>
</table></div>
<h2>Events</h2>
<ol id="events" aria-live="polite"></ol>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;

/** The page's 401 for a browser: how to sign in, nothing about why the last try failed. */
export const LOGIN_HINT_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ghost-hb: sign in</title></head>
<body>
<h1>ghost-hb: sign in</h1>
<p>This dashboard needs the API token. Open it once as <code>/?token=YOUR_TOKEN</code>; the browser then
keeps a session cookie and the token leaves the address bar.</p>
<p>The token is the one in <code>api.token</code>, <code>api.tokenFile</code> or <code>GHOST_HB_TOKEN</code> of the
ghost-hb serving this page.</p>
</body>
</html>
`;
