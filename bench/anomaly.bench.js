// Anomaly rules and the event log, each beside a baseline measured in the
// same run:
//  - rule evaluation for one poll of 10,000 daemons (target: under 20 ms),
//    against a plain loop over the same snapshot computing the status summary;
//  - appending 100,000 events to the JSONL log, against fs.appendFileSync of
//    the same bytes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { defaultConfig } from '../dist/config/schema.js';
import { detectAnomalies, initialRuleState } from '../dist/core/anomaly/index.js';
import { EventLog } from '../dist/store/eventLog.js';
import { measure, median, printTable, ratio } from './lib.js';

const DAEMONS = 10_000;
// Other work on the machine stretches wall time; print the load beside the numbers.
console.log(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${os.cpus().length} CPUs`,
);
const EVENTS = 100_000;
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const config = defaultConfig(process.cwd());

function snapshotAt(poll) {
  const at = T0 + poll * 5000;
  const daemons = [];
  for (let i = 0; i < DAEMONS; i++) {
    // A realistic mix: most up, a few late, some down, beats advancing every poll.
    const status = i % 50 === 0 ? 'down' : i % 20 === 0 ? 'late' : 'up';
    daemons.push({
      name: `d${i}`,
      status,
      reason: status === 'down' ? 'crashed' : status === 'late' ? 'stale' : null,
      pid: 10_000 + i,
      lastBeatAt: new Date(at - (i % 5) * 100).toISOString(),
      ageMs: (i % 5) * 100,
      intervalSec: 5,
      processAlive: status !== 'down',
      uptimeSec: 1000,
      cpuPct: i % 7,
      memRssBytes: 50_000_000 + (i % 13) * 1000,
      restarts: 0,
      source: 'json',
      problems: [],
      skewMs: 3,
      critical: false,
      declared: true,
      graceSec: 15,
      toleranceSec: 1,
      heartbeatPath: `/hb/d${i}.json`,
      payload: null,
      selfStatus: 'ok',
      message: null,
      command: 'node',
      startedAt: null,
      seq: poll,
      clockSuspect: false,
    });
  }
  return {
    version: 1,
    at: new Date(at).toISOString(),
    heartbeatDir: '/hb',
    heartbeatDirError: null,
    system: { hostname: 'h', uptimeSec: 1e6, load1: 0, memUsedBytes: 1, memTotalBytes: 2 },
    clock: {
      synced: true,
      offsetMs: 1,
      errorBoundMs: 2,
      source: 'bench',
      stratum: 2,
      lastJumpAt: null,
      lastJumpMs: null,
    },
    daemons,
    summary: { up: 0, late: 0, down: 0, unknown: 0 },
    sources: { heartbeats: true, processes: true, system: true },
    pollMs: 1,
  };
}

// --- Rule evaluation -----------------------------------------------------------
const snapshots = Array.from({ length: 8 }, (_, i) => snapshotAt(i));
let state = initialRuleState();
let poll = 0;
// Steady state first: the first evaluations announce the initial down/late daemons.
for (; poll < 25; poll++) {
  state = detectAnomalies(state, snapshots[poll % 8], config, {
    wallMs: T0 + poll * 5000,
    monoMs: poll * 5000,
  }).state;
}
const rules = await measure(
  () => {
    const r = detectAnomalies(state, snapshots[poll % 8], config, {
      wallMs: T0 + poll * 5000,
      monoMs: poll * 5000,
    });
    state = r.state;
    poll++;
  },
  { iterations: 40, warmup: 5 },
);
let sink = 0;
const baseline = await measure(
  () => {
    const s = snapshots[poll++ % 8];
    const summary = { up: 0, late: 0, down: 0, unknown: 0 };
    for (const d of s.daemons) {
      summary[d.status]++;
      if (d.cpuPct > 90 || (d.memRssBytes ?? 0) > 1e12) sink++;
    }
    sink += summary.up;
  },
  { iterations: 40, warmup: 5 },
);
printTable(
  `rule evaluation per poll, ${DAEMONS.toLocaleString('en')} daemons (target < 20 ms)`,
  [
    { name: 'baseline: loop computing the summary', ...baseline },
    { name: 'detectAnomalies', ...rules },
  ],
  [
    { label: 'median wall ms', key: 'wallMs' },
    { label: 'median CPU ms', key: 'cpuMs' },
    { label: 'vs baseline', value: (r) => ratio(r.wallMs, baseline.wallMs) },
    { label: 'peak RSS MiB', key: 'peakRssMiB', digits: 0 },
  ],
);
console.log(
  `detectAnomalies median ${rules.wallMs.toFixed(2)} ms: ${rules.wallMs < 20 ? 'within' : 'OVER'} the 20 ms target`,
);

// --- Appending events ------------------------------------------------------------
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-bench-'));
const events = Array.from({ length: EVENTS }, (_, i) => ({
  id: String(i + 1),
  at: new Date(T0 + i).toISOString(),
  severity: i % 3 ? 'warn' : 'error',
  rule: i % 2 ? 'late' : 'crashed',
  daemon: `d${i % 1000}`,
  message: `d${i % 1000} is late: stale`,
  data: { reason: 'stale', ageMs: i % 10_000, intervalSec: 5 },
}));
// Events arrive per poll; a batch of 100 per append (and fdatasync per batch, as the monitor does).
const BATCH = 100;
const runs = 5;
const logRates = [];
const rawRates = [];
for (let run = 0; run < runs; run++) {
  const dir = path.join(tmp, `log${run}`);
  const log = new EventLog(dir, { rotateBytes: 1e12, keep: 5, retentionDays: 14 });
  let t0 = performance.now();
  for (let i = 0; i < EVENTS; i += BATCH) {
    log.append(events.slice(i, i + BATCH));
    log.flush();
  }
  logRates.push(EVENTS / ((performance.now() - t0) / 1000));
  log.close();
  const bytes = fs.readFileSync(log.file, 'utf8');
  const lines = bytes.split('\n');

  // Baseline: the same bytes, the same batches, appendFileSync + fdatasync, no serialisation.
  const rawFile = path.join(tmp, `raw${run}.jsonl`);
  const chunks = [];
  for (let i = 0; i < EVENTS; i += BATCH) chunks.push(`${lines.slice(i, i + BATCH).join('\n')}\n`);
  const fd = fs.openSync(rawFile, 'a');
  t0 = performance.now();
  for (const c of chunks) {
    fs.appendFileSync(fd, c);
    fs.fdatasyncSync(fd);
  }
  rawRates.push(EVENTS / ((performance.now() - t0) / 1000));
  fs.closeSync(fd);
}
fs.rmSync(tmp, { recursive: true, force: true });
printTable(
  `appending ${EVENTS.toLocaleString('en')} events in batches of ${BATCH} (median of ${runs} runs)`,
  [
    { name: 'baseline: appendFileSync of the same bytes', rate: median(rawRates) },
    { name: 'EventLog.append + flush (sanitize, serialise)', rate: median(logRates) },
  ],
  [
    { label: 'events/s', value: (r) => Math.round(r.rate).toLocaleString('en') },
    { label: 'vs baseline', value: (r) => ratio(r.rate, median(rawRates)) },
  ],
);
if (sink < 0) console.log(sink);
