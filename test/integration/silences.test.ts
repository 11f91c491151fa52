// Silences: the store (atomic, self-expiring), the CLI, and /api/silences on a
// real server with a token; each change audited.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditLog } from '../../src/store/audit.js';
import { SilenceStore, type Silence } from '../../src/store/silences.js';
import { silenceRoutes } from '../../src/server/silenceRoutes.js';
import { startServer, type GhostServer } from '../../src/server/server.js';
import { FakeFeed } from '../helpers/server-fixtures.js';
import { tempDir } from '../helpers/proc.js';

const TOKEN = 'silence-test-token-0123456789';
const BIN = path.resolve('bin/ghost-hb.js');

describe('SilenceStore', () => {
  it('matches by daemon, rule or all, and a silence ends by itself', () => {
    let now = Date.UTC(2026, 11, 2);
    const store = new SilenceStore(tempDir('ghost-hb-sil-'), () => now);
    store.add({ matcher: { daemon: 'db' }, durationMs: 3600_000, reason: null, createdBy: 't' });
    store.add({
      matcher: { rule: 'clock-jump' },
      durationMs: 60_000,
      reason: 'ntp work',
      createdBy: 't',
    });
    expect(store.match({ daemon: 'db', rule: 'crashed' })?.matcher).toEqual({ daemon: 'db' });
    expect(store.match({ daemon: null, rule: 'clock-jump' })?.reason).toBe('ntp work');
    expect(store.match({ daemon: 'web', rule: 'crashed' })).toBeNull();
    now += 61_000;
    expect(store.match({ daemon: null, rule: 'clock-jump' })).toBeNull();
    expect(store.active()).toHaveLength(1);
    now += 3600_000;
    expect(store.active()).toEqual([]);
  });
});

describe('ghost-hb silence', () => {
  it('add, list and remove; bad input exits 3', () => {
    const dir = tempDir('ghost-hb-sil-');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, 'silence', ...args, '--state-dir', dir], {
        encoding: 'utf8',
      });
    const added = run('add', '--rule', 'late', '--for', '2h', '--reason', 'deploy', '--json');
    expect(added.status).toBe(0);
    const s = JSON.parse(added.stdout) as Silence;
    expect(s.matcher).toEqual({ rule: 'late' });
    expect(run('list').stdout).toContain(`${s.id}  rule late`);
    expect(run('add', 'db', '--all', '--for', '1h').status).toBe(3);
    expect(run('add', 'db', '--for', 'forever').status).toBe(3);
    expect(run('remove', s.id).status).toBe(0);
    expect(run('list').stdout).toContain('no silences in force');
    const audit = new AuditLog(dir).readAll().filter((a) => a.kind === 'silence');
    expect(audit.map((a) => a.action)).toEqual(['add', 'remove']);
  });
});

describe('/api/silences', () => {
  let server: GhostServer;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('ghost-hb-sil-');
    const audit = new AuditLog(dir);
    server = await startServer({
      feed: new FakeFeed(),
      pollIntervalSec: 5,
      listen: '127.0.0.1:0',
      token: TOKEN,
      routes: silenceRoutes({ store: new SilenceStore(dir), audit }),
    });
  });
  afterAll(() => server.close());

  const call = (method: string, p: string, body?: unknown, token: string | null = TOKEN) =>
    fetch(`${server.url}${p}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  it('needs the token', async () => {
    expect((await call('GET', '/api/silences', undefined, null)).status).toBe(401);
    expect((await call('POST', '/api/silences', { all: true, for: '1h' }, null)).status).toBe(401);
  });

  it('adds, lists and removes; refuses bad requests', async () => {
    const res = await call('POST', '/api/silences', {
      daemon: 'relayCore',
      for: '1h',
      reason: 'upgrade',
    });
    expect(res.status).toBe(201);
    const s = (await res.json()) as Silence;
    expect(s).toMatchObject({
      matcher: { daemon: 'relayCore' },
      reason: 'upgrade',
      createdBy: 'api',
    });
    const list = (await (await call('GET', '/api/silences')).json()) as { silences: Silence[] };
    expect(list.silences.map((x) => x.id)).toEqual([s.id]);
    expect(
      (await call('POST', '/api/silences', { daemon: 'a', rule: 'b', for: '1h' })).status,
    ).toBe(400);
    expect((await call('POST', '/api/silences', { daemon: '../x', for: '1h' })).status).toBe(400);
    expect((await call('POST', '/api/silences', { all: true, for: '10y' })).status).toBe(400);
    expect((await call('DELETE', `/api/silences/${s.id}`)).status).toBe(200);
    expect((await call('DELETE', `/api/silences/${s.id}`)).status).toBe(404);
    const audit = new AuditLog(dir).readAll().filter((a) => a.kind === 'silence');
    expect(audit.map((a) => a.action)).toEqual(['add', 'remove']);
  });
});
