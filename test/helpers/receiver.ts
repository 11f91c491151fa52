// A real local HTTP receiver for the notification tests: records every
// request, and answers as told: ok (200), fail (500), refuse (400) or stall
// (never answers until the mode changes or it closes).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type ReceiverMode = 'ok' | 'fail' | 'refuse' | 'stall';

export class Receiver {
  readonly requests: Received[] = [];
  mode: ReceiverMode = 'ok';
  private readonly stalled = new Set<http.ServerResponse>();
  private constructor(private readonly server: http.Server) {}

  static async start(mode: ReceiverMode = 'ok'): Promise<Receiver> {
    const server = http.createServer();
    const r = new Receiver(server);
    r.mode = mode;
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => r.answer(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return r;
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    if (this.mode === 'stall') {
      this.stalled.add(res);
      return;
    }
    this.requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body,
    });
    res.statusCode = this.mode === 'ok' ? 200 : this.mode === 'refuse' ? 400 : 500;
    res.end('ok');
  }

  url(p = '/hook'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${p}`;
  }

  json<T = Record<string, unknown>>(): T[] {
    return this.requests.map((r) => JSON.parse(r.body) as T);
  }

  async close(): Promise<void> {
    for (const res of this.stalled) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
