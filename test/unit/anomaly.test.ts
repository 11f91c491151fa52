import { describe, expect, it } from '@jest/globals';
import {
  detectAnomalies,
  initialRuleState,
  percentStateChange,
  reviveRuleState,
} from '../../src/core/anomaly/index.js';
import { nextFlapHistory } from '../../src/core/anomaly/daemon.js';
import type { EvaluationKind } from '../../src/core/anomaly/index.js';
import type { DaemonSnapshot, Snapshot } from '../../src/core/types.js';
import {
  BASE_WALL,
  RuleRunner,
  brief,
  daemon,
  snapshot,
  testConfig,
} from '../helpers/snapshots.js';

interface Step {
  /** ms of real time before this poll (default 5000). */
  dt?: number;
  /** Wall-clock step before this poll (monotonic time does not move). */
  jump?: number;
  d?: Partial<DaemonSnapshot>;
  s?: Partial<Snapshot>;
  /** A liveness re-check between polls rather than a full poll. */
  kind?: EvaluationKind;
}

function play(steps: Step[], alerts = {}, extra: DaemonSnapshot[] = []): RuleRunner {
  const r = new RuleRunner(testConfig(alerts));
  for (const st of steps) {
    r.advance(st.dt ?? 5000);
    if (st.jump) r.step(st.jump);
    r.run(snapshot([daemon('relay', st.d), ...extra], st.s), st.kind);
  }
  return r;
}

const up: Step = { d: { status: 'up' } };
const late: Step = { d: { status: 'late', reason: 'stale', ageMs: 8000 } };
const down = (reason = 'stale', over: Partial<DaemonSnapshot> = {}): Step => ({
  d: { status: 'down', reason, ...over },
});

describe('status transition rules', () => {
  const cases: Array<{ name: string; steps: Step[]; expected: string[] }> = [
    { name: 'steady up: nothing', steps: [up, up, up, up], expected: [] },
    { name: 'up -> late is a warn', steps: [up, late, late], expected: ['warn:late:relay'] },
    {
      name: 'up -> late -> down (stale) -> up: late, down, recovered',
      steps: [up, late, down(), down(), up],
      expected: ['warn:late:relay', 'error:down:relay', 'info:recovered:relay'],
    },
    {
      name: 'crash is its own rule',
      steps: [up, down('crashed')],
      expected: ['error:crashed:relay'],
    },
    { name: 'hang is its own rule', steps: [up, down('hung')], expected: ['error:hung:relay'] },
    {
      name: 'a critical daemon going down is critical',
      steps: [up, down('crashed', { critical: true })],
      expected: ['critical:crashed:relay'],
    },
    {
      name: 'late after down is a partial recovery, not a new late warn',
      steps: [up, down('crashed'), late, up],
      expected: ['error:crashed:relay', 'info:recovered:relay'],
    },
    {
      name: 'late -> up -> late again: two late warns, the first visibly ended',
      steps: [up, late, up, late],
      expected: ['warn:late:relay', 'info:recovered:relay', 'warn:late:relay'],
    },
    {
      name: 'late -> up is a recovery',
      steps: [up, late, late, up, up],
      expected: ['warn:late:relay', 'info:recovered:relay'],
    },
    {
      name: 'degraded -> ok is a recovery',
      steps: [up, { d: { status: 'late', reason: 'degraded' } }, up],
      expected: ['warn:late:relay', 'info:recovered:relay'],
    },
    {
      name: 'late -> down is the outage, not a recovery',
      steps: [up, late, down(), up],
      expected: ['warn:late:relay', 'error:down:relay', 'info:recovered:relay'],
    },
    {
      name: 'self-reported degraded is late with its reason',
      steps: [up, { d: { status: 'late', reason: 'degraded' } }],
      expected: ['warn:late:relay'],
    },
    {
      name: 'a file fault after being seen is unknown (warn)',
      steps: [up, { d: { status: 'unknown', reason: 'malformed JSON' } }],
      expected: ['warn:unknown:relay'],
    },
  ];
  it.each(cases)('$name', ({ steps, expected }) => {
    expect(brief(play(steps).merged())).toEqual(expected);
  });

  it('a recovery from late says how long and from what', () => {
    const r = play([up, { d: { status: 'late', reason: 'degraded' } }, { dt: 7000, ...up }]);
    const rec = r.events.find((e) => e.rule === 'recovered')!;
    expect(rec.message).toBe('relay recovered after 7s degraded');
    expect(rec.data).toMatchObject({ from: 'late', reason: 'degraded', lateMs: 7000 });
  });

  it('recovery carries the outage length', () => {
    const r = play([
      up,
      down('crashed'),
      { ...down('crashed'), dt: 60_000 },
      { ...up, dt: 30_000 },
    ]);
    const rec = r.events.find((e) => e.rule === 'recovered')!;
    expect(rec.data?.outageMs).toBe(90_000);
    expect(rec.message).toMatch(/after 1m 30s down/);
  });

  it('down -> late -> down without ever being up is one outage counted twice', () => {
    const r = play([up, down('crashed'), late, down('stale')]);
    expect(brief(r.events)).toEqual(['error:crashed:relay']);
    expect(r.merged()[0]!.data?.count).toBe(2);
  });
});

describe('never seen and new daemons', () => {
  const neverSeen: Partial<DaemonSnapshot> = { status: 'unknown', reason: 'never seen', pid: null };

  it('a declared daemon never seen warns once after interval + grace, not before', () => {
    const r = new RuleRunner();
    const events: string[][] = [];
    for (let i = 0; i < 10; i++) {
      r.advance(5000);
      events.push(brief(r.run(snapshot([daemon('ghost', neverSeen)]))));
    }
    // interval 5 s + grace 15 s = 20 s: the first poll more than 20 s after the first one warns.
    const firstAt = events.findIndex((e) => e.length > 0);
    expect(events[firstAt]).toEqual(['warn:never-seen:ghost']);
    expect(firstAt).toBe(5);
    expect(events.flat()).toHaveLength(1);
  });

  it('a daemon seen once is not "never seen" when it later goes unknown', () => {
    const r = play([up, { d: neverSeen }, { d: neverSeen, dt: 60_000 }]);
    expect(brief(r.merged())).toEqual(['warn:unknown:relay']);
  });

  it('an undeclared daemon appearing is one info event', () => {
    const r = new RuleRunner();
    for (let i = 0; i < 3; i++) {
      r.advance(5000);
      r.run(snapshot([daemon('relay'), daemon('stray', { declared: false })]));
    }
    expect(brief(r.events)).toEqual(['info:new-daemon:stray']);
  });
});

describe('restarts', () => {
  it('a pid change is a restart (warn); repeats within the window are counted into it', () => {
    const r = play([
      { d: { pid: 10 } },
      { d: { pid: 11, restarts: 1 } },
      { d: { pid: 12, restarts: 2 } },
    ]);
    expect(brief(r.events)).toEqual(['warn:restarted:relay']);
    expect(r.merged()[0]!.data?.count).toBe(2);
  });

  it('more than N restarts within M minutes is an error (restart-loop)', () => {
    const steps: Step[] = [{ d: { pid: 10 } }];
    for (let i = 1; i <= 4; i++) steps.push({ d: { pid: 10 + i, restarts: i }, dt: 60_000 });
    const r = play(steps, { restartCount: 3, restartWindowMin: 10 });
    expect(brief(r.events)).toEqual(['warn:restarted:relay', 'error:restart-loop:relay']);
  });

  it('restarts spread wider than the window never make a loop', () => {
    const steps: Step[] = [{ d: { pid: 10 } }];
    for (let i = 1; i <= 6; i++) steps.push({ d: { pid: 10 + i, restarts: i }, dt: 5 * 60_000 });
    const r = play(steps, { restartCount: 3, restartWindowMin: 10, coalesceMin: 1 });
    expect(r.events.filter((e) => e.rule === 'restart-loop')).toHaveLength(0);
    // Each restart came after the quiet window, so each is its own event.
    expect(r.events.filter((e) => e.rule === 'restarted')).toHaveLength(6);
  });

  it('pid change without the engine counting it still counts (fallback)', () => {
    const r = play([{ d: { pid: 10 } }, { d: { pid: 20 } }]);
    expect(brief(r.events)).toEqual(['warn:restarted:relay']);
  });
});

describe('flapping (Nagios weighted percent state change)', () => {
  it('percent state change weights newer transitions more', () => {
    const steady = Array(21).fill('up');
    expect(percentStateChange(steady, 21)).toBe(0);
    const alternating = Array.from({ length: 21 }, (_, i) => (i % 2 ? 'down' : 'up'));
    expect(percentStateChange(alternating, 21)).toBeCloseTo(100, 5);
    const oldChange = ['down', ...Array(20).fill('up')];
    const newChange = [...Array(20).fill('up'), 'down'];
    expect(percentStateChange(newChange, 21)).toBeGreaterThan(percentStateChange(oldChange, 21));
    expect(percentStateChange(newChange, 21)).toBeCloseTo(6, 5); // 1.2 / 20
  });

  it('a daemon alternating up/down for 50 checks raises one flapping event, not fifty', () => {
    const steps: Step[] = [];
    for (let i = 0; i < 50; i++) steps.push(i % 2 ? down('crashed') : up);
    const r = play(steps);
    const flapping = r.merged().filter((e) => e.rule === 'flapping');
    expect(flapping).toHaveLength(1);
    expect(flapping[0]!.severity).toBe('warn');
    // The transitions after it started are counted into it.
    expect(flapping[0]!.data?.count as number).toBeGreaterThan(30);
    // Before flapping was recognised, a handful of transitions were announced: far fewer than 50.
    expect(r.events.length).toBeLessThan(10);
  });

  it('stops flapping below the low threshold with one info event and announces a final outage', () => {
    const steps: Step[] = [];
    for (let i = 0; i < 20; i++) steps.push(i % 2 ? down('crashed') : up);
    for (let i = 0; i < 25; i++) steps.push(down('crashed'));
    const r = play(steps);
    const rules = brief(r.events);
    expect(rules.filter((x) => x === 'info:flapping:relay')).toHaveLength(1);
    expect(rules.filter((x) => x === 'warn:flapping:relay')).toHaveLength(1);
    // Still down when it settles: the outage is announced then, once.
    expect(rules.slice(-2)).toEqual(['info:flapping:relay', 'error:crashed:relay']);
  });
});

describe('flap checks on a steady cadence (one per poll interval)', () => {
  // pollInterval defaults to 5 s. A daemon up 10 s, silent 10 s, seen by a
  // poll every 5 s plus early polls every 250 ms whenever a neighbour beats.
  function cycle(r: RuleRunner, seconds: number): void {
    for (let ms = 0; ms < seconds * 1000; ms += 250) {
      const phase = Math.floor(ms / 10_000) % 2;
      r.advance(250).run(
        snapshot([daemon('relay', phase ? { status: 'down', reason: 'stale' } : { status: 'up' })]),
      );
    }
  }

  it('early polls do not shorten the window: a 20 s up/down cycle is flapping', () => {
    const r = new RuleRunner(testConfig());
    cycle(r, 120);
    expect(brief(r.merged()).filter((x) => x.includes('flapping'))).toEqual([
      'warn:flapping:relay',
    ]);
  });

  it('the same daemon seen only by timed polls is judged the same', () => {
    const r = new RuleRunner(testConfig());
    for (let s = 0; s < 120; s += 5) {
      const phase = Math.floor(s / 10) % 2;
      r.advance(5000).run(
        snapshot([daemon('relay', phase ? { status: 'down', reason: 'stale' } : { status: 'up' })]),
      );
    }
    expect(brief(r.merged()).filter((x) => x.includes('flapping'))).toEqual([
      'warn:flapping:relay',
    ]);
  });

  it('evaluations within one slot revise its letter; skipped slots repeat the last', () => {
    expect(nextFlapHistory('uu', 1, 10, 10, 'd', 21)).toEqual({ history: 'ud', steadyChecks: 0 });
    expect(nextFlapHistory('uu', 1, 10, 10, 'u', 21)).toEqual({ history: 'uu', steadyChecks: 1 });
    expect(nextFlapHistory('ud', 0, 10, 13, 'u', 21)).toEqual({
      history: 'udddu',
      steadyChecks: 0,
    });
    expect(nextFlapHistory('u', 0, 10, 12, 'u', 21)).toEqual({ history: 'uuu', steadyChecks: 2 });
    expect(nextFlapHistory('', 0, null, 7, 'u', 3)).toEqual({ history: 'u', steadyChecks: 0 });
    expect(nextFlapHistory('udu', 0, 1, 99, 'u', 3).history).toBe('uuu');
  });
});

describe('jitter', () => {
  function beats(gaps: number[]): Step[] {
    let t = BASE_WALL;
    const steps: Step[] = [];
    for (const g of gaps) {
      t += g;
      steps.push({ dt: g, d: { lastBeatAt: new Date(t).toISOString(), ageMs: 0 } });
    }
    return steps;
  }

  it('a gap beyond mean + 4 deviations is a warn even though the daemon stays up', () => {
    const r = play(beats([5000, 5100, 4900, 5050, 4950, 5000, 5020, 4980, 7000]));
    expect(brief(r.events)).toEqual(['warn:jitter:relay']);
    expect(r.events[0]!.data?.gapMs).toBe(7000);
  });

  it('ordinary variation is not jitter', () => {
    const r = play(beats([5000, 5100, 4900, 5050, 4950, 5000, 5020, 4980, 5150, 4850]));
    expect(r.events).toEqual([]);
  });

  it('a gap in progress is flagged live, once', () => {
    const steps = beats([5000, 5000, 5000, 5000, 5000, 5000]);
    const last = steps.at(-1)!.d!.lastBeatAt;
    steps.push({ dt: 1000, d: { lastBeatAt: last, ageMs: 6000 } });
    steps.push({ dt: 1000, d: { lastBeatAt: last, ageMs: 7000 } });
    const r = play(steps);
    expect(brief(r.events)).toEqual(['warn:jitter:relay']);
  });

  /** Beats `gaps` apart (2 s rhythm by default), each with its own daemon fields. */
  function beatsWith(gaps: Array<[number, Partial<DaemonSnapshot>?]>): Step[] {
    let t = BASE_WALL;
    return gaps.map(([g, d]) => {
      t += g;
      return { dt: g, d: { lastBeatAt: new Date(t).toISOString(), ageMs: 0, ...d } };
    });
  }
  const steady = (n: number, gap = 2000, d: Partial<DaemonSnapshot> = {}) =>
    Array.from({ length: n }, (_, i): [number, Partial<DaemonSnapshot>] => [
      gap + (i % 2 ? 1 : -1),
      d,
    ]);

  const jitterCases: Array<{ name: string; steps: Step[]; expected: string[] }> = [
    {
      name: 'a gap spanning a restart is not jitter (the demo: 7132 ms after "restarted")',
      steps: beatsWith([...steady(10), [7132, { pid: 9144, restarts: 1 }], ...steady(3)]),
      expected: ['warn:restarted:relay'],
    },
    {
      name: 'after a restart the statistics start afresh (no judgement on the old rhythm)',
      steps: beatsWith([...steady(10), [2000, { pid: 9144, restarts: 1 }], ...steady(3, 5000)]),
      expected: ['warn:restarted:relay'],
    },
    {
      name: 'the gap that ends an outage is not jitter',
      steps: beatsWith([
        ...steady(10),
        // Down on the next poll (no new beat), back with a beat 9 s after the last one.
        [0, { status: 'down', reason: 'crashed', ageMs: 4000 }],
        [9000],
        ...steady(3),
      ]).map((st, i, all) =>
        i === 10 ? { ...st, dt: 4000, d: { ...st.d, lastBeatAt: all[9]!.d!.lastBeatAt } } : st,
      ),
      expected: ['error:crashed:relay', 'info:recovered:relay'],
    },
    {
      name: 'the gap that ends lateness is not jitter (late already said so)',
      steps: [
        ...beatsWith(steady(10)),
        { dt: 2000, d: { status: 'late', reason: 'stale', ageMs: 3500 } },
        {
          dt: 2000,
          d: { lastBeatAt: new Date(BASE_WALL + 10 * 2000 + 5000).toISOString(), ageMs: 0 },
        },
      ],
      expected: ['warn:late:relay', 'info:recovered:relay'],
    },
    {
      name: 'a wobble within the tolerance on a metronome-regular beat is not jitter',
      steps: beatsWith([...steady(10), [2600], ...steady(2)]),
      expected: [],
    },
    {
      name: 'an irregular gap beyond mean + tolerance is still jitter',
      steps: beatsWith([...steady(10, 2000, { toleranceSec: 0.5 }), [3200, { toleranceSec: 0.5 }]]),
      expected: ['warn:jitter:relay'],
    },
  ];
  it.each(jitterCases)('$name', ({ steps, expected }) => {
    expect(brief(play(steps).merged())).toEqual(expected);
  });

  it('the first beat after the monitor restarts is not jitter (state reloaded from disk)', () => {
    const r = play(beatsWith(steady(10)));
    r.state = reviveRuleState(JSON.parse(JSON.stringify(r.state)))!;
    // ghost-hb was down for a minute; the daemon's file shows a beat 60 s after the last one seen.
    const last = Date.parse(
      r.state.daemons.relay!.gaps.length ? new Date(BASE_WALL + 20_000).toISOString() : '',
    );
    r.advance(60_000);
    r.run(snapshot([daemon('relay', { lastBeatAt: new Date(last + 60_000).toISOString() })]));
    r.advance(2000);
    r.run(snapshot([daemon('relay', { lastBeatAt: new Date(last + 62_000).toISOString() })]));
    expect(r.events).toEqual([]);
    // The statistics survived: the rhythm is still known.
    expect(r.state.daemons.relay!.gaps.length).toBeGreaterThanOrEqual(10);
  });

  it('jitter reads in seconds with the floored deviation', () => {
    const r = play(beatsWith([...steady(10), [5000]]));
    expect(r.events[0]!.message).toBe(
      'relay beat gap 5.0s is beyond its usual 2.0s ± 0.1s (limit 3.0s)',
    );
  });

  it('uses seq to spread a gap over missed beats', () => {
    let t = BASE_WALL;
    const steps: Step[] = [];
    for (let i = 1; i <= 8; i++) {
      // Polled every other beat: the ts gap is 10 s but seq moves by 2.
      t += 10_000;
      steps.push({ dt: 10_000, d: { lastBeatAt: new Date(t).toISOString(), seq: i * 2 } });
    }
    steps.push({ dt: 5000, d: { lastBeatAt: new Date(t + 5000).toISOString(), seq: 17 } });
    expect(play(steps).events).toEqual([]);
  });
});

describe('resources', () => {
  it('CPU above the threshold for N polls warns once', () => {
    const hot: Step = { d: { cpuPct: 150 } };
    const r = play([hot, hot, hot, hot, hot], { cpuPct: 90, cpuPolls: 3 });
    expect(brief(r.merged())).toEqual(['warn:cpu-high:relay']);
  });

  it('a CPU spike shorter than N polls is nothing', () => {
    const r = play(
      [
        { d: { cpuPct: 150 } },
        { d: { cpuPct: 150 } },
        { d: { cpuPct: 5 } },
        { d: { cpuPct: 150 } },
      ],
      {
        cpuPolls: 3,
      },
    );
    expect(r.events).toEqual([]);
  });

  it('RSS above the ceiling warns', () => {
    const r = play([{ d: { memRssBytes: 2e9 } }, { d: { memRssBytes: 2e9 } }], {
      memRssBytes: 1e9,
    });
    expect(brief(r.merged())).toEqual(['warn:mem-high:relay']);
  });

  it('liveness re-checks between polls do not count as CPU polls', () => {
    const hot: Partial<DaemonSnapshot> = { cpuPct: 150 };
    const r = play(
      [
        { d: hot },
        { d: hot, kind: 'liveness', dt: 1000 },
        { d: hot, kind: 'liveness', dt: 1000 },
        { d: hot },
        { d: { cpuPct: 5 } },
      ],
      { cpuPct: 90, cpuPolls: 3 },
    );
    expect(r.events).toEqual([]);
  });

  const MiB = 1024 * 1024;
  /** Full polls of one daemon whose RSS follows `rss(i)` and whose process has run `up(i)` s. */
  function memSteps(
    n: number,
    rss: (i: number) => number,
    up: (i: number) => number = (i) => 3600 + i * 5,
  ): Step[] {
    return Array.from({ length: n }, (_, i) => ({ d: { memRssBytes: rss(i), uptimeSec: up(i) } }));
  }

  const memCases: Array<{ name: string; steps: Step[]; expected: string[] }> = [
    {
      name: 'a young process warming its heap (+200K a poll from 55M, up 20 s) is no leak',
      steps: memSteps(
        40,
        (i) => 55 * MiB + i * 200 * 1024,
        (i) => 20 + i * 2,
      ),
      expected: [],
    },
    {
      name: 'steady creep too small to matter (+100K a poll for 30 polls = 3M) is no leak',
      steps: memSteps(30, (i) => 50 * MiB + i * 100 * 1024),
      expected: [],
    },
    {
      name: 'a large process growing 1M a poll (+12M but +1%) is no leak',
      steps: memSteps(13, (i) => 1024 * MiB + i * MiB),
      expected: [],
    },
    {
      name: 'growth of 2M a poll from 50M for 12 polls (+24M, +48%) is one leak warn',
      steps: memSteps(20, (i) => 50 * MiB + i * 2 * MiB),
      expected: ['warn:mem-growth:relay'],
    },
    {
      name: 'equal readings (idle between allocations) neither extend nor break the run',
      steps: memSteps(26, (i) => 50 * MiB + Math.floor(i / 2) * 2 * MiB),
      expected: ['warn:mem-growth:relay'],
    },
    {
      name: 'memory given back breaks the run',
      steps: memSteps(24, (i) => 50 * MiB + (i % 10) * 2 * MiB),
      expected: [],
    },
    {
      name: 'growth during the warm-up is not part of the run',
      // Grows 2M a poll throughout; the warm-up (300 s) ends at poll 10, the baseline.
      steps: memSteps(
        22,
        (i) => 50 * MiB + i * 2 * MiB,
        (i) => 250 + i * 5,
      ),
      expected: [],
    },
    {
      name: '... and 12 growing polls after the warm-up are a leak warn',
      steps: memSteps(
        23,
        (i) => 50 * MiB + i * 2 * MiB,
        (i) => 250 + i * 5,
      ),
      expected: ['warn:mem-growth:relay'],
    },
    {
      name: 'liveness re-checks are not polls, whatever RSS they carry',
      steps: memSteps(7, (i) => 50 * MiB + i * 3 * MiB).flatMap((s, i) => [
        s,
        {
          d: { memRssBytes: 50 * MiB + i * 3 * MiB + MiB, uptimeSec: 3600 },
          kind: 'liveness' as const,
          dt: 1000,
        },
      ]),
      expected: [],
    },
  ];
  it.each(memCases)('$name', ({ steps, expected }) => {
    expect(brief(play(steps).merged())).toEqual(expected);
  });

  it('the leak warn reads in human units', () => {
    const r = play(memSteps(13, (i) => 50 * MiB + i * 2 * MiB));
    const e = r.events.find((x) => x.rule === 'mem-growth')!;
    expect(e.message).toBe(
      'relay resident memory grew 24.0M (+48%) over 12 polls, now 74.0M: a leak?',
    );
    expect(e.data).toMatchObject({ grewBytes: 24 * MiB, fromBytes: 50 * MiB, polls: 12 });
  });

  it('the growth thresholds are configurable', () => {
    const steps = memSteps(8, (i) => 50 * MiB + i * MiB);
    expect(play(steps, { memGrowthPolls: 5 }).events).toEqual([]);
    expect(
      brief(play(steps, { memGrowthPolls: 5, memGrowthMinBytes: MiB, memGrowthMinPct: 5 }).events),
    ).toEqual(['warn:mem-growth:relay']);
  });

  it('a restart starts the trend and the warm-up afresh', () => {
    const steps = [
      ...memSteps(8, (i) => 50 * MiB + i * 2 * MiB),
      // New process (new pid, young): its growth is warm-up.
      ...memSteps(
        8,
        (i) => 60 * MiB + i * 2 * MiB,
        (i) => 5 + i * 5,
      ).map((s) => ({ d: { ...s.d, pid: 2000, restarts: 1 } })),
    ];
    expect(brief(play(steps).merged())).toEqual(['warn:restarted:relay']);
  });

  it('RSS above the ceiling reads in human units', () => {
    const r = play([{ d: { memRssBytes: 2 * 1024 * MiB } }], { memRssBytes: 1024 * MiB });
    expect(r.events[0]!.message).toBe('relay resident memory 2.0G is above the 1.0G ceiling');
  });

  it('RSS going up and down is no leak', () => {
    const steps: Step[] = [];
    for (let i = 0; i < 20; i++) steps.push({ d: { memRssBytes: i % 2 ? 2e6 : 1e6 } });
    expect(play(steps, { memGrowthPolls: 3 }).events).toEqual([]);
  });
});

describe('clock rules', () => {
  const clock = (c: Partial<Snapshot['clock']>): Partial<Snapshot> => ({
    clock: { ...snapshot([]).clock, ...c },
  });

  const cases: Array<{ name: string; steps: Step[]; expected: string[] }> = [
    {
      name: 'offset beyond 50 ms warns once',
      steps: [{ s: clock({ offsetMs: 80 }) }, { s: clock({ offsetMs: 90 }) }],
      expected: ['warn:clock-offset'],
    },
    {
      name: 'offset beyond 500 ms is an error (escalation is a new event)',
      steps: [{ s: clock({ offsetMs: 80 }) }, { s: clock({ offsetMs: -700 }) }],
      expected: ['warn:clock-offset', 'error:clock-offset'],
    },
    { name: 'small offset: nothing', steps: [{ s: clock({ offsetMs: 3 }) }], expected: [] },
    {
      name: 'not synchronised is an error; synced again is info',
      steps: [
        { s: clock({ synced: false }) },
        { s: clock({ synced: false }) },
        { s: clock({ synced: true }) },
      ],
      expected: ['error:clock-unsynced', 'info:clock-unsynced'],
    },
    {
      name: 'a jump (new lastJumpAt) warns',
      steps: [
        up,
        { s: clock({ lastJumpAt: new Date(BASE_WALL).toISOString(), lastJumpMs: 3600_000 }) },
      ],
      expected: ['warn:clock-jump'],
    },
    {
      name: 'a skewed daemon warns',
      steps: [{ d: { skewMs: 5000 } }, { d: { skewMs: 5000 } }],
      expected: ['warn:clock-skew:relay'],
    },
  ];
  it.each(cases)('$name', ({ steps, expected }) => {
    expect(brief(play(steps).merged())).toEqual(expected);
  });

  it('no storm when the wall clock jumps: clock-suspect transitions are held back', () => {
    const r = new RuleRunner();
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const at = (o: Partial<DaemonSnapshot>) => names.map((n) => daemon(n, o));
    r.advance(5000);
    r.run(snapshot(at({})));
    // Wall clock jumps 1 h forward: every beat looks an hour old on wall time.
    r.advance(5000).step(3_600_000);
    const jump = { lastJumpAt: new Date(r.wallMs).toISOString(), lastJumpMs: 3_600_000 };
    const c = { clock: { ...snapshot([]).clock, ...jump } };
    r.run(
      snapshot(at({ status: 'down', reason: 'stale', clockSuspect: true, skewMs: 3_600_000 }), c),
    );
    r.advance(5000);
    r.run(snapshot(at({ status: 'late', reason: 'stale', clockSuspect: true }), c));
    // Grace over, the engine judges normally again: all up.
    r.advance(5000);
    r.run(snapshot(at({}), c));
    expect(brief(r.events)).toEqual(['warn:clock-jump']);
  });

  it('a real outage held back by clock-suspect is announced once the suspicion ends', () => {
    const r = play([up, down('stale', { clockSuspect: true }), down('stale')]);
    expect(brief(r.events)).toEqual(['error:down:relay']);
  });

  it('a crash during clock-suspect is not held back (it does not depend on age)', () => {
    const r = play([up, down('crashed', { clockSuspect: true })]);
    expect(brief(r.events)).toEqual(['error:crashed:relay']);
  });
});

describe('host rules', () => {
  it('low uptime is a reboot, reported once per boot', () => {
    const r = play([
      { s: { system: { ...snapshot([]).system, uptimeSec: 60 } } },
      { s: { system: { ...snapshot([]).system, uptimeSec: 65 } } },
      { s: { system: { ...snapshot([]).system, uptimeSec: 70 } } },
    ]);
    expect(brief(r.events)).toEqual(['warn:reboot']);
  });

  it('a missing heartbeat directory is one error, not one per daemon, and clears with info', () => {
    const r = new RuleRunner();
    const all = (o: Partial<DaemonSnapshot>) => ['a', 'b', 'c'].map((n) => daemon(n, o));
    r.advance(5000).run(snapshot(all({})));
    for (let i = 0; i < 3; i++) {
      r.advance(5000).run(
        snapshot(all({ status: 'unknown', reason: 'no heartbeat' }), {
          heartbeatDirError: 'ENOENT',
        }),
      );
    }
    r.advance(5000).run(snapshot(all({})));
    expect(brief(r.events)).toEqual(['error:heartbeat-dir', 'info:heartbeat-dir']);
  });

  it('a failing source warns once and clears with info', () => {
    const r = play([
      { s: { sources: { heartbeats: true, processes: true, system: false } } },
      { s: { sources: { heartbeats: true, processes: true, system: false } } },
      { s: { sources: { heartbeats: true, processes: true, system: true } } },
    ]);
    expect(brief(r.events)).toEqual(['warn:source-failing', 'info:source-failing']);
  });
});

describe('messages read in human units', () => {
  const sys = (uptimeSec: number) => ({ system: { ...snapshot([]).system, uptimeSec } });
  const jump = (ms: number) => ({
    clock: { ...snapshot([]).clock, lastJumpAt: new Date(BASE_WALL).toISOString(), lastJumpMs: ms },
  });
  const cases: Array<{ name: string; steps: Step[]; rule: string; message: string }> = [
    {
      name: 'skew',
      steps: [{ d: { skewMs: -5234 } }],
      rule: 'clock-skew',
      message: 'relay heartbeat timestamps are skewed by -5.2s (threshold 2.0s)',
    },
    {
      name: 'clock jump forward',
      steps: [{ s: jump(3_600_000) }],
      rule: 'clock-jump',
      message:
        'wall clock jumped forward by 1h; lateness is judged on monotonic time for one grace period',
    },
    {
      name: 'clock jump back',
      steps: [{ s: jump(-1500) }],
      rule: 'clock-jump',
      message:
        'wall clock jumped back by 1.5s; lateness is judged on monotonic time for one grace period',
    },
    {
      name: 'reboot',
      steps: [{ s: sys(130) }],
      rule: 'reboot',
      message: 'host rebooted 2m 10s ago (uptime below 5m)',
    },
  ];
  it.each(cases)('$name', ({ steps, rule, message }) => {
    expect(play(steps).events.find((e) => e.rule === rule)?.message).toBe(message);
  });
});

describe('detectAnomalies contract', () => {
  it('is deterministic: the same state, snapshot and time give the same result', () => {
    const prev = initialRuleState();
    const s = snapshot([daemon('x', { status: 'down', reason: 'crashed' })]);
    const at = { wallMs: BASE_WALL, monoMs: 1 };
    // The state is consumed in place, so each run gets its own copy.
    const a = detectAnomalies(structuredClone(prev), s, testConfig(), at);
    const b = detectAnomalies(structuredClone(prev), s, testConfig(), at);
    expect(a.events).toEqual(b.events);
    expect(a.state).toEqual(b.state);
    expect(brief(a.events)).toEqual(['error:crashed:x']);
  });

  it('event ids increase and are unique', () => {
    const r = play([up, down('crashed'), up, late, down(), up]);
    const ids = r.events.map((e) => Number(e.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('the same state survives JSON (persistence) and keeps coalescing', () => {
    const r = play([{ d: { pid: 10 } }, { d: { pid: 11, restarts: 1 } }]);
    r.state = JSON.parse(JSON.stringify(r.state));
    r.advance(5000).run(snapshot([daemon('relay', { pid: 12, restarts: 2 })]));
    expect(brief(r.events)).toEqual(['warn:restarted:relay']);
    expect(r.updates.at(-1)!.data?.count).toBe(2);
  });

  it('revives persisted state, dropping malformed conditions and resetting per-run fields', () => {
    const r = play([up, down('crashed')]);
    const saved = JSON.parse(JSON.stringify(r.state));
    saved.conditions.relay.bogus = { kind: 'sideways' };
    saved.conditions.junk = 'x';
    const revived = reviveRuleState(saved)!;
    expect(Object.keys(revived.conditions)).toEqual(['relay']);
    expect(Object.keys(revived.conditions.relay!)).toEqual(['outage']);
    expect(revived.runStartMonoMs).toBeNull();
    expect(reviveRuleState({ version: 2 })).toBeNull();
    expect(reviveRuleState('nonsense')).toBeNull();
  });
});
