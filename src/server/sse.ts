// Server-Sent Events: one `anomaly` message per event (with its id, so a client
// that reconnects with Last-Event-ID gets what it missed), one `snapshot`
// message per poll, and comment keepalives so proxies keep the stream open.
// Each client has a bounded send buffer: a client that cannot keep up is
// disconnected (it reconnects and resumes) rather than growing our memory.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HbEvent } from '../core/types.js';
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

  broadcast(chunk: string): void {
    for (const c of this.clients) this.send(c, chunk);
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

/**
 * /api/events/stream: the feed's changes fanned out to every client, and the
 * events a reconnecting client missed (Last-Event-ID) replayed from the feed's ring.
 */
export class EventStream {
  private readonly hub: SseHub;
  private readonly unsubscribe: () => void;

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
    const json = this.feed.statusJson();
    if (json) hub.send(client, sseFrame('snapshot', json));
  }

  close(): void {
    this.unsubscribe();
    this.hub.close();
  }

  private broadcast(change: FeedChange): void {
    if (this.hub.size === 0) return;
    if (change.type === 'snapshot') this.hub.broadcast(sseFrame('snapshot', change.json));
    else for (const e of change.events) this.hub.broadcast(anomalyFrame(e));
  }
}
