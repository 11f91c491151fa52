// detectAnomalies: the heart of the anomaly rules. Given the rule state, a
// snapshot and the time, it returns the next state, the new events and updates
// to open (coalesced) events. It reads no clock and touches no file; the
// monitor persists the state and the events.
import type { HbEvent, Instant, Snapshot } from '../types.js';
import type { AnomalyConfig, EvaluationKind } from './config.js';
import { evaluateDaemon } from './daemon.js';
import { evaluateClock, evaluateHost } from './host.js';
import { Evaluation, initialDaemonRuleState, type RuleState } from './state.js';

export interface AnomalyResult {
  state: RuleState;
  /** New events, in the order they were raised. */
  events: HbEvent[];
  /**
   * Events raised earlier whose repeat count grew (same id, higher
   * `data.count`): consumers replace the earlier copy.
   */
  updates: HbEvent[];
}

/**
 * Evaluate every rule on one snapshot. For speed at 10,000 daemons the state
 * is updated in place: `prev` is consumed and the returned `state` (the same
 * object) is what the next call takes. A caller that needs to keep an earlier
 * state (a replay, a test) passes `structuredClone(prev)`. `kind` says whether
 * the snapshot is a full poll or a liveness re-check (which carries no new
 * CPU or memory samples, so the resource rules skip it).
 */
export function detectAnomalies(
  prev: RuleState,
  snapshot: Snapshot,
  config: AnomalyConfig,
  now: Instant,
  kind: EvaluationKind = 'poll',
): AnomalyResult {
  const state = prev;
  state.runStartMonoMs ??= now.monoMs;
  const ev = new Evaluation(state, now, config.alerts.coalesceMin * 60_000);
  ev.expireEdges();

  evaluateHost(ev, snapshot, config);
  evaluateClock(ev, snapshot, config);

  // With the heartbeat directory gone every daemon would look down at once:
  // that is one event (heartbeat-dir), not one per daemon, so daemon rules wait.
  if (snapshot.heartbeatDirError === null) {
    const daemons = state.daemons;
    for (const d of snapshot.daemons) {
      let st = daemons[d.name];
      const isNew = st === undefined;
      if (st === undefined) {
        st = initialDaemonRuleState();
        daemons[d.name] = st;
      }
      evaluateDaemon(ev, d, st, isNew, config, kind);
    }
  }

  return { state, events: ev.events, updates: [...ev.updates.values()] };
}

export {
  initialRuleState,
  reviveRuleState,
  type RuleState,
  type DaemonRuleState,
} from './state.js';
export { percentStateChange, nextFlapping } from './flapping.js';
export type { AnomalyConfig, EvaluationKind } from './config.js';
