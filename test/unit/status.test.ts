import { beforeEach, describe, expect, it } from '@jest/globals';
import { Engine } from '../../src/runtime/engine.js';
import {
  decideStatus,
  judgedAgeMs,
  daemonQuietForMs,
  type BeatRecord,
  type StatusFacts,
} from '../../src/core/status.js';
import type { DaemonSnapshot } from '../../src/core/types.js';
import { config, FakeClock, FakeDir, FakeProcesses, FakeSystem, T0 } from '../helpers/fakes.js';
import { buildDaemon } from '../helpers/snapshotBuilders.js';

// Defaults: interval 5 s, tolerance 1 s, grace 3 x interval = 15 s, retries 1.
// So a beat up to 6 s old is up, up to 20 s late, beyond that down.
const PID = 4242;
const STARTED = T0 - 3_600_000;

type Setup = (dir: FakeDir, procs: FakeProcesses) => void;

const beat = (ageMs: number, extra: Record<string, unknown> = {}) => ({
  ts: new Date(T0 - ageMs).toISOString(),
  pid: PID,
  ...extra,
});

interface Case {
  name: string;
  setup: Setup;
  daemons?: unknown[];
  status: DaemonSnapshot['status'];
  reason: string | null;
  problem?: RegExp;
  expect?: Partial<DaemonSnapshot>;
}

const alive: Setup = (_d, p) => p.procs.set(PID, { startTimeMs: STARTED });

const cases: Case[] = [
  {
    name: 'fresh beat, process alive: up',
    setup: (d, p) => (alive(d, p), d.json('d', beat(1000), T0 - 1000)),
    status: 'up',
    reason: null,
    expect: { pid: PID, processAlive: true, ageMs: 1000, source: 'json', intervalSec: 5 },
  },
  {
    name: 'beat exactly interval + tolerance old: still up',
    setup: (d, p) => (alive(d, p), d.json('d', beat(6000), T0 - 6000)),
    status: 'up',
    reason: null,
  },
  {
    name: 'beat past interval + tolerance: late',
    setup: (d, p) => (alive(d, p), d.json('d', beat(6001), T0 - 6001)),
    status: 'late',
    reason: 'overdue',
  },
  {
    name: 'beat exactly interval + grace old: still late',
    setup: (d, p) => (alive(d, p), d.json('d', beat(20_000), T0 - 20_000)),
    status: 'late',
    reason: 'overdue',
  },
  {
    name: 'beat past grace, process alive: down hung',
    setup: (d, p) => (alive(d, p), d.json('d', beat(20_001), T0 - 20_001)),
    status: 'down',
    reason: 'hung',
  },
  {
    name: 'touch beat past grace, no pid: down stale',
    setup: (d) => d.touch('d', T0 - 60_000),
    status: 'down',
    reason: 'stale',
    expect: { pid: null, processAlive: null, source: 'touch' },
  },
  {
    name: 'fresh touch beat: up',
    setup: (d) => d.touch('d', T0 - 500),
    status: 'up',
    reason: null,
    expect: { source: 'touch', skewMs: null },
  },
  {
    name: 'fresh beat but the process is gone: down crashed',
    setup: (d) => d.json('d', beat(500), T0 - 500),
    status: 'down',
    reason: 'crashed',
    expect: { processAlive: false },
  },
  {
    name: 'pid recycled (process started after the last beat): down crashed',
    setup: (d, p) => {
      p.procs.set(PID, { startTimeMs: T0 - 1000 });
      d.json('d', beat(4000), T0 - 4000);
    },
    status: 'down',
    reason: 'crashed',
    problem: /pid 4242 was recycled/,
    expect: { processAlive: false, cpuPct: null, memRssBytes: null },
  },
  {
    name: 'process started within tolerance of the beat: not recycled',
    setup: (d, p) => {
      p.procs.set(PID, { startTimeMs: T0 - 3500 });
      d.json('d', beat(4000), T0 - 4000);
    },
    status: 'up',
    reason: null,
  },
  {
    name: 'self-reported failing: down failing',
    setup: (d, p) => (alive(d, p), d.json('d', beat(1000, { status: 'failing' }), T0 - 1000)),
    status: 'down',
    reason: 'failing',
    expect: { selfStatus: 'failing' },
  },
  {
    name: 'self-reported degraded: late degraded',
    setup: (d, p) => (alive(d, p), d.json('d', beat(1000, { status: 'degraded' }), T0 - 1000)),
    status: 'late',
    reason: 'degraded',
  },
  {
    name: 'failing and stale: staleness wins (hung)',
    setup: (d, p) => (alive(d, p), d.json('d', beat(30_000, { status: 'failing' }), T0 - 30_000)),
    status: 'down',
    reason: 'hung',
  },
  {
    name: 'announced interval 60 s: 30 s old is up, grace follows (3 x 60)',
    setup: (d, p) => (alive(d, p), d.json('d', beat(30_000, { interval: 60 }), T0 - 30_000)),
    status: 'up',
    reason: null,
    expect: { intervalSec: 60, graceSec: 180 },
  },
  {
    name: 'announced interval with a configured grace: grace stays',
    daemons: [{ name: 'd', grace: 10 }],
    setup: (d, p) => (alive(d, p), d.json('d', beat(75_000, { interval: 60 }), T0 - 75_000)),
    status: 'down',
    reason: 'hung',
    expect: { intervalSec: 60, graceSec: 10 },
  },
  {
    name: 'declared daemon with no files: unknown never seen',
    setup: () => {},
    status: 'unknown',
    reason: 'never seen',
    expect: { source: 'none', pid: null, lastBeatAt: null },
  },
  {
    name: 'faulty file and no older data: unknown with the fault',
    setup: (d) => d.json('d', '{"ts": "2026-11-27T11:59', T0),
    status: 'unknown',
    reason: 'heartbeat is truncated JSON (a writer caught mid-write?)',
  },
  {
    name: 'faulty JSON but a valid touch file decides',
    setup: (d) => (d.json('d', 'nope', T0), d.touch('d', T0 - 1000)),
    status: 'up',
    reason: null,
    problem: /malformed JSON/,
    expect: { source: 'touch' },
  },
  {
    name: 'pidfile only, process alive: up',
    setup: (d, p) => (alive(d, p), d.pidfile('d', PID, T0 - 7_200_000 + 3_600_000 + 1000)),
    status: 'up',
    reason: null,
    expect: { source: 'pidfile', lastBeatAt: null, heartbeatPath: '/hb/d.pid' },
  },
  {
    name: 'pidfile only, process gone: down crashed',
    setup: (d) => d.pidfile('d', PID, T0 - 10_000),
    status: 'down',
    reason: 'crashed',
    expect: { source: 'pidfile' },
  },
  {
    name: 'pidfile older than the process holding its pid: recycled, crashed',
    setup: (d, p) => (alive(d, p), d.pidfile('d', PID, STARTED - 60_000)),
    status: 'down',
    reason: 'crashed',
    problem: /recycled/,
  },
  {
    name: 'match finds the process: up',
    daemons: [{ name: 'd', match: 'mydaemon --serve' }],
    setup: (_d, p) =>
      p.procs.set(777, { startTimeMs: STARTED, cmdline: '/usr/bin/mydaemon --serve' }),
    status: 'up',
    reason: null,
    expect: { source: 'match', pid: 777, command: '/usr/bin/mydaemon --serve' },
  },
  {
    name: 'match finds nothing and never did: unknown',
    daemons: [{ name: 'd', match: 'mydaemon' }],
    setup: () => {},
    status: 'unknown',
    reason: 'never seen',
    problem: /no process matches "mydaemon"/,
  },
  {
    name: 'JSON heartbeat: skew is ts minus mtime',
    setup: (d, p) => (alive(d, p), d.json('d', beat(1000), T0 - 3500)),
    status: 'up',
    reason: null,
    expect: { skewMs: 2500 },
  },
  {
    name: 'message and payload are sanitized: secrets redacted, control characters escaped',
    setup: (d, p) => {
      alive(d, p);
      d.json(
        'd',
        beat(1000, { message: 'db postgres://app:hunter2@db \x1b[31m', token: 'abc123secret' }),
        T0 - 1000,
      );
    },
    status: 'up',
    reason: null,
    expect: {
      message: 'db postgres://app:[REDACTED]@db \\x1b[31m',
      payload: {
        ts: new Date(T0 - 1000).toISOString(),
        pid: PID,
        message: 'db postgres://app:[REDACTED]@db \\x1b[31m',
        token: '[REDACTED]',
      },
    },
  },
  {
    name: 'control characters in a discovered name are escaped',
    daemons: [],
    setup: (d) => d.json('x\x1b[2J', beat(1000), T0 - 1000),
    status: 'unknown',
    reason: 'file name contains control characters: "x\\x1b[2J"',
    expect: { name: 'x\\x1b[2J', declared: false },
  },
];

describe('decideStatus: the status table', () => {
  const timing = { interval: 5, tolerance: 1, grace: 15, retries: 2 };
  const base: StatusFacts = {
    timing,
    crashed: false,
    ageMs: 1000,
    processAlive: true,
    processState: 'sleeping',
    selfStatus: 'ok',
    fault: null,
    writingGarbage: false,
    failedChecks: 0,
  };
  const rows: Array<[string, Partial<StatusFacts>, string]> = [
    ['fresh beat', {}, 'up'],
    ['crashed wins over a fresh beat', { crashed: true }, 'down/crashed'],
    ['overdue', { ageMs: 6001 }, 'late/overdue'],
    ['past grace, process alive', { ageMs: 20_001 }, 'down/hung'],
    ['past grace, no pid', { ageMs: 20_001, processAlive: null }, 'down/stale'],
    ['says failing', { selfStatus: 'failing' }, 'down/failing'],
    ['says degraded', { selfStatus: 'degraded' }, 'late/degraded'],
    ['stopped but on time', { processState: 'stopped' }, 'up'],
    ['stopped and overdue', { processState: 'stopped', ageMs: 6001 }, 'down/hung'],
    [
      'writing garbage past grace',
      { ageMs: 20_001, fault: 'bad JSON', writingGarbage: true },
      'down/malformed: bad JSON',
    ],
    [
      'writing garbage, overdue',
      { ageMs: 6001, fault: 'bad JSON', writingGarbage: true },
      'late/malformed: bad JSON',
    ],
    ['an old bad file past grace', { ageMs: 20_001, fault: 'bad JSON' }, 'down/hung'],
    ['no beat, live process', { ageMs: null }, 'up'],
    [
      'no beat, a fault',
      { ageMs: null, processAlive: null, fault: 'bad JSON' },
      'unknown/bad JSON',
    ],
    [
      'no beat, process gone once',
      { ageMs: null, processAlive: false, failedChecks: 1 },
      'unknown/not running (check 1 of 2)',
    ],
    ['nothing at all', { ageMs: null, processAlive: null }, 'unknown/never seen'],
  ];
  it.each(rows)('%s', (_name, over, expected) => {
    const v = decideStatus({ ...base, ...over });
    expect(v.reason === null ? v.status : `${v.status}/${v.reason}`).toBe(expected);
  });
});

describe('daemonQuietForMs: how long no verdict can change by time alone', () => {
  // Interval 5 s, tolerance 1 s, grace 15 s (the builder's defaults).
  const rows: [string, Partial<DaemonSnapshot>[], number][] = [
    ['an up daemon: until its beat is overdue', [{ ageMs: 2000 }], 3999],
    ['the soonest of several', [{ ageMs: 1000 }, { ageMs: 5500 }], 499],
    [
      'an overdue daemon: until its grace is over',
      [{ status: 'late', reason: 'overdue', ageMs: 8000 }],
      11_999,
    ],
    [
      'up on a live process alone (no beat): only a process can change it',
      [{ ageMs: null }],
      Infinity,
    ],
    ['already past the threshold', [{ ageMs: 9000 }], 0],
    ['a down daemon: judged every time', [{ ageMs: 1000 }, { status: 'down', reason: 'stale' }], 0],
    ['degraded by its own report', [{ status: 'late', reason: 'degraded', ageMs: 1000 }], 0],
    ['a problem (a faulty file being written)', [{ ageMs: 1000, problems: ['bad json'] }], 0],
    ['unknown', [{ status: 'unknown', reason: 'never seen', ageMs: null }], 0],
  ];
  it.each(rows)('%s', (_name, daemons, expected) => {
    // A fleet's quiet time is the least of each daemon's own.
    const built = daemons.map((d, i) => buildDaemon(`d${i}`, d));
    expect(Math.min(...built.map(daemonQuietForMs))).toBe(expected);
  });
});

describe('status rules (fake clock, fake collectors)', () => {
  it.each(cases)('$name', async (c) => {
    const dir = new FakeDir();
    const procs = new FakeProcesses();
    c.setup(dir, procs);
    const engine = new Engine(config({ daemons: (c.daemons ?? ['d']) as never }), {
      heartbeats: dir,
      processes: procs,
      system: new FakeSystem(),
    });
    const snap = await engine.poll(new FakeClock().now());
    expect(snap.daemons).toHaveLength(1);
    const d = snap.daemons[0]!;
    expect({ status: d.status, reason: d.reason }).toEqual({ status: c.status, reason: c.reason });
    if (c.problem) expect(d.problems.join('\n')).toMatch(c.problem);
    if (c.expect) expect(d).toMatchObject(c.expect);
    expect(snap.summary[c.status]).toBe(1);
  });
});

describe('status over several polls', () => {
  let clock: FakeClock;
  let dir: FakeDir;
  let procs: FakeProcesses;
  const make = (raw: Parameters<typeof config>[0] = { daemons: ['d'] }) =>
    new Engine(config(raw), { heartbeats: dir, processes: procs, system: new FakeSystem() });

  beforeEach(() => {
    clock = new FakeClock();
    dir = new FakeDir();
    procs = new FakeProcesses();
  });

  it('keeps judging on the last valid beat while the file is caught mid-write', async () => {
    const engine = make();
    procs.procs.set(PID, { startTimeMs: STARTED });
    dir.json('d', beat(0), T0);
    expect((await engine.poll(clock.now())).daemons[0]!.status).toBe('up');
    clock.advance(2000);
    dir.json('d', '{"ts": "2026-', T0 + 2000);
    const mid = (await engine.poll(clock.now())).daemons[0]!;
    expect(mid).toMatchObject({ status: 'up', reason: null, ageMs: 2000, pid: PID });
    expect(mid.problems).toEqual([
      'heartbeat is truncated JSON (a writer caught mid-write?)',
      `using the last valid beat from ${new Date(T0).toISOString()}`,
    ]);
    // The old beat keeps ageing: the fault does not freeze the daemon as up.
    clock.advance(25_000);
    expect((await engine.poll(clock.now())).daemons[0]).toMatchObject({
      status: 'down',
      reason: 'hung',
    });
  });

  it('a live daemon writing a truncated heartbeat every beat is malformed, not hung', async () => {
    const engine = make();
    procs.procs.set(PID, { startTimeMs: STARTED });
    dir.json('d', beat(0), T0);
    expect((await engine.poll(clock.now())).daemons[0]!.status).toBe('up');
    let d: DaemonSnapshot | undefined;
    for (let s = 1; s <= 25; s++) {
      clock.advance(1000);
      dir.json('d', '{"ts": "2026-', T0 + s * 1000);
      d = (await engine.poll(clock.now())).daemons[0]!;
    }
    expect(d).toMatchObject({
      status: 'down',
      reason: 'malformed: heartbeat is truncated JSON (a writer caught mid-write?)',
      processAlive: true,
    });
  });

  it('a stopped process is shown stopped and is hung once its beat is overdue', async () => {
    const engine = make();
    procs.procs.set(PID, { startTimeMs: STARTED, state: 'stopped' });
    dir.json('d', beat(0), T0);
    const fresh = (await engine.poll(clock.now())).daemons[0]!;
    expect(fresh).toMatchObject({ status: 'up', processAlive: true, processState: 'stopped' });
    expect(fresh.problems.join('\n')).toMatch(/stopped/);
    clock.advance(7000);
    expect((await engine.poll(clock.now())).daemons[0]).toMatchObject({
      status: 'down',
      reason: 'hung',
      processState: 'stopped',
    });
  });

  it('a heartbeat naming pid 1 is not trusted unless the daemon allows it', async () => {
    procs.procs.set(1, { startTimeMs: STARTED - 1000, cmdline: '/sbin/init' });
    dir.json('d', { ts: new Date(T0 - 30_000).toISOString(), pid: 1 }, T0 - 30_000);
    const d = (await make().poll(clock.now())).daemons[0]!;
    expect(d).toMatchObject({ status: 'down', reason: 'stale', pid: null, command: null });
    expect(d.problems.join('\n')).toMatch(/pid 1/);
    const allowed = make({ daemons: [{ name: 'd', allowPid1: true }] });
    expect((await allowed.poll(clock.now())).daemons[0]).toMatchObject({
      reason: 'hung',
      pid: 1,
    });
  });

  it('waits for `retries` consecutive failed checks before crashed', async () => {
    const engine = make({ daemons: [{ name: 'd', retries: 3 }] });
    dir.json('d', beat(0), T0);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const d = (await engine.poll(clock.advance(500))).daemons[0]!;
      seen.push(`${d.status}/${d.reason}/${d.processAlive}`);
    }
    expect(seen).toEqual([
      'up/null/false',
      'up/null/false',
      'down/crashed/false',
      'down/crashed/false',
    ]);
  });

  it('resets failed checks when the process is seen again', async () => {
    const engine = make({ daemons: [{ name: 'd', retries: 2 }] });
    dir.json('d', beat(0), T0);
    await engine.poll(clock.advance(100));
    procs.procs.set(PID, { startTimeMs: T0 - 5000 });
    await engine.poll(clock.advance(100));
    procs.procs.delete(PID);
    expect((await engine.poll(clock.advance(100))).daemons[0]!.status).toBe('up');
  });

  it('counts restarts: a new pid, or the same pid with a new start time', async () => {
    const engine = make();
    procs.procs.set(100, { startTimeMs: T0 - 10_000 });
    dir.json('d', { ts: T0, pid: 100 }, T0);
    expect((await engine.poll(clock.now())).daemons[0]!.restarts).toBe(0);
    // Crash: pid gone, then a new process beats.
    procs.procs.delete(100);
    expect((await engine.poll(clock.advance(1000))).daemons[0]!.reason).toBe('crashed');
    procs.procs.set(200, { startTimeMs: T0 - 5000 });
    dir.json('d', { ts: T0 + 2000, pid: 200 }, T0 + 2000);
    expect((await engine.poll(clock.advance(1000))).daemons[0]).toMatchObject({
      status: 'up',
      restarts: 1,
      pid: 200,
    });
    // Same pid, different start time (pid reused by the daemon's own restart).
    procs.procs.set(200, { startTimeMs: T0 + 2500 });
    dir.json('d', { ts: T0 + 3000, pid: 200 }, T0 + 3000);
    expect((await engine.poll(clock.advance(1000))).daemons[0]!.restarts).toBe(2);
    // Steady state: no more counting.
    expect((await engine.poll(clock.advance(1000))).daemons[0]!.restarts).toBe(2);

    const saved = engine.exportState();
    expect(saved.daemons.d).toEqual({ lastPid: 200, lastStartTimeMs: T0 + 2500, restarts: 2 });
    const next = make();
    next.restoreState(JSON.parse(JSON.stringify(saved)));
    expect((await next.poll(clock.advance(100))).daemons[0]!.restarts).toBe(2);
  });

  it('computes CPU % between polls of the same process', async () => {
    const engine = make();
    procs.procs.set(PID, { startTimeMs: STARTED, cpuTimeMs: 10_000 });
    dir.json('d', beat(0), T0);
    expect((await engine.poll(clock.now())).daemons[0]!.cpuPct).toBeNull();
    procs.procs.set(PID, { startTimeMs: STARTED, cpuTimeMs: 10_500 });
    expect((await engine.poll(clock.advance(2000))).daemons[0]!.cpuPct).toBe(25);
  });

  it('measures CPU % over at least 100 ms: an early poll keeps the last figure', async () => {
    const engine = make();
    procs.procs.set(PID, { startTimeMs: STARTED, cpuTimeMs: 10_000 });
    dir.json('d', beat(0), T0);
    await engine.poll(clock.now());
    // 2 ms later one more 10 ms clock tick would read as 500 %.
    procs.procs.set(PID, { startTimeMs: STARTED, cpuTimeMs: 10_010 });
    expect((await engine.poll(clock.advance(2))).daemons[0]!.cpuPct).toBeNull();
    procs.procs.set(PID, { startTimeMs: STARTED, cpuTimeMs: 10_500 });
    expect((await engine.poll(clock.advance(1998))).daemons[0]!.cpuPct).toBe(25);
    procs.procs.set(PID, { startTimeMs: STARTED, cpuTimeMs: 10_520 });
    expect((await engine.poll(clock.advance(50))).daemons[0]!.cpuPct).toBe(25);
  });

  it('divides CPU time by the time between the reads, not between the polls', async () => {
    const engine = make();
    const at = clock.now().monoMs;
    procs.procs.set(PID, { startTimeMs: STARTED, cpuTimeMs: 10_000, sampledMonoMs: at });
    dir.json('d', beat(0), T0);
    await engine.poll(clock.now());
    // A busy process, read 300 ms after its poll started on a loaded machine:
    // 1,300 ms of CPU in 1,300 ms is 100 %, not 130 % of the polls' 1,000 ms.
    procs.procs.set(PID, { startTimeMs: STARTED, cpuTimeMs: 11_300, sampledMonoMs: at + 1300 });
    expect((await engine.poll(clock.advance(1000))).daemons[0]!.cpuPct).toBe(100);
  });

  it('judges age on monotonic time for one grace period after a wall-clock jump', async () => {
    const engine = make();
    procs.procs.set(PID, { startTimeMs: STARTED });
    dir.json('d', beat(0), T0);
    await engine.poll(clock.now());
    // NTP steps the clock forward an hour; only 2 s really passed.
    clock.advance(2000);
    const after = await engine.poll(clock.step(3_600_000));
    expect(after.clock.lastJumpMs).toBe(3_600_000);
    expect(after.clock.lastJumpAt).toBe(new Date(clock.wallMs).toISOString());
    expect(after.clock.synced).toBeNull();
    expect(after.daemons[0]).toMatchObject({ status: 'up', ageMs: 2000, clockSuspect: true });
    // Once a grace period (15 s) has passed on monotonic time, wall time judges again.
    const later = await engine.poll(clock.advance(16_000));
    expect(later.daemons[0]).toMatchObject({ status: 'down', reason: 'hung', clockSuspect: false });
  });

  it('does not reject beats as future-dated right after the clock stepped back', async () => {
    const engine = make();
    procs.procs.set(PID, { startTimeMs: STARTED });
    dir.json('d', beat(0), T0);
    await engine.poll(clock.now());
    clock.advance(1000);
    const back = await engine.poll(clock.step(-600_000));
    expect(back.clock.lastJumpMs).toBe(-600_000);
    expect(back.daemons[0]).toMatchObject({ status: 'up', ageMs: 1000, clockSuspect: true });
  });

  it('liveness check: null when nothing changed, a snapshot when a process died', async () => {
    const engine = make();
    procs.procs.set(PID, { startTimeMs: STARTED });
    dir.json('d', beat(0), T0);
    await engine.poll(clock.now());
    expect(await engine.checkLiveness(clock.advance(1000))).toBeNull();
    procs.procs.delete(PID);
    const snap = await engine.checkLiveness(clock.advance(1000));
    expect(snap?.daemons[0]).toMatchObject({ status: 'down', reason: 'crashed' });
    // The liveness check asked only about the known pid; it did not resample.
    expect(procs.sampleCalls).toBe(1);
    expect(procs.aliveCalls).toBe(2);
  });

  it('liveness check: a pid now held by a younger process is not the daemon', async () => {
    const engine = make();
    procs.procs.set(PID, { startTimeMs: STARTED });
    dir.json('d', beat(0), T0);
    await engine.poll(clock.now());
    procs.procs.set(PID, { startTimeMs: T0 + 500 });
    const snap = await engine.checkLiveness(clock.advance(1000));
    expect(snap?.daemons[0]).toMatchObject({ status: 'down', reason: 'crashed' });
  });

  it('liveness check: beats turning late show without a poll', async () => {
    const engine = make();
    procs.procs.set(PID, { startTimeMs: STARTED });
    dir.json('d', beat(0), T0);
    await engine.poll(clock.now());
    const snap = await engine.checkLiveness(clock.advance(7000));
    expect(snap?.daemons[0]).toMatchObject({ status: 'late', reason: 'overdue', ageMs: 7000 });
  });

  it('liveness check each second: late and then down exactly when a poll would say so', async () => {
    const engine = make();
    procs.procs.set(PID, { startTimeMs: STARTED });
    dir.json('d', beat(0), T0);
    await engine.poll(clock.now());
    const seen: string[] = [];
    for (let s = 1; s <= 21; s++) {
      const snap = await engine.checkLiveness(clock.advance(1000));
      if (snap) seen.push(`${s}s ${snap.daemons[0]!.status}`);
    }
    // Interval 5 s + tolerance 1 s: late past 6 s; + grace 15 s: down past 20 s.
    expect(seen).toEqual(['7s late', '21s down']);
  });

  it('lists declared daemons in config order, then discovered ones by name', async () => {
    const engine = make({ daemons: ['zeta', 'alpha'] });
    dir.touch('mid', T0);
    dir.touch('beta', T0);
    dir.touch('alpha', T0);
    const snap = await engine.poll(clock.now());
    expect(snap.daemons.map((d) => [d.name, d.declared])).toEqual([
      ['zeta', true],
      ['alpha', true],
      ['beta', false],
      ['mid', false],
    ]);
    expect(snap.summary).toEqual({ up: 3, late: 0, down: 0, unknown: 1 });
    const hidden = make({ daemons: ['zeta'], discover: false });
    expect((await hidden.poll(clock.now())).daemons.map((d) => d.name)).toEqual(['zeta']);
  });

  it('reports a missing directory and keeps polling', async () => {
    const engine = make();
    dir.error = 'does not exist';
    const snap = await engine.poll(clock.now());
    expect(snap.heartbeatDirError).toBe('does not exist');
    expect(snap.sources).toEqual({ heartbeats: false, processes: true, system: true });
    dir.error = null;
    dir.touch('d', T0);
    const again = await engine.poll(clock.advance(1000));
    expect(again.heartbeatDirError).toBeNull();
    expect(again.daemons[0]!.status).toBe('up');
  });

  it('a match daemon whose process disappears is crashed', async () => {
    const engine = make({ daemons: [{ name: 'd', match: 'worker' }] });
    procs.procs.set(55, { startTimeMs: STARTED, cmdline: 'worker -n 1' });
    expect((await engine.poll(clock.now())).daemons[0]!.status).toBe('up');
    procs.procs.delete(55);
    expect((await engine.poll(clock.advance(1000))).daemons[0]).toMatchObject({
      status: 'down',
      reason: 'crashed',
      pid: 55,
      source: 'match',
    });
  });
});

describe('engineSource', () => {
  it('adapts the engine to the poller: snapshots with no events, null when nothing changed', async () => {
    const { engineSource } = await import('../../src/runtime/engine.js');
    const clock = new FakeClock();
    const dir = new FakeDir();
    const procs = new FakeProcesses();
    procs.procs.set(PID, { startTimeMs: STARTED });
    dir.json('d', beat(0), T0);
    const engine = new Engine(config({ daemons: ['d'] }), {
      heartbeats: dir,
      processes: procs,
      system: new FakeSystem(),
    });
    const source = engineSource(engine);
    const first = await source.poll(clock.now());
    expect(first.events).toEqual([]);
    expect(first.snapshot.daemons[0]!.status).toBe('up');
    expect(await source.checkLiveness(clock.advance(500))).toBeNull();
    procs.procs.delete(PID);
    const changed = await source.checkLiveness(clock.advance(500));
    expect(changed?.snapshot.daemons[0]!.reason).toBe('crashed');
  });

  it('redacts secrets quoted in a fault', async () => {
    const dir = new FakeDir();
    // Node's JSON.parse error quotes up to 10 characters of the input.
    dir.json('d', 'pwd=s3cr3t', T0);
    const engine = new Engine(config({ daemons: ['d'] }), {
      heartbeats: dir,
      processes: new FakeProcesses(),
      system: new FakeSystem(),
    });
    const d = (await engine.poll(new FakeClock().now())).daemons[0]!;
    expect(d.status).toBe('unknown');
    expect(d.reason).toMatch(/^heartbeat is malformed JSON: .*pwd=\[REDACTED\]/);
    expect(JSON.stringify(d)).not.toContain('s3cr3t');
  });
});

describe('judgedAgeMs: a beat from before the heartbeat directory came back', () => {
  const timing = { interval: 5, tolerance: 2, grace: 10, retries: 2 };
  const beatAt = (tsMs: number) => ({ heartbeat: { tsMs } }) as BeatRecord;
  // The directory went at 100 s and came back at 200 s (a beat at 98 s was 2 s old when it went).
  const outage = { lostAtMs: 100_000, backAtMs: 200_000 };
  it.each([
    ['no outage: the age as it is', 98_000, 210_000, null, 112_000],
    [
      'within interval plus grace of the return: the age when it went',
      98_000,
      210_000,
      outage,
      2_000,
    ],
    ['already overdue when it went: stays overdue', 50_000, 210_000, outage, 50_000],
    ['past interval plus grace of the return: the age as it is', 98_000, 215_001, outage, 117_001],
    ['a beat since the return: the age as it is', 201_000, 210_000, outage, 9_000],
  ])('%s', (_label, tsMs, nowMs, o, expected) => {
    expect(judgedAgeMs(nowMs - tsMs, beatAt(tsMs), timing, nowMs, o)).toBe(expected);
  });
});
