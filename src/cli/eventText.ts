// One event as a line of text for `watch` and `events` (times in local time,
// like a log file an operator tails).
import { formatStamp as stamp } from '../core/format.js';
import { escapeControl } from '../core/sanitize.js';
import type { HbEvent } from '../core/types.js';

/**
 * A repeated event (a coalesced count) is shown as it is now: dated at its
 * latest occurrence with the latest message, the count and when it began.
 */
export function formatEventLine(e: HbEvent): string {
  const count = typeof e.data?.count === 'number' && e.data.count > 1 ? e.data.count : null;
  const lastAt = typeof e.data?.lastAt === 'string' ? e.data.lastAt : null;
  const latest = typeof e.data?.latestMessage === 'string' ? e.data.latestMessage : null;
  const when = stamp(count !== null && lastAt ? lastAt : e.at);
  const message = count !== null ? (latest ?? e.message) : e.message;
  const suffix = count === null ? '' : ` (x${count}${lastAt ? `, first ${stamp(e.at)}` : ''})`;
  // Fields are escaped before they are padded, so an escaped name keeps its column.
  const safe = escapeControl;
  return `${safe(when)}  ${e.severity.toUpperCase().padEnd(8)} ${safe(e.rule).padEnd(14)} ${safe(e.daemon ?? '-').padEnd(16)} ${safe(message + suffix)}`;
}
