// detectAnomalies: the pure heart of the anomaly rules. Given the previous rule
// state, a snapshot and the time, it returns the next state, the new events and
// updates to open (coalesced) events. It reads no clock and touches no file;
// the monitor persists the state and the events.
import type { HbEvent, Instant, Snapshot } from '../types.js';
import type { AnomalyConfig } from './config.js';
import { evaluateDaemon } from './daemon.js';
import { evaluateClock, evaluateHost } from './host.js';
import {
  Evaluation,
  initialDaemonRuleState,
  type DaemonRuleState,
  type RuleState,
} from './state.js';

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

function copyDaemonState(st: DaemonRuleState): DaemonRuleState {
  return {
    ...st,
    history: st.history.slice(),
    gaps: st.gaps.slice(),
    restartTimes: st.restartTimes.slice(),
  };
}

export function detectAnomalies(
  prev: RuleState,
  snapshot: Snapshot,
  config: AnomalyConfig,
  now: Instant,
): AnomalyResult {
  // Copy on entry so `prev` is never changed: callers may keep it (tests, replays).
  const state: RuleState = {
    ...prev,
    conditions: { ...prev.conditions },
    daemons: { ...prev.daemons },
    runStartMonoMs: prev.runStartMonoMs ?? now.monoMs,
  };
  const ev = new Evaluation(state, now, config.alerts.coalesceMin * 60_000);
  ev.expireEdges();

  evaluateHost(ev, snapshot, config);
  evaluateClock(ev, snapshot, config);

  // With the heartbeat directory gone every daemon would look down at once:
  // that is one event (heartbeat-dir), not one per daemon, so daemon rules wait.
  if (snapshot.heartbeatDirError === null) {
    for (const d of snapshot.daemons) {
      const known = prev.daemons[d.name];
      const st = known ? copyDaemonState(known) : initialDaemonRuleState();
      state.daemons[d.name] = st;
      evaluateDaemon(ev, d, st, known === undefined, config);
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
export type { AnomalyConfig } from './config.js';
