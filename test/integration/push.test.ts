// Dashboard push against a real receiver on 127.0.0.1 that fails, stalls and
// recovers: retries with backoff deliver in the end, a stall is cut by the
// timeout, a dead dashboard fills the bounded queue and drops are reported,
// and enqueueing never waits for the network.
import http from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DashboardPusher, backoffDelay, type DropReport } from '../../src/server/push.js';
import { daemon, event, snapshot } from '../helpers/server-fixtures.js';
import { until } from '../helpers/wait.js';

type Mode = 'fail' | 'stall' | 'ok' | 'reject';

interface Receiver {
  url: string;
  received: Array<{
    auth: string | undefined;
    body: { snapshot: { at: string }; events: unknown[] };
  }>;
  hits: number;
  plan: Mode[];
  fallback: Mode;
  close(): Promise<void>;
}

async function receiver(plan: Mode[], fallback: Mode = 'ok'): Promise<Receiver> {
  const stalled: http.ServerResponse[] = [];
  const r = { received: [], hits: 0, plan, fallback } as unknown as Receiver;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      r.hits++;
      const mode = r.plan.shift() ?? r.fallback;
      if (mode === 'stall') return void stalled.push(res);
      if (mode === 'fail') return void res.writeHead(503).end('down');
      if (mode === 'reject') return void res.writeHead(400).end('bad');
      r.received.push({ auth: req.headers.authorization, body: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  r.url = `http://127.0.0.1:${port}/ingest`;
  r.close = () =>
    new Promise<void>((ok) => {
      for (const s of stalled) s.destroy();
      server.close(() => ok());
      server.closeAllConnections();
    });
  return r;
}

const result = (n: number) => ({
  snapshot: snapshot([daemon(`d${n}`)], {
    at: new Date(1_700_000_000_000 + n * 1000).toISOString(),
  }),
  events: [event({ message: `event ${n}` })],
});

describe('dashboard push', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  it('retries through failures and a stall, then delivers in order with the token', async () => {
    const rx = await receiver(['fail', 'fail', 'stall', 'ok']);
    cleanup.push(() => rx.close());
    const pusher = new DashboardPusher({
      url: rx.url,
      token: 'dash-token-123',
      timeoutMs: 300,
      retries: 5,
      queueMax: 10,
      baseDelayMs: 20,
      maxDelayMs: 100,
    });
    cleanup.push(() => pusher.close());
    pusher.enqueue(result(1));
    pusher.enqueue(result(2));
    await pusher.flushed();
    expect(rx.hits).toBe(5); // fail, fail, stall (timed out), ok, ok
    expect(rx.received.map((r) => r.body.snapshot.at)).toEqual([
      result(1).snapshot.at,
      result(2).snapshot.at,
    ]);
    expect(rx.received[0]!.auth).toBe('Bearer dash-token-123');
    expect(rx.received[0]!.body.events).toHaveLength(1);
    expect(pusher.stats).toMatchObject({ sent: 2, attempts: 5, failures: 3 });
    expect(pusher.stats.dropped).toEqual({ queue_full: 0, retries_exhausted: 0, rejected: 0 });
  });

  it('never blocks the caller, bounds the queue and reports drops while the dashboard is dead', async () => {
    const rx = await receiver([], 'stall');
    cleanup.push(() => rx.close());
    const reports: DropReport[] = [];
    const counted: Array<[string, number]> = [];
    const pusher = new DashboardPusher({
      url: rx.url,
      token: null,
      timeoutMs: 200,
      retries: 1,
      queueMax: 3,
      baseDelayMs: 10,
      reportIntervalMs: 60_000,
      onDrop: (r) => reports.push(r),
      onDropCount: (reason, n) => counted.push([reason, n]),
    });
    // enqueue never waits on the network: right after the loop (no await in
    // between), one is in flight, three wait, and sixteen were dropped as the queue overflowed.
    for (let i = 0; i < 20; i++) pusher.enqueue(result(i));
    expect(pusher.stats.queued).toBe(3);
    expect(pusher.stats.dropped.queue_full).toBe(16);
    // The first drop is reported at once; later ones are summed until the next report.
    expect(reports).toHaveLength(1);
    expect(reports[0]!.dropped.queue_full).toBe(1);
    // The stalled attempt is cut by the timeout; then the dashboard comes back.
    await until(() => pusher.stats.failures >= 1, 'the stalled push to time out');
    rx.fallback = 'ok';
    await pusher.flushed();
    expect(rx.received.length).toBeGreaterThanOrEqual(2);
    expect(pusher.stats.dropped.queue_full).toBe(16);
    await pusher.close(); // flushes the pending drop report
    const total = reports.reduce(
      (a, r) => a + r.dropped.queue_full + r.dropped.retries_exhausted,
      0,
    );
    expect(total).toBe(pusher.stats.dropped.queue_full + pusher.stats.dropped.retries_exhausted);
    expect(reports.at(-1)!.lastError).toMatch(/timed out after 200 ms/);
    expect(counted.reduce((a, [, n]) => a + n, 0)).toBe(total);
  });

  it('gives up after the retries and does not retry a 4xx', async () => {
    const rx = await receiver(['reject'], 'fail');
    cleanup.push(() => rx.close());
    const pusher = new DashboardPusher({
      url: rx.url,
      token: null,
      timeoutMs: 500,
      retries: 2,
      queueMax: 5,
      baseDelayMs: 5,
    });
    cleanup.push(() => pusher.close());
    pusher.enqueue(result(1));
    pusher.enqueue(result(2));
    await pusher.flushed();
    expect(rx.hits).toBe(1 + 3);
    expect(pusher.stats.dropped).toEqual({ queue_full: 0, retries_exhausted: 1, rejected: 1 });
  });

  it('survives a dashboard that refuses connections', async () => {
    const rx = await receiver([]);
    const url = rx.url;
    await rx.close(); // nothing listens on that port now
    const pusher = new DashboardPusher({
      url,
      token: null,
      timeoutMs: 500,
      retries: 1,
      queueMax: 2,
      baseDelayMs: 5,
    });
    pusher.enqueue(result(1));
    await pusher.flushed();
    expect(pusher.stats.dropped.retries_exhausted).toBe(1);
    await pusher.close();
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffDelay(1, 100, 10_000, () => 0.999)).toBe(99);
    expect(backoffDelay(4, 100, 10_000, () => 0.999)).toBe(799);
    expect(backoffDelay(30, 100, 10_000, () => 0.999)).toBe(9990);
    expect(backoffDelay(3, 100, 10_000, () => 0)).toBe(0);
  });
});
