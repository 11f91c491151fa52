// One agent's API as a live feed: its status and recent events fetched once,
// then its event stream followed (a snapshot per poll, each event once),
// reconnected with backoff after any failure and resumed with Last-Event-ID,
// so nothing is lost and nothing shown twice (events are also deduplicated by
// id, for an agent that answers a resume with a `reset`). What it hears is
// handed to a listener, with the connection's state, in the words a header
// shows: connected, reconnecting, auth failed, unreachable, incompatible
// version, bad answer. The same class serves the agent of this host (unix
// socket) and agents elsewhere (HTTP).
import { sanitizeValue } from '../core/sanitize.js';
import type { HbEvent, Snapshot } from '../core/types.js';
import type { Availability } from '../store/uptimeLog.js';
import { ApiError, getJson, type ApiEndpoint, type ApiErrorKind } from './endpoint.js';
import { openEventStream, type EventStreamHandle, type SseFrame } from './stream.js';

export type HostStateKind =
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'auth failed'
  | 'unreachable'
  | 'incompatible version'
  | 'bad answer';

export interface HostState {
  state: HostStateKind;
  /** What went wrong last (never a token); null when connected. */
  detail: string | null;
  /** Wall ms of the next attempt while disconnected. */
  retryAt: number | null;
  /** Wall ms since when the host has not answered (null while connected). */
  downSince: number | null;
}

export interface ConnectionListener {
  snapshot(snapshot: Snapshot): void;
  /** New events, oldest first, each id once. */
  events(events: HbEvent[]): void;
  state(state: HostState): void;
}

export interface ConnectionOptions {
  /** Events fetched on the first connection (the pane fills at once). */
  recentEvents?: number;
  /** Longest silence on the stream before it is counted as lost. */
  idleMs?: number;
  /** Disconnected for longer than this: `unreachable` rather than `reconnecting`. */
  unreachableAfterMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  requestTimeoutMs?: number;
  /** Clean what a remote sends before it is shown (off for this host's own agent). */
  sanitize?: boolean;
  /**
   * At most one snapshot per this many ms on the stream, status changes at
   * once (a fleet: its rows move each poll interval, not each liveness check);
   * 0 for every snapshot (an attached screen).
   */
  snapshotMs?: number;
  now?: () => number;
}

/** The connection state an ApiError leaves a host in. */
export const stateOfError = (kind: ApiErrorKind): HostStateKind => STATE_OF[kind];

const STATE_OF: Record<ApiErrorKind, HostStateKind> = {
  unreachable: 'unreachable',
  auth: 'auth failed',
  incompatible: 'incompatible version',
  'bad-answer': 'bad answer',
};

/** Ids remembered for deduplication: more than any ring an agent replays from. */
const SEEN_MAX = 5000;

/** A snapshot as this version of ghost-hb reads it, or null. */
export function checkSnapshot(v: unknown): Snapshot | 'incompatible' | null {
  if (!v || typeof v !== 'object') return null;
  const s = v as Partial<Snapshot>;
  if (s.version !== 1) return 'incompatible';
  if (!Array.isArray(s.daemons) || !s.summary || !s.system || typeof s.at !== 'string') return null;
  return v as Snapshot;
}

function checkEvent(v: unknown): HbEvent | null {
  if (!v || typeof v !== 'object') return null;
  const e = v as Partial<HbEvent>;
  return typeof e.id === 'string' && typeof e.at === 'string' && typeof e.rule === 'string'
    ? (v as HbEvent)
    : null;
}

export class AgentConnection {
  private listener: ConnectionListener | null = null;
  private stream: EventStreamHandle | null = null;
  private retry: NodeJS.Timeout | null = null;
  private flush: NodeJS.Timeout | null = null;
  private stopped = false;
  private lastId: string | null = null;
  private readonly seen = new Set<string>();
  private pending: HbEvent[] = [];
  private backoffMs: number;
  private current: HostState = {
    state: 'connecting',
    detail: null,
    retryAt: null,
    downSince: null,
  };
  private everConnected = false;
  private readonly o: Required<Omit<ConnectionOptions, 'now'>> & { now: () => number };

  constructor(
    readonly endpoint: ApiEndpoint,
    opts: ConnectionOptions = {},
  ) {
    this.o = {
      recentEvents: 200,
      idleMs: 45_000,
      unreachableAfterMs: 10_000,
      backoffMinMs: 500,
      backoffMaxMs: 15_000,
      requestTimeoutMs: 5000,
      sanitize: true,
      snapshotMs: 0,
      now: Date.now,
      ...opts,
    };
    this.backoffMs = this.o.backoffMinMs;
  }

  get state(): HostState {
    return this.current;
  }

  /** Connect and follow; resolves after the first attempt (connected or not). */
  async start(listener: ConnectionListener): Promise<void> {
    this.listener = listener;
    await this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.stream?.close();
    this.stream = null;
    if (this.retry) clearTimeout(this.retry);
    if (this.flush) clearTimeout(this.flush);
    this.retry = this.flush = null;
  }

  /** Retry now rather than at the backoff's time (the screen's refresh key). */
  retryNow(): void {
    if (this.stopped || this.stream || !this.retry) return;
    clearTimeout(this.retry);
    this.retry = null;
    void this.connect();
  }

  /** The daemon's availability over 1 h / 24 h / 7 d from the agent's uptime log. */
  availability(daemon: string): Promise<Availability> {
    return getJson<Availability>(
      this.endpoint,
      `/api/daemons/${encodeURIComponent(daemon)}/availability`,
      { timeoutMs: this.o.requestTimeoutMs, maxBytes: 4096 },
    );
  }

  private clean<T>(v: T): T {
    return this.o.sanitize ? (sanitizeValue(v) as T) : v;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const status = checkSnapshot(
        await getJson<unknown>(this.endpoint, '/api/status', {
          timeoutMs: this.o.requestTimeoutMs,
          maxBytes: 16 * 1024 * 1024,
        }),
      );
      if (status === 'incompatible') {
        throw new ApiError('incompatible', 'snapshot version is not 1');
      }
      if (!status) throw new ApiError('bad-answer', '/api/status: not a ghost-hb snapshot');
      if (this.stopped) return;
      if (this.lastId === null) await this.fetchRecent();
      if (this.stopped) return;
      this.listener?.snapshot(this.clean(status));
      this.openStream();
    } catch (err) {
      this.failed(err instanceof ApiError ? err : new ApiError('bad-answer', String(err)));
    }
  }

  /** The agent's newest events (first connection, or after a `reset`); only those not seen yet are passed on. */
  private async fetchRecent(): Promise<void> {
    const body = await getJson<{ events?: unknown }>(
      this.endpoint,
      `/api/events?limit=${this.o.recentEvents}`,
      { timeoutMs: this.o.requestTimeoutMs, maxBytes: 16 * 1024 * 1024 },
    );
    if (!Array.isArray(body.events))
      throw new ApiError('bad-answer', '/api/events: no events list');
    const fresh = this.fresh(body.events);
    if (fresh.length > 0) this.listener?.events(fresh);
    // Resume from the newest the agent has, even when nothing was new.
    const newest = body.events.length ? checkEvent(body.events[body.events.length - 1]) : null;
    if (newest) this.lastId = newest.id;
  }

  private fresh(list: readonly unknown[]): HbEvent[] {
    const out: HbEvent[] = [];
    for (const raw of list) {
      const e = checkEvent(raw);
      if (!e || this.seen.has(e.id)) continue;
      this.remember(e.id);
      out.push(this.clean(e));
    }
    return out;
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > SEEN_MAX) {
      // Sets iterate in insertion order: the oldest goes.
      this.seen.delete(this.seen.values().next().value!);
    }
  }

  private openStream(): void {
    this.stream = openEventStream(
      this.endpoint,
      {
        lastEventId: this.lastId,
        idleMs: this.o.idleMs,
        connectTimeoutMs: this.o.requestTimeoutMs,
        snapshotMs: this.o.snapshotMs,
      },
      {
        open: () => this.connected(),
        frame: (f) => this.onFrame(f),
        end: (err) => {
          this.stream = null;
          this.failed(err);
        },
      },
    );
  }

  private connected(): void {
    this.everConnected = true;
    this.backoffMs = this.o.backoffMinMs;
    this.setState({ state: 'connected', detail: null, retryAt: null, downSince: null });
  }

  private onFrame(f: SseFrame): void {
    let data: unknown;
    try {
      data = JSON.parse(f.data);
    } catch {
      return this.dropStream(
        new ApiError('bad-answer', `event stream: ${f.event} frame is not JSON`),
      );
    }
    if (f.event === 'anomaly') {
      const [e] = this.fresh([data]);
      if (f.id) this.lastId = f.id;
      if (!e) return;
      this.pending.push(e);
      // Events come just before their poll's snapshot; a raised one may come alone.
      this.flush ??= setTimeout(() => this.flushEvents(), 250);
    } else if (f.event === 'snapshot') {
      const s = checkSnapshot(data);
      if (s === null || s === 'incompatible') {
        return this.dropStream(new ApiError('bad-answer', 'event stream: not a ghost-hb snapshot'));
      }
      this.flushEvents();
      this.listener?.snapshot(this.clean(s));
    } else if (f.event === 'reset') {
      // The agent no longer holds our Last-Event-ID: refetch what it has, deduplicated.
      this.fetchRecent().catch((err: unknown) =>
        this.dropStream(err instanceof ApiError ? err : new ApiError('bad-answer', String(err))),
      );
    }
  }

  private flushEvents(): void {
    if (this.flush) clearTimeout(this.flush);
    this.flush = null;
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    this.listener?.events(events);
  }

  private dropStream(err: ApiError): void {
    this.stream?.close();
    this.stream = null;
    this.failed(err);
  }

  private failed(err: ApiError): void {
    this.flushEvents();
    if (this.stopped) return;
    const now = this.o.now();
    const downSince = this.current.downSince ?? now;
    const jitter = 0.8 + Math.random() * 0.4;
    const wait = Math.round(this.backoffMs * jitter);
    this.backoffMs = Math.min(this.o.backoffMaxMs, this.backoffMs * 2);
    let state = STATE_OF[err.kind];
    if (
      state === 'unreachable' &&
      this.everConnected &&
      now - downSince < this.o.unreachableAfterMs
    ) {
      state = 'reconnecting';
    }
    this.setState({ state, detail: err.message, retryAt: now + wait, downSince });
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, wait);
    this.retry.unref();
  }

  private setState(s: HostState): void {
    this.current = s;
    this.listener?.state(s);
  }
}
