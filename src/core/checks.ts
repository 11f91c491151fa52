// What ghost-hb checks itself besides the heartbeat files (a probe, a systemd
// unit, a cron schedule), folded into the daemon's snapshot: the worst verdict
// wins, and each check adds its own fields to the JSON. Pure.
import { REASONS } from './status.js';
import { judgeProbe, probeLabel, type ProbeResult, type ProbeSnapshot } from './probe.js';
import { judgeSchedule, runFromBeat, type CronClock, type RunView } from './schedule.js';
import { judgeUnit, type UnitState } from './systemdUnit.js';
import { escapeControl } from './sanitize.js';
import type { DaemonSnapshot, DaemonSpec, DaemonStatus, Heartbeat, RunSnapshot } from './types.js';

/** What the poll saw for one daemon's checks. */
export interface CheckObservations {
  /** The last finished probe and when it finished (epoch ms). */
  probe: { result: ProbeResult; atMs: number } | null;
  /** The unit's state, or null when the systemd source failed (`systemdError` says why). */
  unit: UnitState | null;
  systemdError: string | null;
  /** The schedule's cron arithmetic (built once per daemon by the engine). */
  cron: CronClock | null;
}

export interface CheckContext {
  nowMs: number;
  /** When ghost-hb began watching (first poll), epoch ms. */
  watchingSinceMs: number;
}

const RANK: Record<DaemonStatus, number> = { up: 0, unknown: 1, late: 2, down: 3 };

interface Verdict {
  status: DaemonStatus;
  reason: string | null;
}

/** True when a daemon has any check besides heartbeat files. */
export function hasChecks(spec: DaemonSpec): boolean {
  return spec.probe != null || spec.systemd != null || spec.schedule != null;
}

/** The run the heartbeat records, for the snapshot; null when it records none. */
export function runSnapshot(hb: Heartbeat | null, nowMs: number): RunSnapshot | null {
  if (!hb || (hb.exit == null && hb.startedAtMs == null)) return null;
  return runView(runFromBeat(hb), nowMs);
}

function runView(run: RunView, nowMs: number): RunSnapshot {
  return {
    startedAt: new Date(run.startedAtMs).toISOString(),
    endedAt: run.endedAtMs === null ? null : new Date(run.endedAtMs).toISOString(),
    exitCode: run.exit?.code ?? null,
    signal: run.exit?.signal ?? null,
    durationMs: run.exit?.durationMs ?? Math.max(0, (run.endedAtMs ?? nowMs) - run.startedAtMs),
    ok: run.ok,
  };
}

/**
 * Fold a daemon's checks into the snapshot the heartbeat files gave. The
 * heartbeat's own verdict counts when there is a heartbeat (or a pid from a
 * pidfile or `match`); for a scheduled job the schedule replaces its
 * interval-based age verdict, but a run whose process crashed or hung still shows.
 */
export function applyChecks(
  d: DaemonSnapshot,
  spec: DaemonSpec,
  hb: Heartbeat | null,
  obs: CheckObservations,
  ctx: CheckContext,
): DaemonSnapshot {
  const out: DaemonSnapshot = { ...d, problems: [...d.problems] };
  const verdicts: Verdict[] = [];
  const fromFiles = d.source !== 'none' && d.source !== 'systemd' && d.source !== 'probe';
  if (spec.schedule && obs.cron) {
    const run = hb ? runFromBeat(hb) : null;
    const s = judgeSchedule({
      check: spec.schedule,
      clock: obs.cron,
      nowMs: ctx.nowMs,
      run,
      watchingSinceMs: ctx.watchingSinceMs,
    });
    out.schedule = s.snapshot;
    verdicts.push(s);
    const processFailed = d.reason === REASONS.crashed || d.reason === REASONS.hung;
    if (s.snapshot.running && processFailed) verdicts.push(d);
    out.lastRun = run ? runView(run, ctx.nowMs) : null;
  } else {
    if (fromFiles) verdicts.push(d);
    out.lastRun = runSnapshot(hb, ctx.nowMs);
  }
  if (spec.probe) {
    const last = obs.probe;
    const probe: ProbeSnapshot = {
      target: escapeControl(probeLabel(spec.probe.spec)),
      ok: last ? last.result.ok : null,
      latencyMs: last ? last.result.latencyMs : null,
      detail: last ? escapeControl(last.result.detail) : null,
      at: last ? new Date(last.atMs).toISOString() : null,
      timeoutMs: spec.probe.timeoutMs,
      slowMs: spec.probe.slowMs,
    };
    out.probe = probe;
    verdicts.push(judgeProbe(spec.probe, last?.result ?? null));
    if (d.source === 'none') out.source = 'probe';
  }
  if (spec.systemd) {
    out.systemd = obs.unit;
    if (obs.unit) {
      verdicts.push(judgeUnit(obs.unit));
      if (obs.unit.restarts)
        out.problems.push(`systemd restarted the unit ${obs.unit.restarts} times`);
      if (d.source === 'none') out.source = 'systemd';
    } else {
      out.problems.push(`systemd: ${obs.systemdError ?? 'no answer'}`);
      verdicts.push({ status: 'unknown', reason: 'systemd source failing' });
    }
  }
  if (verdicts.length === 0) return out;
  // An `unknown` (a failing source, a job never seen yet) does not hide what
  // the other checks saw: the worst of the known verdicts decides.
  const known = verdicts.filter((v) => v.status !== 'unknown');
  const chosen = worstOf(known.length > 0 ? known : verdicts);
  out.status = chosen.status;
  out.reason = chosen.reason === null ? null : escapeControl(chosen.reason);
  return out;
}

function worstOf(verdicts: readonly Verdict[]): Verdict {
  return verdicts.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));
}
