// Shared helpers for the benchmark harness: medians, CPU and RSS measurement,
// and a uniform table so every benchmark prints ratios against a baseline that
// was measured in the same run.
import { performance } from 'node:perf_hooks';

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Run `fn` `iterations` times (after `warmup` runs) and return the median wall
 * and CPU milliseconds per run, and the process's peak RSS in MiB.
 */
export async function measure(fn, { iterations = 20, warmup = 3 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const wall = [];
  const cpu = [];
  for (let i = 0; i < iterations; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    wall.push(t1 - t0);
    cpu.push((c1.user + c1.system) / 1000);
  }
  return {
    wallMs: median(wall),
    cpuMs: median(cpu),
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    iterations,
  };
}

const fmt = (n, digits = 2) => (n == null ? '-' : Number(n).toFixed(digits));

/** Print rows of { name, ...numbers } with an optional ratio column against `baseline`. */
export function printTable(title, rows, columns) {
  console.log(`\n## ${title}`);
  const header = ['case', ...columns.map((c) => c.label)];
  const body = rows.map((r) => [
    r.name,
    ...columns.map((c) => (typeof c.value === 'function' ? c.value(r) : fmt(r[c.key], c.digits))),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

export function ratio(a, b) {
  return b > 0 ? `${(a / b).toFixed(2)}x` : '-';
}

/**
 * A daemon row as a snapshot carries it, its figures varied by `i`; `fields`
 * override any of them (a status, an age, restarts).
 */
export function benchDaemon(name, i, fields = {}) {
  const status = fields.status ?? 'up';
  const ageMs = fields.ageMs ?? (i % 5) * 1000;
  return {
    name,
    status,
    reason: status === 'down' ? 'crashed' : status === 'late' ? 'overdue' : null,
    pid: 10000 + i,
    lastBeatAt: new Date(Date.now() - ageMs).toISOString(),
    ageMs,
    intervalSec: 5,
    processAlive: status !== 'down',
    processState: 'S',
    uptimeSec: 3600 + i,
    cpuPct: (i * 7) % 100,
    memRssBytes: (20 + (i % 50)) * 1024 * 1024,
    restarts: 0,
    source: 'json',
    problems: [],
    skewMs: null,
    critical: false,
    declared: true,
    graceSec: 15,
    toleranceSec: 1,
    heartbeatPath: `/srv/_heartbeat/${name}.json`,
    payload: null,
    selfStatus: null,
    message: null,
    command: 'node daemon.js',
    startedAt: new Date(Date.now() - 3600_000).toISOString(),
    seq: i,
    clockSuspect: false,
    ...fields,
  };
}

/** A snapshot of `daemons` on host `hostname`, as the engine makes one (clock synced, every source read). */
export function benchSnapshot(hostname, daemons) {
  const summary = { up: 0, late: 0, down: 0, unknown: 0 };
  for (const d of daemons) summary[d.status]++;
  return {
    version: 1,
    at: new Date().toISOString(),
    heartbeatDir: '/srv/_heartbeat',
    origin: { configFile: null, defaultDaemons: false },
    heartbeatDirError: null,
    system: { hostname, uptimeSec: 1e5, load1: 0.5, memUsedBytes: 2e9, memTotalBytes: 8e9 },
    clock: {
      synced: true,
      offsetMs: 3,
      errorBoundMs: 5,
      source: 'chrony',
      stratum: 2,
      lastJumpAt: null,
      lastJumpMs: null,
    },
    daemons,
    summary,
    sources: { heartbeats: true, processes: true, system: true },
    pollMs: 3,
  };
}

/** `n` pane events (ring entries), severities in turn, for the daemon `daemonOf(i)` names. */
export function benchEvents(n, daemonOf) {
  return Array.from({ length: n }, (_, i) => ({
    seq: i + 1,
    event: {
      id: String(i + 1),
      at: new Date().toISOString(),
      severity: ['info', 'warn', 'error'][i % 3],
      rule: 'status',
      daemon: daemonOf(i),
      message: `${daemonOf(i)} changed state`,
    },
  }));
}
