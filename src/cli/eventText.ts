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

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** A duration: "90s", "15m", "1h", "7d", "1w"; ms, or null when unparsable. */
export function parseDurationMs(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : null;
}

/** "90s", "15m", "1h", "7d", "1w", or an ISO date; returns epoch ms or null when unparsable. */
export function parseSince(text: string, now: number): number | null {
  const d = parseDurationMs(text);
  if (d !== null) return now - d;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}
