// The Monitor over the real Engine with in-memory collectors and a hand-driven
// clock: what the rules see end to end, without processes or sleeps.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { ClockAttempt } from '../../src/collectors/clock/collector.js';
import type { HbEvent } from '../../src/core/types.js';
import { EventLog } from '../../src/store/eventLog.js';
import { Monitor, type MonitorClock } from '../../src/runtime/monitor.js';
import { config, FakeClock, FakeDir, FakeProcesses, FakeSystem } from '../helpers/fakes.js';

const NAMES = ['relayCore', 'watchdog', 'executor', 'healer', 'validationEngine', 'messageQueue'];

class FixedClockSource implements MonitorClock {
  refreshes = 0;
  constructor(public answer: ClockAttempt | null) {}
  refresh(): void {
    this.refreshes++;
  }
  current(): ClockAttempt | null {
    return this.answer;
  }
}

let stateDir: string;
beforeEach(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-monitor-'));
});
afterEach(() => {
  fs.rmSync(stateDir, { recursive: true, force: true });
});

async function setup(clockAnswer: ClockAttempt | null = null) {
  const clock = new FakeClock();
  const dir = new FakeDir();
  const processes = new FakeProcesses();
  NAMES.forEach((_, i) => processes.procs.set(100 + i, { startTimeMs: clock.wallMs - 60_000 }));
  const clockSource = new FixedClockSource(clockAnswer);
  const monitor = await Monitor.open({
    config: config({ daemons: NAMES, alerts: { minUptimeSec: 0 } }),
    stateDir,
    collectors: { heartbeats: dir, processes, system: new FakeSystem() },
    clock: clockSource,
    wallNow: () => clock.wallMs,
  });
  const beatAll = () =>
    NAMES.forEach((name, i) => dir.json(name, { pid: 100 + i, ts: clock.wallMs }, clock.wallMs));
  return { clock, dir, processes, monitor, beatAll, clockSource };
}

describe('Monitor (engine + rules + logs)', () => {
  it('a wall-clock jump of an hour is one clock-jump warn, not a storm of down events', async () => {
    const { clock, monitor, beatAll } = await setup();
    const events: HbEvent[] = [];
    for (let i = 0; i < 4; i++) {
      beatAll();
      events.push(...(await monitor.poll(clock.now())).events);
      clock.advance(5000);
    }
    expect(events).toEqual([]);
    // The wall clock steps an hour ahead between two polls; the daemons keep beating.
    clock.step(3_600_000);
    for (let i = 0; i < 8; i++) {
      events.push(...(await monitor.poll(clock.now())).events);
      beatAll();
      clock.advance(5000);
    }
    expect(events.map((e) => e.rule)).toEqual(['clock-jump']);
    expect(events[0]!.data?.jumpMs).toBe(3_600_000);
    await monitor.close();
  });

  it('a real crash is reported at once even just after a jump', async () => {
    const { clock, monitor, beatAll, processes } = await setup();
    beatAll();
    await monitor.poll(clock.now());
    clock.advance(5000);
    clock.step(-600_000);
    beatAll();
    processes.procs.delete(101); // watchdog dies
    const r = await monitor.poll(clock.now());
    expect(r.events.map((e) => `${e.rule}:${e.daemon ?? ''}`).sort()).toEqual([
      'clock-jump:',
      'crashed:watchdog',
    ]);
    await monitor.close();
  });

  it('raise(): the next id, sanitized, logged and in the ring at once, delivered with the next poll once', async () => {
    const { clock, monitor, beatAll, processes } = await setup();
    beatAll();
    await monitor.poll(clock.now());
    clock.advance(5000);
    processes.procs.delete(100); // relayCore crashes: a rule event on the next poll
    const e = monitor.raise({
      severity: 'warn',
      rule: 'dashboard-push-dropped',
      message: 'push failed: Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789',
      data: { token: 'hunter2hunter2' },
    });
    expect(e.at).toBe(new Date(clock.wallMs).toISOString());
    expect(e.message).not.toMatch(/abcdefghij/);
    expect(e.data?.token).not.toBe('hunter2hunter2');
    expect(monitor.recentEvents().at(-1)).toEqual(e);
    expect(monitor.eventLog.query({ rule: 'dashboard-push-dropped' })).toEqual([e]);

    beatAll();
    const r = await monitor.poll(clock.now());
    expect(r.events[0]).toEqual(e);
    const ids = r.events.map((x) => Number(x.id));
    expect(ids.length).toBeGreaterThan(1); // the crash too, with a later id
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    clock.advance(5000);
    beatAll();
    expect((await monitor.poll(clock.now())).events.map((x) => x.id)).not.toContain(e.id);
    await monitor.close();
  });

  it('no clock-sync source is a note, not a failing source, and raises nothing', async () => {
    const { clock, monitor, beatAll, clockSource } = await setup({
      ok: false,
      unavailable: true,
      error: 'no clock source',
    });
    const events: HbEvent[] = [];
    let last = null;
    for (let i = 0; i < 5; i++) {
      beatAll();
      last = await monitor.poll(clock.now());
      events.push(...last.events);
      clock.advance(5000);
    }
    expect(last!.snapshot.clock).toMatchObject({
      synced: null,
      offsetMs: null,
      source: null,
      note: 'no clock source (install chrony or set clock.sntpServers)',
    });
    expect(last!.snapshot.sources).not.toHaveProperty('clock');
    expect(events).toEqual([]);

    // Configured servers that do not answer are a failure: sync fields null, no note.
    clockSource.answer = { ok: false, unavailable: false, error: 'sntp 192.0.2.1: no answer' };
    beatAll();
    const failing = await monitor.poll(clock.now());
    expect(failing.snapshot.clock).toMatchObject({ synced: null, source: null, note: null });
    expect(failing.snapshot.sources.clock).toBe(false);
    expect(failing.events.map((e) => `${e.severity}:${e.rule}`)).toEqual(['warn:source-failing']);
    await monitor.close();
  });

  it('fills clock fields from the clock source and raises offset and sync rules', async () => {
    const { clock, monitor, beatAll, clockSource } = await setup({
      ok: true,
      sample: {
        synced: false,
        offsetMs: 700,
        errorBoundMs: 720,
        source: 'chrony ntp1',
        stratum: 3,
      },
    });
    beatAll();
    const r = await monitor.poll(clock.now());
    expect(r.snapshot.clock).toMatchObject({
      synced: false,
      offsetMs: 700,
      errorBoundMs: 720,
      source: 'chrony ntp1',
      stratum: 3,
      lastJumpAt: null,
    });
    expect(r.snapshot.sources.clock).toBe(true);
    expect(r.events.map((e) => `${e.severity}:${e.rule}`)).toEqual([
      'error:clock-offset',
      'error:clock-unsynced',
    ]);
    expect(clockSource.refreshes).toBeGreaterThanOrEqual(2); // at open and at the poll

    // A clock source that exists but fails is a failing source; none at all is not.
    clockSource.answer = {
      ok: false,
      unavailable: false,
      error: 'chronyc: 506 Cannot talk to daemon',
    };
    clock.advance(5000);
    beatAll();
    const failing = await monitor.poll(clock.now());
    expect(failing.snapshot.sources.clock).toBe(false);
    expect(failing.events.map((e) => e.rule)).toEqual(['source-failing']);
    await monitor.close();
  });

  it('no clock source at all leaves the clock fields null and raises nothing', async () => {
    const { clock, monitor, beatAll } = await setup({
      ok: false,
      unavailable: true,
      error: 'none',
    });
    beatAll();
    const r = await monitor.poll(clock.now());
    expect(r.snapshot.clock.synced).toBeNull();
    expect('clock' in r.snapshot.sources).toBe(false);
    expect(r.events).toEqual([]);
    await monitor.close();
  });

  it('liveness checks run the rules on changes, and availability follows the flips', async () => {
    const { clock, monitor, beatAll, processes } = await setup();
    beatAll();
    await monitor.poll(clock.now());
    clock.advance(1000);
    expect(await monitor.checkLiveness(clock.now())).toBeNull();
    processes.procs.delete(100);
    clock.advance(1000);
    const r = await monitor.checkLiveness(clock.now());
    expect(r?.events.map((e) => `${e.rule}:${e.daemon}`)).toEqual(['crashed:relayCore']);
    clock.advance(2000);
    const a = monitor.availability('relayCore');
    expect(a.h1).toBeCloseTo(0.5, 5); // 2 s up, 2 s down
    expect(monitor.availability('watchdog').h1).toBe(1);
    expect(monitor.recentEvents().map((e) => e.rule)).toEqual(['crashed']);
    await monitor.close();
    expect(EventLog.readQuery(stateDir).map((e) => e.rule)).toEqual(['crashed']);
  });

  it('a daemon up since before the monitor started is exactly 100% available', async () => {
    const { clock, monitor, beatAll, dir } = await setup();
    // healer's file is from a previous life: stale (down) at the first poll,
    // beating again within one interval plus grace.
    beatAll();
    dir.json('healer', { pid: 103, ts: clock.wallMs - 600_000 }, clock.wallMs - 600_000);
    await monitor.poll(clock.now());
    for (let i = 0; i < 6; i++) {
      clock.advance(5000);
      beatAll();
      await monitor.poll(clock.now());
    }
    expect(monitor.availability('relayCore')).toEqual({ h1: 1, h24: 1, d7: 1 });
    expect(monitor.availability('healer')).toEqual({ h1: 1, h24: 1, d7: 1 });
    await monitor.close();
  });

  it('events are sanitized before the ring, the log and the result', async () => {
    const { clock, monitor, dir } = await setup();
    // A daemon that announces failure with a secret in its message.
    dir.json(
      'relayCore',
      { pid: 100, ts: clock.wallMs, status: 'failing', message: 'db password=hunter2 \u001b[2J' },
      clock.wallMs,
    );
    const r = await monitor.poll(clock.now());
    const text = JSON.stringify([r.events, monitor.recentEvents(), EventLog.readQuery(stateDir)]);
    expect(r.events.map((e) => e.rule)).toEqual(['down']);
    expect(r.events[0]!.data?.message).toContain('[REDACTED]');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('\u001b');
    await monitor.close();
  });
});
