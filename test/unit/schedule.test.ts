// Scheduled jobs judged by the run that was due, on a fake clock: late when
// a run did not start by its due time + grace, down after two, failing when
// the last run failed, running too long past maxDuration.
import { describe, expect, it } from '@jest/globals';
import {
  cronClock,
  judgeSchedule,
  runFromBeat,
  scheduleProblem,
  type RunView,
  type ScheduleCheck,
} from '../../src/core/schedule.js';
import type { Heartbeat } from '../../src/core/types.js';

const at = (iso: string) => Date.parse(iso);
const DAILY_3AM: ScheduleCheck = {
  expression: '0 3 * * *',
  timezone: 'UTC',
  graceSec: 600,
  maxDurationSec: 3600,
};
const clock = cronClock(DAILY_3AM.expression, DAILY_3AM.timezone);
const ended = (start: string, end: string, ok = true): RunView => ({
  startedAtMs: at(start),
  endedAtMs: at(end),
  ok,
  exit: ok ? null : { code: 4, signal: null, durationMs: at(end) - at(start) },
});
const runningSince = (start: string): RunView => ({
  startedAtMs: at(start),
  endedAtMs: null,
  ok: true,
  exit: null,
});

describe('judgeSchedule (daily at 03:00 UTC, grace 10 min, maxDuration 1 h)', () => {
  const WATCHING = at('2026-11-20T00:00:00Z');
  it.each<[string, string, RunView | null, string, string | null]>([
    [
      'ran today',
      '2026-12-02T12:00:00Z',
      ended('2026-12-02T03:00:05Z', '2026-12-02T03:20:00Z'),
      'up',
      null,
    ],
    [
      'due, within grace',
      '2026-12-02T03:05:00Z',
      ended('2026-12-01T03:00:05Z', '2026-12-01T03:20:00Z'),
      'up',
      null,
    ],
    [
      'due, grace passed',
      '2026-12-02T03:10:01Z',
      ended('2026-12-01T03:00:05Z', '2026-12-01T03:20:00Z'),
      'late',
      'missed run due 2026-12-02T03:00:00.000Z',
    ],
    [
      'two runs missed',
      '2026-12-03T04:00:00Z',
      ended('2026-12-01T03:00:05Z', '2026-12-01T03:20:00Z'),
      'down',
      'missed run due 2026-12-03T03:00:00.000Z',
    ],
    [
      'started a little early',
      '2026-12-02T04:00:00Z',
      ended('2026-12-02T02:59:30Z', '2026-12-02T03:10:00Z'),
      'up',
      null,
    ],
    [
      'last run failed',
      '2026-12-02T12:00:00Z',
      ended('2026-12-02T03:00:05Z', '2026-12-02T03:01:00Z', false),
      'down',
      'last run failed: exited (code 4)',
    ],
    [
      'running within maxDuration',
      '2026-12-02T03:30:00Z',
      runningSince('2026-12-02T03:00:02Z'),
      'up',
      null,
    ],
    [
      'running too long',
      '2026-12-02T04:00:03Z',
      runningSince('2026-12-02T03:00:02Z'),
      'late',
      'running too long (over 3600s)',
    ],
    [
      'never seen, nothing due since watching began',
      '2026-11-20T02:00:00Z',
      null,
      'unknown',
      'never seen',
    ],
    [
      'never seen, one run due since',
      '2026-11-20T03:30:00Z',
      null,
      'late',
      'missed run due 2026-11-20T03:00:00.000Z',
    ],
  ])('%s', (_, now, run, status, reason) => {
    const v = judgeSchedule({
      check: DAILY_3AM,
      clock,
      nowMs: at(now),
      run,
      watchingSinceMs: WATCHING,
    });
    expect([v.status, v.reason]).toEqual([status, reason]);
  });

  it('reports the next and the last due run, and how long the run took', () => {
    const v = judgeSchedule({
      check: DAILY_3AM,
      clock,
      nowMs: at('2026-12-02T12:00:00Z'),
      run: ended('2026-12-02T03:00:00Z', '2026-12-02T03:20:00Z'),
      watchingSinceMs: WATCHING,
    });
    expect(v.snapshot).toMatchObject({
      nextRunAt: '2026-12-03T03:00:00.000Z',
      lastDueAt: '2026-12-02T03:00:00.000Z',
      running: false,
      durationMs: 20 * 60_000,
    });
  });
});

describe('cronClock', () => {
  it('follows the time zone: 03:00 in Tokyo is 18:00 UTC the day before', () => {
    const tokyo = cronClock('0 3 * * *', 'Asia/Tokyo');
    expect(new Date(tokyo.next(at('2026-12-02T00:00:00Z'))!).toISOString()).toBe(
      '2026-12-02T18:00:00.000Z',
    );
    expect(new Date(tokyo.previous(at('2026-12-02T00:00:00Z'))!).toISOString()).toBe(
      '2026-12-01T18:00:00.000Z',
    );
  });
  it('counts a due time equal to now as passed', () => {
    expect(clock.previous(at('2026-12-02T03:00:00Z'))).toBe(at('2026-12-02T03:00:00Z'));
  });
});

describe('scheduleProblem', () => {
  it.each([
    ['0 3 * * *', null, null],
    ['*/15 * * * *', 'Europe/Berlin', null],
    ['0 3 * *', null, 'five'],
    ['61 * * * *', null, '61'],
    ['0 3 * * *', 'Mars/Olympus', 'timezone'],
  ])('%s %s', (expr, tz, problem) => {
    const p = scheduleProblem(expr, tz);
    if (problem === null) expect(p).toBeNull();
    else expect(p).toMatch(new RegExp(problem, 'i'));
  });
});

describe('runFromBeat', () => {
  const hb = (over: Partial<Heartbeat>): Heartbeat => ({
    tsMs: at('2026-12-02T03:20:00Z'),
    pid: null,
    intervalSec: null,
    status: 'ok',
    seq: null,
    message: null,
    uptimeSec: null,
    ping: null,
    mtimeMs: null,
    extra: {},
    ...over,
  });
  it.each<[string, Partial<Heartbeat>, Partial<RunView>]>([
    [
      'a plain ping ends a run when written',
      {},
      { startedAtMs: at('2026-12-02T03:20:00Z'), endedAtMs: at('2026-12-02T03:20:00Z'), ok: true },
    ],
    ['/fail', { status: 'failing' }, { ok: false, endedAtMs: at('2026-12-02T03:20:00Z') }],
    [
      '/start',
      { startedAtMs: at('2026-12-02T03:00:00Z') },
      { startedAtMs: at('2026-12-02T03:00:00Z'), endedAtMs: null, ok: true },
    ],
    [
      'a final beat with exit 4',
      {
        startedAtMs: at('2026-12-02T03:00:00Z'),
        exit: { code: 4, signal: null, durationMs: 1_200_000 },
        status: 'failing',
      },
      { startedAtMs: at('2026-12-02T03:00:00Z'), endedAtMs: at('2026-12-02T03:20:00Z'), ok: false },
    ],
    [
      'an exit without startedAt: start from the duration',
      { exit: { code: 0, signal: null, durationMs: 60_000 } },
      { startedAtMs: at('2026-12-02T03:19:00Z'), ok: true },
    ],
  ])('%s', (_, over, want) => {
    expect(runFromBeat(hb(over))).toMatchObject(want);
  });
});
