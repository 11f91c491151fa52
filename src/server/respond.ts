// How every API answer is written: the same security headers on each, an
// explicit length, and errors as `{"error": "..."}` so clients parse one shape.
import type { ServerResponse } from 'node:http';

export const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

export const JSON_TYPE = 'application/json; charset=utf-8';

export function send(
  res: ServerResponse,
  status: number,
  body: string,
  type = JSON_TYPE,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  extra: Record<string, string> = {},
): void {
  send(res, status, JSON.stringify({ error: message }), JSON_TYPE, extra);
}

/** The same answer for a missing, wrong or malformed token: no detail for a guesser. */
export function sendUnauthorized(res: ServerResponse): void {
  sendError(res, 401, 'unauthorized', { 'WWW-Authenticate': 'Bearer realm="ghost-hb"' });
}
