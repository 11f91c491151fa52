// Server-Sent Events: one `anomaly` message per event (with its id, so a client
// that reconnects with Last-Event-ID gets what it missed), one `snapshot`
// message per poll, and comment keepalives so proxies keep the stream open.
// A client may ask for fewer snapshots (`?snapshotMs=N`: at most one per N ms,
// but at once when a daemon's status, reason, pid or restarts change): a
// fleet screen over many hosts needs each host's changes now, not every
// liveness check's fresh ages.
// Each client has a bounded send buffer: a client that cannot keep up is
// disconnected (it reconnects and resumes) rather than growing our memory.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { statusSignature } from '../core/status.js';
import type { HbEvent, Snapshot } from '../core/types.js';
import type { FeedChange, FeedState } from './feedState.js';
import { COMMON_HEADERS, sendError } from './respond.js';

export interface SseClient {
  res: ServerResponse;
  closed: boolean;
}

/** Format one SSE message. Data is JSON, so it never holds a raw newline. */
export function sseFrame(event: string, data: string, id?: string): string {
  const idLine = id !== undefined ? `id: ${id.replace(/[\r\n]/g, '')}\n` : '';
  return `${idLine}event: ${event}\ndata: ${data}\n\n`;
}

export interface SseHubOptions {
  keepaliveMs: number;
  maxClients: number;
  /** Bytes queued for one client beyond which it is disconnected. */
  maxBufferBytes: number;
}

export class SseHub {
  private readonly clients = new Set<SseClient>();
  private readonly timer: NodeJS.Timeout;
  /** Clients dropped for being too slow. */
  slowDisconnects = 0;

  constructor(private readonly opts: SseHubOptions) {
    this.timer = setInterval(() => this.broadcast(': keepalive\n\n'), opts.keepaliveMs);
    this.timer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  get full(): boolean {
    return this.clients.size >= this.opts.maxClients;
  }

  add(res: ServerResponse): SseClient {
    const client: SseClient = { res, closed: false };
    this.clients.add(client);
    const drop = () => {
      client.closed = true;
      this.clients.delete(client);
    };
    res.on('close', drop);
    res.on('error', drop);
    return client;
  }

  /** Write to one client, disconnecting it when its buffer is over the bound. */
  send(client: SseClient, chunk: string): void {
    if (client.closed) return;
    if (client.res.writableLength > this.opts.maxBufferBytes) {
      this.slowDisconnects++;
      client.closed = true;
      this.clients.delete(client);
      client.res.destroy();
      return;
    }
    client.res.write(chunk);
  }

  /** Send to every client, or to those `want` says yes to. */
  broadcast(chunk: string, want?: (client: SseClient) => boolean): void {
    for (const c of this.clients) if (!want || want(c)) this.send(c, chunk);
  }

  close(): void {
    clearInterval(this.timer);
    for (const c of this.clients) {
      c.closed = true;
      c.res.end();
    }
    this.clients.clear();
  }
}

const anomalyFrame = (e: HbEvent) => sseFrame('anomaly', JSON.stringify(e), e.id);

/** The longest `snapshotMs` a client may ask for. */
const SNAPSHOT_MS_MAX = 3_600_000;

/** `?snapshotMs=N` of a stream request: 0 (every snapshot) when absent; null when not a whole number in range. */
export function snapshotMsOf(url: string | undefined): number | null {
  const raw = new URL(url ?? '/', 'http://localhost').searchParams.get('snapshotMs');
  if (raw === null) return 0;
  if (!/^\d{1,7}$/.test(raw)) return null;
  const ms = Number(raw);
  return ms <= SNAPSHOT_MS_MAX ? ms : null;
}

/** A client that asked for fewer snapshots, and what it was last sent. */
interface Throttle {
  everyMs: number;
  sentMono: number;
  signature: string | null;
}

/**
 * /api/events/stream: the feed's changes fanned out to every client, and the
 * events a reconnecting client missed (Last-Event-ID) replayed from the feed's ring.
 */
export class EventStream {
  private readonly hub: SseHub;
  private readonly unsubscribe: () => void;
  private readonly throttles = new WeakMap<SseClient, Throttle>();

  constructor(
    private readonly feed: FeedState,
    hubOptions: SseHubOptions,
  ) {
    this.hub = new SseHub(hubOptions);
    this.unsubscribe = feed.onChange((c) => this.broadcast(c));
  }

  /** Clients dropped for being too slow. */
  get slowDisconnects(): number {
    return this.hub.slowDisconnects;
  }

  open(req: IncomingMessage, res: ServerResponse): void {
    const { hub } = this;
    if (hub.full) return sendError(res, 503, 'too many stream clients', { 'Retry-After': '10' });
    const snapshotMs = snapshotMsOf(req.url);
    if (snapshotMs === null) {
      return sendError(
        res,
        400,
        `snapshotMs must be a whole number of ms, 0 to ${SNAPSHOT_MS_MAX}`,
      );
    }
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
    const client = hub.add(res);
    hub.send(client, 'retry: 3000\n\n');
    const lastId = req.headers['last-event-id'];
    if (typeof lastId === 'string' && lastId !== '') {
      const missed = this.feed.eventsAfter(lastId);
      if (missed === null) {
        // Too old, or from an earlier run: the client refetches /api/events.
        hub.send(client, sseFrame('reset', JSON.stringify({ reason: 'unknown Last-Event-ID' })));
      } else {
        for (const e of missed) hub.send(client, anomalyFrame(e));
      }
    }
    if (snapshotMs > 0) {
      this.throttles.set(client, { everyMs: snapshotMs, sentMono: -Infinity, signature: null });
    }
    const json = this.feed.statusJson();
    if (json) {
      hub.send(client, sseFrame('snapshot', json));
      const t = this.throttles.get(client);
      if (t) t.sentMono = performance.now();
    }
  }

  close(): void {
    this.unsubscribe();
    this.hub.close();
  }

  private broadcast(change: FeedChange): void {
    if (this.hub.size === 0) return;
    if (change.type === 'snapshot') this.broadcastSnapshot(change.json, change.snapshot);
    else for (const e of change.events) this.hub.broadcast(anomalyFrame(e));
  }

  private broadcastSnapshot(json: string, snapshot: Snapshot): void {
    const now = performance.now();
    let signature: string | null = null;
    this.hub.broadcast(sseFrame('snapshot', json), (client) => {
      const t = this.throttles.get(client);
      if (!t) return true;
      signature ??= statusSignature(snapshot);
      if (t.signature !== null && signature === t.signature && now - t.sentMono < t.everyMs) {
        return false;
      }
      t.signature = signature;
      t.sentMono = now;
      return true;
    });
  }
}
