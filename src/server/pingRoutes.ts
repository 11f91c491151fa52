// HTTP pings: how a cron job or a script on any host beats without ghost-hb
// installed (`job && curl -fsS -X POST http://HOST:9464/ping/backup`), in the
// shape healthchecks made common. Every ping ends as an atomic heartbeat file
// in the heartbeat directory (`source: "http"`), so the engine, the screen and
// the rules read it as any other beat.
//
//   /ping/NAME            success (ends a run begun with /start, with its duration)
//   /ping/NAME/start      a run began
//   /ping/NAME/fail       the job failed
//   /ping/NAME/log        change the message only; not a beat
//   /ping/NAME/EXIT_CODE  0 success, 1-255 failure with that code
//
// The optional body (capped, control characters removed) becomes the message.
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { BeatError, writeHeartbeat, type BeatOptions } from '../beat.js';
import type { Config } from '../config/schema.js';
import { DAEMON_NAME_RULE, isDaemonName } from '../core/names.js';
import { MAX_HEARTBEAT_BYTES } from '../core/heartbeatFile.js';
import { tokenMatches } from './auth.js';
import { send, sendError, sendUnauthorized } from './respond.js';
import type { Route, RouteRequest } from './routes.js';

export interface PingLimits {
  /** Bytes of body kept as the message; a larger body is refused with 413. */
  maxBodyBytes: number;
  /** Pings per name that may come at once ... */
  burst: number;
  /** ... refilled at this many per second; past it, 429 with Retry-After. */
  perSecond: number;
  /** Names not declared in the config that pings may create (with discover on). */
  maxNewNames: number;
}

export const DEFAULT_PING_LIMITS: PingLimits = {
  maxBodyBytes: 4096,
  burst: 10,
  perSecond: 2,
  maxNewNames: 1000,
};

export interface PingDeps {
  heartbeatDir: string;
  /** Daemons declared in the config: always accepted. */
  declared: ReadonlySet<string>;
  /** With discover on, other valid names are accepted too (up to maxNewNames). */
  discover: boolean;
  /** The API token and the ping-only token; with neither, the (loopback-only) server is open. */
  apiToken: string | null;
  pingToken: string | null;
  limits?: Partial<PingLimits>;
  /** Monotonic ms (rate limits). */
  now?: () => number;
}

type Action = 'success' | 'start' | 'fail' | 'log' | number;

function parseAction(segment: string | undefined): Action | null {
  if (segment === undefined) return 'success';
  if (segment === 'start' || segment === 'fail' || segment === 'log') return segment;
  if (/^\d{1,3}$/.test(segment) && Number(segment) <= 255) return Number(segment);
  return null;
}

/** A token bucket per name. */
class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {}

  /** 0 when allowed, else seconds until one more is. */
  take(name: string): number {
    const t = this.now();
    const b = this.buckets.get(name) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
    b.at = t;
    this.buckets.set(name, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.perSecond);
  }
}

/** Control characters (but newline and tab) become spaces; the result is trimmed. */
export function cleanMessage(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ' ').trim();
}

class BodyTooLarge extends Error {}

/** /log for a name without a heartbeat: nothing to add the line to (409). */
class NothingToLog extends Error {}

/** The body as text, refusing more than `max` bytes (by Content-Length or as it streams). */
async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function presentedToken(r: RouteRequest): string | null {
  const header = r.req.headers.authorization;
  if (header !== undefined) return /^Bearer ([^\s]+)$/i.exec(header.trim())?.[1] ?? '';
  return r.url.searchParams.get('token');
}

/** The ping routes for a resolved config: declared names, discover, and the tokens given. */
export function configPingRoutes(
  config: Pick<Config, 'heartbeatDir' | 'daemons' | 'discover'>,
  apiToken: string | null,
  pingToken: string | null,
  limits?: Partial<PingLimits>,
): Route[] {
  return pingRoutes({
    heartbeatDir: config.heartbeatDir,
    declared: new Set(config.daemons.filter((d) => d.declared).map((d) => d.name)),
    discover: config.discover,
    apiToken,
    pingToken,
    ...(limits ? { limits } : {}),
  });
}

export function pingRoutes(deps: PingDeps): Route[] {
  const limits = { ...DEFAULT_PING_LIMITS, ...deps.limits };
  const now = deps.now ?? (() => performance.now());
  const limiter = new RateLimiter(limits.burst, limits.perSecond, now);
  const newNames = new Set<string>();
  /** Runs begun with /start and not ended yet: name -> epoch ms. */
  const started = new Map<string, number>();

  const authorized = (r: RouteRequest): boolean => {
    if (!deps.apiToken && !deps.pingToken) return true;
    // The agent's unix socket (no peer address, no token on its listener): the
    // socket's 0600 mode already decided who may connect.
    if (r.access.token === null && r.req.socket.remoteAddress === undefined) return true;
    const presented = presentedToken(r);
    return (
      (deps.apiToken !== null && tokenMatches(deps.apiToken, presented)) ||
      (deps.pingToken !== null && tokenMatches(deps.pingToken, presented))
    );
  };

  /** Why NAME may not be pinged, as [status, message], or null. */
  const refuseName = (name: string): [number, string] | null => {
    if (!isDaemonName(name)) return [400, `bad daemon name: ${DAEMON_NAME_RULE}`];
    if (deps.declared.has(name) || newNames.has(name)) return null;
    if (!deps.discover) {
      return [404, 'unknown daemon: declare it in the config (daemons) or turn discover on'];
    }
    if (newNames.size >= limits.maxNewNames) {
      return [429, `too many undeclared names pinged (${limits.maxNewNames}); declare them`];
    }
    return null;
  };

  const handle = async (r: RouteRequest): Promise<void> => {
    const { req, res, params } = r;
    if (!authorized(r)) {
      req.resume();
      return sendUnauthorized(res);
    }
    const name = params.name!;
    const action = parseAction(params.action);
    if (action === null) {
      req.resume();
      return sendError(res, 404, 'unknown ping: use start, fail, log or an exit code 0-255');
    }
    const refused = refuseName(name);
    if (refused) {
      req.resume();
      return sendError(res, refused[0], refused[1]);
    }
    // Counted now, before any await, so concurrent pings cannot pass the cap together.
    if (!deps.declared.has(name)) newNames.add(name);
    const wait = limiter.take(name);
    if (wait > 0) {
      req.resume();
      return sendError(res, 429, 'too many pings for this name', { 'Retry-After': String(wait) });
    }
    let body: string;
    try {
      body = await readBody(req, limits.maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        return sendError(res, 413, `body larger than ${limits.maxBodyBytes} bytes`, {
          Connection: 'close',
        });
      }
      throw err;
    }
    const message = cleanMessage(body);
    try {
      const status = await applyPing(deps.heartbeatDir, name, action, message, started);
      send(res, 200, JSON.stringify({ ok: true, name, status }));
    } catch (err) {
      if (err instanceof NothingToLog) return sendError(res, 409, err.message);
      if (err instanceof BeatError) return sendError(res, 503, err.message);
      throw err;
    }
  };

  return [
    { path: '/ping/:name', methods: ['GET', 'POST'], auth: 'public', handle },
    { path: '/ping/:name/:action', methods: ['GET', 'POST'], auth: 'public', handle },
  ];
}

/** Write the heartbeat a ping asks for; resolves to the self-reported status written. */
async function applyPing(
  dir: string,
  name: string,
  action: Action,
  message: string,
  started: Map<string, number>,
): Promise<string> {
  const nowMs = Date.now();
  const base: BeatOptions = { pid: null, source: 'http', now: nowMs };
  if (message !== '') base.message = message;
  if (action === 'log') {
    await rewriteMessage(dir, name, message);
    return 'unchanged';
  }
  if (action === 'start') {
    started.set(name, nowMs);
    await writeHeartbeat(dir, name, { ...base, status: 'ok', startedAt: nowMs });
    return 'ok';
  }
  if (action === 'fail') {
    started.delete(name);
    await writeHeartbeat(dir, name, { ...base, status: 'failing', message: message || 'failed' });
    return 'failing';
  }
  const code = action === 'success' ? 0 : action;
  const startedAt = started.get(name);
  started.delete(name);
  const run =
    startedAt !== undefined || action !== 'success'
      ? {
          exit: {
            code,
            signal: null,
            durationMs: startedAt === undefined ? null : nowMs - startedAt,
          },
          ...(startedAt !== undefined ? { startedAt } : {}),
        }
      : {};
  const status = code === 0 ? 'ok' : 'failing';
  await writeHeartbeat(dir, name, { ...base, status, ...run });
  return status;
}

/**
 * /log: the message of the current heartbeat changes, its time does not (a
 * log line is not proof of life). Needs a heartbeat to change.
 */
async function rewriteMessage(dir: string, name: string, message: string): Promise<void> {
  const file = path.join(dir, `${name}.json`);
  let doc: Record<string, unknown>;
  try {
    const st = await fs.promises.lstat(file);
    if (!st.isFile() || st.size > MAX_HEARTBEAT_BYTES)
      throw new BeatError(`${name}.json is not a heartbeat`);
    doc = JSON.parse(await fs.promises.readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof NothingToLog) throw err;
    throw new NothingToLog(`no heartbeat for ${name} to add a log line to`);
  }
  const ts = typeof doc.ts === 'string' || typeof doc.ts === 'number' ? new Date(doc.ts) : null;
  if (!ts || !Number.isFinite(+ts)) throw new NothingToLog(`${name}.json has no usable ts`);
  await writeHeartbeat(dir, name, {
    pid: typeof doc.pid === 'number' ? doc.pid : null,
    now: ts,
    source: 'http',
    status: doc.status === 'degraded' || doc.status === 'failing' ? doc.status : 'ok',
    ...(message !== '' ? { message } : {}),
    ...(typeof doc.interval === 'number' ? { interval: doc.interval } : {}),
  });
}
