// Small real-HTTP clients for the server tests: an SSE reader and raw sockets.
import http from 'node:http';
import net from 'node:net';

export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

export interface SseReader {
  status: number;
  headers: http.IncomingHttpHeaders;
  messages: SseMessage[];
  comments: string[];
  /** Resolves with the first message (from the start) matching `pred`. */
  waitFor(pred: (m: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  closed: Promise<void>;
  close(): void;
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      const messages: SseMessage[] = [];
      const comments: string[] = [];
      const waiters: Array<() => void> = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const m: SseMessage = { event: 'message', data: '' };
          let any = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) {
              m.event = line.slice(7);
              any = true;
            } else if (line.startsWith('data: ')) {
              m.data += line.slice(6);
              any = true;
            } else if (line.startsWith('id: ')) m.id = line.slice(4);
          }
          if (any) messages.push(m);
        }
        for (const w of waiters.splice(0)) w();
      });
      const closed = new Promise<void>((r) => res.on('close', () => r()));
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        messages,
        comments,
        closed,
        close: () => req.destroy(),
        waitFor(pred, timeoutMs = 5000) {
          return new Promise((ok, fail) => {
            const timer = setTimeout(
              () => fail(new Error(`no matching SSE message; got ${JSON.stringify(messages)}`)),
              timeoutMs,
            );
            const check = () => {
              const found = messages.find(pred);
              if (found) {
                clearTimeout(timer);
                ok(found);
              } else waiters.push(check);
            };
            check();
          });
        },
      });
    });
    req.on('error', reject);
  });
}

/** Send raw bytes; resolve with everything the server sent back before closing. */
export function rawRequest(
  port: number,
  data: string,
  { endAfterWrite = false, timeoutMs = 5000 } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let out = '';
    sock.setEncoding('utf8');
    sock.on('data', (c: string) => (out += c));
    sock.on('error', () => resolve(out));
    sock.on('close', () => resolve(out));
    sock.on('connect', () => {
      sock.write(data);
      if (endAfterWrite) sock.end();
    });
    setTimeout(() => {
      sock.destroy();
      reject(new Error(`raw request still open after ${timeoutMs} ms; got: ${out}`));
    }, timeoutMs).unref();
  });
}
