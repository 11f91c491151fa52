// Fixture snapshots and a controllable poll feed for the server tests.
import type {
  DaemonSnapshot,
  DaemonStatus,
  HbEvent,
  PollResult,
  Snapshot,
} from '../../src/core/types.js';
import type { PollerListener, PollKind } from '../../src/runtime/poller.js';
import { buildDaemon, buildSnapshot } from './snapshotBuilders.js';

export function daemon(
  name: string,
  status: DaemonStatus = 'up',
  extra: Partial<DaemonSnapshot> = {},
): DaemonSnapshot {
  return buildDaemon(name, {
    status,
    reason: status === 'down' ? 'crashed' : null,
    lastBeatAt: '2026-01-01T00:00:00.000Z',
    ageMs: 1200,
    processAlive: status !== 'down',
    uptimeSec: 3600,
    cpuPct: 2.5,
    memRssBytes: 50 * 1024 * 1024,
    restarts: 1,
    skewMs: null,
    heartbeatPath: `/tmp/hb/${name}.json`,
    startedAt: '2026-01-01T00:00:00.000Z',
    seq: 1,
    ...extra,
  });
}

export function snapshot(daemons: DaemonSnapshot[], extra: Partial<Snapshot> = {}): Snapshot {
  return buildSnapshot(daemons, Date.now(), {
    heartbeatDir: '/tmp/hb',
    system: {
      hostname: 'testhost',
      uptimeSec: 1000,
      load1: 0.1,
      memUsedBytes: 1,
      memTotalBytes: 2,
    },
    clock: {
      synced: true,
      offsetMs: 1.5,
      errorBoundMs: 3,
      source: 'chrony',
      stratum: 2,
      lastJumpAt: null,
      lastJumpMs: null,
    },
    sources: { heartbeats: true, processes: true, system: true, clock: true },
    pollMs: 2,
    ...extra,
  });
}

let nextId = 1;
export function event(extra: Partial<HbEvent> = {}): HbEvent {
  return {
    id: String(nextId++),
    at: new Date().toISOString(),
    severity: 'error',
    rule: 'down',
    daemon: 'relayCore',
    message: 'relayCore is down (crashed)',
    ...extra,
  };
}

/** A PollFeed the test drives by hand. */
export class FakeFeed {
  latest: PollResult | null = null;
  private listeners = new Set<PollerListener>();
  subscribe(l: PollerListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(result: PollResult, kind: PollKind = 'poll', durationMs = 3): void {
    this.latest = result;
    const at = { wallMs: Date.now(), monoMs: performance.now() };
    for (const l of this.listeners) l({ type: 'result', kind, result, at, durationMs });
  }
  fail(): void {
    const at = { wallMs: Date.now(), monoMs: performance.now() };
    for (const l of this.listeners) {
      l({ type: 'error', kind: 'poll', error: new Error('boom'), at, consecutiveFailures: 1 });
    }
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
}
