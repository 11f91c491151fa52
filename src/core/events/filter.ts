// Which events a reader wants: the one filter behind the event log, the ring,
// the API, `ghost-hb events` and the screen's event pane.
import type { HbEvent, Severity } from '../types.js';
import { atLeast } from './severity.js';

/** Anything with a test(text), such as the screen's compiled filter. */
export interface TextTest {
  test(text: string): boolean;
}

export interface EventFilter {
  /** Only events at or after this wall time (epoch ms). */
  sinceMs?: number | null;
  /** Only events at or above this severity. */
  severity?: Severity | null;
  /** Only events about this daemon. */
  daemon?: string | null;
  /** Only events of this rule. */
  rule?: string | null;
  /** Only events whose daemon or message passes this test. */
  text?: TextTest | null;
}

/** A filter and how many of the newest matches to keep. */
export interface EventQuery extends EventFilter {
  /** The newest `limit` matches; null or absent: all. */
  limit?: number | null;
}

export function matchesFilter(e: HbEvent, f: EventFilter): boolean {
  if (f.severity && !atLeast(e.severity, f.severity)) return false;
  if (f.daemon && e.daemon !== f.daemon) return false;
  if (f.rule && e.rule !== f.rule) return false;
  if (f.sinceMs != null && !(Date.parse(e.at) >= f.sinceMs)) return false;
  if (f.text && !((e.daemon !== undefined && f.text.test(e.daemon)) || f.text.test(e.message))) {
    return false;
  }
  return true;
}

/** The last `n` items (all when `n` is null or undefined), in their order. */
export function newest<T>(items: readonly T[], n: number | null | undefined): T[] {
  if (n === null || n === undefined || n < 0 || items.length <= n) return [...items];
  return items.slice(items.length - n);
}

/** Matching events, oldest first; the newest `q.limit` of them. */
export function queryEvents(events: readonly HbEvent[], q: EventQuery): HbEvent[] {
  return newest(
    events.filter((e) => matchesFilter(e, q)),
    q.limit,
  );
}
