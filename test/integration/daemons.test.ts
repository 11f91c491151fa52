// Real temp directories, real child processes: daemons that beat, hang and die.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { resolveConfig, type RawConfig } from '../../src/config/schema.js';
import { Engine } from '../../src/runtime/engine.js';
import { systemInstant as nowInstant } from '../../src/runtime/poller.js';
import { ProcfsProcessCollector } from '../../src/collectors/processes.js';
import type { DaemonSnapshot } from '../../src/core/types.js';
import {
  killAll,
  killHard,
  spawnBeater,
  spawnSleeper,
  started,
  tempDir,
  waitFor,
} from '../helpers/proc.js';

const hasProc = ProcfsProcessCollector.available();
const describeProc = hasProc ? describe : describe.skip;

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(async () => {
  await killAll();
  fs.rmSync(dir, { recursive: true, force: true });
});
afterAll(killAll);

// Fast timing so the lifecycle runs in seconds: a beat every 100 ms is expected
// every 0.5 s; late after 0.7 s, down after 1.5 s.
function engineFor(daemons: RawConfig['daemons'], extra: RawConfig = {}): Engine {
  const config = resolveConfig(
    { heartbeatDir: dir, defaults: { interval: 0.5, tolerance: 0.2, grace: 1 }, daemons, ...extra },
    { baseDir: dir, configFile: null },
  );
  return new Engine(config);
}

async function until(
  engine: Engine,
  name: string,
  pred: (d: DaemonSnapshot) => boolean,
  what: string,
): Promise<DaemonSnapshot> {
  return waitFor(async () => {
    const snap = await engine.poll(nowInstant());
    const d = snap.daemons.find((x) => x.name === name);
    return d && pred(d) ? d : undefined;
  }, what);
}

describeProc('daemon lifecycle with real processes', () => {
  it('up, late, down/hung, down/crashed, then a restart is counted', async () => {
    const engine = engineFor(['svc']);
    const first = spawnBeater(dir, 'svc');
    const up = await until(engine, 'svc', (d) => d.status === 'up' && d.pid === first.pid, 'up');
    expect(up).toMatchObject({ reason: null, source: 'json', processAlive: true, restarts: 0 });
    expect(up.memRssBytes).toBeGreaterThan(1024 * 1024);
    expect(up.command).toContain('beater.js');
    expect(up.startedAt).not.toBeNull();
    expect(up.seq).not.toBeNull();

    // Hang: alive, no more beats.
    first.kill('SIGUSR1');
    const late = await until(engine, 'svc', (d) => d.status === 'late', 'late');
    expect(late.reason).toBe('overdue');
    const hung = await until(engine, 'svc', (d) => d.status === 'down', 'down');
    expect(hung).toMatchObject({ reason: 'hung', processAlive: true });

    // Die: kill -9. The liveness re-check alone notices.
    await killHard(first);
    const crashed = await waitFor(async () => {
      const snap = await engine.checkLiveness(nowInstant());
      const d = snap?.daemons.find((x) => x.name === 'svc');
      return d?.reason === 'crashed' ? d : undefined;
    }, 'crash seen by the liveness check');
    expect(crashed).toMatchObject({ status: 'down', processAlive: false, pid: first.pid });

    // A new process takes over: up again, one restart.
    const second = spawnBeater(dir, 'svc');
    const back = await until(
      engine,
      'svc',
      (d) => d.status === 'up' && d.pid === second.pid,
      'up after restart',
    );
    expect(back.restarts).toBe(1);
  });

  it('a fresh beat whose pid belongs to a younger process is a recycled pid: crashed', async () => {
    const stranger = spawnSleeper();
    const pid = await started(stranger);
    // The beat predates the process now holding its pid by 5 s.
    fs.writeFileSync(
      path.join(dir, 'svc.json'),
      JSON.stringify({ pid, ts: Date.now() - 5000, interval: 60 }),
    );
    const d = (await engineFor(['svc']).poll(nowInstant())).daemons[0]!;
    expect(d).toMatchObject({ status: 'down', reason: 'crashed', pid, processAlive: false });
    expect(d.problems.join('\n')).toMatch(new RegExp(`pid ${pid} was recycled`));
  });

  it('pidfile daemon: up while the process lives, crashed after kill -9', async () => {
    const child = spawnSleeper();
    const pid = await started(child);
    fs.writeFileSync(path.join(dir, 'db.pid'), `${pid}\n`);
    const engine = engineFor(['db']);
    expect((await engine.poll(nowInstant())).daemons[0]).toMatchObject({
      status: 'up',
      source: 'pidfile',
      pid,
      processAlive: true,
    });
    await killHard(child);
    expect((await engine.poll(nowInstant())).daemons[0]).toMatchObject({
      status: 'down',
      reason: 'crashed',
    });
  });

  it('match daemon found the way pgrep -f does, crashed when it goes', async () => {
    const marker = `ghost-hb-marker-${process.pid}-${Date.now()}`;
    const child = spawnSleeper(marker);
    const pid = await started(child);
    const engine = engineFor([{ name: 'worker', match: marker }]);
    expect((await engine.poll(nowInstant())).daemons[0]).toMatchObject({
      status: 'up',
      source: 'match',
      pid,
    });
    await killHard(child);
    expect((await engine.poll(nowInstant())).daemons[0]).toMatchObject({
      status: 'down',
      reason: 'crashed',
      pid,
    });
  });

  it('a touch file is up while touched and down/stale when not', async () => {
    const file = path.join(dir, 'cron.hb');
    fs.writeFileSync(file, '');
    const engine = engineFor(['cron']);
    expect((await engine.poll(nowInstant())).daemons[0]).toMatchObject({
      status: 'up',
      source: 'touch',
    });
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    expect((await engine.poll(nowInstant())).daemons[0]).toMatchObject({
      status: 'down',
      reason: 'stale',
    });
  });

  it('measures CPU % of a busy process between polls', async () => {
    const { spawn } = await import('node:child_process');
    const busy = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
    try {
      const pid = await started(busy);
      fs.writeFileSync(path.join(dir, 'busy.pid'), `${pid}\n`);
      const engine = engineFor(['busy']);
      await engine.poll(nowInstant());
      // Polls 300 ms apart, so each CPU % is measured over a span a busy loop
      // fills. On a loaded 2-core machine the loop may get only a few percent
      // of a core, so the check is that a share is measured at all, not its size.
      const d = await waitFor(
        async () => {
          const x = (await engine.poll(nowInstant())).daemons[0]!;
          return x.cpuPct !== null && x.cpuPct > 2 ? x : undefined;
        },
        'CPU % of a busy loop',
        { everyMs: 300, timeoutMs: 30_000 },
      );
      expect(d.cpuPct).toBeLessThanOrEqual(110);
    } finally {
      await killHard(busy);
    }
  }, 60_000);
});

describe('the liveness check between polls', () => {
  it('reads the directory again before calling a daemon late: a beat since the last poll counts', async () => {
    const engine = engineFor([{ name: 'quiet', interval: 1, tolerance: 1, grace: 30 }]);
    const file = path.join(dir, 'quiet.json');
    const t0 = nowInstant();
    fs.writeFileSync(file, JSON.stringify({ ts: new Date(t0.wallMs).toISOString() }));
    expect((await engine.poll(t0)).daemons[0]!.status).toBe('up');
    // A beat 5 s later that no poll has read (no watch told anyone), checked at 5.5 s.
    fs.writeFileSync(file, JSON.stringify({ ts: new Date(t0.wallMs + 5000).toISOString() }));
    const later = { wallMs: t0.wallMs + 5500, monoMs: t0.monoMs + 5500 };
    const checked = (await engine.checkLiveness(later)) ?? engine.lastSnapshot!;
    expect(checked.daemons[0]).toMatchObject({ status: 'up', ageMs: 500 });
  });
});
