// One builder for the DaemonSnapshot and Snapshot fixtures every suite uses;
// each suite's helper module only states the defaults that matter to it.
import { summarize } from '../../src/core/status.js';
import type { DaemonSnapshot, Snapshot } from '../../src/core/types.js';

/** A healthy daemon; `over` replaces any field. */
export function buildDaemon(name: string, over: Partial<DaemonSnapshot> = {}): DaemonSnapshot {
  return {
    name,
    status: 'up',
    reason: null,
    pid: 1000,
    lastBeatAt: null,
    ageMs: 0,
    intervalSec: 5,
    processAlive: true,
    processState: 'sleeping',
    uptimeSec: 100,
    cpuPct: 1,
    memRssBytes: 10_000_000,
    restarts: 0,
    source: 'json',
    problems: [],
    skewMs: 0,
    critical: false,
    declared: true,
    graceSec: 15,
    toleranceSec: 1,
    heartbeatPath: `/hb/${name}.json`,
    payload: null,
    selfStatus: 'ok',
    message: null,
    command: 'node',
    startedAt: null,
    seq: null,
    clockSuspect: false,
    ...over,
  };
}

/** A snapshot of `daemons` (summary counted from them unless given); `over` replaces any field. */
export function buildSnapshot(
  daemons: DaemonSnapshot[],
  atMs: number,
  over: Partial<Snapshot> = {},
): Snapshot {
  return {
    version: 1,
    at: new Date(atMs).toISOString(),
    heartbeatDir: '/hb',
    origin: { configFile: '/srv/.heartbeatrc', defaultDaemons: false },
    heartbeatDirError: null,
    system: { hostname: 'host', uptimeSec: 100_000, load1: 0.1, memUsedBytes: 1, memTotalBytes: 2 },
    clock: {
      synced: null,
      offsetMs: null,
      errorBoundMs: null,
      source: null,
      stratum: null,
      lastJumpAt: null,
      lastJumpMs: null,
    },
    daemons,
    summary: summarize(daemons),
    sources: { heartbeats: true, processes: true, system: true },
    pollMs: 1,
    ...over,
  };
}
