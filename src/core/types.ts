// The shared vocabulary of ghost-hb. Everything here is plain data: collectors
// produce observations, the pure core turns them into snapshots and events, and
// the UI, the headless watcher and the HTTP server only ever read these shapes.

import type { ProbeCheck, ProbeSnapshot } from './probe.js';
import type { RunExit } from './runs.js';
import type { ScheduleCheck, ScheduleSnapshot } from './schedule.js';
import type { UnitState } from './systemdUnit.js';

/** Status of one daemon as shown everywhere (table, JSON, metrics). */
export type DaemonStatus = 'up' | 'late' | 'down' | 'unknown';

/** What a daemon says about itself in a JSON heartbeat. */
export type SelfReportedStatus = 'ok' | 'degraded' | 'failing';

/** Where the liveness information for a daemon came from. */
export type HeartbeatSource = 'json' | 'touch' | 'pidfile' | 'match' | 'systemd' | 'probe' | 'none';

export type Severity = 'info' | 'warn' | 'error' | 'critical';

export const STATUSES: readonly DaemonStatus[] = ['up', 'late', 'down', 'unknown'];
export const SEVERITIES: readonly Severity[] = ['info', 'warn', 'error', 'critical'];

// ---------------------------------------------------------------------------
// Observations: what collectors hand to the core. No interpretation yet.
// ---------------------------------------------------------------------------

/** Kind of file found in the heartbeat directory, by extension. */
export type HeartbeatFileKind = 'json' | 'touch' | 'pidfile';

/** One file in the heartbeat directory, as read (lstat + bounded read). */
export interface HeartbeatFileObservation {
  /** Daemon name derived from the file name (raw; may hold control characters). */
  name: string;
  kind: HeartbeatFileKind;
  /** Absolute path of the file. */
  path: string;
  /** mtime in epoch ms, null when the file could not be stat'ed. */
  mtimeMs: number | null;
  size: number | null;
  /** Content, at most the read cap; null when not read (fault, touch file with no body). */
  content: string | null;
  /** True when the file was larger than the read cap and content is truncated. */
  truncated: boolean;
  /**
   * A problem that prevented reading the file: 'symlink', 'not a regular file',
   * 'unreadable: EACCES', 'binary content', ... Null when the file was read.
   */
  fault: string | null;
}

/** One scan of the heartbeat directory. */
export interface HeartbeatDirObservation {
  /** Absolute path. */
  dir: string;
  /** False when the directory is missing or unreadable; `error` says why. */
  ok: boolean;
  error: string | null;
  files: HeartbeatFileObservation[];
}

/**
 * Scheduler state of a process: `running` (on a CPU or runnable), `sleeping`
 * (waiting, the normal state of an idle daemon), `disk-sleep` (uninterruptible
 * I/O wait), `stopped` (SIGSTOP, a debugger: it cannot beat), `zombie` (exited,
 * not yet reaped), `idle` (a kernel thread), `gone` (no such process).
 */
export type ProcessState =
  'running' | 'sleeping' | 'disk-sleep' | 'stopped' | 'zombie' | 'idle' | 'gone';

/** One process, sampled from /proc (or systeminformation where /proc is absent). */
export interface ProcessSample {
  pid: number;
  alive: boolean;
  /** Scheduler state; null when the collector cannot tell. */
  state: ProcessState | null;
  /** Process start time in epoch ms (from boot time + starttime ticks). */
  startTimeMs: number | null;
  /** Total CPU time consumed (user + system) in ms, for CPU % between polls. */
  cpuTimeMs: number | null;
  /**
   * Monotonic ms at which `cpuTimeMs` was read. CPU % divides by the time
   * between two reads: on a loaded machine a read can come well after its
   * poll started, and the poll's start would count that wait as the
   * process's. Absent: the poll's own time.
   */
  sampledMonoMs?: number;
  rssBytes: number | null;
  /** Short command name (comm). */
  comm: string | null;
  /** Full command line, NUL separators replaced by spaces. */
  cmdline: string | null;
}

/** System-wide figures. */
export interface SystemSample {
  hostname: string;
  uptimeSec: number | null;
  load1: number | null;
  memUsedBytes: number | null;
  memTotalBytes: number | null;
  os: string | null;
  cpuCount: number | null;
}

// ---------------------------------------------------------------------------
// Parsed heartbeat
// ---------------------------------------------------------------------------

export interface PingResult {
  target: string;
  ms: number | null;
  ok: boolean;
}

/** A validated heartbeat, whatever file kind it came from. */
export interface Heartbeat {
  /** Time of the beat in epoch ms (from `ts`, or the file mtime for touch files). */
  tsMs: number;
  pid: number | null;
  intervalSec: number | null;
  status: SelfReportedStatus | null;
  seq: number | null;
  message: string | null;
  uptimeSec: number | null;
  ping: PingResult | null;
  /** The file's mtime, for skew detection. */
  mtimeMs: number | null;
  /** When the current (or last) run began (`ghost-hb run`, /ping/NAME/start), epoch ms. */
  startedAtMs?: number | null;
  /** How the last run ended (`ghost-hb run`'s final beat, /ping/NAME/EXIT_CODE). */
  exit?: RunExit | null;
  /** Unknown fields and `meta`, kept for display but never trusted. */
  extra: Record<string, unknown>;
}

// ---------------------------------------------------------------------------
// Configuration (resolved: every default applied, paths absolute)
// ---------------------------------------------------------------------------

export interface DaemonTiming {
  /** Expected seconds between beats. */
  interval: number;
  /** Seconds of lateness that still count as on time. */
  tolerance: number;
  /** Seconds past the interval before a late daemon is down. */
  grace: number;
  /** Consecutive failed process checks before a daemon is declared crashed. */
  retries: number;
}

export interface DaemonSpec extends DaemonTiming {
  name: string;
  /** pgrep -f style pattern used when the daemon publishes no pid. */
  match: string | null;
  critical: boolean;
  /** True when listed in config, false when discovered from files. */
  declared: boolean;
  /** The daemon may be pid 1 of ghost-hb's pid namespace (its init); otherwise pid 1 is not trusted. */
  allowPid1: boolean;
  /**
   * True when no grace was configured, so grace is 3 x the interval and follows
   * an interval that a JSON heartbeat announces for itself.
   */
  graceFromInterval: boolean;
  /** Checked by ghost-hb itself on every poll (`probe:` in the config). */
  probe?: ProbeCheck | null;
  /** A systemd unit whose state judges the daemon (`systemd:` in the config). */
  systemd?: string | null;
  /** A cron schedule the daemon runs on: judged by due runs, not an interval. */
  schedule?: ScheduleCheck | null;
}

// ---------------------------------------------------------------------------
// Snapshot: the `--json` contract (version 1). Extend, never break.
// ---------------------------------------------------------------------------

export interface SystemSnapshot {
  hostname: string;
  uptimeSec: number | null;
  load1: number | null;
  memUsedBytes: number | null;
  memTotalBytes: number | null;
}

export interface ClockSnapshot {
  synced: boolean | null;
  offsetMs: number | null;
  errorBoundMs: number | null;
  source: string | null;
  stratum: number | null;
  lastJumpAt: string | null;
  lastJumpMs: number | null;
  /**
   * Why the sync fields are null when that is normal, for displays: set to
   * "no clock source (install chrony or set clock.sntpServers)" when the host
   * has no clock-sync source at all (not a failure; `sources.clock` is then
   * absent). Null otherwise.
   */
  note?: string | null;
}

/**
 * The sync fields of a `ClockSnapshot` when there is no reading: no source has
 * answered yet, the last attempt failed, or a fleet screen where clocks are per
 * host. The jump fields and the note stay the caller's.
 */
export const NO_CLOCK_READING: Readonly<
  Pick<ClockSnapshot, 'synced' | 'offsetMs' | 'errorBoundMs' | 'source' | 'stratum'>
> = Object.freeze({
  synced: null,
  offsetMs: null,
  errorBoundMs: null,
  source: null,
  stratum: null,
});

export interface DaemonSnapshot {
  /** In a fleet screen, `HOST/NAME` (unique across hosts); otherwise the daemon's name. */
  name: string;
  /** The fleet host the daemon runs on; absent for a single host. */
  host?: string;
  status: DaemonStatus;
  reason: string | null;
  pid: number | null;
  lastBeatAt: string | null;
  ageMs: number | null;
  intervalSec: number;
  processAlive: boolean | null;
  /** Scheduler state of the pid's process (`stopped` for SIGSTOP); null without a pid or when unknown. */
  processState: ProcessState | null;
  uptimeSec: number | null;
  cpuPct: number | null;
  memRssBytes: number | null;
  restarts: number;
  source: HeartbeatSource;
  problems: string[];
  /** Heartbeat skew (beat ts vs file mtime) in ms; filled by the clock rules. */
  skewMs: number | null;
  // --- Additions beyond the v1 minimum (for the detail view and exporters). ---
  critical: boolean;
  declared: boolean;
  graceSec: number;
  toleranceSec: number;
  /** Absolute path of the file that decided the status, if any. */
  heartbeatPath: string | null;
  /** Last valid payload, sanitized (safe to print and log). */
  payload: Record<string, unknown> | null;
  selfStatus: SelfReportedStatus | null;
  message: string | null;
  command: string | null;
  startedAt: string | null;
  seq: number | null;
  /** True while a recent wall-clock jump makes age-based verdicts suspect. */
  clockSuspect: boolean;
  /** The last probe, for a daemon with `probe:` (absent otherwise). */
  probe?: ProbeSnapshot;
  /** The unit's state, for a daemon with `systemd:`; null while the systemd source fails. */
  systemd?: UnitState | null;
  /** Where a scheduled job stands, for a daemon with `schedule:`. */
  schedule?: ScheduleSnapshot;
  /** The last run, when the heartbeat records one (`ghost-hb run`, /ping/NAME/start, /ping/NAME/CODE). */
  lastRun?: RunSnapshot | null;
  /**
   * While a silence naming this daemon (or everything) is in force: when it
   * ends (ISO 8601). Its events are logged and shown but not sent. Absent otherwise.
   */
  silencedUntil?: string;
}

/** A run of a wrapped command or a job, as the snapshot shows it. */
export interface RunSnapshot {
  startedAt: string | null;
  /** Null while the run goes on. */
  endedAt: string | null;
  /** Exit code; null while running or when a signal ended it. */
  exitCode: number | null;
  signal: string | null;
  /** How long it ran (or has been running), ms. */
  durationMs: number | null;
  ok: boolean;
}

export interface StatusSummary {
  up: number;
  late: number;
  down: number;
  unknown: number;
}

/** The collectors behind a snapshot. */
export type SourceName = 'heartbeats' | 'processes' | 'system' | 'clock' | 'systemd';

/**
 * Collector health. `clock` is absent when the host has no clock-sync source
 * at all (a configuration, not a failure) and in the one-shot `status` when
 * no clock check ran.
 */
export interface SnapshotSources {
  heartbeats: boolean;
  processes: boolean;
  system: boolean;
  clock?: boolean;
  /** Present when the config names systemd units: false when systemctl failed or hung. */
  systemd?: boolean;
}

/** Why a source failed on the last poll, when it says (absent: nothing to say). */
export type SourceErrors = Partial<Record<SourceName, string>>;

/** Where the daemon list and the heartbeat directory come from. */
export interface SnapshotOrigin {
  /** The config file in use, or null for built-in defaults (no file found). */
  configFile: string | null;
  /** True when the daemon list is the built-in default (no `daemons:` in the config). */
  defaultDaemons: boolean;
}

export interface Snapshot {
  version: 1;
  at: string;
  heartbeatDir: string;
  origin: SnapshotOrigin;
  /** Null when the heartbeat directory is readable; otherwise why not. */
  heartbeatDirError: string | null;
  system: SystemSnapshot;
  clock: ClockSnapshot;
  daemons: DaemonSnapshot[];
  summary: StatusSummary;
  /** Collector health: true when the collector answered on this poll. */
  sources: SnapshotSources;
  /** Wall time the poll took, in ms. */
  pollMs: number;
  /** Why a source failed (`systemd: "systemctl timed out after 3000 ms"`); absent when none did. */
  sourceErrors?: SourceErrors;
  /** Whether the state directory takes writes (absent before the monitor's first write). */
  storage?: StorageStatus;
  /** How changes to the heartbeat directory are noticed (absent where nothing watches it). */
  watch?: WatchStatus;
}

/**
 * How the long-running monitor learns of new beats between its polls:
 * `inotify` (fs.watch, re-armed whenever the directory is replaced),
 * `polling` (the watch could not be set up: the directory is stat'ed every
 * liveness tick instead), or `off` (the directory is absent).
 */
export interface WatchStatus {
  mode: 'inotify' | 'polling' | 'off';
  /** Why not inotify ("ENOSPC: inotify watch limit reached"); null when it is. */
  problem: string | null;
}

/** The state directory's health as the monitor last found it. */
export interface StorageStatus {
  writable: boolean;
  /** Why not ("ENOSPC: no space left on device, write"); null when writable. */
  problem: string | null;
  /** Events waiting in memory to be written. */
  heldEvents: number;
  /** Events dropped because too many were waiting. */
  droppedEvents: number;
}

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

export interface HbEvent {
  /** Monotonically increasing per process run; unique within a log. */
  id: string;
  at: string;
  severity: Severity;
  rule: string;
  daemon?: string;
  message: string;
  data?: Record<string, unknown>;
}

/** What one poll produces for consumers (UI, watcher, server). */
export interface PollResult {
  snapshot: Snapshot;
  events: HbEvent[];
  /** Earlier events whose repeat count grew this poll (same id, replaced in place). */
  updates?: HbEvent[];
}

// ---------------------------------------------------------------------------
// Time: the core never reads a clock; callers pass one in.
// ---------------------------------------------------------------------------

export interface Instant {
  /** Wall-clock epoch ms. */
  wallMs: number;
  /** Monotonic ms (performance.now() or process.hrtime), for intervals and jump detection. */
  monoMs: number;
}
