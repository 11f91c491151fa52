// Where an agent's API is and how to ask it: the unix socket of an agent on
// this host (the file permission is the authentication) or an agent's HTTP(S)
// API elsewhere (a bearer token). One GET with a deadline and a size cap, and
// one event-stream request, for both; every failure is an ApiError whose kind
// says what an operator can do about it (fix the token, upgrade the agent,
// wait for the host). Redirects are never followed (a token must not travel
// to another address) and the token never appears in a message.
import http from 'node:http';
import https from 'node:https';
import { readTokenFile } from '../server/auth.js';

export type ApiEndpoint =
  { kind: 'socket'; socket: string } | { kind: 'http'; url: URL; token: string | null };

/** What went wrong, in the terms of a host's connection state. */
export type ApiErrorKind = 'unreachable' | 'auth' | 'incompatible' | 'bad-answer';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Where the endpoint is, for messages: never the token, never a query string. */
export function describeEndpoint(e: ApiEndpoint): string {
  if (e.kind === 'socket') return e.socket;
  return `${e.url.protocol}//${e.url.host}${e.url.pathname.replace(/\/$/, '')}`;
}

export interface RequestOptions {
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/** Start a GET on the endpoint; the callback sees the response only when it is a 2xx. */
export function request(
  endpoint: ApiEndpoint,
  route: string,
  o: RequestOptions,
  onResponse: (res: http.IncomingMessage) => void,
  onError: (err: ApiError) => void,
): http.ClientRequest {
  const headers: Record<string, string> = { Accept: 'application/json', ...o.headers };
  let req: http.ClientRequest;
  if (endpoint.kind === 'socket') {
    req = http.get({
      socketPath: endpoint.socket,
      // One request per connection: nothing lingers in a pool after a client is done.
      agent: false,
      path: route,
      headers: { ...headers, Host: 'localhost' },
      timeout: o.timeoutMs ?? 5000,
    });
  } else {
    const base = endpoint.url;
    const url = new URL(base.pathname.replace(/\/$/, '') + route, base);
    if (endpoint.token) headers.Authorization = `Bearer ${endpoint.token}`;
    const lib = url.protocol === 'https:' ? https : http;
    req = lib.get(url, { agent: false, headers, timeout: o.timeoutMs ?? 5000 });
  }
  let failed = false;
  const fail = (err: ApiError) => {
    if (failed) return;
    failed = true;
    req.destroy();
    onError(err);
  };
  req.on('timeout', () => fail(new ApiError('unreachable', `${route}: no answer in time`)));
  req.on('error', (err) => fail(classifyNetError(route, err as NodeJS.ErrnoException)));
  req.on('response', (res) => {
    const problem = statusProblem(route, res);
    if (problem) {
      res.resume();
      return fail(problem);
    }
    onResponse(res);
  });
  return req;
}

/** Why an HTTP status is not an answer, or null for a 2xx. */
function statusProblem(route: string, res: http.IncomingMessage): ApiError | null {
  const code = res.statusCode ?? 0;
  if (code >= 200 && code < 300) return null;
  if (code === 401 || code === 403) {
    return new ApiError('auth', `${route}: HTTP ${code}: the token was refused`);
  }
  if (code >= 300 && code < 400) {
    // Following it would send the token wherever the answer points.
    return new ApiError('bad-answer', `${route}: HTTP ${code} redirect, not followed`);
  }
  if (code === 404) {
    return new ApiError('incompatible', `${route}: HTTP 404: not a ghost-hb agent of this version`);
  }
  return new ApiError(code === 503 ? 'unreachable' : 'bad-answer', `${route}: HTTP ${code}`);
}

const TLS_CODES = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/;

function classifyNetError(route: string, err: NodeJS.ErrnoException): ApiError {
  const code = err.code ?? '';
  if (TLS_CODES.test(code)) return new ApiError('bad-answer', `${route}: TLS error ${code}`);
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new ApiError('unreachable', `${route}: connection reset`);
  }
  return new ApiError('unreachable', `${route}: ${code || err.message}`);
}

export interface GetOptions extends RequestOptions {
  /** Answers larger than this are refused (default 32 MiB). */
  maxBytes?: number;
}

/** GET a JSON document; rejects with ApiError on any failure. */
export function getJson<T>(endpoint: ApiEndpoint, route: string, o: GetOptions = {}): Promise<T> {
  const maxBytes = o.maxBytes ?? 32 * 1024 * 1024;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const fail = (err: ApiError) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    const req = request(
      endpoint,
      route,
      o,
      (res) =>
        readJsonAnswer(res, maxBytes, {
          json: (body) => {
            if (settled) return;
            settled = true;
            resolve(body as T);
          },
          tooLarge: () => {
            req.destroy();
            fail(new ApiError('bad-answer', `${route}: answer larger than ${maxBytes} bytes`));
          },
          notJson: () => fail(new ApiError('bad-answer', `${route}: answer is not JSON`)),
          lost: () => fail(new ApiError('unreachable', `${route}: connection lost`)),
        }),
      fail,
    );
    // A body that trickles in forever is bounded by the deadline too.
    const deadline = setTimeout(
      () => {
        req.destroy();
        fail(new ApiError('unreachable', `${route}: no complete answer in time`));
      },
      (o.timeoutMs ?? 5000) * 2,
    );
    deadline.unref();
    req.on('close', () => clearTimeout(deadline));
  });
}

/**
 * A remote's token from `token` or `tokenFile`; a token file readable or
 * writable by group or others is refused (ApiConfigError), by the same check
 * as the API's own (src/server/auth.ts readTokenFile).
 */
export function remoteToken(
  name: string,
  spec: { token?: string | null; tokenFile?: string | null },
): string | null {
  if (spec.token) return spec.token;
  if (!spec.tokenFile) return null;
  return readTokenFile(spec.tokenFile, `remote ${name}: tokenFile`);
}

/** What became of a JSON answer read with `readJsonAnswer`. */
export interface JsonAnswerHandlers {
  json(body: unknown): void;
  /** Past `maxBytes`: the rest is not kept; the caller ends the request. */
  tooLarge(): void;
  notJson(): void;
  lost(): void;
}

/**
 * Read a response's JSON body of at most `maxBytes`, calling exactly one of
 * the handlers: a broken server costs a bounded amount of memory.
 */
export function readJsonAnswer(
  res: http.IncomingMessage,
  maxBytes: number,
  on: JsonAnswerHandlers,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  res.on('data', (c: Buffer) => {
    if (over) return;
    size += c.length;
    if (size > maxBytes) {
      over = true;
      on.tooLarge();
    } else chunks.push(c);
  });
  res.on('end', () => {
    if (over) return;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return on.notJson();
    }
    on.json(body);
  });
  res.on('error', () => {
    if (!over) on.lost();
  });
}
