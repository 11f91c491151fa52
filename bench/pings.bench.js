// HTTP pings: POST /ping/NAME with autocannon at 50 connections over 100
// names, beside a bare node:http server with a fixed body (the baseline, same
// run). The server runs in its own process with ghost-hb's real monitor
// polling every second; the spacing of those polls is measured idle and under
// each load, to show the interval holds. Two loads: with the per-name rate
// limit lifted (every ping writes a heartbeat file atomically) and with the
// default limit (a flood from one client: nearly all 429, nothing written).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { printTable, ratio } from './lib.js';
import { idleSpacing, pollSpacing, SPACING_COLUMNS, startServer } from './serverProcess.js';

const DURATION = Number(process.env.BENCH_PINGS_SECONDS ?? 10);
const CONNECTIONS = 50;
const DAEMONS = 100;
const INTERVAL_S = 1;
const TOKEN = 'bench-token-0123456789abcdef';
const SERVER_OPTIONS = (env = {}) => ({
  daemons: DAEMONS,
  intervalS: INTERVAL_S,
  token: TOKEN,
  env,
});

const PINGS = Array.from({ length: DAEMONS }, (_, i) => ({
  method: 'POST',
  path: `/ping/daemon${String(i).padStart(3, '0')}`,
}));

async function load(url, headers = {}, requests = undefined) {
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    headers,
    ...(requests ? { requests } : {}),
  });
  return {
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'],
    refused: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/** Idle poll spacing, then a load, then the spacing under it. */
async function measure(env, url) {
  const gh = await startServer('ghost-hb', url, SERVER_OPTIONS(env));
  const idle = await idleSpacing(gh.child, DURATION * 1000);
  const result = await load(gh.url, { Authorization: `Bearer ${TOKEN}` }, PINGS);
  const under = await pollSpacing(gh.child);
  gh.child.send('stop');
  await new Promise((r) => gh.child.once('exit', r));
  return { idle, result, under };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ghb-bench-pings-'));
try {
  const base = await startServer('baseline', tmp, SERVER_OPTIONS());
  const baseline = await load(`${base.url}/`, {}, PINGS);
  base.child.kill();

  const unlimited = await measure({ BENCH_PING_UNLIMITED: '1' }, path.join(tmp, 'a'));
  const limited = await measure({}, path.join(tmp, 'b'));

  printTable(
    `Pings, autocannon ${CONNECTIONS} connections x ${DURATION} s over ${DAEMONS} names, bearer token`,
    [
      { name: 'baseline: bare node:http, fixed body', ...baseline },
      { name: 'POST /ping/NAME, rate limit lifted (each writes)', ...unlimited.result },
      { name: 'POST /ping/NAME, default limit (flood: 429s)', ...limited.result },
    ],
    [
      { key: 'reqPerSec', label: 'req/s', digits: 0 },
      { label: 'vs baseline', value: (r) => ratio(r.reqPerSec, baseline.reqPerSec) },
      { key: 'p50', label: 'p50 ms', digits: 1 },
      { key: 'p99', label: 'p99 ms', digits: 1 },
      { key: 'ok', label: '2xx', digits: 0 },
      { key: 'refused', label: 'non-2xx', digits: 0 },
      { key: 'errors', label: 'errors', digits: 0 },
    ],
  );
  printTable(
    `Poll spacing (interval ${INTERVAL_S * 1000} ms, ${DAEMONS} daemons), idle vs under pings`,
    [
      { name: 'idle', ...unlimited.idle },
      { name: 'while pinging, limit lifted', ...unlimited.under },
      { name: 'while pinging, default limit', ...limited.under },
    ],
    SPACING_COLUMNS,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
