// What the monitor remembers between polls for each daemon: its availability
// this session (time in each status, counted as core/availability.ts counts
// it for every display), its recent statuses (the sparkline), and its recent
// beats (for the detail view). Updated per poll by a pure function.
import {
  availableShare,
  countedStatus,
  emptyStatusTime,
  nextExpectation,
  type Expectation,
  type StatusTime,
} from '../../core/availability.js';
import type { DaemonStatus, Snapshot } from '../../core/types.js';
import type { RowHistory } from './layout.js';

export const SPARK_LENGTH = 10;
const BEATS_KEPT = 10;

/** Sparkline characters: taller is healthier, so a bar of full blocks is a good week. */
export const SPARK_CHAR: Record<DaemonStatus, string> = {
  up: '█',
  late: '▄',
  down: '▁',
  unknown: '·',
};

export interface DaemonHistory extends RowHistory {
  polls: number;
  /** Time in each status this session (as availability counts it), ms. */
  time: StatusTime;
  /** The status counted at the last poll and when it was seen (wall ms). */
  last: { status: DaemonStatus; atMs: number } | null;
  expectation: Expectation | null;
  /** Recent distinct beat times (ISO), newest last. */
  beats: string[];
}

export type History = ReadonlyMap<string, DaemonHistory>;

export const EMPTY_HISTORY: History = new Map();

/** Fold one full poll into the history. Only full polls count, not liveness re-checks. */
export function recordPoll(prev: History, snapshot: Snapshot): History {
  const next = new Map<string, DaemonHistory>();
  const atMs = Date.parse(snapshot.at);
  for (const d of snapshot.daemons) {
    const h = prev.get(d.name);
    // The status seen at the previous poll held until this one.
    const time = { ...(h?.time ?? emptyStatusTime()) };
    if (h?.last && atMs > h.last.atMs) time[h.last.status] += atMs - h.last.atMs;
    const expectation = nextExpectation(h?.expectation ?? null, d.status, atMs);
    const allowanceMs = (d.intervalSec + d.graceSec) * 1000;
    const counted = countedStatus(d.status, expectation, atMs, allowanceMs);
    const spark = ((h?.spark ?? '') + SPARK_CHAR[d.status]).slice(-SPARK_LENGTH);
    let beats = h?.beats ?? [];
    if (d.lastBeatAt && beats[beats.length - 1] !== d.lastBeatAt) {
      beats = [...beats, d.lastBeatAt].slice(-BEATS_KEPT);
    }
    next.set(d.name, {
      polls: (h?.polls ?? 0) + 1,
      time,
      last: { status: counted, atMs },
      expectation,
      availability: availableShare(time),
      spark,
      beats,
    });
  }
  return next;
}

/** Gaps between recent beats in ms, newest last ("recent beat ages" in the detail view). */
export function beatGaps(h: DaemonHistory | undefined): number[] {
  if (!h) return [];
  const out: number[] = [];
  for (let i = 1; i < h.beats.length; i++) {
    out.push(Date.parse(h.beats[i]!) - Date.parse(h.beats[i - 1]!));
  }
  return out;
}
