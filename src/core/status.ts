// The status state machine, pure: given what the files say, what the process
// table says and the time (passed in), decide up/late/down/unknown and a reason
// for one daemon, and return the state to carry to the next poll. Nothing here
// reads a clock or the filesystem.
import { exitOk, exitReason, type RunExit } from './runs.js';
import { escapeControl, sanitizeString } from './sanitize.js';
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
  ProcessState,
  SelfReportedStatus,
  Snapshot,
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
  malformed: 'malformed',
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

export type PidSource = 'json' | 'pidfile' | 'match' | 'systemd';

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
  /** Newest mtime of a faulty heartbeat file (not a pidfile), or null. */
  faultMtimeMs: number | null;
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

/** Faults and warnings of this poll's files, redacted and escaped (a parser may quote content). */
function fileFaults(files: DaemonFiles): {
  fault: string | null;
  faultMtimeMs: number | null;
  problems: string[];
} {
  const problems: string[] = [];
  let fault: string | null = null;
  let faultMtimeMs: number | null = null;
  for (const f of [files.json, files.touch, files.pidfile]) {
    if (!f) continue;
    if (f.fault) {
      const shown = sanitizeString(f.fault);
      fault ??= shown;
      problems.push(shown);
      if (f.mtimeMs !== null && f.kind !== 'pidfile') {
        faultMtimeMs = Math.max(faultMtimeMs ?? -Infinity, f.mtimeMs);
      }
    }
    for (const w of f.warnings) problems.push(sanitizeString(w));
  }
  return { fault, faultMtimeMs, problems };
}

/** The beat that decides: this poll's freshest, or the last valid one carried over. */
function nextBeat(
  files: DaemonFiles,
  prev: DaemonState,
  now: Instant,
  fault: string | null,
  problems: string[],
): BeatRecord | null {
  const file = pickBeatFile(files);
  if (!file) {
    if (prev.beat && fault) {
      problems.push(
        `using the last valid beat from ${new Date(prev.beat.heartbeat.tsMs).toISOString()}`,
      );
    } else if (prev.beat && !files.json && !files.touch) {
      problems.push('heartbeat file is gone; using the last valid beat');
    }
    return prev.beat;
  }
  const hb = file.heartbeat!;
  const same =
    prev.beat != null &&
    prev.beat.heartbeat.tsMs === hb.tsMs &&
    prev.beat.path === file.path &&
    prev.beat.heartbeat.seq === hb.seq;
  if (same) return { ...prev.beat!, heartbeat: hb };
  return {
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
}

/**
 * pid 1 is the init of ghost-hb's own pid namespace (the host's init, or a
 * container's): a heartbeat naming it is a mistake or a lie unless the daemon
 * is declared with `allowPid1`, and trusting it would judge init's liveness.
 */
function trustedPid(spec: DaemonSpec, pid: number, problems: string[]): boolean {
  if (pid !== 1 || spec.allowPid1) return true;
  problems.push(
    'heartbeat names pid 1, the init of this pid namespace; ignored (set allowPid1 on the daemon if it really is pid 1)',
  );
  return false;
}

interface PidChoice {
  pid: number | null;
  pidSource: PidSource | null;
  pidNotBeforeMs: number | null;
  pidfilePath: string | null;
}

/** The pid from the beat, else the pidfile (the beat wins a disagreement). */
function pidFromFiles(
  spec: DaemonSpec,
  beat: BeatRecord | null,
  files: DaemonFiles,
  problems: string[],
): PidChoice {
  const none: PidChoice = { pid: null, pidSource: null, pidNotBeforeMs: null, pidfilePath: null };
  const pidfile = files.pidfile?.pid != null ? files.pidfile : null;
  const beatPid = beat?.source === 'json' ? beat.heartbeat.pid : null;
  if (beatPid != null) {
    if (!trustedPid(spec, beatPid, problems)) return none;
    if (pidfile && pidfile.pid !== beatPid) {
      problems.push(`pidfile says ${pidfile.pid}, heartbeat says ${beatPid}; using the heartbeat`);
    }
    return {
      pid: beatPid,
      pidSource: 'json',
      pidNotBeforeMs: beat!.heartbeat.tsMs,
      pidfilePath: null,
    };
  }
  if (!pidfile || !trustedPid(spec, pidfile.pid!, problems)) return none;
  // A daemon writes its pidfile after it starts: a process younger than the
  // pidfile's last write is someone else who got the recycled pid.
  return {
    pid: pidfile.pid,
    pidSource: 'pidfile',
    pidNotBeforeMs: pidfile.mtimeMs,
    pidfilePath: pidfile.path,
  };
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
  const { fault, faultMtimeMs, problems } = fileFaults(files);
  const beat = nextBeat(files, prev, now, fault, problems);
  const choice = pidFromFiles(spec, beat, files, problems);
  let { pid, pidSource } = choice;
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
      problems.push(`no process matches "${escapeControl(spec.match)}"`);
      if (prev.lastPidSource === 'match' && prev.lastPid != null) {
        pid = prev.lastPid;
        pidSource = 'match';
        matchLost = true;
      }
    }
  }
  return {
    beat,
    pid,
    pidSource,
    pidNotBeforeMs: choice.pidNotBeforeMs,
    matchLost,
    fault,
    faultMtimeMs,
    problems,
    pidfilePath: choice.pidfilePath,
  };
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
  /** The last time the heartbeat directory was gone, once it is back; null if it never was. */
  dirOutage?: DirOutage | null;
}

/** When the heartbeat directory went missing and when it came back (wall ms). */
export interface DirOutage {
  lostAtMs: number;
  backAtMs: number;
}

/**
 * The age a beat is judged by. No daemon can beat into a directory that is
 * gone, so for one interval plus grace after the directory returns, a beat
 * from before it is judged by the age it had when the directory went: a
 * daemon up then stays up while it gets the chance to write again, and one
 * already overdue stays overdue.
 */
export function judgedAgeMs(
  ageMs: number,
  beat: BeatRecord,
  timing: DaemonTiming,
  nowWallMs: number,
  outage: DirOutage | null,
): number {
  if (!outage || beat.heartbeat.tsMs >= outage.backAtMs) return ageMs;
  if (nowWallMs - outage.backAtMs > (timing.interval + timing.grace) * 1000) return ageMs;
  return Math.min(ageMs, Math.max(0, outage.lostAtMs - beat.heartbeat.tsMs));
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

/** Why a daemon is in its status: what `decideStatus` reads, computed up front. */
export interface StatusFacts {
  timing: DaemonTiming;
  /** The process is gone for `retries` consecutive checks. */
  crashed: boolean;
  /** Age of the deciding beat, null without one. */
  ageMs: number | null;
  /** Whether the pid's process runs; null without a pid. */
  processAlive: boolean | null;
  processState: ProcessState | null;
  /** What the daemon's last valid beat says about itself. */
  selfStatus: SelfReportedStatus | null;
  /** First fault among this poll's files, or null. */
  fault: string | null;
  /** True when a faulty heartbeat file was written since the last valid beat, within grace: the daemon is writing, but garbage. */
  writingGarbage: boolean;
  failedChecks: number;
  /** How the last run ended, when the beat records one (`ghost-hb run`, /ping/NAME/EXIT_CODE). */
  lastExit?: RunExit | null;
}

export interface Verdict {
  status: DaemonStatus;
  reason: string | null;
}

const verdict = (status: DaemonStatus, reason: string | null): Verdict => ({ status, reason });

/**
 * The status table, first match wins. Pure and total: every combination of
 * facts gives one verdict.
 */
export function decideStatus(f: StatusFacts): Verdict {
  const { interval, tolerance, grace, retries } = f.timing;
  const malformed = f.writingGarbage && f.fault ? `${REASONS.malformed}: ${f.fault}` : null;
  if (f.crashed) return verdict('down', REASONS.crashed);
  if (f.ageMs !== null) {
    const overdue = f.ageMs > (interval + tolerance) * 1000;
    // A run that ended names how: a failed one at once, a clean one once overdue.
    const exit = f.lastExit ?? null;
    if (exit && !exitOk(exit)) return verdict('down', exitReason(exit));
    if (f.ageMs > (interval + grace) * 1000) {
      if (malformed) return verdict('down', malformed);
      if (exit) return verdict('down', exitReason(exit));
      return verdict('down', f.processAlive === true ? REASONS.hung : REASONS.stale);
    }
    // A stopped process cannot beat: once its beat is overdue it is hung, not just late.
    if (overdue && f.processState === 'stopped') return verdict('down', REASONS.hung);
    if (f.selfStatus === 'failing') return verdict('down', REASONS.failing);
    if (overdue) return verdict('late', malformed ?? REASONS.overdue);
    if (f.selfStatus === 'degraded') return verdict('late', REASONS.degraded);
    return verdict('up', null);
  }
  // Pidfile or match only: a live process is all there is to go by.
  if (f.processAlive === true) return verdict('up', null);
  if (f.fault) return verdict('unknown', f.fault);
  if (f.processAlive === false) {
    // Gone, but fewer consecutive failed checks than `retries` so far.
    return verdict('unknown', `${REASONS.notRunning} (check ${f.failedChecks} of ${retries})`);
  }
  return verdict('unknown', REASONS.neverSeen);
}

/**
 * How long after the judgement that gave `d` its verdict cannot change by
 * time alone, while its process lives on: until an up daemon's beat turns
 * overdue, or an overdue one passes its grace. 0 when the verdict may move
 * with time in another way (down, unknown, degraded, or a problem such as a
 * faulty file still being written), so the caller judges again. Ages are
 * rounded to the ms, hence the 1 ms margin. A fleet's is the least of its
 * daemons' (the engine keeps one per daemon).
 */
export function daemonQuietForMs(d: DaemonSnapshot): number {
  if (d.problems.length > 0) return 0;
  let quiet: number;
  if (d.status === 'up' && d.reason === null) {
    if (d.ageMs === null) return Infinity;
    quiet = (d.intervalSec + d.toleranceSec) * 1000 - d.ageMs;
  } else if (d.status === 'late' && d.reason === REASONS.overdue && d.ageMs !== null) {
    quiet = (d.intervalSec + d.graceSec) * 1000 - d.ageMs;
  } else return 0;
  return Math.max(0, quiet - 1);
}

/** The process behind the pid: alive and ours, or recycled, or gone; restart and failure bookkeeping. */
function judgeProcess(
  input: JudgeInput,
  timing: DaemonTiming,
  prev: DaemonState,
  state: DaemonState,
  problems: string[],
): { processAlive: boolean | null; ours: ProcessSample | null } {
  const { evidence, sample, clockSuspect } = input;
  if (evidence.pid == null) return { processAlive: null, ours: null };
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
  if (!alive) {
    state.failedChecks = prev.failedChecks + 1;
    if (evidence.pidSource === 'match') state.lastPidSource = 'match';
    return { processAlive: false, ours: null };
  }
  const ours = sample!;
  if (ours.state === 'stopped') problems.push(`process ${pid} is stopped (SIGSTOP or a debugger)`);
  state.failedChecks = 0;
  const startChanged =
    prev.lastStartTimeMs != null &&
    ours.startTimeMs != null &&
    Math.abs(prev.lastStartTimeMs - ours.startTimeMs) > START_TIME_SLACK_MS;
  if (prev.lastPid != null && (prev.lastPid !== pid || startChanged)) {
    state.restarts = prev.restarts + 1;
  }
  state.lastPid = pid;
  state.lastStartTimeMs = ours.startTimeMs ?? prev.lastStartTimeMs;
  state.lastPidSource = evidence.pidSource;
  return { processAlive: true, ours };
}

/**
 * The shortest span CPU % is measured over. CPU time is counted in clock
 * ticks (10 ms): over 2 ms one tick more reads as 500 %, over 100 ms as 10
 * points (the one-shot `status` samples 150 ms apart, polls 5 s apart).
 */
const MIN_CPU_SPAN_MS = 100;

/** CPU % between two full polls of the same process. */
function measureCpu(
  ours: ProcessSample | null,
  now: Instant,
  updateCpu: boolean,
  prev: DaemonState,
  state: DaemonState,
): void {
  if (!updateCpu) {
    if (!ours) state.cpuPct = null;
    return;
  }
  state.cpuPct = null;
  state.cpu = null;
  if (!ours || ours.cpuTimeMs == null) return;
  const readAt = ours.sampledMonoMs ?? now.monoMs;
  const p = prev.cpu;
  if (
    p &&
    p.pid === ours.pid &&
    p.startTimeMs === ours.startTimeMs &&
    readAt > p.monoMs &&
    ours.cpuTimeMs >= p.cpuTimeMs
  ) {
    if (readAt - p.monoMs < MIN_CPU_SPAN_MS) {
      // An early poll: too short a span for clock ticks; keep the last figure
      // and measure the next one from the older read.
      state.cpuPct = prev.cpuPct;
      state.cpu = p;
      return;
    }
    state.cpuPct = ((ours.cpuTimeMs - p.cpuTimeMs) / (readAt - p.monoMs)) * 100;
  }
  state.cpu = {
    pid: ours.pid,
    startTimeMs: ours.startTimeMs,
    cpuTimeMs: ours.cpuTimeMs,
    monoMs: readAt,
  };
}

/** True when a faulty file was written after the last valid beat and within the daemon's grace. */
function isWritingGarbage(evidence: Evidence, timing: DaemonTiming, now: Instant): boolean {
  const written = evidence.faultMtimeMs;
  if (evidence.fault === null || written === null) return false;
  if (evidence.beat && written <= evidence.beat.heartbeat.tsMs) return false;
  return now.wallMs - written <= (timing.interval + timing.grace) * 1000;
}

/** Decide one daemon's status. Pure: returns the next state instead of changing `prev`. */
export function judgeDaemon(input: JudgeInput, prev: DaemonState): Judgement {
  const { spec, evidence, now, clockSuspect } = input;
  const beat = evidence.beat;
  const hb = beat?.heartbeat ?? null;
  const timing = effectiveTiming(spec, hb?.intervalSec ?? null);
  const problems = [...evidence.problems];
  const state: DaemonState = { ...prev, beat };
  const { processAlive, ours } = judgeProcess(input, timing, prev, state, problems);
  measureCpu(ours, now, input.updateCpu, prev, state);
  const ageMs = beat ? beatAgeMs(beat, now, clockSuspect) : null;
  const { status, reason } = decideStatus({
    timing,
    crashed: processAlive === false && state.failedChecks >= timing.retries,
    ageMs:
      beat && ageMs !== null
        ? judgedAgeMs(ageMs, beat, timing, now.wallMs, input.dirOutage ?? null)
        : ageMs,
    processAlive,
    processState: ours?.state ?? null,
    selfStatus: hb?.status ?? null,
    fault: evidence.fault,
    writingGarbage: isWritingGarbage(evidence, timing, now),
    failedChecks: state.failedChecks,
    lastExit: hb?.exit ?? null,
  });
  const snapshot = daemonSnapshot(
    input,
    timing,
    { status, reason, ageMs, processAlive, ours, problems },
    state,
  );
  return { snapshot, state };
}

interface Judged extends Verdict {
  ageMs: number | null;
  processAlive: boolean | null;
  ours: ProcessSample | null;
  problems: string[];
}

/** The snapshot row (the `--json` contract) for one judged daemon; every string escaped for display. */
function daemonSnapshot(
  input: JudgeInput,
  timing: DaemonTiming,
  j: Judged,
  state: DaemonState,
): DaemonSnapshot {
  const { spec, evidence, now, clockSuspect } = input;
  const beat = evidence.beat;
  const hb = beat?.heartbeat ?? null;
  const ours = j.ours;
  const source: HeartbeatSource = beat
    ? beat.source
    : evidence.pidSource === 'pidfile' || evidence.pidSource === 'match'
      ? evidence.pidSource
      : 'none';
  return {
    name: escapeControl(spec.name),
    status: j.status,
    reason: j.reason === null ? null : escapeControl(j.reason),
    pid: evidence.pid,
    lastBeatAt: beat ? beat.at : null,
    ageMs: j.ageMs === null ? null : Math.round(j.ageMs),
    intervalSec: timing.interval,
    processAlive: j.processAlive,
    processState:
      j.processAlive === false ? (input.sample?.state ?? 'gone') : (ours?.state ?? null),
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
    problems: j.problems.map(escapeControl),
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
    command: ours ? escapeControl(ours.cmdline || ours.comm || '') || null : null,
    startedAt: ours?.startTimeMs != null ? new Date(ours.startTimeMs).toISOString() : null,
    seq: hb?.seq ?? null,
    clockSuspect,
  };
}

export function summarize(daemons: readonly { status: DaemonStatus }[]): StatusSummary {
  const summary: StatusSummary = { up: 0, late: 0, down: 0, unknown: 0 };
  for (const d of daemons) summary[d.status]++;
  return summary;
}

/**
 * What a reader must see at once about a snapshot: each daemon's status and
 * what explains it (reason, pid, restarts, a silence), not its ages. Equal
 * signatures: only fresher figures changed (the event stream and the fleet
 * screen may then wait for their next regular update).
 */
export function statusSignature(s: Pick<Snapshot, 'daemons' | 'heartbeatDirError'>): string {
  const rows = s.daemons.map((d) =>
    [d.name, d.status, d.reason, d.pid, d.restarts, d.silencedUntil ?? ''].join('\u0000'),
  );
  return `${s.heartbeatDirError ?? ''}\u0001${rows.join('\u0001')}`;
}

/** A wall-clock step between two instants: wall delta minus monotonic delta, in ms. */
export function wallClockStepMs(prev: Instant, now: Instant): number {
  return now.wallMs - prev.wallMs - (now.monoMs - prev.monoMs);
}
