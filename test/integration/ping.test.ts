// HTTP pings through a real server: each route, auth with the API token and
// the ping-only token, and hostile input (traversal, control characters,
// 10 MB bodies, thousands of names, floods): 4xx, nothing outside the
// heartbeat directory, nothing crashes.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startServer, type GhostServer } from '../../src/server/server.js';
import { pingRoutes, type PingDeps } from '../../src/server/pingRoutes.js';
import { FakeFeed } from '../helpers/server-fixtures.js';
import { rawRequest } from '../helpers/http.js';
import { tempDir } from '../helpers/proc.js';

const API_TOKEN = 'api-token-0123456789abcdef';
const PING_TOKEN = 'ping-token-0123456789abcdef';

let root: string;
let dir: string;
let server: GhostServer;

async function serve(over: Partial<PingDeps> = {}, token: string | null = API_TOKEN) {
  server = await startServer({
    feed: new FakeFeed(),
    pollIntervalSec: 5,
    listen: '127.0.0.1:0',
    token,
    routes: pingRoutes({
      heartbeatDir: dir,
      declared: new Set(['backup']),
      discover: true,
      apiToken: token,
      pingToken: PING_TOKEN,
      ...over,
    }),
  });
}

beforeEach(async () => {
  root = tempDir();
  dir = path.join(root, 'hb');
  fs.mkdirSync(dir);
  await serve();
});
afterEach(async () => {
  await server?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const auth = (t = PING_TOKEN) => ({ authorization: `Bearer ${t}` });
const read = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'));

interface PingBody {
  ok?: boolean;
  name?: string;
  status?: string;
  error?: string;
}

async function ping(p: string, init: RequestInit = {}) {
  const res = await fetch(`${server.url}${p}`, {
    method: 'POST',
    ...init,
    headers: { ...auth(), ...(init.headers as Record<string, string>) },
  });
  const body = (await res.json().catch(() => ({}))) as PingBody;
  return { status: res.status, body };
}

describe('ping routes', () => {
  it('/ping/NAME writes an ok beat with source http and no pid', async () => {
    expect(await ping('/ping/backup')).toEqual({
      status: 200,
      body: { ok: true, name: 'backup', status: 'ok' },
    });
    const doc = read('backup');
    expect(doc).toMatchObject({ name: 'backup', status: 'ok', source: 'http' });
    expect(doc.pid).toBeUndefined();
    expect(fs.readdirSync(dir)).toEqual(['backup.json']);
  });

  it('GET works as well as POST; the body becomes the message, cleaned', async () => {
    const r = await fetch(`${server.url}/ping/backup`, { headers: auth() });
    expect(r.status).toBe(200);
    await ping('/ping/backup', { body: 'copied 12 GB\u001b[31m\u0000 ok' });
    expect(read('backup').message).toBe('copied 12 GB [31m  ok');
  });

  it('/start then /ping/NAME records the run and its duration', async () => {
    await ping('/ping/backup/start');
    expect(read('backup').startedAt).toEqual(expect.any(String));
    await ping('/ping/backup');
    expect(read('backup').exit).toMatchObject({ code: 0, signal: null });
    expect(read('backup').exit.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('/fail and /EXIT_CODE', async () => {
    expect((await ping('/ping/backup/fail', { body: 'disk full' })).body.status).toBe('failing');
    expect(read('backup')).toMatchObject({ status: 'failing', message: 'disk full' });
    expect((await ping('/ping/backup/4')).body.status).toBe('failing');
    expect(read('backup').exit).toMatchObject({ code: 4 });
    expect((await ping('/ping/backup/0')).body.status).toBe('ok');
    expect((await ping('/ping/backup/256')).status).toBe(404);
  });

  it('/log changes the message only, not the time of the beat', async () => {
    expect((await ping('/ping/backup/log', { body: 'x' })).status).toBe(409);
    await ping('/ping/backup');
    const ts = read('backup').ts;
    expect((await ping('/ping/backup/log', { body: 'step 3 of 5' })).status).toBe(200);
    expect(read('backup')).toMatchObject({ ts, message: 'step 3 of 5' });
  });

  it('auth: API token and ping token pass; none, wrong: 401', async () => {
    expect((await ping('/ping/backup', { headers: auth(API_TOKEN) })).status).toBe(200);
    expect(
      (await ping(`/ping/backup?token=${PING_TOKEN}`, { headers: { authorization: '' } })).status,
    ).toBe(401);
    const bare = await fetch(`${server.url}/ping/backup?token=${PING_TOKEN}`, { method: 'POST' });
    expect(bare.status).toBe(200);
    const none = await fetch(`${server.url}/ping/backup`, { method: 'POST' });
    expect(none.status).toBe(401);
    expect((await ping('/ping/backup', { headers: auth('wrong-token-0123456789') })).status).toBe(
      401,
    );
  });

  it('the ping token opens nothing else', async () => {
    const r = await fetch(`${server.url}/api/status`, { headers: auth() });
    expect(r.status).toBe(401);
  });

  it('undeclared names: accepted with discover, refused without', async () => {
    expect((await ping('/ping/newjob')).status).toBe(200);
    await server.close();
    await serve({ discover: false });
    expect((await ping('/ping/other')).status).toBe(404);
    expect(fs.existsSync(path.join(dir, 'other.json'))).toBe(false);
  });
});

describe('hostile pings', () => {
  it.each([
    ['/ping/..%2f..%2fetc%2fpasswd', 400],
    ['/ping/..%2Fescape', 400],
    ['/ping/%2e%2e', 405], // the URL parser resolves it to /, the page (GET only)
    ['/ping/a%00b', 400],
    ['/ping/a%0Ab', 400],
    ['/ping/.hidden', 400],
    [`/ping/${'a'.repeat(129)}`, 400],
    ['/ping/%ff', 404],
    ['/ping/backup/..%2f..%2fx', 404],
  ])('%s: %d, nothing written anywhere', async (p, status) => {
    const before = fs.readdirSync(root).sort();
    expect((await ping(p)).status).toBe(status);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(fs.readdirSync(root).sort()).toEqual(before);
  });

  it('a 10 MB body: 413 without reading it', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const r = await ping('/ping/backup', { body: big }).catch(() => ({ status: 413, body: {} }));
    expect(r.status).toBe(413);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a chunked body past the cap: 413', async () => {
    const head =
      `POST /ping/backup HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${PING_TOKEN}\r\n` +
      'Transfer-Encoding: chunked\r\n\r\n';
    const chunk = 'y'.repeat(3000);
    const body = `${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(3) + '0\r\n\r\n';
    const out = await rawRequest(server.port, head + body);
    expect(out).toMatch(/^HTTP\/1.1 413/);
  });

  it('thousands of names: capped, then 429; the declared name still passes', async () => {
    await server.close();
    await serve({ limits: { maxNewNames: 50 } });
    const statuses: number[] = [];
    for (let i = 0; i < 200; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, (_, k) => ping(`/ping/n${i + k}`).then((r) => r.status)),
      );
      statuses.push(...batch);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.filter((s) => s === 429)).toHaveLength(150);
    expect(fs.readdirSync(dir)).toHaveLength(50);
    expect((await ping('/ping/backup')).status).toBe(200);
  });

  it('a flood on one name: the burst passes, then 429 with Retry-After', async () => {
    let t = 0;
    await server.close();
    await serve({ now: () => t, limits: { burst: 5, perSecond: 1 } });
    const results = [];
    for (let i = 0; i < 8; i++)
      results.push(await fetch(`${server.url}/ping/backup`, { method: 'POST', headers: auth() }));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(results[5]!.headers.get('retry-after')).toBe('1');
    t += 1000;
    expect((await ping('/ping/backup')).status).toBe(200);
  });

  it('a missing heartbeat directory: 503, and it is not created', async () => {
    fs.rmSync(dir, { recursive: true });
    const r = await ping('/ping/backup');
    expect(r.status).toBe(503);
    expect(r.body.error).toContain('does not exist');
    expect(fs.existsSync(dir)).toBe(false);
  });
});
