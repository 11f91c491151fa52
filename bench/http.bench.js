// HTTP API throughput: /api/status and /metrics with autocannon at 100
// concurrent connections for 10 s over 100 daemons, beside a bare node:http
// server returning a fixed body (the baseline, same run). The server runs in
// its own process, as `ghost-hb serve` does, with its real monitor polling
// every second; the spacing of those polls is measured idle and under load to
// confirm the interval holds.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { printTable, ratio } from './lib.js';
import { idleSpacing, pollSpacing, SPACING_COLUMNS, startServer } from './serverProcess.js';

const DURATION = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const CONNECTIONS = 100;
const DAEMONS = 100;
const INTERVAL_S = 1;
const TOKEN = 'bench-token-0123456789abcdef';

async function load(url, headers = {}) {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  return {
    reqPerSec: r.requests.p50,
    reqAvg: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx + r.errors + r.timeouts,
  };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ghb-bench-http-'));
try {
  const server = { daemons: DAEMONS, intervalS: INTERVAL_S, token: TOKEN };
  const base = await startServer('baseline', tmp, server);
  const baseline = await load(`${base.url}/`);
  base.child.kill();

  const gh = await startServer('ghost-hb', tmp, server);
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const idle = await idleSpacing(gh.child, DURATION * 1000);
  const status = await load(`${gh.url}/api/status`, auth);
  const underStatus = await pollSpacing(gh.child);
  const metrics = await load(`${gh.url}/metrics`, auth);
  const underMetrics = await pollSpacing(gh.child);
  gh.child.send('stop');

  const rows = [
    { name: 'baseline: bare node:http, fixed body', ...baseline },
    { name: `/api/status (${DAEMONS} daemons)`, ...status },
    { name: `/metrics (${DAEMONS} daemons)`, ...metrics },
  ];
  printTable(
    `HTTP API, autocannon ${CONNECTIONS} connections x ${DURATION} s, bearer token, audit on`,
    rows,
    [
      { key: 'reqPerSec', label: 'req/s median', digits: 0 },
      { label: 'vs baseline', value: (r) => ratio(r.reqPerSec, baseline.reqPerSec) },
      { key: 'p50', label: 'latency p50 ms', digits: 1 },
      { key: 'p99', label: 'latency p99 ms', digits: 1 },
      { key: 'non2xx', label: 'errors/non-2xx', digits: 0 },
    ],
  );
  printTable(
    `Poll spacing (interval ${INTERVAL_S * 1000} ms, ${DAEMONS} daemons), idle vs under load`,
    [
      { name: 'idle', ...idle },
      { name: 'while loading /api/status', ...underStatus },
      { name: 'while loading /metrics', ...underMetrics },
    ],
    SPACING_COLUMNS,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
