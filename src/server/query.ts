// Validation of /api/events query parameters. Strict: an unknown, repeated or
// malformed parameter is a 400 with a message saying what is allowed.
import { SEVERITIES, type HbEvent, type Severity } from '../core/types.js';

export interface EventQuery {
  /** Only events at or after this time (epoch ms). */
  sinceMs: number | null;
  /** Only events of this severity or worse. */
  severity: Severity | null;
  /** Only events about this daemon. */
  daemon: string | null;
  /** Only events raised by this rule. */
  rule: string | null;
  /** At most this many, the newest. */
  limit: number;
}

export const DEFAULT_EVENT_LIMIT = 100;
export const MAX_EVENT_LIMIT = 1000;
const ALLOWED = ['since', 'severity', 'daemon', 'rule', 'limit'];
const UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

export class QueryError extends Error {}

/** "90s", "15m", "1h", "7d", "2w", an ISO-8601 time, or epoch milliseconds. */
export function parseSince(v: string, nowMs: number): number {
  const rel = /^(\d{1,6})([smhdw])$/.exec(v);
  if (rel) return nowMs - Number(rel[1]) * UNITS[rel[2]!]!;
  if (/^\d{10,13}$/.test(v)) return Number(v);
  if (/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  throw new QueryError(
    'since: expected a duration like 15m, 1h or 7d, an ISO-8601 time, or epoch milliseconds',
  );
}

export function parseEventQuery(
  params: URLSearchParams,
  nowMs: number,
  ignore: readonly string[] = [],
): EventQuery {
  const q: EventQuery = {
    sinceMs: null,
    severity: null,
    daemon: null,
    rule: null,
    limit: DEFAULT_EVENT_LIMIT,
  };
  const seen = new Set<string>();
  for (const [key, value] of params) {
    if (ignore.includes(key)) continue;
    if (!ALLOWED.includes(key)) {
      throw new QueryError(`unknown parameter; allowed: ${ALLOWED.join(', ')}`);
    }
    if (seen.has(key)) throw new QueryError(`${key}: given more than once`);
    seen.add(key);
    if (value.length > 64) throw new QueryError(`${key}: too long`);
    switch (key) {
      case 'since':
        q.sinceMs = parseSince(value, nowMs);
        break;
      case 'severity':
        if (!(SEVERITIES as readonly string[]).includes(value)) {
          throw new QueryError(`severity: one of ${SEVERITIES.join(', ')}`);
        }
        q.severity = value as Severity;
        break;
      case 'daemon':
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(value)) {
          throw new QueryError('daemon: a daemon name (letters, digits, ".", "_", "-")');
        }
        q.daemon = value;
        break;
      case 'rule':
        if (!/^[a-z0-9][a-z0-9_.-]{0,63}$/i.test(value)) {
          throw new QueryError('rule: a rule name (letters, digits, ".", "_", "-")');
        }
        q.rule = value;
        break;
      case 'limit': {
        const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
        if (!(n >= 1 && n <= MAX_EVENT_LIMIT)) {
          throw new QueryError(`limit: a whole number from 1 to ${MAX_EVENT_LIMIT}`);
        }
        q.limit = n;
        break;
      }
    }
  }
  return q;
}

const RANK: Record<Severity, number> = { info: 0, warn: 1, error: 2, critical: 3 };

/** Apply a query to events held in memory (oldest first); returns the newest `limit`, oldest first. */
export function filterEvents(events: readonly HbEvent[], q: EventQuery): HbEvent[] {
  const out = events.filter((e) => {
    if (q.severity && RANK[e.severity] < RANK[q.severity]) return false;
    if (q.daemon && e.daemon !== q.daemon) return false;
    if (q.rule && e.rule !== q.rule) return false;
    if (q.sinceMs != null) {
      const t = Date.parse(e.at);
      if (!(t >= q.sinceMs)) return false;
    }
    return true;
  });
  return out.slice(Math.max(0, out.length - q.limit));
}
