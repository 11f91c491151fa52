// Per-daemon rules: status transitions (late, down/crashed/hung, recovered,
// never seen, unknown, new daemon), restarts, flapping, beat jitter, resources
// and heartbeat skew. Transitions are evaluated as levels ("is down and no
// outage is open") rather than edges, so a transition that was held back (a
// clock-suspect verdict, a flapping daemon) is announced once it is real.
import { formatBytes, formatDuration, formatSeconds } from '../format.js';
import type { DaemonSnapshot, Severity } from '../types.js';
import {
  JITTER_MIN_DEVIATION_SHARE,
  JITTER_MIN_SAMPLES,
  JITTER_SAMPLES,
  type AnomalyConfig,
  type EvaluationKind,
} from './config.js';
import { nextFlapping, percentStateChange } from './flapping.js';
import type { DaemonRuleState, Evaluation, RaiseInput } from './state.js';

/** Status reasons judged from a beat's age: unreliable right after a wall-clock jump. */
const AGE_BASED_REASONS = new Set(['stale', 'hung', 'overdue']);
const NEVER_SEEN = 'never seen';
/** One condition per daemon for an outage, whatever the reason it began with. */
const OUTAGE = 'outage';
/** Flap history is kept as one letter per check (cheap to copy and to persist). */
const STATUS_LETTER: Record<DaemonSnapshot['status'], string> = {
  up: 'u',
  late: 'l',
  down: 'd',
  unknown: '?',
};

function outageRule(reason: string | null): string {
  if (reason === 'crashed') return 'crashed';
  if (reason === 'hung') return 'hung';
  return 'down';
}

/** Mean and (population) deviation of the beat gaps, from the running sums. */
function gapStats(st: DaemonRuleState): { mean: number; sd: number } {
  const n = st.gaps.length;
  const mean = st.gapSum / n;
  return { mean, sd: Math.sqrt(Math.max(0, st.gapSumSq / n - mean * mean)) };
}

/**
 * Evaluate one daemon. `st` is this evaluation's own copy of the daemon's rule
 * state (mutated in place); `isNew` is true when the daemon was never seen by
 * this monitor before.
 */
export function evaluateDaemon(
  ev: Evaluation,
  d: DaemonSnapshot,
  st: DaemonRuleState,
  isNew: boolean,
  cfg: AnomalyConfig,
  kind: EvaluationKind = 'poll',
): void {
  const name = d.name;
  const { alerts } = cfg;
  const wallMs = ev.now.wallMs;
  const prevStatus = st.status;
  const status = d.status;
  const suspect = d.clockSuspect;
  const ageBased = d.reason !== null && AGE_BASED_REASONS.has(d.reason);
  const heldBack = suspect && ageBased;

  if (isNew && !d.declared) {
    ev.emit({
      rule: 'new-daemon',
      severity: 'info',
      daemon: name,
      message: `new daemon ${name} appeared (not in the configuration)`,
      data: { source: d.source, heartbeatPath: d.heartbeatPath },
    });
  }

  // --- Flapping (Nagios weighted percent state change) ---------------------
  st.history = (st.history + STATUS_LETTER[status]).slice(-alerts.flapWindow);
  st.steadyChecks = prevStatus === status ? st.steadyChecks + 1 : 0;
  // No change anywhere in the window: 0 % without walking it (the common case).
  const pct =
    st.steadyChecks >= alerts.flapWindow ? 0 : percentStateChange(st.history, alerts.flapWindow);
  const wasFlapping = st.flapping;
  st.flapping = nextFlapping(wasFlapping, pct, alerts.flapHighPct, alerts.flapLowPct);
  const changed = prevStatus !== null && status !== prevStatus;
  if (!wasFlapping && st.flapping) {
    ev.raise({
      rule: 'flapping',
      severity: 'warn',
      daemon: name,
      message: `${name} is flapping (${pct.toFixed(0)}% state change over ${alerts.flapWindow} checks); its transitions are counted here until it settles`,
      data: { percentStateChange: round1(pct), status, count: 1 },
    });
  } else if (st.flapping && changed) {
    ev.bump('flapping', name);
  } else if (wasFlapping && !st.flapping) {
    ev.clear('flapping', name);
    ev.emit({
      rule: 'flapping',
      severity: 'info',
      daemon: name,
      message: `${name} stopped flapping (${pct.toFixed(0)}% state change); now ${status}`,
      data: { percentStateChange: round1(pct), status, stopped: true },
    });
    // Whatever still holds once it settles (an outage) is announced in its own right.
    ev.publishSilent(name);
  }
  // While flapping, transitions open their conditions silently (counted above).
  const announce = (input: RaiseInput): void => {
    if (st.flapping) ev.openSilently(input);
    else ev.raise(input);
  };

  // --- Outage: down / crashed / hung, and the recovery --------------------
  if (status === 'down') {
    if (!heldBack) {
      if (!ev.isOpen(OUTAGE, name)) {
        st.downSinceMs ??= wallMs;
        const rule = outageRule(d.reason);
        const severity: Severity = d.critical ? 'critical' : 'error';
        announce({
          rule,
          condition: OUTAGE,
          severity,
          daemon: name,
          message: `${name} is down${d.reason ? `: ${d.reason}` : ''}`,
          data: {
            reason: d.reason,
            pid: d.pid,
            lastBeatAt: d.lastBeatAt,
            critical: d.critical,
            problems: d.problems,
            // What the daemon said about itself, if anything (already sanitized by the engine).
            message: d.message,
          },
          kind: 'level',
        });
      } else if (changed && !st.flapping) {
        // Back down after a partial recovery (late) without ever being up: the same outage.
        ev.bump(OUTAGE, name);
      }
    }
  } else if (status === 'up') {
    const outage = ev.clear(OUTAGE, name);
    if (outage) {
      const lengthMs = st.downSinceMs === null ? null : Math.max(0, wallMs - st.downSinceMs);
      const input = {
        rule: 'recovered',
        severity: 'info' as const,
        daemon: name,
        message: `${name} recovered${lengthMs === null ? '' : ` after ${formatDuration(Math.round(lengthMs / 1000))} down`}`,
        data: {
          outageMs: lengthMs,
          downSince: st.downSinceMs === null ? null : new Date(st.downSinceMs).toISOString(),
        },
      };
      if (!st.flapping) ev.emit(input);
    }
    st.downSinceMs = null;
  }

  // --- Late (only from a working daemon: late after down is a partial recovery) ---
  if (status === 'late') {
    if (!heldBack && !ev.isOpen('late', name) && !ev.isOpen(OUTAGE, name)) {
      announce({
        rule: 'late',
        severity: 'warn',
        daemon: name,
        message: `${name} is late${d.reason ? `: ${d.reason}` : ''}`,
        data: { reason: d.reason, ageMs: d.ageMs, intervalSec: d.intervalSec, message: d.message },
      });
    }
  } else {
    ev.clear('late', name);
  }

  // --- Unknown: never seen since start, or no longer readable ---------------
  if (status !== 'unknown') {
    st.everSeen = true;
    ev.clear('never-seen', name);
    ev.clear('unknown', name);
  } else if (!st.everSeen) {
    const startedMono = ev.state.runStartMonoMs ?? ev.now.monoMs;
    const waitedMs = ev.now.monoMs - startedMono;
    const allowanceMs = (d.intervalSec + d.graceSec) * 1000;
    if (d.declared && waitedMs > allowanceMs) {
      ev.raise({
        rule: 'never-seen',
        severity: 'warn',
        daemon: name,
        message: `${name} has not been seen since ghost-hb started${d.reason && d.reason !== NEVER_SEEN ? ` (${d.reason})` : ''}`,
        data: { reason: d.reason, waitedMs: Math.round(waitedMs) },
      });
    }
  } else if (!ev.isOpen(OUTAGE, name)) {
    announce({
      rule: 'unknown',
      severity: 'warn',
      daemon: name,
      message: `${name} status is unknown${d.reason ? `: ${d.reason}` : ''}`,
      data: { reason: d.reason, problems: d.problems },
    });
  }
  st.status = status;

  // --- Restarts -------------------------------------------------------------
  let restarts = 0;
  if (!isNew) {
    if (d.restarts > st.restarts) restarts = d.restarts - st.restarts;
    else if (st.pid !== null && d.pid !== null && d.pid !== st.pid) restarts = 1;
  }
  st.restarts = d.restarts;
  if (d.pid !== null) st.pid = d.pid;
  const windowMs = alerts.restartWindowMin * 60_000;
  if (st.restartTimes.length && st.restartTimes[0]! < wallMs - windowMs) {
    st.restartTimes = st.restartTimes.filter((t) => t >= wallMs - windowMs);
  }
  if (restarts > 0) {
    for (let i = 0; i < restarts; i++) st.restartTimes.push(wallMs);
    // A new process has new memory: the growth trend (and its warm-up) starts again.
    resetRssTrend(st);
    st.rssSinceMs = null;
    ev.raise({
      rule: 'restarted',
      severity: 'warn',
      daemon: name,
      message: `${name} restarted${d.pid !== null ? ` (pid ${d.pid})` : ''}`,
      data: { pid: d.pid, startedAt: d.startedAt, restarts: d.restarts },
      kind: 'edge',
    });
    // Several restarts seen in one poll count as several occurrences.
    if (restarts > 1) ev.bump('restarted', name, restarts - 1);
    if (st.restartTimes.length > alerts.restartCount) {
      ev.raise({
        rule: 'restart-loop',
        severity: 'error',
        daemon: name,
        message: `${name} restarted ${st.restartTimes.length} times within ${alerts.restartWindowMin} min`,
        data: { restartsInWindow: st.restartTimes.length, windowMin: alerts.restartWindowMin },
        kind: 'edge',
      });
    }
  }

  // --- Beat jitter ----------------------------------------------------------
  // A gap that spans a restart, an outage or lateness (already reported) or the
  // monitor's own start is not jitter.
  evaluateJitter(ev, d, st, cfg, suspect, prevStatus === 'up' && restarts === 0, restarts > 0);

  // --- Resources ------------------------------------------------------------
  // A liveness re-check carries the last full poll's CPU and RSS again: only
  // full polls are new samples, so only they count towards "N polls".
  if (kind === 'poll') evaluateResources(ev, d, st, cfg);

  // --- Heartbeat skew ---------------------------------------------------------
  if (!suspect) {
    const skewLimitMs = cfg.clock.skewThreshold * 1000;
    if (d.skewMs !== null && Math.abs(d.skewMs) > skewLimitMs) {
      ev.raise({
        rule: 'clock-skew',
        severity: 'warn',
        daemon: name,
        message: `${name} heartbeat timestamps are skewed by ${d.skewMs < 0 ? '-' : ''}${formatSeconds(Math.abs(d.skewMs))} (threshold ${formatSeconds(skewLimitMs)})`,
        data: { skewMs: d.skewMs },
      });
    } else {
      ev.clear('clock-skew', name);
    }
  }
}

function resetGaps(st: DaemonRuleState): void {
  st.gaps = [];
  st.gapSum = 0;
  st.gapSumSq = 0;
}

/**
 * Beat jitter. `judge` is false when the gap ending now spans something other
 * than the daemon's rhythm (a restart, an outage or lateness, the first beat
 * since this monitor started): such a gap is neither flagged nor kept in the
 * statistics. `restarted` starts the statistics afresh (a new process may keep
 * a new rhythm).
 */
function evaluateJitter(
  ev: Evaluation,
  d: DaemonSnapshot,
  st: DaemonRuleState,
  cfg: AnomalyConfig,
  suspect: boolean,
  judge: boolean,
  restarted: boolean,
): void {
  const name = d.name;
  if (restarted) resetGaps(st);
  const beatMs = d.lastBeatAt === null ? null : Date.parse(d.lastBeatAt);
  const stats = st.gaps.length >= JITTER_MIN_SAMPLES ? gapStats(st) : null;
  // The deviation is floored at a share of the mean (a metronome-regular
  // daemon would otherwise make a millisecond "4 deviations"), and the limit
  // at mean + the daemon's tolerance: lateness within the tolerance is on time
  // by the operator's own definition.
  const sd = stats ? Math.max(stats.sd, stats.mean * JITTER_MIN_DEVIATION_SHARE) : 0;
  const limitMs = stats
    ? Math.max(stats.mean + cfg.alerts.jitterSigma * sd, stats.mean + d.toleranceSec * 1000)
    : Infinity;
  const flag = (gapMs: number): void => {
    ev.raise({
      rule: 'jitter',
      severity: 'warn',
      daemon: name,
      message: `${name} beat gap ${formatSeconds(gapMs)} is beyond its usual ${formatSeconds(stats!.mean)} ± ${formatSeconds(sd)} (limit ${formatSeconds(limitMs)})`,
      data: {
        gapMs: Math.round(gapMs),
        meanMs: Math.round(stats!.mean),
        sdMs: Math.round(stats!.sd),
        limitMs: Math.round(limitMs),
      },
    });
  };

  if (beatMs !== null && Number.isFinite(beatMs) && beatMs !== st.lastBeatMs) {
    if (st.lastBeatMs !== null && beatMs > st.lastBeatMs && judge) {
      // With a seq, beats skipped between two polls do not count as one long gap.
      const steps =
        d.seq !== null && st.lastSeq !== null && d.seq > st.lastSeq ? d.seq - st.lastSeq : 1;
      const gap = (beatMs - st.lastBeatMs) / steps;
      if (!suspect) {
        if (gap > limitMs && !ev.isOpen('jitter', name)) flag(gap);
        st.gaps.push(gap);
        st.gapSum += gap;
        st.gapSumSq += gap * gap;
        if (st.gaps.length > JITTER_SAMPLES) {
          const old = st.gaps.shift()!;
          st.gapSum -= old;
          st.gapSumSq -= old * old;
        }
      }
      if (gap <= limitMs) ev.clear('jitter', name);
    } else {
      ev.clear('jitter', name);
    }
    st.lastBeatMs = beatMs;
    st.lastSeq = d.seq;
    return;
  }
  // No new beat: is the gap in progress already beyond the usual?
  if (
    judge &&
    !suspect &&
    d.status === 'up' &&
    d.ageMs !== null &&
    d.ageMs > limitMs &&
    !ev.isOpen('jitter', name)
  ) {
    flag(d.ageMs);
  }
}

function resetRssTrend(st: DaemonRuleState): void {
  st.lastRss = null;
  st.rssGrowthPolls = 0;
  st.rssRunStartBytes = null;
}

/** CPU and memory rules; called on full polls only (each one a fresh sample). */
function evaluateResources(
  ev: Evaluation,
  d: DaemonSnapshot,
  st: DaemonRuleState,
  cfg: AnomalyConfig,
): void {
  const name = d.name;
  const { alerts } = cfg;
  if (d.cpuPct !== null && d.cpuPct > alerts.cpuPct) st.cpuHighPolls++;
  else st.cpuHighPolls = 0;
  if (st.cpuHighPolls >= alerts.cpuPolls) {
    ev.raise({
      rule: 'cpu-high',
      severity: 'warn',
      daemon: name,
      message: `${name} CPU at ${d.cpuPct!.toFixed(0)}% for ${st.cpuHighPolls} polls (threshold ${alerts.cpuPct}%)`,
      data: { cpuPct: d.cpuPct, polls: st.cpuHighPolls },
    });
  } else {
    ev.clear('cpu-high', name);
  }

  const rss = d.memRssBytes;
  if (alerts.memRssBytes !== null && rss !== null && rss > alerts.memRssBytes) {
    ev.raise({
      rule: 'mem-high',
      severity: 'warn',
      daemon: name,
      message: `${name} resident memory ${formatBytes(rss)} is above the ${formatBytes(alerts.memRssBytes)} ceiling`,
      data: { memRssBytes: rss, threshold: alerts.memRssBytes },
    });
  } else if (rss !== null) {
    ev.clear('mem-high', name);
  }
  if (rss === null) return;

  // Warm-up: a young process's RSS creeps up as its heap and caches fill. The
  // process's own uptime decides; without one, the time this monitor has
  // watched it.
  st.rssSinceMs ??= ev.now.wallMs;
  const upSec = d.uptimeSec ?? (ev.now.wallMs - st.rssSinceMs) / 1000;
  if (upSec < alerts.memGrowthWarmupSec) {
    // Growth during warm-up is not part of any trend: the first reading
    // after it is the baseline.
    resetRssTrend(st);
    return;
  }

  if (st.lastRss !== null && rss > st.lastRss) {
    st.rssRunStartBytes ??= st.lastRss;
    st.rssGrowthPolls++;
  } else if (st.lastRss !== null && rss < st.lastRss) {
    // Memory given back breaks the trend. Equal readings (an idle daemon, a
    // page-granular counter) neither extend nor break it.
    resetRssTrend(st);
    ev.clear('mem-growth', name);
  }
  st.lastRss = rss;
  const from = st.rssRunStartBytes;
  if (from === null || st.rssGrowthPolls < alerts.memGrowthPolls) return;
  const grewBytes = rss - from;
  const grewPct = (grewBytes / Math.max(1, from)) * 100;
  if (grewBytes > alerts.memGrowthMinBytes && grewPct > alerts.memGrowthMinPct) {
    ev.raise({
      rule: 'mem-growth',
      severity: 'warn',
      daemon: name,
      message: `${name} resident memory grew ${formatBytes(grewBytes)} (+${grewPct.toFixed(0)}%) over ${st.rssGrowthPolls} polls, now ${formatBytes(rss)}: a leak?`,
      data: {
        memRssBytes: rss,
        fromBytes: from,
        grewBytes,
        grewPct: round1(grewPct),
        polls: st.rssGrowthPolls,
      },
    });
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
