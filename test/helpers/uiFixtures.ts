// Snapshot fixtures for the UI tests and the render benchmark's shapes.
import type { DaemonSnapshot, HbEvent, Snapshot } from '../../src/core/types.js';
import { buildDaemon, buildSnapshot } from './snapshotBuilders.js';

export const NOW = Date.parse('2026-01-02T10:00:00Z');

export function daemon(name: string, over: Partial<DaemonSnapshot> = {}): DaemonSnapshot {
  return buildDaemon(name, {
    pid: 1000 + name.length,
    lastBeatAt: new Date(NOW - 2000).toISOString(),
    ageMs: 2000,
    uptimeSec: 3600,
    cpuPct: 1.5,
    memRssBytes: 40 * 1024 * 1024,
    skewMs: null,
    heartbeatPath: `/srv/_heartbeat/${name}.json`,
    payload: { name, status: 'ok' },
    command: `node ${name}.js`,
    startedAt: new Date(NOW - 3_600_000).toISOString(),
    seq: 42,
    ...over,
  });
}

export function snapshot(daemons: DaemonSnapshot[], over: Partial<Snapshot> = {}): Snapshot {
  return buildSnapshot(daemons, NOW, {
    heartbeatDir: '/srv/_heartbeat',
    system: {
      hostname: 'box1',
      uptimeSec: 86400 * 3,
      load1: 0.42,
      memUsedBytes: 3 * 1024 ** 3,
      memTotalBytes: 8 * 1024 ** 3,
    },
    sources: { heartbeats: true, processes: true, system: true },
    pollMs: 3,
    ...over,
  });
}

/** The default fleet with one daemon of each interesting state. */
export function fleet(): DaemonSnapshot[] {
  return [
    daemon('relayCore'),
    daemon('watchdog', { critical: true }),
    daemon('executor', { status: 'down', reason: 'crashed', processAlive: false, restarts: 2 }),
    daemon('healer', { status: 'down', reason: 'hung', ageMs: 40_000 }),
    daemon('validationEngine', { status: 'late', reason: null, ageMs: 8000 }),
    daemon('messageQueue', { status: 'late', reason: 'degraded', selfStatus: 'degraded' }),
    daemon('healthAggregator', { status: 'unknown', reason: 'malformed JSON', pid: null }),
    daemon('decisionEngine', { cpuPct: 55, memRssBytes: 300 * 1024 * 1024 }),
  ];
}

let nextId = 1;
export function event(over: Partial<HbEvent> = {}): HbEvent {
  return {
    id: String(nextId++),
    at: new Date(NOW).toISOString(),
    severity: 'warn',
    rule: 'status',
    daemon: 'relayCore',
    message: 'up -> late',
    ...over,
  };
}

export function many(n: number): DaemonSnapshot[] {
  const statuses = ['up', 'up', 'up', 'late', 'down'] as const;
  return Array.from({ length: n }, (_, i) =>
    daemon(`daemon-${String(i).padStart(5, '0')}`, { status: statuses[i % 5]!, pid: 2000 + i }),
  );
}
