// The HTTP server against real clients on 127.0.0.1: auth, every endpoint's
// shape, the event stream with Last-Event-ID resume, the audit trail, and
// hostile input the server must answer with a 4xx and survive.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { EventRing } from '../../src/core/events/index.js';
import type { HbEvent } from '../../src/core/types.js';
import { startServer, type AccessRecord, type GhostServer } from '../../src/server/server.js';
import { ApiConfigError, resolveApiToken, tokenMatches } from '../../src/server/auth.js';
import { FakeFeed, daemon, event, snapshot } from '../helpers/server-fixtures.js';
import { openSse, rawRequest } from '../helpers/http.js';
import { waitFor } from '../helpers/proc.js';

const TOKEN = 'test-token-0123456789abcdef';
const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

describe('HTTP API with a token', () => {
  const feed = new FakeFeed();
  const audit: AccessRecord[] = [];
  let server: GhostServer;
  let clockMs = 0; // the server's monotonic clock, moved by the tests

  beforeAll(async () => {
    server = await startServer({
      feed,
      pollIntervalSec: 0.2,
      listen: '127.0.0.1:0',
      token: TOKEN,
      audit: (r) => audit.push(r),
      limits: { headersTimeoutMs: 10_000, keepaliveMs: 200 },
      now: () => clockMs,
    });
  });
  afterAll(() => server.close());

  it('answers 503 on /api/status and /healthz before the first poll', async () => {
    expect((await fetch(`${server.url}/api/status`, { headers: bearer(TOKEN) })).status).toBe(503);
    const h = await fetch(`${server.url}/healthz`);
    expect(h.status).toBe(503);
    expect(await h.json()).toMatchObject({ status: 'no poll yet' });
  });

  it('refuses missing, wrong, wrong-length and malformed tokens alike, with no detail', async () => {
    feed.emit({ snapshot: snapshot([daemon('relayCore')]), events: [] });
    const attempts: Array<Record<string, string>> = [
      {},
      bearer('x'.repeat(TOKEN.length)),
      bearer('short'),
      bearer(TOKEN + 'x'),
      bearer('y'.repeat(10_000)),
      { Authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` },
      { Authorization: TOKEN },
      { Cookie: 'ghosthb_session=deadbeef' },
    ];
    const bodies = new Set<string>();
    for (const headers of attempts) {
      for (const p of ['/api/status', '/api/events', '/metrics', '/']) {
        const res = await fetch(`${server.url}${p}`, { headers });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="ghost-hb"');
        bodies.add(await res.text());
      }
    }
    expect([...bodies]).toEqual(['{"error":"unauthorized"}']);
    // The token in a query is only for the page and the stream, never for the JSON API.
    expect((await fetch(`${server.url}/api/status?token=${TOKEN}`)).status).toBe(401);
  });

  it('tells a browser opening the page without a session how to sign in, and nothing more', async () => {
    const pages = new Set<string>();
    const sessions: Array<Record<string, string>> = [
      {},
      { Cookie: 'ghosthb_session=deadbeef' },
      bearer('x'),
    ];
    for (const headers of sessions) {
      for (const p of ['/', '/index.html']) {
        const res = await fetch(`${server.url}${p}`, {
          headers: { ...headers, Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
        });
        expect(res.status).toBe(401);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(res.headers.get('content-security-policy')).toBe("default-src 'none'");
        pages.add(await res.text());
      }
    }
    expect(pages.size).toBe(1);
    expect([...pages][0]).toContain('/?token=YOUR_TOKEN');
    // The JSON API stays bare for a browser too.
    const api = await fetch(`${server.url}/api/status`, { headers: { Accept: 'text/html' } });
    expect(await api.text()).toBe('{"error":"unauthorized"}');
  });

  it('accepts the right token', async () => {
    const res = await fetch(`${server.url}/api/status`, { headers: bearer(TOKEN) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('compares tokens of any length without throwing', () => {
    for (const t of ['', 'a', TOKEN.slice(0, -1), TOKEN + 'a', 'é'.repeat(40), null, undefined]) {
      expect(tokenMatches(TOKEN, t)).toBe(false);
    }
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
  });

  it('trades ?token= on the page for a session cookie and drops it from the URL', async () => {
    const res = await fetch(`${server.url}/?token=${TOKEN}`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^ghosthb_session=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=\/$/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(';')[0]!;
    const page = await fetch(`${server.url}/`, { headers: { Cookie: session } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<table>');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\//);
    expect((await fetch(`${server.url}/api/status`, { headers: { Cookie: session } })).status).toBe(
      200,
    );
  });

  it('serves /healthz without a token, and 503 once polls stop', async () => {
    feed.emit({ snapshot: snapshot([daemon('relayCore')]), events: [] });
    const ok = await fetch(`${server.url}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok', pollIntervalSec: 0.2 });
    clockMs += 601; // > 3 intervals of 0.2 s
    const stale = await fetch(`${server.url}/healthz`);
    expect(stale.status).toBe(503);
    expect(await stale.json()).toMatchObject({ status: 'stale' });
    feed.emit({ snapshot: snapshot([daemon('relayCore')]), events: [] });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('audits every request, without the token, with the auth outcome', async () => {
    audit.length = 0;
    await fetch(`${server.url}/api/status`, { headers: bearer(TOKEN) });
    await fetch(`${server.url}/api/status`, { headers: bearer('nope-nope-nope-nope') });
    await fetch(`${server.url}/api/events/stream?token=${TOKEN}x`);
    await fetch(`${server.url}/healthz`);
    await fetch(`${server.url}/nowhere/\u001b[31m`);
    await waitFor(() => (audit.length >= 5 ? true : undefined), 'five access records');
    expect(audit.map((a) => [a.method, a.path, a.status, a.auth])).toEqual([
      ['GET', '/api/status', 200, 'ok'],
      ['GET', '/api/status', 401, 'wrong'],
      ['GET', '/api/events/stream?token=[REDACTED]', 401, 'wrong'],
      ['GET', '/healthz', 200, 'public'],
      ['GET', '/nowhere/%1B[31m', 404, 'none'],
    ]);
    for (const a of audit) {
      expect(a.remote).toBe('127.0.0.1');
      expect(Date.parse(a.at)).toBeGreaterThan(0);
      expect(JSON.stringify(a)).not.toContain(TOKEN);
    }
  });
});

describe('HTTP API endpoints', () => {
  const feed = new FakeFeed();
  let server: GhostServer;
  const base = () => server.url;

  beforeAll(async () => {
    feed.latest = {
      snapshot: snapshot([daemon('relayCore'), daemon('watchdog', 'late')]),
      events: [],
    };
    server = await startServer({
      feed,
      pollIntervalSec: 5,
      listen: '127.0.0.1:0',
      token: null,
      limits: { headersTimeoutMs: 500, keepaliveMs: 100, maxHeaderBytes: 4096 },
    });
  });
  afterAll(() => server.close());

  it('serves the snapshot contract on /api/status', async () => {
    const s = snapshot([daemon('relayCore'), daemon('executor', 'down')]);
    feed.emit({ snapshot: s, events: [] });
    const body = await (await fetch(`${base()}/api/status`)).json();
    expect(body).toEqual(JSON.parse(JSON.stringify(s)));
    expect(body).toMatchObject({ version: 1, summary: { up: 1, down: 1 } });
  });

  it('filters /api/events and rejects bad queries with 400', async () => {
    const old = event({ at: new Date(Date.now() - 3 * 3600e3).toISOString(), severity: 'warn' });
    const info = event({ severity: 'info', daemon: 'watchdog', rule: 'recovered' });
    const err = event({ severity: 'error', daemon: 'relayCore' });
    feed.emit({ snapshot: snapshot([daemon('relayCore')]), events: [old, info, err] });
    const get = async (q: string) => {
      const res = await fetch(`${base()}/api/events${q}`);
      return {
        status: res.status,
        body: (await res.json()) as { events?: { id: string }[]; error?: string },
      };
    };
    expect((await get('')).body.events!.map((e) => e.id)).toEqual([old.id, info.id, err.id]);
    expect((await get('?severity=warn')).body.events!.map((e) => e.id)).toEqual([old.id, err.id]);
    expect((await get('?since=1h')).body.events!.map((e) => e.id)).toEqual([info.id, err.id]);
    expect((await get('?daemon=watchdog')).body.events!.map((e) => e.id)).toEqual([info.id]);
    expect((await get('?limit=1')).body.events!.map((e) => e.id)).toEqual([err.id]);
    const since = encodeURIComponent(new Date(Date.now() - 3600e3).toISOString());
    expect((await get(`?since=${since}&severity=error`)).body.events!.map((e) => e.id)).toEqual([
      err.id,
    ]);
    for (const bad of [
      '?severity=loud',
      '?limit=0',
      '?limit=5000',
      '?limit=ten',
      '?since=yesterday',
      '?since=1h&since=2h',
      '?daemon=../../etc',
      '?daemon=%1b%5b31m',
      '?colour=red',
      `?since=${'9'.repeat(100)}`,
    ]) {
      const r = await get(bad);
      expect([bad, r.status]).toEqual([bad, 400]);
      expect(typeof r.body.error).toBe('string');
    }
  });

  it('exports Prometheus text with the documented metrics', async () => {
    feed.emit({
      snapshot: snapshot([
        daemon('relayCore'),
        daemon('executor', 'down', { lastBeatAt: '2026-01-01T00:00:10.000Z', restarts: 4 }),
        daemon('evil\u001b[2J"name\\', 'unknown', {
          cpuPct: null,
          memRssBytes: null,
          lastBeatAt: null,
        }),
      ]),
      events: [event({ severity: 'critical', rule: 'down' })],
    });
    const res = await fetch(`${base()}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    for (const line of [
      'ghosthb_daemon_up{daemon="relayCore"} 1',
      'ghosthb_daemon_up{daemon="executor"} 0',
      'ghosthb_daemon_status{daemon="executor",status="down"} 1',
      'ghosthb_daemon_status{daemon="executor",status="up"} 0',
      'ghosthb_daemon_last_beat_timestamp_seconds{daemon="executor"} 1767225610',
      'ghosthb_daemon_restarts_total{daemon="executor"} 4',
      'ghosthb_daemon_cpu_ratio{daemon="relayCore"} 0.025',
      'ghosthb_daemon_memory_rss_bytes{daemon="relayCore"} 52428800',
      'ghosthb_daemon_flapping{daemon="relayCore"} 0',
      'ghosthb_clock_offset_seconds 0.0015',
      'ghosthb_clock_synced 1',
      'ghosthb_events_total{severity="critical",rule="down"} 1',
      'ghosthb_source_up{source="processes"} 1',
      '# TYPE ghosthb_poll_duration_seconds histogram',
    ]) {
      expect(text).toContain(line);
    }
    // Control characters never reach the exposition; quotes and backslashes are escaped.
    expect(text).not.toContain('\u001b');
    expect(text).toContain('ghosthb_daemon_up{daemon="evil\\\\x1b[2J\\"name\\\\"} 0');
    // Flapping follows the anomaly rules' flapping events (start, then stopped).
    feed.emit({
      snapshot: snapshot([daemon('relayCore')]),
      events: [event({ rule: 'flapping', severity: 'warn', daemon: 'relayCore' })],
    });
    expect(await (await fetch(`${base()}/metrics`)).text()).toContain(
      'ghosthb_daemon_flapping{daemon="relayCore"} 1',
    );
    feed.emit({
      snapshot: snapshot([daemon('relayCore')]),
      events: [
        event({ rule: 'flapping', severity: 'info', daemon: 'relayCore', data: { stopped: true } }),
      ],
    });
    expect(await (await fetch(`${base()}/metrics`)).text()).toContain(
      'ghosthb_daemon_flapping{daemon="relayCore"} 0',
    );
    // A daemon that is gone from the snapshot is gone from the metrics.
    feed.emit({ snapshot: snapshot([daemon('relayCore')]), events: [] });
    expect(await (await fetch(`${base()}/metrics`)).text()).not.toContain('daemon="executor"');
  });

  it('streams snapshots and anomalies, and resumes from Last-Event-ID', async () => {
    const sse = await openSse(`${base()}/api/events/stream`);
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await sse.waitFor((m) => m.event === 'snapshot'); // the current one, at once
    const [a, b, c] = [event(), event({ severity: 'warn' }), event({ severity: 'info' })];
    feed.emit({ snapshot: snapshot([daemon('relayCore', 'down')]), events: [a] });
    const first = await sse.waitFor((m) => m.event === 'anomaly');
    expect(first.id).toBe(a.id);
    expect(JSON.parse(first.data)).toEqual(a);
    await sse.waitFor((m) => m.event === 'snapshot' && JSON.parse(m.data).summary.down === 1);
    await sse.waitFor(() => sse.comments.includes('keepalive'), 2000);
    sse.close();
    // Missed while disconnected:
    feed.emit({ snapshot: snapshot([daemon('relayCore', 'late')]), events: [b] });
    feed.emit({ snapshot: snapshot([daemon('relayCore')]), events: [c] }, 'liveness');
    const again = await openSse(`${base()}/api/events/stream`, { 'Last-Event-ID': a.id });
    await again.waitFor((m) => m.event === 'snapshot');
    expect(again.messages.filter((m) => m.event === 'anomaly').map((m) => m.id)).toEqual([
      b.id,
      c.id,
    ]);
    again.close();
    const lost = await openSse(`${base()}/api/events/stream`, { 'Last-Event-ID': 'no-such-id' });
    await lost.waitFor((m) => m.event === 'reset');
    lost.close();
  });

  it('sends a client that asks (?snapshotMs=N) fewer snapshots, but every status change and event at once', async () => {
    const plain = await openSse(`${base()}/api/events/stream`);
    const fewer = await openSse(`${base()}/api/events/stream?snapshotMs=600000`);
    await plain.waitFor((m) => m.event === 'snapshot');
    await fewer.waitFor((m) => m.event === 'snapshot');
    const snapshots = (r: typeof plain) =>
      r.messages.filter((m) => m.event === 'snapshot').map((m) => JSON.parse(m.data).summary);
    feed.emit({ snapshot: snapshot([daemon('relayCore')]), events: [] });
    // The same statuses again (fresher ages), with an event: the event goes, the snapshot waits.
    const e = event({ severity: 'info' });
    feed.emit({ snapshot: snapshot([daemon('relayCore')]), events: [e] }, 'liveness');
    feed.emit({ snapshot: snapshot([daemon('relayCore')]), events: [] }, 'liveness');
    feed.emit({ snapshot: snapshot([daemon('relayCore', 'down')]), events: [] });
    const isDown = (m: { event: string; data: string }) =>
      m.event === 'snapshot' && JSON.parse(m.data).summary.down === 1;
    await plain.waitFor(isDown);
    await fewer.waitFor(isDown);
    expect(snapshots(plain)).toHaveLength(5);
    expect(snapshots(fewer).map((x: { down: number }) => x.down)).toEqual([0, 0, 1]);
    expect(fewer.messages.filter((m) => m.event === 'anomaly').map((m) => m.id)).toEqual([e.id]);
    plain.close();
    fewer.close();
    for (const bad of ['abc', '-1', '1.5', '99999999']) {
      const r = await fetch(`${base()}/api/events/stream?snapshotMs=${bad}`);
      expect(r.status).toBe(400);
      expect(await r.text()).toMatch(/snapshotMs must be a whole number/);
    }
  });

  it('answers hostile requests with 4xx and keeps serving', async () => {
    const port = server.port;
    expect((await fetch(`${base()}/nope`)).status).toBe(404);
    expect((await fetch(`${base()}/api/status`, { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await fetch(`${base()}/api/status`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${base()}/api/events?${'a'.repeat(3000)}`)).status).toBe(414);
    const head = await fetch(`${base()}/api/events/stream`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-type')]).toEqual([
      200,
      'text/event-stream; charset=utf-8',
    ]);
    // Oversized headers.
    const big = await rawRequest(
      port,
      `GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(10_000)}\r\n\r\n`,
    );
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    // Garbage.
    expect(await rawRequest(port, 'HELLO\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    // Not a loopback Host header on an open server (DNS rebinding).
    const rebind = await rawRequest(
      port,
      'GET /api/status HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n',
    );
    expect(rebind).toMatch(/^HTTP\/1\.1 421 /);
    // Slowloris: headers trickled in are cut off by headersTimeout (0.5 s here); without it the
    // drip would keep the socket open until the test's own timeout.
    const closedBy = await new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.write('GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        const drip = setInterval(() => s.writable && s.write('X-a: b\r\n'), 100);
        s.on('close', () => {
          clearInterval(drip);
          resolve('server');
        });
      });
      s.on('error', () => {});
    });
    expect(closedBy).toBe('server');
    // Many connections at once, then still healthy.
    const many = await Promise.all(
      Array.from({ length: 50 }, () => fetch(`${base()}/api/status`).then((r) => r.status)),
    );
    expect(new Set(many)).toEqual(new Set([200]));
    expect((await fetch(`${base()}/healthz`)).status).toBe(200);
  });
});

describe('listening and tokens', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a non-loopback address without a token', async () => {
    for (const listen of ['0.0.0.0:0', '[::]:0', '192.0.2.1:9464', 'example.com:9464']) {
      await expect(
        startServer({ feed: new FakeFeed(), pollIntervalSec: 5, listen, token: null }),
      ).rejects.toThrow(/refusing to listen on .* without a token/);
    }
  });

  it('reports an address in use clearly', async () => {
    const a = await startServer({
      feed: new FakeFeed(),
      pollIntervalSec: 5,
      listen: '127.0.0.1:0',
      token: null,
    });
    await expect(
      startServer({
        feed: new FakeFeed(),
        pollIntervalSec: 5,
        listen: `127.0.0.1:${a.port}`,
        token: null,
      }),
    ).rejects.toThrow(ApiConfigError);
    await a.close();
  });

  it('reads a token file only when it is private, and names the fix', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ghb-token-'));
    dirs.push(dir);
    const file = path.join(dir, 'token');
    writeFileSync(file, `${TOKEN}\n`);
    chmodSync(file, 0o644);
    expect(() => resolveApiToken({ token: null, tokenFile: file }, {})).toThrow(
      `run: chmod 600 '${file}'`,
    );
    chmodSync(file, 0o600);
    expect(resolveApiToken({ token: null, tokenFile: file }, {})).toEqual({
      token: TOKEN,
      origin: 'api.tokenFile',
    });
    expect(resolveApiToken({ token: null, tokenFile: null }, { GHOST_HB_TOKEN: TOKEN })).toEqual({
      token: TOKEN,
      origin: 'GHOST_HB_TOKEN',
    });
    expect(() =>
      resolveApiToken({ token: null, tokenFile: null }, { GHOST_HB_TOKEN: 'short' }),
    ).toThrow(/at least 16 characters/);
    expect(() =>
      resolveApiToken({ token: null, tokenFile: path.join(dir, 'missing') }, {}),
    ).toThrow(/cannot be read \(ENOENT\)/);
  });

  it('never keeps a listener on the feed after close', async () => {
    const feed = new FakeFeed();
    const s = await startServer({ feed, pollIntervalSec: 5, listen: '[::1]:0', token: TOKEN });
    expect(s.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect(feed.listenerCount).toBe(1);
    await s.close();
    expect(feed.listenerCount).toBe(0);
  });
});

describe('HTTP API over one keep-alive connection', () => {
  it('answers every request of a long-lived connection (a scraper, a load balancer)', async () => {
    const feed = new FakeFeed();
    const server = await startServer({
      feed,
      pollIntervalSec: 5,
      listen: '127.0.0.1:0',
      token: TOKEN,
    });
    feed.emit({ snapshot: snapshot([daemon('relayCore')]), events: [] });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const codes: Record<number, number> = {};
    try {
      for (let i = 0; i < 1500; i++) {
        const code = await new Promise<number>((resolve, reject) => {
          const req = http.get(
            `${server.url}/api/status`,
            { agent, headers: bearer(TOKEN) },
            (res) => {
              sockets.add(res.socket);
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          );
          req.on('error', reject);
        });
        codes[code] = (codes[code] ?? 0) + 1;
      }
    } finally {
      agent.destroy();
      await server.close();
    }
    expect(codes).toEqual({ 200: 1500 });
    expect(sockets.size).toBe(1);
  });
});

describe('beside a monitor', () => {
  it("reads the monitor's event ring for resume and the stream, keeping no copy", async () => {
    const ring = new EventRing(10);
    const [a, b, c] = [event(), event({ severity: 'warn' }), event({ severity: 'info' })];
    ring.push(a);
    ring.push(b);
    const feed = new FakeFeed();
    const server = await startServer({
      feed,
      pollIntervalSec: 5,
      listen: '127.0.0.1:0',
      token: null,
      events: { buffer: ring, query: async (q) => ring.query(q) },
    });
    try {
      // b was in the monitor's ring before the server started: resume finds it there.
      const sse = await openSse(`${server.url}/api/events/stream`, { 'Last-Event-ID': a.id });
      await sse.waitFor((m) => m.event === 'anomaly' && m.id === b.id);
      // The monitor pushes c into its ring, then delivers it: streamed once.
      ring.push(c);
      feed.emit({ snapshot: snapshot([daemon('relayCore')]), events: [c] });
      await sse.waitFor((m) => m.event === 'snapshot');
      expect(sse.messages.filter((m) => m.event === 'anomaly').map((m) => m.id)).toEqual([
        b.id,
        c.id,
      ]);
      sse.close();
      // A repeat count raised in the monitor's ring shows at once.
      ring.update({ ...b, data: { count: 5 } });
      const body = (await (await fetch(`${server.url}/api/events`)).json()) as {
        events: HbEvent[];
      };
      expect(body.events.find((e) => e.id === b.id)?.data).toEqual({ count: 5 });
    } finally {
      await server.close();
    }
  });
});
