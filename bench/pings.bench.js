// HTTP pings: POST /ping/NAME with autocannon at 50 connections over 100
// names, beside a bare node:http server with a fixed body (the baseline, same
// run). The server runs in its own process with ghost-hb's real monitor
// polling every second; the spacing of those polls is measured idle and under
// each load, to show the interval holds. Two loads: with the per-name rate
// limit lifted (every ping writes a heartbeat file atomically) and with the
// default limit (a flood from one client: nearly all 429, nothing written).
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median, printTable, ratio } from './lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DURATION = Number(process.env.BENCH_PINGS_SECONDS ?? 10);
const CONNECTIONS = 50;
const DAEMONS = 100;
const INTERVAL_S = 1;
const TOKEN = 'bench-token-0123456789abcdef';

function start(mode, tmp, env = {}) {
  const child = fork(
    path.join(here, 'http-server.js'),
    [mode, tmp, String(DAEMONS), String(INTERVAL_S)],
    {
      env: { ...process.env, BENCH_TOKEN: TOKEN, ...env },
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

/** Idle poll spacing, then a load, then the spacing under it. */
async function measure(env, url) {
  const gh = await start('ghost-hb', url, env);
  await sleep(1500);
  await ask(gh.child, 'polls');
  await sleep(DURATION * 1000);
  const idle = spacing((await ask(gh.child, 'polls')).polls);
  const result = await load(gh.url, { Authorization: `Bearer ${TOKEN}` }, PINGS);
  const under = spacing((await ask(gh.child, 'polls')).polls);
  gh.child.send('stop');
  await new Promise((r) => gh.child.once('exit', r));
  return { idle, result, under };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ghb-bench-pings-'));
try {
  const base = await start('baseline', tmp);
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
