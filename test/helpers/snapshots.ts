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
import { buildDaemon, buildSnapshot } from './snapshotBuilders.js';

export const BASE_WALL = Date.UTC(2026, 10, 27, 12, 0, 0);

export function daemon(name: string, over: Partial<DaemonSnapshot> = {}): DaemonSnapshot {
  return buildDaemon(name, over);
}

export function snapshot(daemons: DaemonSnapshot[], over: Partial<Snapshot> = {}): Snapshot {
  return buildSnapshot(daemons, BASE_WALL, over);
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
