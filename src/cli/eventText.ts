// One event as a line of text for `watch` and `events` (times in local time,
// like a log file an operator tails).
import { formatStamp as stamp } from '../core/format.js';
import { escapeControl } from '../core/sanitize.js';
import { eventNow } from '../core/events/repeat.js';
import type { HbEvent } from '../core/types.js';

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
  // Fields are escaped before they are padded, so an escaped name keeps its column.
  const safe = escapeControl;
  return `${safe(stamp(now.at))}  ${e.severity.toUpperCase().padEnd(8)} ${safe(e.rule).padEnd(14)} ${safe(e.daemon ?? '-').padEnd(16)} ${safe(now.message + suffix)}`;
}
