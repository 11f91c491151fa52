// Access control for the HTTP API: where the token comes from, how it is
// compared, and which listen addresses may go without one.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** A problem with the API's access settings, in words an operator can act on. */
export class ApiConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiConfigError';
  }
}

export const MIN_TOKEN_LENGTH = 16;

export interface TokenSettings {
  token: string | null;
  tokenFile: string | null;
}

export interface ResolvedToken {
  token: string | null;
  /** Where it came from, for messages (never the token itself). */
  origin: 'api.token' | 'api.tokenFile' | 'GHOST_HB_TOKEN' | 'none';
}

/**
 * The API token: `api.token`, else `api.tokenFile`, else $GHOST_HB_TOKEN.
 * A token file readable by group or others is refused, as ssh refuses keys.
 */
export function resolveApiToken(
  api: TokenSettings,
  env: NodeJS.ProcessEnv = process.env,
  baseDir: string = process.cwd(),
): ResolvedToken {
  if (api.token) return { token: checkToken(api.token, 'api.token'), origin: 'api.token' };
  if (api.tokenFile) {
    const file = path.resolve(baseDir, api.tokenFile);
    const token = readTokenFile(file, 'api.tokenFile');
    return { token: checkToken(token, `api.tokenFile ${file}`), origin: 'api.tokenFile' };
  }
  const fromEnv = env.GHOST_HB_TOKEN?.trim();
  if (fromEnv) return { token: checkToken(fromEnv, 'GHOST_HB_TOKEN'), origin: 'GHOST_HB_TOKEN' };
  return { token: null, origin: 'none' };
}

/**
 * A token from a file that only its owner may read or write (a file group or
 * others can read is refused, as ssh refuses such keys): the API's own token
 * file, a remote agent's `tokenFile` and the Prometheus server's token, all
 * through this one check. `what` names the setting in messages; the token
 * itself never appears in one. The mode is checked on the file that is read
 * (one descriptor), so a file swapped in between cannot slip past it.
 */
export function readTokenFile(file: string, what: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new ApiConfigError(
      `${what} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); create it or fix the path`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ApiConfigError(`${what} ${file} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      throw new ApiConfigError(
        `${what} ${file} is readable or writable by group or others (mode ${(st.mode & 0o777).toString(8)}); ` +
          `run: chmod 600 '${file}'`,
      );
    }
    const token = readFileSync(fd, 'utf8').trim();
    if (!token) throw new ApiConfigError(`${what} ${file} is empty`);
    return token;
  } finally {
    closeSync(fd);
  }
}

function checkToken(token: string, where: string): string {
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new ApiConfigError(
      `${where}: the token must be at least ${MIN_TOKEN_LENGTH} characters (e.g. from: openssl rand -hex 24)`,
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(token)) {
    throw new ApiConfigError(`${where}: the token must not contain spaces or control characters`);
  }
  return token;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Constant-time comparison. Both sides are hashed first, so the comparison
 * always runs over 32 bytes whatever the presented token's length: neither its
 * content nor its length shows in the time taken.
 */
export function tokenMatches(expected: string, presented: string | null | undefined): boolean {
  const a = digest(expected);
  const b = digest(presented ?? '');
  return timingSafeEqual(a, b) && presented != null;
}

/** The value of the dashboard's session cookie: derived from the token, not the token itself. */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('ghost-hb dashboard session v1').digest('hex');
}

/** Split "host:port" / "[v6]:port". */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(listen.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new ApiConfigError(
      `listen address "${listen}" is not host:port (e.g. 127.0.0.1:9464 or [::1]:9464)`,
    );
  }
  return { host: (m[1] ?? m[2])!, port };
}

/** True for addresses only this host can reach. Host names other than localhost are not. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped ? mapped[1]!.startsWith('127.') : false;
  }
  return false;
}

/** Refuse a non-loopback listen address without a token. */
export function assertListenAllowed(host: string, token: string | null): void {
  if (!token && !isLoopback(host)) {
    throw new ApiConfigError(
      `refusing to listen on ${host} without a token: anyone who can reach it could read ` +
        `this host's daemons. Set api.token or api.tokenFile (chmod 600), or GHOST_HB_TOKEN, ` +
        `or listen on 127.0.0.1`,
    );
  }
}

// --- Per request -------------------------------------------------------------------------

export const SESSION_COOKIE = 'ghosthb_session';

/**
 * What a route asks of a request: `public` (nothing), `token` (Authorization
 * header or the session cookie), `token-or-query` (also `?token=`, for the
 * page and the event stream, which a browser opens without headers).
 */
export type AuthMode = 'public' | 'token' | 'token-or-query';

/** The access settings one listener enforces. */
export interface RequestAuth {
  /** null: an open server (loopback only, see assertListenAllowed). */
  token: string | null;
  /** The session cookie's value, derived from the token. */
  session: string | null;
  /** The host the listener is bound to; also accepted as a Host header on an open server. */
  listenHost: string;
}

export function requestAuth(token: string | null, listenHost: string): RequestAuth {
  return { token: token || null, session: token ? sessionValue(token) : null, listenHost };
}

export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

export interface PresentedCredentials {
  authorization: string | undefined;
  cookie: string | undefined;
  /** `?token=`, when the route accepts it. */
  queryToken: string | null;
}

/** Check what a request presents: the header if any; else a valid query token, else the cookie, else the query token. */
export function authenticate(
  access: RequestAuth,
  presented: PresentedCredentials,
): 'open' | 'ok' | 'missing' | 'wrong' {
  const { token, session } = access;
  if (!token) return 'open';
  if (presented.authorization !== undefined) {
    const m = /^Bearer ([^\s]+)$/i.exec(presented.authorization.trim());
    return tokenMatches(token, m ? m[1] : '') ? 'ok' : 'wrong';
  }
  // A valid ?token= wins over a stale session cookie (left from before a token rotation).
  if (presented.queryToken !== null && tokenMatches(token, presented.queryToken)) return 'ok';
  const cookie = cookieValue(presented.cookie, SESSION_COOKIE);
  if (cookie !== null) return tokenMatches(session!, cookie) ? 'ok' : 'wrong';
  if (presented.queryToken !== null) return 'wrong';
  return 'missing';
}

/** Without a token, only loopback Host names are served (defeats DNS rebinding). */
export function hostAllowed(access: RequestAuth, hostHeader: string | undefined): boolean {
  if (access.token) return true;
  const h = hostHeader ?? '';
  const name = h.startsWith('[') ? h.slice(1, h.indexOf(']')) : h.replace(/:\d+$/, '');
  return isLoopback(name) || name === access.listenHost;
}
