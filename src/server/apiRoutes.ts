// ghost-hb's own routes: health, metrics, the dashboard page, the JSON API
// and the live event stream. Each reads the shared feed state; none polls.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventBuffer } from '../core/events/index.js';
import type { HbEvent } from '../core/types.js';
import { dashboardHtml, DASHBOARD_CSP, LOGIN_HINT_HTML } from './dashboard.js';
import { SESSION_COOKIE } from './auth.js';
import type { FeedState } from './feedState.js';
import type { HbMetrics } from './metrics.js';
import { parseEventQuery, QueryError, type ApiEventQuery } from './query.js';
import { send, sendError, sendUnauthorized } from './respond.js';
import type { Route, RouteRequest } from './routes.js';
import type { EventStream } from './sse.js';

/** The event log, when there is one; otherwise /api/events answers from memory. */
export interface EventStore {
  query(q: ApiEventQuery): Promise<HbEvent[]>;
  /** The monitor's in-memory ring, read for stream resume instead of a copy of it. */
  buffer?: EventBuffer;
}

export interface ApiRouteDeps {
  feed: FeedState;
  stream: EventStream;
  metrics: HbMetrics;
  events?: EventStore;
  /** Serve /metrics without a token (for a scraper on a trusted network). */
  metricsPublic?: boolean;
}

function page({ res, url, access }: RouteRequest): void {
  if (access.token && url.searchParams.has('token')) {
    // Trade the token in the address bar for a cookie derived from it, and drop it from the URL.
    return send(res, 303, '', 'text/plain; charset=utf-8', {
      Location: '/',
      'Set-Cookie': `${SESSION_COOKIE}=${access.session}; HttpOnly; SameSite=Strict; Path=/`,
    });
  }
  send(res, 200, dashboardHtml, 'text/html; charset=utf-8', {
    'Content-Security-Policy': DASHBOARD_CSP,
    'X-Frame-Options': 'DENY',
  });
}

/**
 * A browser opening the page without a session gets a page that says how to
 * sign in; any other client gets the API's bare 401. The text is the same for
 * every request, so it tells a guesser nothing.
 */
function loginHint(req: IncomingMessage, res: ServerResponse): void {
  if (!(req.headers.accept ?? '').includes('text/html')) return sendUnauthorized(res);
  send(res, 401, LOGIN_HINT_HTML, 'text/html; charset=utf-8', {
    'WWW-Authenticate': 'Bearer realm="ghost-hb"',
    'Content-Security-Policy': "default-src 'none'",
    'X-Frame-Options': 'DENY',
  });
}

export function apiRoutes(deps: ApiRouteDeps): Route[] {
  const { feed, stream, metrics, events } = deps;
  return [
    {
      path: '/healthz',
      methods: ['GET'],
      auth: 'public',
      handle({ res }) {
        const h = feed.health();
        send(res, h.status, JSON.stringify(h.body));
      },
    },
    {
      path: '/metrics',
      methods: ['GET'],
      auth: deps.metricsPublic ? 'public' : 'token',
      // Prometheus text exposition 0.0.4, as prom-client's registry declares it.
      handle: async ({ res }) => send(res, 200, await metrics.render(), metrics.contentType),
    },
    {
      path: '/',
      methods: ['GET'],
      auth: 'token-or-query',
      handle: page,
      unauthorized: loginHint,
    },
    {
      path: '/index.html',
      methods: ['GET'],
      auth: 'token-or-query',
      handle: page,
      unauthorized: loginHint,
    },
    {
      path: '/api/status',
      methods: ['GET'],
      auth: 'token',
      handle({ res }) {
        const json = feed.statusJson();
        if (json) send(res, 200, json);
        else sendError(res, 503, 'no poll yet', { 'Retry-After': '1' });
      },
    },
    {
      path: '/api/events',
      methods: ['GET'],
      auth: 'token',
      async handle({ res, url }) {
        let q: ApiEventQuery;
        try {
          q = parseEventQuery(url.searchParams, Date.now(), ['token']);
        } catch (err) {
          if (err instanceof QueryError) return sendError(res, 400, err.message);
          throw err;
        }
        const found = events ? await events.query(q) : feed.query(q);
        send(res, 200, JSON.stringify({ events: found }));
      },
    },
    {
      path: '/api/events/stream',
      methods: ['GET'],
      auth: 'token-or-query',
      handle: ({ req, res }) => stream.open(req, res),
    },
  ];
}
