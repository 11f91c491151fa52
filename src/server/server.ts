// The HTTP server: JSON API, live event stream, Prometheus metrics, health
// check and the dashboard page. It only reads what the poller produces; it
// never polls itself, so any number of clients cost the monitor nothing but
// serialisation (done once per poll, shared by every client).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { HbEvent, PollResult } from '../core/types.js';
import { sanitizeString } from '../core/sanitize.js';
import type { PollerListener, PollerUpdate } from '../runtime/poller.js';
import {
  assertListenAllowed,
  isLoopback,
  parseListen,
  sessionValue,
  tokenMatches,
  ApiConfigError,
} from './auth.js';
import { HbMetrics } from './metrics.js';
import { EventRing, SseHub, sseFrame, type SseClient } from './sse.js';
import { filterEvents, parseEventQuery, QueryError, type EventQuery } from './query.js';
import { dashboardHtml, DASHBOARD_CSP } from './dashboard.js';

/** What the server reads: the Poller (or anything with the same two members). */
export interface PollFeed {
  readonly latest: PollResult | null;
  subscribe(listener: PollerListener): () => void;
}

/** The event log, when there is one; otherwise /api/events answers from memory. */
export interface EventStore {
  query(q: EventQuery): Promise<HbEvent[]>;
  /** Newest events held in memory, oldest first (seeds Last-Event-ID resume). */
  recent?(): HbEvent[];
}

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

export interface ServerLimits {
  /** Time allowed to send the request headers (slowloris). */
  headersTimeoutMs: number;
  /** Time allowed to send the whole request. */
  requestTimeoutMs: number;
  /** Idle keep-alive sockets are closed after this. */
  keepAliveTimeoutMs: number;
  /** Idle sockets (not event streams) are closed after this. */
  socketIdleMs: number;
  maxHeaderBytes: number;
  maxHeadersCount: number;
  maxUrlBytes: number;
  maxConnections: number;
  maxStreamClients: number;
  /** Bytes queued for one stream client beyond which it is disconnected. */
  maxStreamBufferBytes: number;
  keepaliveMs: number;
  /** Events kept for Last-Event-ID resume. */
  ringSize: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  socketIdleMs: 60_000,
  maxHeaderBytes: 16 * 1024,
  maxHeadersCount: 64,
  maxUrlBytes: 2048,
  maxConnections: 512,
  maxStreamClients: 64,
  maxStreamBufferBytes: 1024 * 1024,
  keepaliveMs: 15_000,
  ringSize: 1000,
};

export interface ServerOptions {
  feed: PollFeed;
  /** Seconds between full polls (healthz turns 503 after 3 of them without one). */
  pollIntervalSec: number;
  /** host:port; port 0 picks a free port. */
  listen: string;
  /** The resolved token (see resolveApiToken), or null for an open loopback server. */
  token: string | null;
  metricsPublic?: boolean;
  events?: EventStore;
  /** Called once per request; must not throw and should not block. */
  audit?: (record: AccessRecord) => void;
  limits?: Partial<ServerLimits>;
  metrics?: HbMetrics;
}

export interface GhostServer {
  /** e.g. http://127.0.0.1:9464 */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly metrics: HbMetrics;
  /** Publish events raised outside the poll (e.g. dashboard push drops). */
  publish(events: HbEvent[]): void;
  /** Stop listening, end the streams, close every connection. */
  close(): Promise<void>;
}

const SESSION_COOKIE = 'ghosthb_session';
const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The path and query as logged: the token parameter is never written anywhere. */
export function loggablePath(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  if (q < 0) return sanitizeString(rawUrl, 512);
  const params = new URLSearchParams(rawUrl.slice(q + 1));
  if (params.has('token')) params.set('token', '[REDACTED]');
  const qs = params.toString().replace(/%5BREDACTED%5D/g, '[REDACTED]');
  return sanitizeString(`${rawUrl.slice(0, q)}${qs ? `?${qs}` : ''}`, 512);
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

/** Start the server. Rejects with ApiConfigError on a bad or refused listen address. */
export async function startServer(opts: ServerOptions): Promise<GhostServer> {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const { host, port } = parseListen(opts.listen);
  const token = opts.token || null;
  assertListenAllowed(host, token);
  const session = token ? sessionValue(token) : null;
  const metrics = opts.metrics ?? new HbMetrics();
  const ring = new EventRing(limits.ringSize);
  const hub = new SseHub({
    keepaliveMs: limits.keepaliveMs,
    maxClients: limits.maxStreamClients,
    maxBufferBytes: limits.maxStreamBufferBytes,
  });
  const pollIntervalMs = opts.pollIntervalSec * 1000;
  let lastPollMono: number | null = null;
  let lastPollWall: number | null = null;
  let latest: PollResult | null = opts.feed.latest;
  let latestJson: string | null = null;
  const statusJson = () => (latest ? (latestJson ??= JSON.stringify(latest.snapshot)) : null);

  // --- Data in -----------------------------------------------------------------------------
  const publish = (events: readonly HbEvent[]) => {
    const fresh = ring.add(events);
    if (fresh.length === 0) return;
    metrics.countEvents(fresh);
    for (const e of fresh) hub.broadcast(sseFrame('anomaly', JSON.stringify(e), e.id));
  };
  const onUpdate = (u: PollerUpdate) => {
    if (u.type === 'error') {
      if (u.kind === 'poll') metrics.pollFailed();
      return;
    }
    latest = u.result;
    latestJson = null;
    publish(u.result.events);
    metrics.updateSnapshot(u.result.snapshot);
    if (u.kind === 'poll') {
      lastPollMono = performance.now();
      lastPollWall = u.at.wallMs;
      metrics.observePoll(u.durationMs, u.at.wallMs);
    }
    if (hub.size > 0) hub.broadcast(sseFrame('snapshot', statusJson()!));
  };
  metrics.trackFlapping(ring.add(opts.events?.recent?.() ?? []));
  if (latest) {
    metrics.trackFlapping(ring.add(latest.events));
    metrics.updateSnapshot(latest.snapshot);
    lastPollMono = performance.now();
    lastPollWall = Date.parse(latest.snapshot.at);
  }
  const unsubscribe = opts.feed.subscribe(onUpdate);

  // --- Auth --------------------------------------------------------------------------------
  const authenticate = (req: IncomingMessage, url: URL, allowQueryToken: boolean): AuthOutcome => {
    if (!token) return 'open';
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer ([^\s]+)$/i.exec(header.trim());
      return tokenMatches(token, m ? m[1] : '') ? 'ok' : 'wrong';
    }
    const cookie = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (cookie !== null) return tokenMatches(session!, cookie) ? 'ok' : 'wrong';
    const q = allowQueryToken ? url.searchParams.get('token') : null;
    if (q !== null) return tokenMatches(token, q) ? 'ok' : 'wrong';
    return 'missing';
  };

  /** Without a token, only loopback Host names are served (defeats DNS rebinding). */
  const hostAllowed = (req: IncomingMessage): boolean => {
    if (token) return true;
    const h = req.headers.host ?? '';
    const name = h.startsWith('[') ? h.slice(1, h.indexOf(']')) : h.replace(/:\d+$/, '');
    return isLoopback(name) || name === host;
  };

  // --- Responses ---------------------------------------------------------------------------
  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    type = 'application/json; charset=utf-8',
    extra: Record<string, string> = {},
  ) => {
    res.writeHead(status, {
      ...COMMON_HEADERS,
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      ...extra,
    });
    res.end(body);
  };
  const error = (res: ServerResponse, status: number, message: string, extra = {}) =>
    send(res, status, JSON.stringify({ error: message }), undefined, extra);
  const unauthorized = (res: ServerResponse) =>
    error(res, 401, 'unauthorized', { 'WWW-Authenticate': 'Bearer realm="ghost-hb"' });

  const health = () => {
    const ageMs = lastPollMono === null ? null : performance.now() - lastPollMono;
    const ok = ageMs !== null && ageMs <= 3 * pollIntervalMs;
    return {
      status: ok ? 200 : 503,
      body: {
        status: ok ? 'ok' : lastPollMono === null ? 'no poll yet' : 'stale',
        lastPollAt: lastPollWall === null ? null : new Date(lastPollWall).toISOString(),
        lastPollAgeMs: ageMs === null ? null : Math.round(ageMs),
        pollIntervalSec: opts.pollIntervalSec,
      },
    };
  };

  const openStream = (req: IncomingMessage, res: ServerResponse) => {
    if (hub.full) return error(res, 503, 'too many stream clients', { 'Retry-After': '10' });
    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-store, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    if (req.method === 'HEAD') return void res.end();
    const client: SseClient = hub.add(res);
    hub.send(client, 'retry: 3000\n\n');
    const lastId = req.headers['last-event-id'];
    if (typeof lastId === 'string' && lastId !== '') {
      const missed = ring.after(lastId);
      if (missed === null) {
        // Too old, or from an earlier run: the client refetches /api/events.
        hub.send(client, sseFrame('reset', JSON.stringify({ reason: 'unknown Last-Event-ID' })));
      } else {
        for (const e of missed) hub.send(client, sseFrame('anomaly', JSON.stringify(e), e.id));
      }
    }
    const json = statusJson();
    if (json) hub.send(client, sseFrame('snapshot', json));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const rawUrl = req.url ?? '/';
    let auth: AuthOutcome = 'none';
    let audited = false;
    const audit = () => {
      if (audited || !opts.audit) return;
      audited = true;
      try {
        opts.audit({
          type: 'api-access',
          at: new Date().toISOString(),
          remote: sanitizeString(req.socket.remoteAddress ?? '-', 64),
          method: sanitizeString(req.method ?? '-', 16),
          path: loggablePath(rawUrl),
          status: res.statusCode,
          auth,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
        });
      } catch {
        // The audit sink's failure must not turn into a failed request.
      }
    };
    res.once('finish', audit);
    res.once('close', audit);

    if (rawUrl.length > limits.maxUrlBytes) return error(res, 414, 'URI too long');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      req.resume();
      return error(res, 405, 'method not allowed', { Allow: 'GET, HEAD', Connection: 'close' });
    }
    if (!hostAllowed(req)) return error(res, 421, 'unexpected Host header');
    let url: URL;
    try {
      url = new URL(rawUrl, 'http://localhost');
    } catch {
      return error(res, 400, 'bad request target');
    }
    const route = url.pathname;

    if (route === '/healthz') {
      auth = 'public';
      const h = health();
      return send(res, h.status, JSON.stringify(h.body));
    }
    if (route === '/metrics') {
      auth = opts.metricsPublic ? 'public' : authenticate(req, url, false);
      if (auth !== 'public' && auth !== 'open' && auth !== 'ok') return unauthorized(res);
      const text = await metrics.render();
      // Prometheus text exposition 0.0.4, as prom-client's registry declares it.
      return send(res, 200, text, metrics.contentType);
    }
    const known = ['/', '/index.html', '/api/status', '/api/events', '/api/events/stream'];
    if (!known.includes(route)) return error(res, 404, 'not found');

    const isPage = route === '/' || route === '/index.html';
    auth = authenticate(req, url, isPage || route === '/api/events/stream');
    if (auth !== 'ok' && auth !== 'open') return unauthorized(res);

    if (isPage) {
      if (token && url.searchParams.has('token')) {
        // Trade the token in the address bar for a cookie derived from it, and drop it from the URL.
        return send(res, 303, '', 'text/plain; charset=utf-8', {
          Location: '/',
          'Set-Cookie': `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`,
        });
      }
      return send(res, 200, dashboardHtml, 'text/html; charset=utf-8', {
        'Content-Security-Policy': DASHBOARD_CSP,
        'X-Frame-Options': 'DENY',
      });
    }
    if (route === '/api/status') {
      const json = statusJson();
      return json ? send(res, 200, json) : error(res, 503, 'no poll yet', { 'Retry-After': '1' });
    }
    if (route === '/api/events') {
      let q: EventQuery;
      try {
        q = parseEventQuery(url.searchParams, Date.now(), ['token']);
      } catch (err) {
        if (err instanceof QueryError) return error(res, 400, err.message);
        throw err;
      }
      const events = opts.events ? await opts.events.query(q) : filterEvents(ring.all(), q);
      return send(res, 200, JSON.stringify({ events }));
    }
    // /api/events/stream
    return openStream(req, res);
  };

  const server = http.createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
      requireHostHeader: true,
    },
    (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) error(res, 500, 'internal error');
        else res.destroy();
      });
    },
  );
  server.maxHeadersCount = limits.maxHeadersCount;
  server.maxConnections = limits.maxConnections;
  server.setTimeout(limits.socketIdleMs, (socket: Socket) => socket.destroy());
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const code = err.code ?? '';
    const status =
      code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : code === 'ECONNRESET'
            ? 0
            : 400;
    if (status && opts.audit) {
      try {
        opts.audit({
          type: 'api-access',
          at: new Date().toISOString(),
          remote: sanitizeString(socket.remoteAddress ?? '-', 64),
          method: '-',
          path: '-',
          status,
          auth: 'none',
          durationMs: 0,
        });
      } catch {
        // as above
      }
    }
    if (status && socket.writable) {
      const reason = http.STATUS_CODES[status] ?? 'Bad Request';
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      unsubscribe();
      hub.close();
      reject(
        new ApiConfigError(
          err.code === 'EADDRINUSE'
            ? `cannot listen on ${opts.listen}: the address is in use; choose another with --listen or api.listen`
            : err.code === 'EADDRNOTAVAIL'
              ? `cannot listen on ${opts.listen}: no such address on this host`
              : `cannot listen on ${opts.listen}: ${err.message}`,
        ),
      );
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address();
  const boundPort = typeof addr === 'object' && addr ? addr.port : port;

  return {
    url: `http://${hostForUrl(host)}:${boundPort}`,
    host,
    port: boundPort,
    metrics,
    publish: (events) => publish(events),
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        hub.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
