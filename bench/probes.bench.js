// Probes for 100 daemons per poll: the time one engine poll takes when each
// of 100 declared daemons has an http, tcp or exec probe (against a local
// server in another process), beside two baselines measured in the same run:
// the same poll with no probes, and 100 bare `http.get`s to that server at
// once. Median wall and CPU ms per poll.
import { fork } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, printTable, ratio } from './lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DAEMONS = 100;
const ITERATIONS = Number(process.env.BENCH_PROBE_POLLS ?? 15);

const { resolveConfig } = await import('../dist/config/schema.js');
const { Engine } = await import('../dist/runtime/engine.js');
const { systemInstant } = await import('../dist/runtime/poller.js');

function startServer(tmp) {
  const child = fork(path.join(here, 'http-server.js'), ['baseline', tmp], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve) => child.once('message', (m) => resolve({ child, url: m.url })));
}

function engineWith(tmp, probe) {
  const hb = path.join(tmp, 'hb');
  mkdirSync(hb, { recursive: true });
  const daemons = Array.from({ length: DAEMONS }, (_, i) => ({
    name: `svc${String(i).padStart(3, '0')}`,
    ...(probe ? { probe, timeout: 5 } : {}),
  }));
  const config = resolveConfig(
    { heartbeatDir: hb, pollInterval: 10, daemons, discover: false },
    { baseDir: tmp, configFile: null },
  );
  return new Engine(config);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ghb-bench-probes-'));
const server = await startServer(tmp);
try {
  const port = new URL(server.url).port;
  const bareGets = () =>
    Promise.all(
      Array.from(
        { length: DAEMONS },
        () =>
          new Promise((resolve) => {
            const req = http.get(`${server.url}/health`, { agent: false }, (res) => {
              res.resume();
              res.once('end', resolve);
            });
            req.once('error', resolve);
          }),
      ),
    );
  const cases = [
    ['baseline: 100 bare http.get at once', null, bareGets],
    ['baseline: engine poll, no probes', engineWith(tmp, null)],
    ['engine poll, 100 http probes', engineWith(tmp, `${server.url}/health`)],
    ['engine poll, 100 tcp probes', engineWith(tmp, `tcp:127.0.0.1:${port}`)],
    ['engine poll, 100 exec:true probes', engineWith(tmp, 'exec:true')],
  ];
  const rows = [];
  for (const [name, engine, fn] of cases) {
    const run = fn ?? (() => engine.poll(systemInstant()));
    const r = await measure(run, { iterations: ITERATIONS, warmup: 2 });
    const last = engine?.lastSnapshot;
    const up = last ? last.daemons.filter((d) => d.probe?.ok === true).length : null;
    rows.push({ name, ...r, probesOk: up });
  }
  const [get, plain] = rows;
  printTable(`Probes for ${DAEMONS} daemons per poll, median of ${ITERATIONS} polls`, rows, [
    { key: 'wallMs', label: 'wall ms', digits: 1 },
    { key: 'cpuMs', label: 'cpu ms', digits: 1 },
    { label: 'wall vs bare gets', value: (r) => ratio(r.wallMs, get.wallMs) },
    { label: 'cpu vs no-probe poll', value: (r) => ratio(r.cpuMs, plain.cpuMs) },
    { key: 'probesOk', label: 'probes ok', digits: 0 },
  ]);
} finally {
  server.child.kill();
  rmSync(tmp, { recursive: true, force: true });
}
