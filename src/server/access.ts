// One record per API access, for the audit log: built in one place for served
// requests and for requests refused before they parsed, so both carry the same
// fields, sanitized the same way, with any token redacted.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { sanitizeString } from '../core/sanitize.js';

/**
 * How a request was let in: `open` (no token configured), `public` (a route
 * that needs none), `ok`, `missing`, `wrong`, or `none` (refused before auth).
 */
export type AuthOutcome = 'open' | 'public' | 'ok' | 'missing' | 'wrong' | 'none';

/** One API access, as written to the audit log. Every string is sanitized. */
export interface AccessRecord {
  type: 'api-access';
  at: string;
  remote: string;
  method: string;
  /** Path and query, with any token in the query redacted. */
  path: string;
  status: number;
  auth: AuthOutcome;
  durationMs: number;
}

export type AccessAudit = (record: AccessRecord) => void;

/** Query parameters whose values are logged as sent: the API's own, none of which can hold a secret. */
const HARMLESS_PARAMS = new Set(['since', 'severity', 'daemon', 'rule', 'limit']);

/**
 * The path and query as logged: every query value is redacted unless its
 * parameter is a known harmless one, so a token under a wrong name (`?tok=`,
 * `?key=`, `token[]=`) never reaches the audit log either.
 */
export function loggablePath(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  if (q < 0) return sanitizeString(rawUrl, 512);
  const params = new URLSearchParams(rawUrl.slice(q + 1));
  const kept = new URLSearchParams();
  for (const [k, v] of params) kept.append(k, HARMLESS_PARAMS.has(k) ? v : '[REDACTED]');
  const qs = kept.toString().replace(/%5BREDACTED%5D/g, '[REDACTED]');
  return sanitizeString(`${rawUrl.slice(0, q)}${qs ? `?${qs}` : ''}`, 512);
}

export interface AccessFacts {
  remote: string | undefined;
  method: string | undefined;
  rawUrl: string | undefined;
  status: number;
  auth: AuthOutcome;
  durationMs: number;
}

export function accessRecord(f: AccessFacts, at = new Date()): AccessRecord {
  return {
    type: 'api-access',
    at: at.toISOString(),
    remote: sanitizeString(f.remote || '-', 64),
    method: sanitizeString(f.method ?? '-', 16),
    path: f.rawUrl === undefined ? '-' : loggablePath(f.rawUrl),
    status: f.status,
    auth: f.auth,
    durationMs: Math.round(f.durationMs * 10) / 10,
  };
}

/** Hand a record to the sink; the sink's failure must not turn into a failed request. */
export function writeAccess(audit: AccessAudit | undefined, facts: AccessFacts): void {
  if (!audit) return;
  try {
    audit(accessRecord(facts));
  } catch {
    // Deliberately ignored: see above.
  }
}

/**
 * Record `req` once, when its response finishes or its connection closes,
 * with the auth outcome known by then (`auth()` is read at that moment).
 */
export function auditOnFinish(
  audit: AccessAudit | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  auth: () => AuthOutcome,
): void {
  if (!audit) return;
  const started = performance.now();
  // Read now: a stream is recorded when its connection closes, and a closed socket has no address.
  const remote = req.socket.remoteAddress;
  let done = false;
  const record = () => {
    if (done) return;
    done = true;
    writeAccess(audit, {
      remote,
      method: req.method,
      rawUrl: req.url ?? '/',
      status: res.statusCode,
      auth: auth(),
      durationMs: performance.now() - started,
    });
  };
  res.once('finish', record);
  res.once('close', record);
}
