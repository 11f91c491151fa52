// How a run ended, as the monitor words it, and the heartbeat fields that carry it.
import { describe, expect, it } from '@jest/globals';
import { exitOk, exitReason, type RunExit } from '../../src/core/runs.js';
import { parseHeartbeatFile } from '../../src/core/heartbeatFile.js';
import { decideStatus, type StatusFacts } from '../../src/core/status.js';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

describe('exitReason', () => {
  it.each<[RunExit, string, boolean]>([
    [{ code: 0, signal: null, durationMs: 10 }, 'exited (code 0)', true],
    [{ code: 4, signal: null, durationMs: 10 }, 'exited (code 4)', false],
    [{ code: null, signal: 'SIGSEGV', durationMs: null }, 'killed (SIGSEGV)', false],
    [{ code: null, signal: 'SIGKILL', durationMs: 3 }, 'killed (SIGKILL)', false],
  ])('%j: %s', (exit, reason, ok) => {
    expect(exitReason(exit)).toBe(reason);
    expect(exitOk(exit)).toBe(ok);
  });
});

describe('heartbeat exit and startedAt fields', () => {
  const parse = (doc: unknown) =>
    parseHeartbeatFile(
      {
        name: 'job',
        kind: 'json',
        path: '/hb/job.json',
        mtimeMs: NOW,
        size: 100,
        content: JSON.stringify(doc),
        truncated: false,
        fault: null,
      },
      { nowMs: NOW, maxFutureMs: 2000 },
    );

  it('reads them', () => {
    const p = parse({
      ts: NOW,
      startedAt: '2026-11-27T11:59:00Z',
      exit: { code: 4, signal: null, durationMs: 60000 },
    });
    expect(p.fault).toBeNull();
    expect(p.heartbeat).toMatchObject({
      startedAtMs: NOW - 60_000,
      exit: { code: 4, signal: null, durationMs: 60000 },
    });
  });

  it.each([
    [{ exit: { code: 300, signal: null } }, /exit.code/],
    [{ exit: { code: null, signal: 'segv; rm -rf' } }, /exit.signal/],
    [{ startedAt: '2026-11-27 11:59:00' }, /startedAt: .*no UTC offset/],
  ])('refuses %j', (extra, fault) => {
    expect(parse({ ts: NOW, ...extra }).fault).toMatch(fault);
  });
});

describe('decideStatus with a recorded run', () => {
  const base: StatusFacts = {
    timing: { interval: 10, tolerance: 1, grace: 30, retries: 1 },
    crashed: false,
    ageMs: 1000,
    processAlive: null,
    processState: null,
    selfStatus: 'ok',
    fault: null,
    writingGarbage: false,
    failedChecks: 0,
  };
  const exit = (code: number | null, signal: string | null = null): RunExit => ({
    code,
    signal,
    durationMs: 5,
  });
  it.each<[string, Partial<StatusFacts>, string, string | null]>([
    [
      'a failed run, fresh',
      { lastExit: exit(4), selfStatus: 'failing' },
      'down',
      'exited (code 4)',
    ],
    ['a crash, fresh', { lastExit: exit(null, 'SIGSEGV') }, 'down', 'killed (SIGSEGV)'],
    ['a clean run, fresh', { lastExit: exit(0) }, 'up', null],
    ['a clean run, overdue', { lastExit: exit(0), ageMs: 15_000 }, 'late', 'overdue'],
    ['a clean run, past grace', { lastExit: exit(0), ageMs: 60_000 }, 'down', 'exited (code 0)'],
    ['no run recorded, past grace', { ageMs: 60_000 }, 'down', 'stale'],
  ])('%s', (_what, over, status, reason) => {
    expect(decideStatus({ ...base, ...over })).toEqual({ status, reason });
  });
});
