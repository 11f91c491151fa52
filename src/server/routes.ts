// The API as a table: each route is a path, the methods it answers, what it
// asks of the caller (auth mode) and a handler. One request handler serves any
// table, so a second listener (a unix socket beside TCP) serves the same API
// with its own access settings. The order of checks is fixed here, for every
// route: URL size, Host, path, method, credentials, then the handler.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { auditOnFinish, type AccessAudit, type AuthOutcome } from './access.js';
import { authenticate, hostAllowed, type AuthMode, type RequestAuth } from './auth.js';
import { sendError, sendUnauthorized } from './respond.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a handler gets: the request, its parsed URL, the path's `:name` parameters. */
export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Readonly<Record<string, string>>;
  auth: AuthOutcome;
  /** The listener's access settings (the page trades `?token=` for a cookie). */
  access: RequestAuth;
}

export interface Route {
  /** An exact path, or one with `:name` segments matching one non-empty segment each. */
  path: string;
  /** GET also answers HEAD. */
  methods: readonly Method[];
  auth: AuthMode;
  handle(r: RouteRequest): void | Promise<void>;
  /** The 401 of this route, when it says more than the API's bare one (the page's login hint). */
  unauthorized?(req: IncomingMessage, res: ServerResponse): void;
}

export interface ApiHandlerOptions {
  access: RequestAuth;
  audit?: AccessAudit;
  /** Longer request targets are refused with 414. */
  maxUrlBytes: number;
}

/** The `:name` parameters when `pathname` matches `pattern`, else null. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  if (!pattern.includes(':')) return pattern === pathname ? {} : null;
  const want = pattern.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (g === '') return null;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null;
      }
    } else if (w !== g) return null;
  }
  return params;
}

const answers = (route: Route, method: string | undefined): boolean =>
  (route.methods as readonly string[]).includes(method ?? '') ||
  (method === 'HEAD' && route.methods.includes('GET'));

function allowHeader(routes: readonly Route[]): string {
  const methods = new Set<string>();
  for (const r of routes) {
    for (const m of r.methods) methods.add(m);
    if (r.methods.includes('GET')) methods.add('HEAD');
  }
  return [...methods].join(', ');
}

function credentialsOf(req: IncomingMessage, url: URL, mode: AuthMode) {
  return {
    authorization: req.headers.authorization,
    cookie: req.headers.cookie,
    queryToken: mode === 'token-or-query' ? url.searchParams.get('token') : null,
  };
}

/** One request listener over a route table, for http.createServer. */
export function createApiHandler(
  routes: readonly Route[],
  opts: ApiHandlerOptions,
): RequestListener {
  const { access } = opts;
  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    state: { auth: AuthOutcome },
  ) => {
    const rawUrl = req.url ?? '/';
    if (rawUrl.length > opts.maxUrlBytes) return sendError(res, 414, 'URI too long');
    if (!hostAllowed(access, req.headers.host))
      return sendError(res, 421, 'unexpected Host header');
    let url: URL;
    try {
      url = new URL(rawUrl, 'http://localhost');
    } catch {
      return sendError(res, 400, 'bad request target');
    }
    const onPath: Array<[Route, Record<string, string>]> = [];
    for (const r of routes) {
      const params = matchPath(r.path, url.pathname);
      if (params) onPath.push([r, params]);
    }
    if (onPath.length === 0) return sendError(res, 404, 'not found');
    const found = onPath.find(([r]) => answers(r, req.method));
    if (!found) {
      req.resume();
      const allow = allowHeader(onPath.map(([r]) => r));
      return sendError(res, 405, 'method not allowed', { Allow: allow, Connection: 'close' });
    }
    const [route, params] = found;
    state.auth =
      route.auth === 'public'
        ? 'public'
        : authenticate(access, credentialsOf(req, url, route.auth));
    if (state.auth !== 'public' && state.auth !== 'open' && state.auth !== 'ok') {
      return route.unauthorized ? route.unauthorized(req, res) : sendUnauthorized(res);
    }
    await route.handle({ req, res, url, params, auth: state.auth, access });
  };

  return (req, res) => {
    const state = { auth: 'none' as AuthOutcome };
    auditOnFinish(opts.audit, req, res, () => state.auth);
    handle(req, res, state).catch(() => {
      if (!res.headersSent) sendError(res, 500, 'internal error');
      else res.destroy();
    });
  };
}
