// The status state machine, pure: given what the files say, what the process
// table says and the time (passed in), decide up/late/down/unknown and a reason
// for one daemon, and return the state to carry to the next poll. Nothing here
// reads a clock or the filesystem.
import { escapeForDisplay } from './format.js';
import { exitOk, exitReason } from './runs.js';
import { sanitizeString } from './sanitize.js';
import { sanitizePayload, type ParsedHeartbeatFile } from './heartbeatFile.js';
import type {
  DaemonSnapshot,
  DaemonSpec,
  DaemonStatus,
  DaemonTiming,
  Heartbeat,
  HeartbeatSource,
  Instant,
  ProcessSample,
  StatusSummary,
} from './types.js';

/** Reasons a daemon can be in its status; `null` for a plain `up`. */
export const REASONS = {
  stale: 'stale',
  crashed: 'crashed',
  hung: 'hung',
  failing: 'failing',
  degraded: 'degraded',
  overdue: 'overdue',
  neverSeen: 'never seen',
  notRunning: 'not running',
} as const;

/** Start times read twice from /proc can differ by rounding; beyond this it is another process. */
const START_TIME_SLACK_MS = 1000;

/** A beat as remembered between polls. */
export interface BeatRecord {
  heartbeat: Heartbeat;
  source: 'json' | 'touch';
  path: string;
  /** The JSON document, already sanitized (safe to print, log and export). */
  payload: Record<string, unknown> | null;
  /** Monotonic ms at which this beat was first observed (for judging age across clock jumps). */
  firstSeenMonoMs: number;
  /** Wall-clock age of the beat when first observed (>= 0). */
  ageAtFirstSeenMs: number;
  /** tsMs as ISO-8601, formatted once per beat. */
  at: string;
  /** The beat's message, sanitized once per beat. */
  message: string | null;
}

/** Everything remembered about one daemon between polls. */
export interface DaemonState {
  /** Last valid beat: it keeps deciding while the current file is faulty. */
  beat: BeatRecord | null;
  lastPid: number | null;
  lastStartTimeMs: number | null;
  restarts: number;
  /** Consecutive checks that found the process gone. */
  failedChecks: number;
  /** Previous CPU reading of the same process, for CPU % between polls. */
  cpu: { pid: number; startTimeMs: number | null; cpuTimeMs: number; monoMs: number } | null;
  cpuPct: number | null;
  /** Where the pid came from last time ('match' lets a vanished match count as a crash). */
  lastPidSource: PidSource | null;
}

export function initialDaemonState(): DaemonState {
  return {
    beat: null,
    lastPid: null,
    lastStartTimeMs: null,
    restarts: 0,
    failedChecks: 0,
    cpu: null,
    cpuPct: null,
    lastPidSource: null,
  };
}

/** The files of one daemon found on this poll, already parsed. */
export interface DaemonFiles {
  json?: ParsedHeartbeatFile;
  touch?: ParsedHeartbeatFile;
  pidfile?: ParsedHeartbeatFile;
}

export type PidSource = 'json' | 'pidfile' | 'match';

/** What the files (and a `match` search) say about a daemon on this poll. */
export interface Evidence {
  /** The beat that decides: fresh from this poll, or the last valid one carried over. */
  beat: BeatRecord | null;
  pid: number | null;
  pidSource: PidSource | null;
  /** Process start must not be after this (ms) for the pid to be the daemon's; null: no check. */
  pidNotBeforeMs: number | null;
  /** True when a `match` daemon's process no longer matches: gone without sampling. */
  matchLost: boolean;
  /** First fault among this poll's files, or null. */
  fault: string | null;
  problems: string[];
  /** Path of the pidfile, when it supplied the pid. */
  pidfilePath: string | null;
}

/** Interval, tolerance, grace and retries for a daemon, given an interval a heartbeat announced. */
export function effectiveTiming(
  spec: DaemonSpec,
  announcedIntervalSec: number | null,
): DaemonTiming {
  const interval = announcedIntervalSec ?? spec.interval;
  return {
    interval,
    tolerance: spec.tolerance,
    grace: spec.graceFromInterval ? 3 * interval : spec.grace,
    retries: spec.retries,
  };
}

function pickBeatFile(files: DaemonFiles): ParsedHeartbeatFile | null {
  const candidates = [files.json, files.touch].filter(
    (f): f is ParsedHeartbeatFile => f != null && f.heartbeat != null,
  );
  if (candidates.length === 0) return null;
  // The freshest beat decides; a JSON beat wins a tie because it says more.
  candidates.sort((a, b) => b.heartbeat!.tsMs - a.heartbeat!.tsMs);
  return candidates[0]!;
}

/**
 * Combine this poll's files with the remembered beat. `matchedPids` is the
 * result of the daemon's `match` search (null when it has none or it was not run).
 */
export function gatherEvidence(
  spec: DaemonSpec,
  files: DaemonFiles,
  prev: DaemonState,
  now: Instant,
  matchedPids: number[] | null,
): Evidence {
  const problems: string[] = [];
  let fault: string | null = null;
  for (const f of [files.json, files.touch, files.pidfile]) {
    if (!f) continue;
    if (f.fault) {
      // Faults can quote file content (a parser's snippet): redact and escape.
      const shown = sanitizeString(f.fault);
      fault ??= shown;
      problems.push(shown);
    }
    for (const w of f.warnings) problems.push(sanitizeString(w));
  }

  const file = pickBeatFile(files);
  let beat: BeatRecord | null = prev.beat;
  if (file) {
    const hb = file.heartbeat!;
    const same =
      prev.beat != null &&
      prev.beat.heartbeat.tsMs === hb.tsMs &&
      prev.beat.path === file.path &&
      prev.beat.heartbeat.seq === hb.seq;
    beat = same
      ? { ...prev.beat!, heartbeat: hb }
      : {
          heartbeat: hb,
          source: file.kind === 'json' ? 'json' : 'touch',
          path: file.path,
          // Sanitized once per new beat (secrets redacted, control characters
          // escaped), not on every poll.
          payload: file.payload === null ? null : sanitizePayload(file.payload),
          firstSeenMonoMs: now.monoMs,
          ageAtFirstSeenMs: Math.max(0, now.wallMs - hb.tsMs),
          at: new Date(hb.tsMs).toISOString(),
          message: hb.message === null ? null : sanitizeString(hb.message),
        };
  } else if (prev.beat && fault) {
    problems.push(
      `using the last valid beat from ${new Date(prev.beat.heartbeat.tsMs).toISOString()}`,
    );
  } else if (prev.beat && !files.json && !files.touch) {
    problems.push('heartbeat file is gone; using the last valid beat');
  }

  let pid: number | null = null;
  let pidSource: PidSource | null = null;
  let pidNotBeforeMs: number | null = null;
  let pidfilePath: string | null = null;
  const pidfile = files.pidfile?.pid != null ? files.pidfile : null;
  if (beat?.source === 'json' && beat.heartbeat.pid != null) {
    pid = beat.heartbeat.pid;
    pidSource = 'json';
    pidNotBeforeMs = beat.heartbeat.tsMs;
    if (pidfile && pidfile.pid !== pid) {
      problems.push(`pidfile says ${pidfile.pid}, heartbeat says ${pid}; using the heartbeat`);
    }
  } else if (pidfile) {
    pid = pidfile.pid;
    pidSource = 'pidfile';
    pidfilePath = pidfile.path;
    // A daemon writes its pidfile after it starts: a process younger than the
    // pidfile's last write is someone else who got the recycled pid.
    pidNotBeforeMs = pidfile.mtimeMs;
  }

  let matchLost = false;
  if (pid == null && spec.match != null && matchedPids != null) {
    if (matchedPids.length > 0) {
      // Stay with the process seen last time while it still matches, so two
      // matching processes do not look like restarts.
      pid =
        prev.lastPid != null && matchedPids.includes(prev.lastPid)
          ? prev.lastPid
          : [...matchedPids].sort((a, b) => a - b)[0]!;
      pidSource = 'match';
    } else {
      problems.push(`no process matches "${escapeForDisplay(spec.match)}"`);
      if (prev.lastPidSource === 'match' && prev.lastPid != null) {
        pid = prev.lastPid;
        pidSource = 'match';
        matchLost = true;
      }
    }
  }

  return { beat, pid, pidSource, pidNotBeforeMs, matchLost, fault, problems, pidfilePath };
}

export interface JudgeInput {
  spec: DaemonSpec;
  evidence: Evidence;
  /** Sample of evidence.pid, or null when there is no pid or it was not found. */
  sample: ProcessSample | null;
  now: Instant;
  /** True within one grace period after a wall-clock jump: judge age on monotonic time. */
  clockSuspect: boolean;
  /** False on the quick liveness re-checks between polls (CPU is measured per poll). */
  updateCpu: boolean;
}

export interface Judgement {
  snapshot: DaemonSnapshot;
  state: DaemonState;
}

/** Age of a beat at `now`, on wall time normally and on monotonic time after a clock jump. */
export function beatAgeMs(beat: BeatRecord, now: Instant, clockSuspect: boolean): number {
  const age = clockSuspect
    ? beat.ageAtFirstSeenMs + (now.monoMs - beat.firstSeenMonoMs)
    : now.wallMs - beat.heartbeat.tsMs;
  return Math.max(0, age);
}

/** Decide one daemon's status. Pure: returns the next state instead of changing `prev`. */
export function judgeDaemon(input: JudgeInput, prev: DaemonState): Judgement {
  const { spec, evidence, sample, now, clockSuspect } = input;
  const beat = evidence.beat;
  const hb = beat?.heartbeat ?? null;
  const timing = effectiveTiming(spec, hb?.intervalSec ?? null);
  const problems = [...evidence.problems];
  const state: DaemonState = { ...prev, beat };

  // --- The process behind the pid -------------------------------------------
  let processAlive: boolean | null = null;
  let ours: ProcessSample | null = null;
  if (evidence.pid != null) {
    const pid = evidence.pid;
    let alive = !evidence.matchLost && sample != null && sample.alive;
    if (alive && sample!.startTimeMs != null && evidence.pidNotBeforeMs != null && !clockSuspect) {
      const lateByMs = sample!.startTimeMs - evidence.pidNotBeforeMs;
      if (lateByMs > timing.tolerance * 1000 + START_TIME_SLACK_MS) {
        alive = false;
        problems.push(
          `pid ${pid} was recycled: its process started ${new Date(sample!.startTimeMs).toISOString()}, after the daemon's last ${evidence.pidSource === 'pidfile' ? 'pidfile write' : 'beat'}`,
        );
      }
    }
    processAlive = alive;
    if (alive) {
      ours = sample;
      state.failedChecks = 0;
      const startChanged =
        prev.lastStartTimeMs != null &&
        ours!.startTimeMs != null &&
        Math.abs(prev.lastStartTimeMs - ours!.startTimeMs) > START_TIME_SLACK_MS;
      if (prev.lastPid != null && (prev.lastPid !== pid || startChanged)) {
        state.restarts = prev.restarts + 1;
      }
      state.lastPid = pid;
      state.lastStartTimeMs = ours!.startTimeMs ?? prev.lastStartTimeMs;
      state.lastPidSource = evidence.pidSource;
    } else {
      state.failedChecks = prev.failedChecks + 1;
      if (evidence.pidSource === 'match') state.lastPidSource = 'match';
    }
  }

  // --- CPU % between two polls of the same process ---------------------------
  if (input.updateCpu) {
    state.cpuPct = null;
    state.cpu = null;
    if (ours && ours.cpuTimeMs != null) {
      const p = prev.cpu;
      if (
        p &&
        p.pid === ours.pid &&
        p.startTimeMs === ours.startTimeMs &&
        now.monoMs > p.monoMs &&
        ours.cpuTimeMs >= p.cpuTimeMs
      ) {
        state.cpuPct = ((ours.cpuTimeMs - p.cpuTimeMs) / (now.monoMs - p.monoMs)) * 100;
      }
      state.cpu = {
        pid: ours.pid,
        startTimeMs: ours.startTimeMs,
        cpuTimeMs: ours.cpuTimeMs,
        monoMs: now.monoMs,
      };
    }
  } else if (!ours) {
    state.cpuPct = null;
  }

  // --- Status ----------------------------------------------------------------
  const ageMs = beat ? beatAgeMs(beat, now, clockSuspect) : null;
  const crashed = processAlive === false && state.failedChecks >= timing.retries;
  let status: DaemonStatus;
  let reason: string | null;
  if (crashed) {
    status = 'down';
    reason = REASONS.crashed;
  } else if (beat && ageMs != null) {
    // A run that ended (`ghost-hb run`, /ping/NAME/EXIT_CODE) names how it
    // ended: a failed one at once, a clean one once its beats are overdue.
    const exit = hb!.exit ?? null;
    if (exit && !exitOk(exit)) {
      status = 'down';
      reason = exitReason(exit);
    } else if (ageMs > (timing.interval + timing.grace) * 1000) {
      status = 'down';
      reason = exit ? exitReason(exit) : processAlive === true ? REASONS.hung : REASONS.stale;
    } else if (hb!.status === 'failing') {
      status = 'down';
      reason = REASONS.failing;
    } else if (ageMs > (timing.interval + timing.tolerance) * 1000) {
      status = 'late';
      reason = REASONS.overdue;
    } else if (hb!.status === 'degraded') {
      status = 'late';
      reason = REASONS.degraded;
    } else {
      status = 'up';
      reason = null;
    }
  } else if (processAlive === true) {
    // Pidfile or match only: a live process is all there is to go by.
    status = 'up';
    reason = null;
  } else if (evidence.fault) {
    status = 'unknown';
    reason = evidence.fault;
  } else if (processAlive === false) {
    // Gone, but fewer consecutive failed checks than `retries` so far.
    status = 'unknown';
    reason = `${REASONS.notRunning} (check ${state.failedChecks} of ${timing.retries})`;
  } else {
    status = 'unknown';
    reason = REASONS.neverSeen;
  }

  const source: HeartbeatSource = beat
    ? beat.source
    : evidence.pidSource === 'pidfile' || evidence.pidSource === 'match'
      ? evidence.pidSource
      : 'none';

  const snapshot: DaemonSnapshot = {
    name: escapeForDisplay(spec.name),
    status,
    reason: reason === null ? null : escapeForDisplay(reason),
    pid: evidence.pid,
    lastBeatAt: beat ? beat.at : null,
    ageMs: ageMs === null ? null : Math.round(ageMs),
    intervalSec: timing.interval,
    processAlive,
    uptimeSec:
      ours?.startTimeMs != null
        ? Math.max(0, Math.round((now.wallMs - ours.startTimeMs) / 1000))
        : evidence.pid == null
          ? (hb?.uptimeSec ?? null)
          : null,
    cpuPct: ours ? (state.cpuPct === null ? null : Math.round(state.cpuPct * 10) / 10) : null,
    memRssBytes: ours?.rssBytes ?? null,
    restarts: state.restarts,
    source,
    problems: problems.map(escapeForDisplay),
    skewMs:
      hb && beat?.source === 'json' && hb.mtimeMs != null ? Math.round(hb.tsMs - hb.mtimeMs) : null,
    critical: spec.critical,
    declared: spec.declared,
    graceSec: timing.grace,
    toleranceSec: timing.tolerance,
    heartbeatPath: beat?.path ?? evidence.pidfilePath,
    payload: beat?.payload ?? null,
    selfStatus: hb?.status ?? null,
    message: beat?.message ?? null,
    command: ours ? escapeForDisplay(ours.cmdline || ours.comm || '') || null : null,
    startedAt: ours?.startTimeMs != null ? new Date(ours.startTimeMs).toISOString() : null,
    seq: hb?.seq ?? null,
    clockSuspect,
  };
  return { snapshot, state };
}

export function summarize(daemons: readonly { status: DaemonStatus }[]): StatusSummary {
  const summary: StatusSummary = { up: 0, late: 0, down: 0, unknown: 0 };
  for (const d of daemons) summary[d.status]++;
  return summary;
}

/** A wall-clock step between two instants: wall delta minus monotonic delta, in ms. */
export function wallClockStepMs(prev: Instant, now: Instant): number {
  return now.wallMs - prev.wallMs - (now.monoMs - prev.monoMs);
}
