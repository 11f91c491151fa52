// One event as a line of text for `watch` and `events` (times in local time,
// like a log file an operator tails).
import { format } from 'date-fns';
import { escapeControl } from '../core/sanitize.js';
import type { HbEvent } from '../core/types.js';

export function formatEventLine(e: HbEvent): string {
  const at = Date.parse(e.at);
  const when = Number.isFinite(at) ? format(at, 'yyyy-MM-dd HH:mm:ss') : e.at;
  const count = typeof e.data?.count === 'number' && e.data.count > 1 ? ` (x${e.data.count})` : '';
  return escapeControl(
    `${when}  ${e.severity.toUpperCase().padEnd(8)} ${e.rule.padEnd(14)} ${(e.daemon ?? '-').padEnd(16)} ${e.message}${count}`,
  );
}
