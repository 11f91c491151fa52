// A Prometheus server's HTTP API as the source of a fleet: each poll asks
// three instant queries and the alert list (src/core/prometheus.ts turns the
// answers into one snapshot per scraped ghost-hb, and firing alerts into
// events). Every request has a deadline (headers and whole body) and a size
// cap; redirects are never followed (the token must not travel to another
// address); the token never appears in a message. What goes wrong is a
// PromError whose kind says what an operator can do about it.
import http from 'node:http';
import https from 'node:https';
import {
  alertEvents,
  fleetFromAnswers,
  parseAlerts,
  parseVector,
  PROM_QUERIES,
  type FiringAlerts,
  type PromAlert,
  type PromHost,
  type PromResult,
  type PromSample,
} from '../core/prometheus.js';
import type { HbEvent } from '../core/types.js';
import { readJsonAnswer } from './endpoint.js';

export type PromErrorKind = 'unreachable' | 'auth' | 'bad-answer';

export class PromError extends Error {
  constructor(
    readonly kind: PromErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'PromError';
  }
}

export interface PromEndpoint {
  /** The server's base URL (http or https), with any path prefix (`/prometheus`). */
  url: URL;
  token: string | null;
}

export interface PromRequestOptions {
  /** Deadline for the whole answer. Default 5 s. */
  timeoutMs?: number;
  /** Answers larger than this are refused. Default 16 MiB. */
  maxBytes?: number;
}

/** Where the server is, for messages: never a token, user info or query string. */
export function describePrometheus(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}`;
}

/** A base URL from the command line: http(s) only, no credentials in it. */
export function parsePrometheusUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PromError('bad-answer', `--prometheus ${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PromError('bad-answer', `--prometheus must be an http:// or https:// URL`);
  }
  if (url.username || url.password) {
    throw new PromError(
      'bad-answer',
      '--prometheus: put no credentials in the URL; use --prometheus-token-file',
    );
  }
  url.search = '';
  url.hash = '';
  return url;
}

const TLS_CODES = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/;

function networkError(route: string, err: NodeJS.ErrnoException): PromError {
  const code = err.code ?? '';
  if (TLS_CODES.test(code)) return new PromError('bad-answer', `${route}: TLS error ${code}`);
  return new PromError('unreachable', `${route}: ${code || err.message}`);
}

/** What a non-2xx answer means; Prometheus's own JSON error is passed on for the parser. */
function statusError(route: string, code: number, location: string | undefined): PromError | null {
  if (code === 401 || code === 403) {
    return new PromError('auth', `${route}: HTTP ${code}: the token was refused`);
  }
  if (code >= 300 && code < 400) {
    const to = location ? ` to ${location.split('?')[0]}` : '';
    return new PromError('bad-answer', `${route}: HTTP ${code} redirect${to}, not followed`);
  }
  return null;
}

/**
 * GET `route` with `params` and resolve with the parsed JSON answer (for a
 * 4xx/5xx too: Prometheus explains its refusals in JSON). Rejects with a
 * PromError for anything else.
 */
export function promGet(
  ep: PromEndpoint,
  route: string,
  params: Record<string, string>,
  o: PromRequestOptions = {},
): Promise<{ status: number; body: unknown }> {
  const timeoutMs = o.timeoutMs ?? 5000;
  const maxBytes = o.maxBytes ?? 16 * 1024 * 1024;
  const url = new URL(ep.url.pathname.replace(/\/$/, '') + route, ep.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (ep.token) headers.Authorization = `Bearer ${ep.token}`;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: PromError | null, value?: { status: number; body: unknown }) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(value!);
    };
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.get(url, { agent: false, headers });
    // One deadline for connecting, headers and a body that trickles in.
    const deadline = setTimeout(
      () => finish(new PromError('unreachable', `${route}: no complete answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', (err) => finish(networkError(route, err as NodeJS.ErrnoException)));
    req.on('response', (res) => {
      const code = res.statusCode ?? 0;
      const problem = statusError(route, code, res.headers.location);
      if (problem) {
        res.resume();
        return finish(problem);
      }
      readJsonAnswer(res, maxBytes, {
        json: (body) => finish(null, { status: code, body }),
        tooLarge: () =>
          finish(new PromError('bad-answer', `${route}: answer larger than ${maxBytes} bytes`)),
        notJson: () =>
          finish(new PromError('bad-answer', `${route}: HTTP ${code}, answer is not JSON`)),
        lost: () => finish(new PromError('unreachable', `${route}: connection lost`)),
      });
    });
  });
}

function unwrap<T>(route: string, r: PromResult<T>): T {
  if (!r.ok) throw new PromError('bad-answer', `${route}: ${r.error}`);
  return r.value;
}

/** The queries of one poll, against one Prometheus server. */
export class PrometheusClient {
  constructor(
    readonly endpoint: PromEndpoint,
    private readonly opts: PromRequestOptions = {},
  ) {}

  /** One instant query evaluated at `atMs`. */
  async query(promql: string, atMs: number): Promise<PromSample[]> {
    const route = '/api/v1/query';
    const { body } = await promGet(
      this.endpoint,
      route,
      { query: promql, time: (atMs / 1000).toFixed(3) },
      this.opts,
    );
    return unwrap(route, parseVector(body));
  }

  /** The alerts of the server's alerting rules (pending and firing). */
  async alerts(): Promise<PromAlert[]> {
    const route = '/api/v1/alerts';
    const { body } = await promGet(this.endpoint, route, {}, this.opts);
    return unwrap(route, parseAlerts(body));
  }
}

export interface FleetPoll {
  atMs: number;
  hosts: PromHost[];
  /** Alerts that began or stopped firing since the previous poll. */
  events: HbEvent[];
  firing: FiringAlerts;
}

/** One poll of the fleet: the queries at one evaluation time, in parallel. */
export async function pollPrometheus(
  client: PrometheusClient,
  atMs: number,
  previousFiring: FiringAlerts,
): Promise<FleetPoll> {
  const [series, lastStatus, up, alerts] = await Promise.all([
    client.query(PROM_QUERIES.series, atMs),
    client.query(PROM_QUERIES.lastStatus, atMs),
    client.query(PROM_QUERIES.up, atMs),
    client.alerts(),
  ]);
  const hosts = fleetFromAnswers({ atMs, series, lastStatus, up });
  const { events, firing } = alertEvents(alerts, previousFiring, atMs);
  return { atMs, hosts, events, firing };
}
