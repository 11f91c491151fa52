// Validation of /api/events query parameters. Strict: an unknown, repeated or
// malformed parameter is a 400 with a message saying what is allowed. What the
// parameters mean (severity order, the `since` grammar, the filter) is
// core/events', shared with `ghost-hb events`.
import { isSeverity, parseSince, SINCE_HELP, type EventQuery } from '../core/events/index.js';
import { SEVERITIES } from '../core/types.js';

/** A parsed /api/events query: always with a limit. */
export type ApiEventQuery = EventQuery & { limit: number };

export const DEFAULT_EVENT_LIMIT = 100;
export const MAX_EVENT_LIMIT = 1000;
const ALLOWED = ['since', 'severity', 'daemon', 'rule', 'limit'];

export class QueryError extends Error {}

type Apply = (q: ApiEventQuery, value: string, nowMs: number) => void;

const PARAMETERS: Record<string, Apply> = {
  since(q, value, nowMs) {
    const t = parseSince(value, nowMs);
    if (t === null) throw new QueryError(`since: expected ${SINCE_HELP}`);
    q.sinceMs = t;
  },
  severity(q, value) {
    if (!isSeverity(value)) throw new QueryError(`severity: one of ${SEVERITIES.join(', ')}`);
    q.severity = value;
  },
  daemon(q, value) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(value)) {
      throw new QueryError('daemon: a daemon name (letters, digits, ".", "_", "-")');
    }
    q.daemon = value;
  },
  rule(q, value) {
    if (!/^[a-z0-9][a-z0-9_.-]{0,63}$/i.test(value)) {
      throw new QueryError('rule: a rule name (letters, digits, ".", "_", "-")');
    }
    q.rule = value;
  },
  limit(q, value) {
    const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
    if (!(n >= 1 && n <= MAX_EVENT_LIMIT)) {
      throw new QueryError(`limit: a whole number from 1 to ${MAX_EVENT_LIMIT}`);
    }
    q.limit = n;
  },
};

export function parseEventQuery(
  params: URLSearchParams,
  nowMs: number,
  ignore: readonly string[] = [],
): ApiEventQuery {
  const q: ApiEventQuery = {
    sinceMs: null,
    severity: null,
    daemon: null,
    rule: null,
    limit: DEFAULT_EVENT_LIMIT,
  };
  const seen = new Set<string>();
  for (const [key, value] of params) {
    if (ignore.includes(key)) continue;
    const apply = Object.hasOwn(PARAMETERS, key) ? PARAMETERS[key] : undefined;
    if (!apply) throw new QueryError(`unknown parameter; allowed: ${ALLOWED.join(', ')}`);
    if (seen.has(key)) throw new QueryError(`${key}: given more than once`);
    seen.add(key);
    if (value.length > 64) throw new QueryError(`${key}: too long`);
    apply(q, value, nowMs);
  }
  return q;
}
