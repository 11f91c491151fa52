// A client for the agent's Server-Sent Events stream (/api/events/stream):
// frames parsed as they arrive, resumed with Last-Event-ID. A hostile or
// broken server costs a bounded amount: a frame larger than the cap, or no
// complete line (the agent sends a keepalive comment every 15 s and a
// snapshot every poll) within the idle deadline, ends the stream, so a server
// that trickles bytes (slow loris) cannot hold it open with partial frames.
import type http from 'node:http';
import { ApiError, request, type ApiEndpoint } from './endpoint.js';

export interface SseFrame {
  event: string;
  data: string;
  id: string | null;
}

export interface StreamOptions {
  lastEventId?: string | null;
  /** Longest wait for a complete line; the stream ends with 'unreachable' after it. */
  idleMs: number;
  /** Largest frame accepted; a larger one ends the stream with 'bad-answer'. */
  maxFrameBytes?: number;
  connectTimeoutMs?: number;
  /** Ask for at most one snapshot per this many ms (status changes still at once); 0 for every one. */
  snapshotMs?: number;
}

export interface StreamHandlers {
  /** The stream's first complete line arrived: it is alive. */
  open(): void;
  frame(f: SseFrame): void;
  /** Called once, when the stream ends for any reason but close(). */
  end(err: ApiError): void;
}

export interface EventStreamHandle {
  close(): void;
}

/** Parses SSE text into frames; `push` returns false when a frame grows past the cap. */
export class SseParser {
  private buf = '';
  private data: string[] = [];
  private event = '';
  private id: string | null = null;
  private frameBytes = 0;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly onFrame: (f: SseFrame) => void,
    /** Every complete line (comments included): the stream is alive. */
    private readonly onLine: () => void = () => {},
  ) {}

  push(chunk: string): boolean {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) !== -1) {
      let line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.onLine();
      this.line(line);
    }
    return this.frameBytes + this.buf.length <= this.maxFrameBytes;
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) {
        this.onFrame({ event: this.event || 'message', data: this.data.join('\n'), id: this.id });
      }
      this.data = [];
      this.event = '';
      this.id = null;
      this.frameBytes = 0;
      return;
    }
    this.frameBytes += line.length;
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }
}

/** Open the event stream; handlers.end is called once when it ends. */
export function openEventStream(
  endpoint: ApiEndpoint,
  o: StreamOptions,
  handlers: StreamHandlers,
): EventStreamHandle {
  let ended = false;
  let idle: NodeJS.Timeout | null = null;
  let res: http.IncomingMessage | null = null;
  const finish = (err: ApiError | null) => {
    if (ended) return;
    ended = true;
    if (idle) clearTimeout(idle);
    req.destroy();
    res?.destroy();
    if (err) handlers.end(err);
  };
  const alive = () => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(
      () => finish(new ApiError('unreachable', `event stream silent for ${o.idleMs} ms`)),
      o.idleMs,
    );
    idle.unref();
  };
  // The stream counts as open at its first complete line (an agent sends `retry:` at once):
  // a server that sends headers and then trickles bytes never makes a host look connected.
  let opened = false;
  const maxFrameBytes = o.maxFrameBytes ?? 8 * 1024 * 1024;
  const parser = new SseParser(maxFrameBytes, handlers.frame, () => {
    alive();
    if (opened || ended) return;
    opened = true;
    handlers.open();
  });
  const headers: Record<string, string> = { Accept: 'text/event-stream' };
  if (o.lastEventId) headers['Last-Event-ID'] = o.lastEventId;
  const req = request(
    endpoint,
    o.snapshotMs
      ? `/api/events/stream?snapshotMs=${Math.round(o.snapshotMs)}`
      : '/api/events/stream',
    { headers, timeoutMs: o.connectTimeoutMs ?? 5000 },
    (response) => {
      res = response;
      const type = String(response.headers['content-type'] ?? '');
      if (!type.startsWith('text/event-stream')) {
        return finish(new ApiError('incompatible', `event stream answered ${type || 'no type'}`));
      }
      // The connect timeout no longer applies: the idle deadline watches the stream.
      req.setTimeout(0);
      response.setEncoding('utf8');
      alive();
      response.on('data', (chunk: string) => {
        if (ended) return;
        if (!parser.push(chunk)) {
          finish(
            new ApiError('bad-answer', `event stream frame larger than ${maxFrameBytes} bytes`),
          );
        }
      });
      response.on('end', () => finish(new ApiError('unreachable', 'event stream closed')));
      response.on('error', () => finish(new ApiError('unreachable', 'event stream lost')));
    },
    (err) => finish(err),
  );
  return { close: () => finish(null) };
}
