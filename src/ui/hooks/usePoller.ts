// The React side of the feed: subscribes to an update source (the Poller,
// which owns the only timer, or an attached agent) and folds its updates into
// what the screen needs: the latest snapshot, the event pane's events and
// the per-daemon history. The events are not kept here: the pane reads the
// process's one event buffer (the monitor's ring, or the ring an attached or
// fleet source fills), as a copy taken when an update says it changed, so a
// paused screen keeps what it showed. Liveness checks that change nothing
// never reach here (the source returns null), so they cost no render. Whoever
// owns the source starts and stops it (src/cli/runtime.ts); this hook only subscribes.
import { useEffect, useReducer } from 'react';
import type { EventBuffer, RingEntry } from '../../core/events/index.js';
import type { PollerUpdate, UpdateSource } from '../../runtime/poller.js';
import type { Snapshot } from '../../core/types.js';
import type { PaneEvent } from '../model/view.js';
import { EMPTY_HISTORY, recordPoll, type History } from '../model/history.js';

/** What the screen reads: poll updates, and the event buffer they fill. */
export interface FeedSource extends UpdateSource {
  /** Read at every update: a source that hands over to another changes it. */
  readonly events: EventBuffer;
}

export interface FeedState {
  snapshot: Snapshot | null;
  /** The buffer's entries as of the last update that changed them, oldest first. */
  events: readonly PaneEvent[];
  history: History;
  lastPollAt: number | null;
  lastPollMs: number | null;
  /** Message of the last failed poll, cleared by the next good one. */
  error: string | null;
  failures: number;
  /** The buffer `events` come from. */
  buffer: EventBuffer | null;
  /**
   * Added to the buffer's sequence numbers: after a handover the new buffer's
   * events number on from the old ones, so the clear mark and the selection stay ordered.
   */
  seqBase: number;
}

export const EMPTY_FEED: FeedState = {
  snapshot: null,
  events: [],
  history: EMPTY_HISTORY,
  lastPollAt: null,
  lastPollMs: null,
  error: null,
  failures: 0,
  buffer: null,
  seqBase: 0,
};

/** An update, with the buffer's entries when they may have changed (null: they did not). */
export interface FeedAction {
  update: PollerUpdate;
  buffer: EventBuffer;
  entries: readonly RingEntry[] | null;
}

/** The feed before the first update: what the buffer already holds (the event log's tail). */
export function initialFeed(buffer: EventBuffer): FeedState {
  return { ...EMPTY_FEED, buffer, events: buffer.entries() };
}

/** `update`, with a copy of the buffer's entries if the update brought events or the buffer is new. */
export function feedAction(
  update: PollerUpdate,
  buffer: EventBuffer,
  previous: EventBuffer | null,
): FeedAction {
  const changed =
    buffer !== previous ||
    (update.type === 'result' &&
      (update.result.events.length > 0 || (update.result.updates?.length ?? 0) > 0));
  return { update, buffer, entries: changed ? buffer.entries() : null };
}

export function feedReducer(s: FeedState, a: FeedAction): FeedState {
  const u = a.update;
  if (u.type === 'error') {
    const error = u.error.message || String(u.error);
    // A failing liveness check repeats every second: only a new message is news.
    if (s.error === error && u.kind === 'liveness') return s;
    return { ...s, error, failures: u.kind === 'poll' ? u.consecutiveFailures : s.failures };
  }
  const events = a.entries ? paneEvents(s, a.buffer, a.entries) : null;
  const full = u.kind === 'poll';
  return {
    snapshot: u.result.snapshot,
    events: events ? events.events : s.events,
    history: full ? recordPoll(s.history, u.result.snapshot) : s.history,
    lastPollAt: full ? u.at.wallMs : s.lastPollAt,
    lastPollMs: full ? u.durationMs : s.lastPollMs,
    error: full ? null : s.error,
    failures: full ? 0 : s.failures,
    buffer: events ? a.buffer : s.buffer,
    seqBase: events ? events.seqBase : s.seqBase,
  };
}

/** The pane's events from `entries` of `buffer`, numbered on from the last shown when the buffer is new. */
function paneEvents(
  s: FeedState,
  buffer: EventBuffer,
  entries: readonly RingEntry[],
): { events: readonly PaneEvent[]; seqBase: number } {
  const seqBase =
    buffer === s.buffer || s.buffer === null ? s.seqBase : (s.events.at(-1)?.seq ?? s.seqBase);
  const events =
    seqBase === 0 ? entries : entries.map((e) => ({ seq: e.seq + seqBase, event: e.event }));
  return { events, seqBase };
}

export function usePoller(source: FeedSource): FeedState {
  const [feed, dispatch] = useReducer(feedReducer, source.events, initialFeed);
  useEffect(() => {
    let last: EventBuffer | null = source.events;
    return source.subscribe((u) => {
      const buffer = source.events;
      dispatch(feedAction(u, buffer, last));
      last = buffer;
    });
  }, [source]);
  return feed;
}
