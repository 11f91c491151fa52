// Per-daemon rules: status transitions (late, down/crashed/hung, recovered,
// never seen, unknown, new daemon), restarts, flapping, beat jitter, resources
// and heartbeat skew. Transitions are evaluated as levels ("is down and no
// outage is open") rather than edges, so a transition that was held back (a
// clock-suspect verdict, a flapping daemon) is announced once it is real.
import { formatBytes, formatDuration, formatSeconds } from '../format.js';
import type { DaemonSnapshot, DaemonStatus } from '../types.js';
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
  if (reason?.startsWith('malformed')) return 'malformed';
  return 'down';
}

/** Mean and (population) deviation of the beat gaps, from the running sums. */
function gapStats(st: DaemonRuleState): { mean: number; sd: number } {
  const n = st.gaps.length;
  const mean = st.gapSum / n;
  return { mean, sd: Math.sqrt(Math.max(0, st.gapSumSq / n - mean * mean)) };
}

/** The flap history after this check, on a steady cadence (see `nextFlapHistory`). */
interface FlapFacts {
  history: string;
  steadyChecks: number;
  slot: number;
  pct: number;
  flapping: boolean;
  wasFlapping: boolean;
}

/**
 * Everything the daemon rules read, computed once before any rule runs, so no
 * rule depends on another having run first.
 */
export interface DaemonFacts {
  d: DaemonSnapshot;
  name: string;
  isNew: boolean;
  cfg: AnomalyConfig;
  kind: EvaluationKind;
  wallMs: number;
  /** Status on the previous evaluation, null before the first. */
  prevStatus: DaemonStatus | null;
  /** The status changed since the previous evaluation. */
  changed: boolean;
  /** Verdicts judged from a beat's age right after a clock jump are held back. */
  heldBack: boolean;
  suspect: boolean;
  /** Restarts seen since the previous evaluation. */
  restarts: number;
  flap: FlapFacts;
}

/**
 * Flap checks are counted on a steady cadence of one per poll interval, however
 * often the daemon is evaluated (a busy directory triggers early polls; a
 * liveness re-check adds more): the window of `flapWindow` checks then always
 * spans the same time. Evaluations within one cadence slot revise that slot's
 * letter; slots with no evaluation keep the status of the slot before.
 */
export function nextFlapHistory(
  history: string,
  steadyChecks: number,
  lastSlot: number | null,
  slot: number,
  letter: string,
  window: number,
): { history: string; steadyChecks: number } {
  const last = history.length > 0 ? history[history.length - 1]! : null;
  if (lastSlot !== null && slot <= lastSlot && last !== null) {
    if (letter === last) return { history, steadyChecks };
    // The slot's letter changes: the steady run is recomputed by the full walk.
    return { history: history.slice(0, -1) + letter, steadyChecks: 0 };
  }
  const skipped = lastSlot === null || last === null ? 0 : Math.min(window, slot - lastSlot - 1);
  const filled = (history + (last ?? '').repeat(skipped) + letter).slice(-window);
  return {
    history: filled,
    steadyChecks: letter === last ? steadyChecks + 1 + skipped : 0,
  };
}

function flapFacts(
  d: DaemonSnapshot,
  st: DaemonRuleState,
  cfg: AnomalyConfig,
  monoMs: number,
): FlapFacts {
  const { alerts } = cfg;
  const cadenceMs = Math.max(1, cfg.pollInterval * 1000);
  const slot = Math.floor(monoMs / cadenceMs);
  const { history, steadyChecks } = nextFlapHistory(
    st.history,
    st.steadyChecks,
    st.flapSlot,
    slot,
    STATUS_LETTER[d.status],
    alerts.flapWindow,
  );
  // No change anywhere in the window: 0 % without walking it (the common case).
  const pct =
    steadyChecks >= alerts.flapWindow ? 0 : percentStateChange(history, alerts.flapWindow);
  const flapping = nextFlapping(st.flapping, pct, alerts.flapHighPct, alerts.flapLowPct);
  return { history, steadyChecks, slot, pct, flapping, wasFlapping: st.flapping };
}

function restartsSince(d: DaemonSnapshot, st: DaemonRuleState, isNew: boolean): number {
  if (isNew) return 0;
  if (d.restarts > st.restarts) return d.restarts - st.restarts;
  if (st.pid !== null && d.pid !== null && d.pid !== st.pid) return 1;
  return 0;
}

export function daemonFacts(
  ev: Evaluation,
  d: DaemonSnapshot,
  st: DaemonRuleState,
  isNew: boolean,
  cfg: AnomalyConfig,
  kind: EvaluationKind,
): DaemonFacts {
  const suspect = d.clockSuspect;
  const ageBased = d.reason !== null && AGE_BASED_REASONS.has(d.reason);
  return {
    d,
    name: d.name,
    isNew,
    cfg,
    kind,
    wallMs: ev.now.wallMs,
    prevStatus: st.status,
    changed: st.status !== null && d.status !== st.status,
    heldBack: suspect && ageBased,
    suspect,
    restarts: restartsSince(d, st, isNew),
    flap: flapFacts(d, st, cfg, ev.now.monoMs),
  };
}

/** One rule: reads the facts, raises or clears events, keeps its own slice of the rule state. */
type DaemonRule = (ev: Evaluation, f: DaemonFacts, st: DaemonRuleState) => void;

/** While flapping, transitions open their conditions silently (counted into the flapping event). */
function announce(ev: Evaluation, f: DaemonFacts, input: RaiseInput): void {
  if (f.flap.flapping) ev.openSilently(input);
  else ev.raise(input);
}

const newDaemonRule: DaemonRule = (ev, { d, isNew, name }) => {
  if (!isNew || d.declared) return;
  ev.emit({
    rule: 'new-daemon',
    severity: 'info',
    daemon: name,
    message: `new daemon ${name} appeared (not in the configuration)`,
    data: { source: d.source, heartbeatPath: d.heartbeatPath },
  });
};

/** Nagios weighted percent state change over the last `flapWindow` checks. */
const flappingRule: DaemonRule = (ev, f) => {
  const { name, d, flap, cfg } = f;
  const pct = flap.pct;
  if (!flap.wasFlapping && flap.flapping) {
    ev.raise({
      rule: 'flapping',
      severity: 'warn',
      daemon: name,
      message: `${name} is flapping (${pct.toFixed(0)}% state change over ${cfg.alerts.flapWindow} checks); its transitions are counted here until it settles`,
      data: { percentStateChange: round1(pct), status: d.status, count: 1 },
    });
  } else if (flap.flapping && f.changed) {
    ev.bump('flapping', name);
  } else if (flap.wasFlapping && !flap.flapping) {
    ev.clear('flapping', name);
    ev.emit({
      rule: 'flapping',
      severity: 'info',
      daemon: name,
      message: `${name} stopped flapping (${pct.toFixed(0)}% state change); now ${d.status}`,
      data: { percentStateChange: round1(pct), status: d.status, stopped: true },
    });
    // Whatever still holds once it settles (an outage) is announced in its own right.
    ev.publishSilent(name);
  }
};

/** Down, crashed, hung or malformed: one outage condition per daemon. */
const outageOpenRule: DaemonRule = (ev, f, st) => {
  const { d, name } = f;
  if (d.status !== 'down' || f.heldBack) return;
  if (ev.isOpen(OUTAGE, name)) {
    // Back down after a partial recovery (late) without ever being up: the same outage.
    if (f.changed && !f.flap.flapping) ev.bump(OUTAGE, name);
    return;
  }
  st.downSinceMs ??= f.wallMs;
  announce(ev, f, {
    rule: outageRule(d.reason),
    condition: OUTAGE,
    severity: d.critical ? 'critical' : 'error',
    daemon: name,
    message: `${name} is down${d.reason ? `: ${d.reason}` : ''}`,
    data: {
      reason: d.reason,
      pid: d.pid,
      processState: d.processState,
      lastBeatAt: d.lastBeatAt,
      critical: d.critical,
      problems: d.problems,
      // What the daemon said about itself, if anything (already sanitized by the engine).
      message: d.message,
    },
    kind: 'level',
  });
};

/** An outage ends when the daemon is up again. */
const outageRecoveryRule: DaemonRule = (ev, f, st) => {
  const { d, name } = f;
  if (d.status !== 'up') return;
  const outage = ev.clear(OUTAGE, name);
  if (outage && !f.flap.flapping) {
    const lengthMs = st.downSinceMs === null ? null : Math.max(0, f.wallMs - st.downSinceMs);
    ev.emit({
      rule: 'recovered',
      severity: 'info',
      daemon: name,
      message: `${name} recovered${lengthMs === null ? '' : ` after ${formatDuration(Math.round(lengthMs / 1000))} down`}`,
      data: {
        from: 'down',
        outageMs: lengthMs,
        downSince: st.downSinceMs === null ? null : new Date(st.downSinceMs).toISOString(),
      },
    });
  }
  st.downSinceMs = null;
};

/** Late (only from a working daemon: late after down is a partial recovery), and its end. */
const lateRule: DaemonRule = (ev, f) => {
  const { d, name } = f;
  if (d.status === 'late') {
    if (!f.heldBack && !ev.isOpen('late', name) && !ev.isOpen(OUTAGE, name)) {
      announce(ev, f, {
        rule: 'late',
        severity: 'warn',
        daemon: name,
        message: `${name} is late${d.reason ? `: ${d.reason}` : ''}`,
        data: { reason: d.reason, ageMs: d.ageMs, intervalSec: d.intervalSec, message: d.message },
      });
    }
    return;
  }
  const late = ev.clear('late', name);
  // A late or degraded period that ends in up is reported, so it visibly ends;
  // one that ends in down is followed by the outage instead.
  if (!late || d.status !== 'up' || f.flap.flapping || late.event.id === '') return;
  const lateMs = Math.max(0, f.wallMs - Date.parse(late.event.at));
  const was = typeof late.event.data?.reason === 'string' ? late.event.data.reason : 'late';
  ev.emit({
    rule: 'recovered',
    severity: 'info',
    daemon: name,
    message: `${name} recovered after ${formatDuration(Math.round(lateMs / 1000))} ${was === 'degraded' ? 'degraded' : 'late'}`,
    data: {
      from: 'late',
      reason: was,
      lateMs,
      lateSince: late.event.at,
      lateEventId: late.event.id,
    },
  });
};

/** Unknown: never seen since start, or no longer readable. */
const unknownRule: DaemonRule = (ev, f, st) => {
  const { d, name } = f;
  if (d.status !== 'unknown') {
    st.everSeen = true;
    ev.clear('never-seen', name);
    ev.clear('unknown', name);
    return;
  }
  if (!st.everSeen) {
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
    return;
  }
  if (ev.isOpen(OUTAGE, name)) return;
  announce(ev, f, {
    rule: 'unknown',
    severity: 'warn',
    daemon: name,
    message: `${name} status is unknown${d.reason ? `: ${d.reason}` : ''}`,
    data: { reason: d.reason, problems: d.problems },
  });
};

/** Restarts, and a restart loop (more than `restartCount` within the window). */
const restartRule: DaemonRule = (ev, f, st) => {
  const { d, name, wallMs, restarts } = f;
  const { alerts } = f.cfg;
  const windowMs = alerts.restartWindowMin * 60_000;
  if (st.restartTimes.length && st.restartTimes[0]! < wallMs - windowMs) {
    st.restartTimes = st.restartTimes.filter((t) => t >= wallMs - windowMs);
  }
  if (restarts === 0) return;
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
};

/**
 * Beat jitter. A gap that spans a restart, an outage or lateness (already
 * reported) or the monitor's own start is not jitter.
 */
const jitterRule: DaemonRule = (ev, f, st) => {
  evaluateJitter(
    ev,
    f.d,
    st,
    f.cfg,
    f.suspect,
    f.prevStatus === 'up' && f.restarts === 0,
    f.restarts > 0,
  );
};

/**
 * CPU and memory. A liveness re-check carries the last full poll's CPU and RSS
 * again: only full polls are new samples, so only they count towards "N polls".
 */
const resourceRule: DaemonRule = (ev, f, st) => {
  if (f.kind === 'poll') evaluateResources(ev, f.d, st, f.cfg);
};

/** Heartbeat timestamps against the file's mtime. */
const skewRule: DaemonRule = (ev, f) => {
  const { d, name } = f;
  if (f.suspect) return;
  const skewLimitMs = f.cfg.clock.skewThreshold * 1000;
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
};

/** The per-daemon rules, in the order their events are raised. */
export const DAEMON_RULES: readonly DaemonRule[] = [
  newDaemonRule,
  flappingRule,
  outageOpenRule,
  outageRecoveryRule,
  lateRule,
  unknownRule,
  restartRule,
  jitterRule,
  resourceRule,
  skewRule,
];

/** What every evaluation carries forward, written once after all rules ran. */
function commitFacts(f: DaemonFacts, st: DaemonRuleState): void {
  st.status = f.d.status;
  st.history = f.flap.history;
  st.steadyChecks = f.flap.steadyChecks;
  st.flapSlot = f.flap.slot;
  st.flapping = f.flap.flapping;
  st.restarts = f.d.restarts;
  if (f.d.pid !== null) st.pid = f.d.pid;
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
  const facts = daemonFacts(ev, d, st, isNew, cfg, kind);
  for (const rule of DAEMON_RULES) rule(ev, facts, st);
  commitFacts(facts, st);
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
