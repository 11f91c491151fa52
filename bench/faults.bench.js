// /api/events over a large rotated event log (~50 MB in events.jsonl.1..5):
// queries the in-memory ring cannot answer read the log in chunks that yield
// to the event loop, one scan at a time. Measured: start-up RSS with that log,
// the spacing of the monitor's polls idle (the baseline, same run) and while 8
// clients query the log back to back, and the latency of those queries.
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { median, printTable } from './lib.js';
import { ask, idleSpacing, pollSpacing, sleep, startServer } from './serverProcess.js';

const DURATION_MS = Number(process.env.BENCH_FAULTS_SECONDS ?? 10) * 1000;
const CLIENTS = 8;
const FILES = 5;
const FILE_BYTES = 10 * 1024 * 1024;
const TOKEN = 'bench-token-0123456789abcdef';

/** events.jsonl.5 .. .1, ~10 MB each, oldest first; ids increase throughout. */
function seedLog(stateDir) {
  mkdirSync(stateDir, { recursive: true });
  let id = 1;
  const t0 = Date.now() - 3 * 86_400_000;
  for (let f = FILES; f >= 1; f--) {
    const fd = openSync(path.join(stateDir, `events.jsonl.${f}`), 'w');
    let bytes = 0;
    let chunk = '';
    while (bytes < FILE_BYTES) {
      const e = {
        id: String(id),
        at: new Date(t0 + id * 500).toISOString(),
        severity: id % 7 === 0 ? 'error' : 'warn',
        rule: 'late',
        daemon: `old${id % 50}`,
        message: `old${id % 50} is late by ${id % 90}s (beat interval 10s, tolerance 5s)`,
        data: { lateMs: (id % 90) * 1000 },
      };
      const line = `${JSON.stringify(e)}\n`;
      chunk += line;
      bytes += line.length;
      id++;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, chunk);
    closeSync(fd);
  }
  return { events: id - 1, sinceIso: new Date(t0).toISOString() };
}

function get(url) {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
        let n = 0;
        res.on('data', (d) => (n += d.length));
        res.on('end', () => resolve({ ms: performance.now() - t, status: res.statusCode, n }));
      })
      .on('error', reject);
  });
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ghb-bench-faults-'));
try {
  const seeded = seedLog(path.join(tmp, 'state'));
  const gh = await startServer('ghost-hb', tmp, { token: TOKEN });
  const { rss } = await ask(gh.child, 'rss');
  const idle = await idleSpacing(gh.child, DURATION_MS);
  const healthIdle = [];
  for (let i = 0; i < 20; i++) healthIdle.push((await get(`${gh.url}/healthz`)).ms);

  // Not in the ring (its 1,000 newest are the monitor's own): every query reads the log.
  const q = `${gh.url}/api/events?since=${encodeURIComponent(seeded.sinceIso)}&daemon=old7&limit=100`;
  const latencies = [];
  const health = [];
  let errors = 0;
  const until = performance.now() + DURATION_MS;
  const client = async () => {
    while (performance.now() < until) {
      const r = await get(q);
      if (r.status !== 200) errors++;
      latencies.push(r.ms);
    }
  };
  const healthLoop = async () => {
    while (performance.now() < until) {
      health.push((await get(`${gh.url}/healthz`)).ms);
      await sleep(100);
    }
  };
  await Promise.all([...Array.from({ length: CLIENTS }, client), healthLoop()]);
  const loaded = await pollSpacing(gh.child);
  // Wait for it to stop writing before its directory is removed.
  const exited = new Promise((resolve) => gh.child.once('exit', resolve));
  gh.child.send('stop');
  await exited;

  console.log(
    `\n# event log: ${FILES} rotated files x ${FILE_BYTES / 1048576} MiB, ${seeded.events} events; start-up RSS ${(rss / 1048576).toFixed(0)} MiB`,
  );
  printTable(
    'Poll spacing (interval 1000 ms, 100 daemons), idle vs 8 clients querying the log',
    [
      { name: 'idle (baseline)', ...idle, health: median(healthIdle) },
      { name: `${CLIENTS} clients on /api/events`, ...loaded, health: median(health) },
    ],
    [
      { key: 'polls', label: 'polls', digits: 0 },
      { key: 'gapMedian', label: 'gap median ms', digits: 1 },
      { key: 'gapMax', label: 'gap max ms', digits: 1 },
      { key: 'health', label: '/healthz median ms', digits: 1 },
    ],
  );
  const sorted = [...latencies].sort((a, b) => a - b);
  printTable(
    '/api/events over the whole log (8 concurrent clients, one scan at a time)',
    [
      {
        name: 'since 3 days, daemon, limit 100',
        n: latencies.length,
        p50: median(latencies),
        max: sorted.at(-1),
        errors,
      },
    ],
    [
      { key: 'n', label: 'queries', digits: 0 },
      { key: 'p50', label: 'latency median ms', digits: 0 },
      { key: 'max', label: 'latency max ms', digits: 0 },
      { key: 'errors', label: 'non-200', digits: 0 },
    ],
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
