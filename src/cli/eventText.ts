// One event as a line of text for `watch` and `events` (times in local time,
// like a log file an operator tails).
import { format } from 'date-fns';
import { escapeControl } from '../core/sanitize.js';
import { eventNow } from '../core/events/repeat.js';
import type { HbEvent } from '../core/types.js';

const stamp = (iso: string): string => {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? format(ms, 'yyyy-MM-dd HH:mm:ss') : iso;
};

/**
 * A repeated event (a coalesced count) is shown as it is now: dated at its
 * latest occurrence with the latest message, the count and when it began.
 */
export function formatEventLine(e: HbEvent): string {
  const now = eventNow(e);
  const suffix =
    now.count === 1
      ? ''
      : ` (x${now.count}${now.at !== now.firstAt ? `, first ${stamp(now.firstAt)}` : ''})`;
  return escapeControl(
    `${stamp(now.at)}  ${e.severity.toUpperCase().padEnd(8)} ${e.rule.padEnd(14)} ${(e.daemon ?? '-').padEnd(16)} ${now.message}${suffix}`,
  );
}
