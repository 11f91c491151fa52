// Jobs on a cron schedule (`schedule: "0 3 * * *"`): judged by the run that
// was due rather than by an interval. A run is late when it did not start by
// its due time + grace, failing when the last run failed, and running too
// long past `maxDuration`. Pure: time is passed in; cron arithmetic is
// croner's (no I/O, time-zone aware).
import { Cron } from 'croner';
import { exitOk, exitReason, type RunExit } from './runs.js';
import type { DaemonStatus, Heartbeat } from './types.js';

/** The cron arithmetic the rules need (croner in production, a table in tests). */
export interface CronClock {
  /** The latest scheduled time at or before `ms`, or null. */
  previous(ms: number): number | null;
  /** The first scheduled time after `ms`, or null when the schedule has no more runs. */
  next(ms: number): number | null;
}

/** A cron expression (5 or 6 fields, croner's dialect) in `timezone` (IANA; null: the host's). */
export function cronClock(expression: string, timezone: string | null): CronClock {
  const cron = new Cron(expression, timezone ? { timezone } : {});
  return {
    previous: (ms) => cron.previousRuns(1, new Date(ms + 1))[0]?.getTime() ?? null,
    next: (ms) => cron.nextRun(new Date(ms))?.getTime() ?? null,
  };
}

/** Why a schedule or time zone is not usable, or null when it is. */
export function scheduleProblem(expression: string, timezone: string | null): string | null {
  try {
    const clock = cronClock(expression, timezone);
    if (clock.next(Date.now()) === null) return `"${expression}" never runs again`;
    return null;
  } catch (err) {
    return (err as Error).message.replace(/^\w+: /, '');
  }
}

export interface ScheduleCheck {
  expression: string;
  timezone: string | null;
  /** Seconds after a due time that a run may still start. */
  graceSec: number;
  /** A run going on longer than this (seconds) is running too long; null: no limit. */
  maxDurationSec: number | null;
}

/** The last run as a heartbeat tells it. */
export interface RunView {
  /** When the last known run began (or the beat's time when it says no more). */
  startedAtMs: number;
  /** When it ended; null while it runs. */
  endedAtMs: number | null;
  /** False when it ended failed (exit code, signal, /fail, `status: failing`). */
  ok: boolean;
  exit: RunExit | null;
}

/**
 * Read a run from a heartbeat: a final beat (`exit`) ended a run; a beat
 * with `startedAt` and no `exit` is a run going on (`ghost-hb run`,
 * /ping/NAME/start); any other beat is a run that ended when it was written
 * (`job && curl .../ping/NAME`).
 */
export function runFromBeat(hb: Heartbeat): RunView {
  const exit = hb.exit ?? null;
  const failing = hb.status === 'failing';
  if (exit) {
    const started =
      hb.startedAtMs ?? (exit.durationMs !== null ? hb.tsMs - exit.durationMs : hb.tsMs);
    return { startedAtMs: started, endedAtMs: hb.tsMs, ok: exitOk(exit) && !failing, exit };
  }
  if (hb.startedAtMs != null && !failing) {
    return { startedAtMs: hb.startedAtMs, endedAtMs: null, ok: true, exit: null };
  }
  return { startedAtMs: hb.startedAtMs ?? hb.tsMs, endedAtMs: hb.tsMs, ok: !failing, exit: null };
}

/** What the snapshot says of a scheduled job (`schedule` in the JSON). */
export interface ScheduleSnapshot {
  expression: string;
  timezone: string | null;
  /** The next scheduled time after now (ISO-8601). */
  nextRunAt: string | null;
  /** The latest due time whose grace has passed (ISO-8601), null when none yet. */
  lastDueAt: string | null;
  /** True while a run is going on. */
  running: boolean;
  /** How long the current run has gone on, or how long the last one took, ms. */
  durationMs: number | null;
  graceSec: number;
  maxDurationSec: number | null;
}

export interface ScheduleInput {
  check: ScheduleCheck;
  clock: CronClock;
  nowMs: number;
  /** The last run, null when the job has never been seen. */
  run: RunView | null;
  /** Since when ghost-hb has been watching: due times before it are not held against a job never seen. */
  watchingSinceMs: number;
}

export interface ScheduleVerdict {
  status: DaemonStatus;
  reason: string | null;
  snapshot: ScheduleSnapshot;
}

/** Slack for a job started a little before its due time (clock skew, `sleep`-less cron). */
const EARLY_START_MS = 60_000;

/** Judge a scheduled job at `nowMs`: first match wins. */
export function judgeSchedule(input: ScheduleInput): ScheduleVerdict {
  const { check, clock, nowMs, run } = input;
  const graceMs = check.graceSec * 1000;
  // The latest due time whose grace has run out: a run must have started by now.
  const due = clock.previous(nowMs - graceMs);
  const dueBefore = due === null ? null : clock.previous(due - 1);
  const running = run !== null && run.endedAtMs === null;
  const durationMs = run === null ? null : (run.endedAtMs ?? nowMs) - run.startedAtMs;
  const snapshot: ScheduleSnapshot = {
    expression: check.expression,
    timezone: check.timezone,
    nextRunAt: iso(clock.next(nowMs)),
    lastDueAt: iso(due),
    running,
    durationMs: durationMs === null ? null : Math.max(0, durationMs),
    graceSec: check.graceSec,
    maxDurationSec: check.maxDurationSec,
  };
  const v = (status: DaemonStatus, reason: string | null): ScheduleVerdict => ({
    status,
    reason,
    snapshot,
  });
  if (running && check.maxDurationSec !== null && durationMs! > check.maxDurationSec * 1000) {
    return v('late', `running too long (over ${check.maxDurationSec}s)`);
  }
  const started = run?.startedAtMs ?? null;
  const missed = (t: number | null) =>
    t !== null && (started === null ? t >= input.watchingSinceMs : started < t - EARLY_START_MS);
  if (missed(due)) {
    // Two due times in a row without a run is down; one is late.
    const twice = missed(dueBefore) && (started !== null || dueBefore! >= input.watchingSinceMs);
    return v(twice ? 'down' : 'late', `missed run due ${iso(due)}`);
  }
  if (run && !run.ok && !running) {
    return v('down', `last run failed${run.exit ? `: ${exitReason(run.exit)}` : ''}`);
  }
  if (run === null) return v('unknown', 'never seen');
  return v('up', null);
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
