// The React side of the feed: subscribes to an update source (the Poller,
// which owns the only timer, or an attached agent) and folds its updates into
// what the screen needs: the latest snapshot, the event pane's events and
// the per-daemon history. Liveness checks that change nothing never reach
// here (the source returns null), so they cost no render. Whoever owns the
// source starts and stops it (src/cli/runtime.ts); this hook only subscribes.
import { useEffect, useReducer } from 'react';
import type { PollerUpdate, UpdateSource } from '../../runtime/poller.js';
import type { HbEvent, Snapshot } from '../../core/types.js';
import type { PaneEvent } from '../model/view.js';
import { EMPTY_HISTORY, recordPoll, type History } from '../model/history.js';

export interface FeedState {
  snapshot: Snapshot | null;
  events: PaneEvent[];
  history: History;
  /** Sequence number of the newest event. */
  seq: number;
  lastPollAt: number | null;
  lastPollMs: number | null;
  /** Message of the last failed poll, cleared by the next good one. */
  error: string | null;
  failures: number;
}

export const EMPTY_FEED: FeedState = {
  snapshot: null,
  events: [],
  history: EMPTY_HISTORY,
  seq: 0,
  lastPollAt: null,
  lastPollMs: null,
  error: null,
  failures: 0,
};

/** Events kept for the pane; older ones live in the event log on disk. */
export const PANE_EVENTS_MAX = 1000;

export function feedReducer(s: FeedState, u: PollerUpdate): FeedState {
  if (u.type === 'error') {
    const error = u.error.message || String(u.error);
    // A failing liveness check repeats every second: only a new message is news.
    if (s.error === error && u.kind === 'liveness') return s;
    return { ...s, error, failures: u.kind === 'poll' ? u.consecutiveFailures : s.failures };
  }
  let { events, seq } = s;
  if (u.result.events.length) {
    // One poll can bring thousands (10,000 names appearing at once): the pane
    // keeps the newest PANE_EVENTS_MAX of them too; the log has the rest.
    const incoming = u.result.events.slice(-PANE_EVENTS_MAX);
    events = events.slice(Math.max(0, events.length + incoming.length - PANE_EVENTS_MAX));
    for (const event of incoming) events.push({ seq: ++seq, event });
  }
  if (u.result.updates?.length) events = withUpdates(events, u.result.updates, events !== s.events);
  const full = u.kind === 'poll';
  return {
    snapshot: u.result.snapshot,
    events,
    seq,
    history: full ? recordPoll(s.history, u.result.snapshot) : s.history,
    lastPollAt: full ? u.at.wallMs : s.lastPollAt,
    lastPollMs: full ? u.durationMs : s.lastPollMs,
    error: full ? null : s.error,
    failures: full ? 0 : s.failures,
  };
}

/**
 * Replace the events whose repeat count grew, in place: a coalesced repeat
 * keeps its line (and local sequence number) and shows its newest data.
 * `owned`: the array is already a fresh copy this reducer may change.
 */
function withUpdates(
  events: PaneEvent[],
  updates: readonly HbEvent[],
  owned: boolean,
): PaneEvent[] {
  let out = events;
  for (const update of updates) {
    // Repeats are of recent events: search from the newest.
    for (let i = out.length - 1; i >= 0; i--) {
      if (out[i]!.event.id !== update.id) continue;
      if (out === events && !owned) out = events.slice();
      out[i] = { seq: out[i]!.seq, event: update };
      break;
    }
  }
  return out;
}

export function usePoller(source: UpdateSource, initial: FeedState = EMPTY_FEED): FeedState {
  const [feed, dispatch] = useReducer(feedReducer, initial);
  useEffect(() => source.subscribe(dispatch), [source]);
  return feed;
}
