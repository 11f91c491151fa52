// One writer per state directory, with real processes: a second `watch` (or
// `serve`) on a held directory exits 3 naming the holder; a holder killed
// with -9, or a lock naming a pid that now belongs to another process, never
// leaves the directory stuck; starters racing for a stale lock end with one
// winner; and the event log written meanwhile has unique ids.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import { EventLog } from '../../src/store/eventLog.js';
import {
  holderAlive,
  LockHeldError,
  parseLock,
  procIdentity,
  readHolder,
  StateDirLock,
  type LockHolder,
  type ProcessIdentity,
} from '../../src/store/lock.js';
import { STATE_FILES } from '../../src/store/paths.js';
import { runCliInProcess } from '../helpers/cli.js';
import { agentScene, type Agent } from '../helpers/agents.js';
import { killHard, spawnBeater, started, waitFor } from '../helpers/proc.js';

// Real processes on a shared, busy machine: each start costs seconds.
jest.setTimeout(120_000);

const scene = agentScene('ghost-hb-lock-', {
  pollInterval: 0.2,
  discover: false,
  daemons: [{ name: 'relay', interval: 0.2, tolerance: 0.2, grace: 0.6 }],
  alerts: { minUptimeSec: 0 },
});

const startAgent = (command: 'watch' | 'serve', ...extra: string[]): Agent =>
  scene.startAgent(command, { extra });

const lockPath = () => path.join(scene.stateDir, STATE_FILES.lock);
const holding = (a: Agent) => () => readHolder(scene.stateDir)?.pid === a.child.pid || undefined;

describe('the state directory lock, with real processes', () => {
  it('a second watch exits 3 naming the holder; the log keeps unique ids', async () => {
    const beater = spawnBeater(scene.hbDir, 'relay', 100);
    const first = startAgent('watch');
    await waitFor(holding(first), 'the first watch to hold the lock', 20_000);
    const second = startAgent('watch');
    expect(await second.exit).toBe(3);
    expect(second.stderr()).toContain(`pid ${first.child.pid}`);
    expect(second.stderr()).toContain('ghost-hb watch');
    expect(second.stderr()).toMatch(/ghost-hb status/);
    expect(second.stderr()).toMatch(new RegExp(`kill ${first.child.pid}`));
    // serve is refused the same way, before it listens.
    const serve = startAgent('serve');
    expect(await serve.exit).toBe(3);
    expect(serve.stderr()).toContain(`pid ${first.child.pid}`);

    await killHard(beater);
    await waitFor(
      () =>
        EventLog.readQuery(scene.stateDir).some((e) => e.daemon === 'relay') ? true : undefined,
      'an event about relay in the log',
      20_000,
    );
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(fs.existsSync(lockPath())).toBe(false);
    const ids = EventLog.readQuery(scene.stateDir).map((e) => e.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    const audit = fs.readFileSync(path.join(scene.stateDir, STATE_FILES.audit), 'utf8');
    // Only the holder started and stopped a monitor there.
    expect(audit.match(/"kind":"start"/g)).toHaveLength(1);
    expect(audit.match(/"kind":"stop"/g)).toHaveLength(1);
  });

  it('a holder killed with -9 leaves a stale lock that the next watch takes over', async () => {
    const first = startAgent('watch');
    await waitFor(holding(first), 'the first watch to hold the lock', 20_000);
    await killHard(first.child);
    expect(fs.existsSync(lockPath())).toBe(true);
    expect(readHolder(scene.stateDir)).toBeNull();
    const second = startAgent('watch');
    await waitFor(holding(second), 'the second watch to take the stale lock', 20_000);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
  });

  it('a lock naming a live pid with another start time (a recycled pid) is stale', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], {
      stdio: 'ignore',
    });
    scene.agents.add(sleeper);
    const pid = await started(sleeper);
    const ticks = procIdentity().startTicks(pid)!;
    fs.mkdirSync(scene.stateDir, { recursive: true });
    const lock = (startTicks: number) =>
      JSON.stringify({
        pid,
        startTicks,
        bootId: procIdentity().bootId(),
        command: 'watch',
        since: new Date().toISOString(),
        socket: null,
      });
    // The same pid and start time: live, so watch is refused.
    fs.writeFileSync(lockPath(), lock(ticks));
    const refused = startAgent('watch');
    expect(await refused.exit).toBe(3);
    expect(refused.stderr()).toContain(`pid ${pid}`);
    // The pid now runs something that started at another time: taken over.
    fs.writeFileSync(lockPath(), lock(ticks + 1));
    const taker = startAgent('watch');
    await waitFor(holding(taker), 'watch to take over the recycled-pid lock', 20_000);
  });

  it('starters racing for one stale lock: exactly one wins', async () => {
    fs.mkdirSync(scene.stateDir, { recursive: true });
    fs.writeFileSync(
      lockPath(),
      JSON.stringify({ pid: 999_999_999, startTicks: 1, command: 'watch', since: 'x' }),
    );
    const racers = [1, 2, 3, 4].map(() => startAgent('watch'));
    const winner = await waitFor(
      () => racers.find((r) => readHolder(scene.stateDir)?.pid === r.child.pid),
      'one racer to hold the lock',
      30_000,
    );
    const losers = racers.filter((r) => r !== winner);
    expect(await Promise.all(losers.map((r) => r.exit))).toEqual([3, 3, 3]);
    expect(readHolder(scene.stateDir)?.pid).toBe(winner.child.pid);
  });

  it('serve holds the lock too, and releases it on SIGTERM', async () => {
    const serve = startAgent('serve');
    await waitFor(holding(serve), 'serve to hold the lock', 20_000);
    expect(readHolder(scene.stateDir)?.command).toBe('serve');
    expect(fs.statSync(lockPath()).mode & 0o777).toBe(0o600);
    serve.child.kill('SIGTERM');
    expect(await serve.exit).toBe(0);
    expect(fs.existsSync(lockPath())).toBe(false);
  });
});

describe('lock file parsing and liveness', () => {
  const fakeIds = (ticks: Record<number, number | null | undefined>, boot = 'b1') =>
    ({
      startTicks: (pid: number) => ticks[pid],
      bootId: () => boot,
      exists: (pid: number) => ticks[pid] !== null,
    }) satisfies ProcessIdentity;
  const holder = (over: Partial<LockHolder> = {}): LockHolder => ({
    pid: 42,
    startTicks: 100,
    bootId: 'b1',
    command: 'watch',
    since: '2026-01-01T00:00:00.000Z',
    socket: null,
    ...over,
  });

  it.each([
    ['same pid and start time', holder(), { 42: 100 }, true],
    ['pid gone', holder(), { 42: null }, false],
    ['pid recycled', holder(), { 42: 101 }, false],
    ['another boot', holder({ bootId: 'b0' }), { 42: 100 }, false],
    ['no /proc: pid exists', holder({ startTicks: null }), { 42: undefined }, true],
  ])('%s', (_name, h, ticks, alive) => {
    expect(holderAlive(h, fakeIds(ticks))).toBe(alive);
  });

  it.each([
    ['not JSON', 'garbage'],
    ['no pid', '{"command":"watch"}'],
    ['negative pid', '{"pid":-4}'],
    ['array', '[1,2]'],
  ])('a lock that is %s is no lock', (_name, text) => {
    expect(parseLock(text)).toBeNull();
  });

  it('escape codes in a lock file never reach the message', () => {
    const h = parseLock(JSON.stringify({ pid: 7, command: '\u001b[2Jwatch', since: 'now' }))!;
    expect(h.command).toBe('unknown');
  });

  it('a garbage lock file is stale and taken over in-process; release removes only our own', () => {
    const dir = path.join(scene.root, 'inproc');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, STATE_FILES.lock), 'garbage');
    const lock = StateDirLock.acquire(dir, { command: 'test' });
    expect(() => StateDirLock.acquire(dir, { command: 'test' })).toThrow(LockHeldError);
    lock.release();
    expect(fs.existsSync(path.join(dir, STATE_FILES.lock))).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a status poll beside a held directory still works (status takes no lock)', async () => {
    const lock = StateDirLock.acquire(scene.stateDir, { command: 'test' });
    try {
      const r = await runCliInProcess(['status', '--config', scene.configFile]);
      expect(r.stderr).toBe('');
      expect(r.code).not.toBe(3);
    } finally {
      lock.release();
    }
  });
});
