// Snapshot builders and a rule runner for the anomaly tests: sequences of
// snapshots fed through detectAnomalies with a hand-driven clock.
import { defaultConfig, type Config } from '../../src/config/schema.js';
import {
  detectAnomalies,
  initialRuleState,
  type EvaluationKind,
  type RuleState,
} from '../../src/core/anomaly/index.js';
import type { DaemonSnapshot, HbEvent, Instant, Snapshot } from '../../src/core/types.js';

export const BASE_WALL = Date.UTC(2026, 10, 27, 12, 0, 0);

export function daemon(name: string, over: Partial<DaemonSnapshot> = {}): DaemonSnapshot {
  return {
    name,
    status: 'up',
    reason: null,
    pid: 1000,
    lastBeatAt: null,
    ageMs: 0,
    intervalSec: 5,
    processAlive: true,
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

export function snapshot(daemons: DaemonSnapshot[], over: Partial<Snapshot> = {}): Snapshot {
  return {
    version: 1,
    at: new Date(BASE_WALL).toISOString(),
    heartbeatDir: '/hb',
    heartbeatDirError: null,
    system: {
      hostname: 'host',
      uptimeSec: 100_000,
      load1: 0.1,
      memUsedBytes: 1,
      memTotalBytes: 2,
    },
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
    summary: { up: 0, late: 0, down: 0, unknown: 0 },
    sources: {},
    pollMs: 1,
    ...over,
  };
}

export function testConfig(over: Partial<Config['alerts']> = {}): Config {
  const c = defaultConfig('/tmp');
  return { ...c, alerts: { ...c.alerts, ...over } };
}

/** Feeds snapshots to the rules at a given time and keeps every event and update. */
export class RuleRunner {
  state: RuleState = initialRuleState();
  wallMs = BASE_WALL;
  monoMs = 50_000;
  events: HbEvent[] = [];
  updates: HbEvent[] = [];

  constructor(readonly config: Config = testConfig()) {}

  now(): Instant {
    return { wallMs: this.wallMs, monoMs: this.monoMs };
  }

  advance(ms: number): this {
    this.wallMs += ms;
    this.monoMs += ms;
    return this;
  }

  /** The wall clock steps; monotonic time does not. */
  step(ms: number): this {
    this.wallMs += ms;
    return this;
  }

  run(s: Snapshot, kind: EvaluationKind = 'poll'): HbEvent[] {
    const r = detectAnomalies(
      this.state,
      { ...s, at: new Date(this.wallMs).toISOString() },
      this.config,
      this.now(),
      kind,
    );
    this.state = r.state;
    this.events.push(...r.events);
    this.updates.push(...r.updates);
    return r.events;
  }

  /** The latest version of each event (updates applied), in order of first appearance. */
  merged(): HbEvent[] {
    const byId = new Map<string, HbEvent>();
    for (const e of [...this.events, ...this.updates]) byId.set(e.id, e);
    return [...byId.values()];
  }
}

export const brief = (events: HbEvent[]) =>
  events.map((e) => `${e.severity}:${e.rule}${e.daemon ? `:${e.daemon}` : ''}`);
