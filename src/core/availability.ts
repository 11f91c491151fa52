// Availability: the one computation behind every figure of it (the session
// AVAIL column, the detail view, the 1 h / 24 h / 7 d figures from the uptime
// log). `up` and `late` are available (a late daemon is working, only its
// beats are slow); `down` is not; `unknown` (never seen, unreadable) is not
// counted either way, and neither is time before a daemon was expected: a
// daemon the monitor finds down when it starts gets one interval plus grace to
// beat before its down time counts.
import type { DaemonStatus } from './types.js';

/** Time (or polls) spent in each status. */
export type StatusTime = Record<DaemonStatus, number>;

export function emptyStatusTime(): StatusTime {
  return { up: 0, late: 0, down: 0, unknown: 0 };
}

/** Whether a status counts as available; null: not counted either way. */
export const COUNTS_AS_AVAILABLE: Record<DaemonStatus, boolean | null> = {
  up: true,
  late: true,
  down: false,
  unknown: null,
};

/** Share of the counted time that was available, 0..1; null when nothing was counted. */
export function availableShare(t: StatusTime): number | null {
  let available = 0;
  let counted = 0;
  for (const status of Object.keys(t) as DaemonStatus[]) {
    const verdict = COUNTS_AS_AVAILABLE[status];
    if (verdict === null) continue;
    counted += t[status];
    if (verdict) available += t[status];
  }
  return counted > 0 ? available / counted : null;
}

/** What a daemon has shown since the monitor started, for `countedStatus`. */
export interface Expectation {
  /** Wall ms the monitor (or the session) started watching. */
  sinceMs: number;
  /** The daemon has been up or late since then. */
  seenWorking: boolean;
}

/**
 * The status that counts for availability at `nowMs`: `down` before the daemon
 * has worked once and within `allowanceMs` (its interval plus grace) of the
 * start is not downtime yet (it counts as `unknown`).
 */
export function countedStatus(
  status: DaemonStatus,
  e: Expectation,
  nowMs: number,
  allowanceMs: number,
): DaemonStatus {
  if (status !== 'down' || e.seenWorking) return status;
  return nowMs - e.sinceMs <= allowanceMs ? 'unknown' : status;
}

/** The next expectation after seeing `status` at `nowMs` (a new one when `prev` is null). */
export function nextExpectation(
  prev: Expectation | null,
  status: DaemonStatus,
  nowMs: number,
): Expectation {
  const seen = prev?.seenWorking ?? false;
  const working = status === 'up' || status === 'late';
  if (prev && (seen || !working)) return prev;
  return { sinceMs: prev?.sinceMs ?? nowMs, seenWorking: seen || working };
}
