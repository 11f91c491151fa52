// Silences: the store (atomic, self-expiring), the CLI (through a running
// agent's socket, or under the lock with none), and /api/silences on a real
// server with a token; each change audited.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { agentGet, findAgent } from '../../src/agent/client.js';
import type { Snapshot } from '../../src/core/types.js';
import { AuditLog } from '../../src/store/audit.js';
import { lockFile } from '../../src/store/lock.js';
import { SilenceStore, type Silence } from '../../src/store/silences.js';
import { silenceRoutes } from '../../src/server/silenceRoutes.js';
import { startServer, type GhostServer } from '../../src/server/server.js';
import { agentScene } from '../helpers/agents.js';
import { runCliInProcess } from '../helpers/cli.js';
import { FakeFeed } from '../helpers/server-fixtures.js';
import { killAll, spawnBeater, spawnSleeper, started, tempDir, waitFor } from '../helpers/proc.js';

// Real processes on a shared, busy machine: each start costs seconds.
jest.setTimeout(120_000);
afterAll(() => killAll());

const TOKEN = 'silence-test-token-0123456789';

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

  it("matcher(): one reading of the file for a poll's many events, the next one sees changes", () => {
    const dir = tempDir('ghost-hb-sil-');
    const store = new SilenceStore(dir);
    const before = store.matcher();
    // Another writer (the CLI, the API) adds a silence meanwhile.
    new SilenceStore(dir).add({
      matcher: { daemon: 'db' },
      durationMs: 60_000,
      reason: null,
      createdBy: 'cli',
    });
    expect(before({ daemon: 'db', rule: 'crashed' })).toBeNull();
    const after = store.matcher();
    expect(after({ daemon: 'db', rule: 'crashed' })?.createdBy).toBe('cli');
    expect(after({ daemon: 'web', rule: 'crashed' })).toBeNull();
  });
});

describe('ghost-hb silence', () => {
  it('add, list and remove; bad input exits 3', async () => {
    const dir = tempDir('ghost-hb-sil-');
    const run = (...args: string[]) => runCliInProcess(['silence', ...args, '--state-dir', dir]);
    const added = await run('add', '--rule', 'late', '--for', '2h', '--reason', 'deploy', '--json');
    expect(added.code).toBe(0);
    const s = JSON.parse(added.stdout) as Silence;
    expect(s.matcher).toEqual({ rule: 'late' });
    expect((await run('list')).stdout).toContain(`${s.id}  rule late`);
    expect((await run('add', 'db', '--all', '--for', '1h')).code).toBe(3);
    expect((await run('add', 'db', '--for', 'forever')).code).toBe(3);
    expect((await run('remove', s.id)).code).toBe(0);
    expect((await run('list')).stdout).toContain('no silences in force');
    const audit = new AuditLog(dir).readAll().filter((a) => a.kind === 'silence');
    expect(audit.map((a) => a.action)).toEqual(['add', 'remove']);
    // The lock was held for each write only.
    expect(fs.existsSync(lockFile(dir))).toBe(false);
  });

  it('refuses, naming the holder, when the directory is held by a process serving no API', async () => {
    const dir = tempDir('ghost-hb-sil-held-');
    const holder = spawnSleeper('silence-holder');
    const pid = await started(holder);
    const ticks = Number(
      fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19],
    );
    const bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    fs.writeFileSync(
      lockFile(dir),
      JSON.stringify({ pid, startTicks: ticks, bootId, command: 'ui', since: 'now', socket: null }),
    );
    const r = await runCliInProcess(['silence', 'add', 'relay', '--for', '1h', '--state-dir', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`in use by ghost-hb ui (pid ${pid}`);
    expect(fs.existsSync(path.join(dir, 'silences.json'))).toBe(false);
  });
});

describe('ghost-hb silence with a watch running', () => {
  const scene = agentScene('ghost-hb-sil-agent-', {
    pollInterval: 0.5,
    discover: false,
    daemons: [{ name: 'relay', interval: 0.5, tolerance: 0.5, grace: 1.5 }],
  });

  it('goes through the watch: its socket, its audit log, its next snapshot', async () => {
    const { stateDir } = scene;
    spawnBeater(scene.hbDir, 'relay', 100);
    const watch = scene.startAgent('watch').child;
    const agent = await waitFor(
      () => (findAgent(stateDir)?.holder.pid === watch.pid ? findAgent(stateDir)! : undefined),
      'watch to serve its socket',
      30_000,
    );
    const run = (...args: string[]) =>
      runCliInProcess(['silence', ...args, '--config', scene.configFile]);
    const added = await run('add', 'relay', '--for', '2h', '--reason', 'deploy', '--json');
    expect(added.stderr).toBe('');
    const s = JSON.parse(added.stdout) as Silence;
    // Written by the agent, which says who asked; the lock never changed hands.
    expect(s.createdBy).toMatch(/ \(api\)$/);
    expect(findAgent(stateDir)?.holder.pid).toBe(watch.pid);
    expect((await run('list')).stdout).toContain(`${s.id}  daemon relay`);
    const marked = await waitFor(
      async () => {
        const snap = await agentGet<Snapshot>(agent.socket, '/api/status', { timeoutMs: 2000 });
        return snap.daemons.find((d) => d.name === 'relay' && d.silencedUntil === s.endsAt);
      },
      'the next snapshot to mark relay silenced',
      30_000,
    );
    expect(marked.silencedUntil).toBe(s.endsAt);
    expect((await run('remove', s.id)).code).toBe(0);
    expect((await run('remove', s.id)).code).toBe(3);
    const audit = new AuditLog(stateDir).readAll().filter((a) => a.kind === 'silence');
    expect(audit.map((a) => [a.action, a.by])).toEqual([
      ['add', s.createdBy],
      ['remove', s.createdBy],
    ]);
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
