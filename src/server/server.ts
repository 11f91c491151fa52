// The HTTP server: JSON API, live event stream, Prometheus metrics, health
// check and the dashboard page. It only reads what the poller produces; it
// never polls itself, so any number of clients cost the monitor nothing but
// serialisation (done once per poll, shared by every client).
//
// The parts: feedState.ts (what the server knows), apiRoutes.ts (the route
// table), routes.ts (one request handler over any table), auth.ts (tokens,
// Host check), access.ts (the audit record). This file sets the socket limits
// and listens.
import http, { type RequestListener } from 'node:http';
import type { Socket } from 'node:net';
import { auditOnFinish, writeAccess, type AccessAudit } from './access.js';
import { apiRoutes, type EventStore } from './apiRoutes.js';
import { ApiConfigError, assertListenAllowed, parseListen, requestAuth } from './auth.js';
import { FeedState, type PollFeed } from './feedState.js';
import { HbMetrics } from './metrics.js';
import { sendError } from './respond.js';
import { createApiHandler, type Route } from './routes.js';
import { EventStream } from './sse.js';

export type { AccessRecord, AuthOutcome } from './access.js';
export type { EventStore } from './apiRoutes.js';
export type { PollFeed } from './feedState.js';

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
  audit?: AccessAudit;
  limits?: Partial<ServerLimits>;
  metrics?: HbMetrics;
  /** More routes, served after the built-in ones with the same checks. */
  routes?: readonly Route[];
  /** A monotonic clock in ms for /healthz (performance.now by default). */
  now?: () => number;
}

export interface GhostServer {
  /** e.g. http://127.0.0.1:9464 */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly metrics: HbMetrics;
  /** The route table this server serves (a second listener can serve it too). */
  readonly routes: readonly Route[];
  /** Stop listening, end the streams, close every connection. */
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** What Node answers itself, before a request reaches the handler. */
function clientErrorStatus(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (code === 'ECONNRESET') return 0;
  return 400;
}

/** `handler`, behind a 431 for a request with more than `max` header lines. */
function refuseManyHeaders(
  handler: RequestListener,
  max: number,
  audit: AccessAudit | undefined,
): RequestListener {
  return (req, res) => {
    if (req.rawHeaders.length / 2 <= max) {
      handler(req, res);
      return;
    }
    auditOnFinish(audit, req, res, () => 'none');
    sendError(res, 431, `more than ${max} header lines`, { Connection: 'close' });
  };
}

/**
 * An http.Server with the API's limits (slow or oversized requests, idle
 * sockets, connection count) around `handler`. Listen on a TCP address or a
 * unix socket path; requests refused before they parse are audited too.
 */
export function createApiServer(
  handler: RequestListener,
  limits: ServerLimits,
  audit?: AccessAudit,
): http.Server {
  const server = http.createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
      requireHostHeader: true,
    },
    refuseManyHeaders(handler, limits.maxHeadersCount, audit),
  );
  // Node drops header lines past maxHeadersCount without a word (an Authorization
  // line among them would turn into a 401): parse one more, and refuse with 431.
  server.maxHeadersCount = limits.maxHeadersCount + 1;
  server.maxConnections = limits.maxConnections;
  server.setTimeout(limits.socketIdleMs, (socket: Socket) => socket.destroy());
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const status = clientErrorStatus(err.code);
    if (status) {
      writeAccess(audit, {
        remote: socket.remoteAddress,
        method: undefined,
        rawUrl: undefined,
        status,
        auth: 'none',
        durationMs: 0,
      });
      if (socket.writable) {
        const reason = http.STATUS_CODES[status] ?? 'Bad Request';
        socket.end(
          `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
        );
      }
    }
    socket.destroy();
  });
  return server;
}

function listenError(listen: string, err: NodeJS.ErrnoException): ApiConfigError {
  if (err.code === 'EADDRINUSE') {
    return new ApiConfigError(
      `cannot listen on ${listen}: the address is in use; choose another with --listen or api.listen`,
    );
  }
  if (err.code === 'EADDRNOTAVAIL') {
    return new ApiConfigError(`cannot listen on ${listen}: no such address on this host`);
  }
  return new ApiConfigError(`cannot listen on ${listen}: ${err.message}`);
}

/** Listen on a TCP address or a unix socket path; refusals become ApiConfigError naming `label`. */
export function listenOn(
  server: http.Server,
  target: { host: string; port: number } | { path: string },
  label: string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(listenError(label, err));
    server.once('error', onError);
    server.listen(target, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Start the server. Rejects with ApiConfigError on a bad or refused listen address. */
export async function startServer(opts: ServerOptions): Promise<GhostServer> {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const { host, port } = parseListen(opts.listen);
  assertListenAllowed(host, opts.token || null);
  const metrics = opts.metrics ?? new HbMetrics();
  const feed = new FeedState(opts.feed, {
    metrics,
    pollIntervalSec: opts.pollIntervalSec,
    ringSize: limits.ringSize,
    ...(opts.events?.buffer ? { buffer: opts.events.buffer } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  const stream = new EventStream(feed, {
    keepaliveMs: limits.keepaliveMs,
    maxClients: limits.maxStreamClients,
    maxBufferBytes: limits.maxStreamBufferBytes,
  });
  const routes = [
    ...apiRoutes({ feed, stream, metrics, events: opts.events, metricsPublic: opts.metricsPublic }),
    ...(opts.routes ?? []),
  ];
  const handler = createApiHandler(routes, {
    access: requestAuth(opts.token, host),
    audit: opts.audit,
    maxUrlBytes: limits.maxUrlBytes,
  });
  const server = createApiServer(handler, limits, opts.audit);
  const stop = () => {
    stream.close();
    feed.close();
  };
  try {
    await listenOn(server, { host, port }, opts.listen);
  } catch (err) {
    stop();
    throw err;
  }
  const addr = server.address();
  const boundPort = typeof addr === 'object' && addr ? addr.port : port;

  return {
    url: `http://${hostForUrl(host)}:${boundPort}`,
    host,
    port: boundPort,
    metrics,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
