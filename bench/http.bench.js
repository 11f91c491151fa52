// HTTP API throughput: /api/status and /metrics with autocannon at 100
// concurrent connections for 10 s over 100 daemons, beside a bare node:http
// server returning a fixed body (the baseline, same run). The server runs in
// its own process, as `ghost-hb serve` does, with its real monitor polling
// every second; the spacing of those polls is measured idle and under load to
// confirm the interval holds.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median, printTable, ratio } from './lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DURATION = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const CONNECTIONS = 100;
const DAEMONS = 100;
const INTERVAL_S = 1;
const TOKEN = 'bench-token-0123456789abcdef';

function start(mode, tmp) {
  const child = fork(
    path.join(here, 'http-server.js'),
    [mode, tmp, String(DAEMONS), String(INTERVAL_S)],
    {
      env: { ...process.env, BENCH_TOKEN: TOKEN },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, url: m.url }));
    child.once('exit', (c) => reject(new Error(`${mode} server exited with ${c}`)));
  });
}

const ask = (child, what) =>
  new Promise((resolve) => {
    child.once('message', resolve);
    child.send(what);
  });

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

function spacing(polls) {
  const gaps = [];
  for (let i = 1; i < polls.length; i++) gaps.push(polls[i].at - polls[i - 1].at);
  return {
    polls: polls.length,
    gapMedian: gaps.length ? median(gaps) : null,
    gapMax: gaps.length ? Math.max(...gaps) : null,
    pollMs: polls.length ? median(polls.map((p) => p.ms)) : null,
  };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ghb-bench-http-'));
try {
  const base = await start('baseline', tmp);
  const baseline = await load(`${base.url}/`);
  base.child.kill();

  const gh = await start('ghost-hb', tmp);
  const auth = { Authorization: `Bearer ${TOKEN}` };
  await new Promise((r) => setTimeout(r, 1500)); // first polls
  await ask(gh.child, 'polls');
  await new Promise((r) => setTimeout(r, DURATION * 1000));
  const idle = spacing((await ask(gh.child, 'polls')).polls);
  const status = await load(`${gh.url}/api/status`, auth);
  const underStatus = spacing((await ask(gh.child, 'polls')).polls);
  const metrics = await load(`${gh.url}/metrics`, auth);
  const underMetrics = spacing((await ask(gh.child, 'polls')).polls);
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
    [
      { key: 'polls', label: 'polls', digits: 0 },
      { key: 'gapMedian', label: 'gap median ms', digits: 1 },
      { key: 'gapMax', label: 'gap max ms', digits: 1 },
      { key: 'pollMs', label: 'poll median ms', digits: 1 },
    ],
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
