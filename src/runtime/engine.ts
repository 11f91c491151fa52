// The heartbeat engine: one poll reads the heartbeat directory, probes the
// processes behind the daemons and asks the pure core for each daemon's status.
// Between polls, checkLiveness re-checks only the pids already known, so a
// crash shows within a second without re-reading the directory.
import { performance } from 'node:perf_hooks';
import { FsHeartbeatCollector, type HeartbeatCollector } from '../collectors/heartbeatDir.js';
import { defaultProcessCollector, type ProcessCollector } from '../collectors/processes.js';
import { HostSystemCollector, type SystemCollector } from '../collectors/system.js';
import { ProbeRunner, type ProbeScheduler } from '../collectors/probes.js';
import { SystemctlCollector, type SystemdCollector } from '../collectors/systemd.js';
import { applyChecks, hasChecks, runSnapshot } from '../core/checks.js';
import { cronClock, type CronClock } from '../core/schedule.js';
import type { UnitState } from '../core/systemdUnit.js';
import { resolveDaemonSpec, type Config } from '../config/schema.js';
import {
  classifyFileName,
  parseHeartbeatFile,
  type ParsedHeartbeatFile,
} from '../core/heartbeatFile.js';
import {
  effectiveTiming,
  gatherEvidence,
  initialDaemonState,
  judgeDaemon,
  summarize,
  wallClockStepMs,
  type DaemonFiles,
  type DaemonState,
  type DirOutage,
  type Evidence,
  daemonQuietForMs,
} from '../core/status.js';
import {
  NO_CLOCK_READING,
  type DaemonSnapshot,
  type DaemonSpec,
  type Heartbeat,
  type HeartbeatDirObservation,
  type HeartbeatFileObservation,
  type Instant,
  type PollResult,
  type ProcessSample,
  type Snapshot,
  type SnapshotSources,
  type SystemSample,
} from '../core/types.js';

export interface EngineDeps {
  heartbeats: HeartbeatCollector;
  processes: ProcessCollector;
  system: SystemCollector;
  /** Runs the config's `probe:` checks. */
  probes: ProbeScheduler;
  /** Reads the config's `systemd:` units. */
  systemd: SystemdCollector;
}

/** A poll waits for its probes at most this share of the poll interval; slower ones land in the next poll. */
const PROBE_WAIT_SHARE = 0.8;

/** What survives a restart of ghost-hb (persisted by the caller). */
export interface EngineStateJson {
  version: 1;
  daemons: Record<
    string,
    { lastPid: number | null; lastStartTimeMs: number | null; restarts: number }
  >;
}

interface ClockJump {
  atMonoMs: number;
  atWallMs: number;
  stepMs: number;
}

interface DaemonRuntime {
  spec: DaemonSpec;
  evidence: Evidence;
}

/** Remembered states of daemons absent from the current poll, at most. */
const MAX_CARRIED_STATES = 1000;

const UNKNOWN_SYSTEM: SystemSample = {
  hostname: 'unknown',
  uptimeSec: null,
  load1: null,
  memUsedBytes: null,
  memTotalBytes: null,
  os: null,
  cpuCount: null,
};

export class Engine {
  readonly config: Config;
  private readonly deps: EngineDeps;
  private states = new Map<string, DaemonState>();
  private runtime: DaemonRuntime[] = [];
  /** Each daemon's place in `runtime`, as the last full poll ordered it (checkBeats keeps the order). */
  private runtimeIndex = new Map<string, number>();
  private samples = new Map<number, ProcessSample>();
  private parsed = new WeakMap<HeartbeatFileObservation, ParsedHeartbeatFile>();
  /** Each daemon's files as the last full poll parsed them. */
  private files = new Map<string, DaemonFiles>();
  /** Specs of discovered daemons, kept between polls rather than rebuilt. */
  private discovered = new Map<string, DaemonSpec>();
  private lastInstant: Instant | null = null;
  private jump: ClockJump | null = null;
  /** Wall ms of the last poll that read the heartbeat directory. */
  private dirReadAtMs: number | null = null;
  /** Since when (wall ms) the heartbeat directory has been unreadable, while it is. */
  private dirLostAtMs: number | null = null;
  /** The heartbeat directory's last outage, once it is back (beats from before it get time). */
  private dirOutage: DirOutage | null = null;
  /** Mono ms until which no verdict can change while every process lives on (see daemonQuietForMs). */
  private quietUntilMono = -Infinity;
  /** Each daemon's own such deadline, by its place in `runtime`; quietUntilMono is the least. */
  private quietUntilByIndex: number[] = [];
  private judgedCount = 0;
  private system: SystemSample = UNKNOWN_SYSTEM;
  private dirError: string | null = null;
  private sources: SnapshotSources = { heartbeats: false, processes: false, system: false };
  private last: Snapshot | null = null;
  /** The checks' state between polls: first poll time, units, cron arithmetic. */
  private watchingSinceMs: number | null = null;
  private units = new Map<string, UnitState>();
  private systemdError: string | null = null;
  private readonly crons = new Map<string, CronClock>();

  constructor(config: Config, deps: Partial<EngineDeps> = {}) {
    this.config = config;
    this.deps = {
      heartbeats: deps.heartbeats ?? new FsHeartbeatCollector(),
      processes: deps.processes ?? defaultProcessCollector(),
      system: deps.system ?? new HostSystemCollector(),
      probes: deps.probes ?? new ProbeRunner(),
      systemd: deps.systemd ?? new SystemctlCollector(),
    };
  }

  /** The most recent snapshot (from poll or checkLiveness), or null before the first poll. */
  get lastSnapshot(): Snapshot | null {
    return this.last;
  }

  /** Daemon judgements made since start: what the liveness check and beats spare shows here. */
  get judgements(): number {
    return this.judgedCount;
  }

  /** One full poll: directory, processes, system figures, statuses. */
  async poll(now: Instant): Promise<Snapshot> {
    const t0 = performance.now();
    this.observeClock(now);
    this.watchingSinceMs ??= now.wallMs;
    const sources: SnapshotSources = { heartbeats: true, processes: true, system: true };
    // Probes and systemctl run while the directory is read.
    const probing = this.startProbes();
    const reading = this.readUnits();

    const byName = await this.readDirectory(now, sources);
    const runtime: DaemonRuntime[] = this.specsFor(byName).map((spec) => ({
      spec,
      evidence: gatherEvidence(
        spec,
        byName.get(spec.name) ?? {},
        this.stateOf(spec.name),
        now,
        null,
      ),
    }));

    const systemdOk = await reading;
    if (systemdOk !== null) sources.systemd = systemdOk;
    for (const r of runtime) this.pidFromUnit(r);
    await this.matchProcesses(runtime, byName, now, sources);
    const samples = await this.sampleProcesses(runtime, sources);

    try {
      this.system = await this.deps.system.sample();
    } catch {
      sources.system = false;
    }

    await probing;
    this.runtime = runtime;
    this.runtimeIndex = new Map(runtime.map((r, i) => [r.spec.name, i]));
    this.samples = samples;
    this.sources = sources;
    const daemons = this.judgeAll(now, true);
    return this.publish(now, daemons, performance.now() - t0);
  }

  /** The heartbeat directory's files, parsed, by daemon name (kept for beat checks). */
  private async readDirectory(
    now: Instant,
    sources: SnapshotSources,
  ): Promise<Map<string, DaemonFiles>> {
    let dir: HeartbeatDirObservation;
    try {
      dir = await this.deps.heartbeats.scan(this.config.heartbeatDir);
    } catch (err) {
      dir = { dir: this.config.heartbeatDir, ok: false, error: String(err), files: [] };
    }
    sources.heartbeats = dir.ok;
    this.noteDirOutage(dir.ok, now);
    this.dirError = dir.ok ? null : dir.error;

    const maxFutureMs =
      this.config.clock.skewThreshold * 1000 +
      (this.jumpActive(now) ? Math.abs(this.jump!.stepMs) : 0);
    const byName = new Map<string, DaemonFiles>();
    const parsedCache = new WeakMap<HeartbeatFileObservation, ParsedHeartbeatFile>();
    for (const obs of dir.files) {
      // The collector hands back the same observation object for an unchanged
      // file. A valid parse stays valid as time moves on (a timestamp only
      // leaves the future), so it is reused; faults are judged afresh.
      let parsed = this.parsed.get(obs);
      if (!parsed) {
        parsed = parseHeartbeatFile(obs, { nowMs: now.wallMs, maxFutureMs });
        if (parsed.fault === null) parsedCache.set(obs, parsed);
      } else parsedCache.set(obs, parsed);
      const files = byName.get(obs.name) ?? {};
      const slot = obs.kind;
      files[slot] = preferFile(files[slot], parsed);
      byName.set(obs.name, files);
    }
    this.parsed = parsedCache;
    this.files = byName;
    return byName;
  }

  /** pgrep -f, only for daemons whose files name no pid: their evidence gets the matches. */
  private async matchProcesses(
    runtime: DaemonRuntime[],
    byName: Map<string, DaemonFiles>,
    now: Instant,
    sources: SnapshotSources,
  ): Promise<void> {
    const needMatch = runtime.filter((r) => r.evidence.pid == null && r.spec.match != null);
    if (needMatch.length === 0) return;
    let matched = new Map<string, number[]>();
    try {
      matched = await this.deps.processes.findByPattern([
        ...new Set(needMatch.map((r) => r.spec.match!)),
      ]);
    } catch {
      sources.processes = false;
    }
    for (const r of needMatch) {
      r.evidence = gatherEvidence(
        r.spec,
        byName.get(r.spec.name) ?? {},
        this.stateOf(r.spec.name),
        now,
        matched.get(r.spec.match!) ?? (sources.processes ? [] : null),
      );
    }
  }

  /** The daemons' processes, each pid read once. */
  private async sampleProcesses(
    runtime: DaemonRuntime[],
    sources: SnapshotSources,
  ): Promise<Map<number, ProcessSample>> {
    const pids = [
      ...new Set(
        runtime
          .filter((r) => r.evidence.pid != null && !r.evidence.matchLost)
          .map((r) => r.evidence.pid!),
      ),
    ];
    try {
      return await this.deps.processes.sample(pids);
    } catch {
      // Without a process table, keep the last known samples rather than
      // declaring every daemon crashed.
      sources.processes = false;
      return this.samples;
    }
  }

  /**
   * Re-check only the pids already known (one small read each) and re-judge
   * every daemon from cached data, so beats turning late and processes dying
   * show between polls. Null when no daemon's status or reason changed.
   */
  async checkLiveness(now: Instant): Promise<Snapshot | null> {
    if (!this.last) return null;
    const t0 = performance.now();
    this.observeClock(now);
    const pids = [...this.samples.keys()];
    let live: Awaited<ReturnType<ProcessCollector['alive']>>;
    try {
      live = await this.deps.processes.alive(pids);
    } catch {
      return null;
    }
    let processGone = false;
    for (const pid of pids) {
      const prev = this.samples.get(pid)!;
      const l = live.get(pid);
      if (!l || !prev.alive) continue;
      const sameProcess =
        l.alive &&
        (l.startTimeMs === null ||
          prev.startTimeMs === null ||
          Math.abs(l.startTimeMs - prev.startTimeMs) <= 1000);
      if (!sameProcess) {
        this.samples.set(pid, { ...prev, alive: false });
        processGone = true;
      }
    }
    // Every process lives on and no beat can have turned late yet: judging
    // again would find the same verdicts (at 1,000 daemons, most of the cost).
    // Past some daemons' deadlines, judging those alone is enough while no
    // verdict moves.
    if (!processGone && (this.stillQuiet(now, []) || this.judgeDue(now, []))) return null;
    const before = this.last;
    const states = this.states;
    const daemons = this.judgeAll(now, false);
    const changed =
      daemons.length !== before.daemons.length ||
      daemons.some(
        (d, i) => d.status !== before.daemons[i]!.status || d.reason !== before.daemons[i]!.reason,
      );
    if (!changed) return null;
    if (agedWorse(before.daemons, daemons)) {
      // The beats judged here are as old as the last full read: a daemon that
      // beat since (unseen when no watch told us) is not late. Read them again.
      this.states = states;
      return this.poll(now);
    }
    return this.publish(now, daemons, performance.now() - t0);
  }

  /**
   * After entries of the heartbeat directory changed (`fileNames`; null when
   * unknown): a file that only moved its daemon's beat forward (same pid,
   * self-reported status, message and other fields as the beat before) is
   * noted without a full poll, and every daemon is re-judged from cached
   * data, as checkLiveness does. Anything else (a new daemon, a restart, a
   * fault, a file gone, a verdict that changes) is read by a full poll, whose
   * snapshot is returned. Null when no full poll was needed: the beats were
   * noted, and the last snapshot still says everything but their ages.
   */
  async checkBeats(now: Instant, fileNames: readonly string[] | null): Promise<Snapshot | null> {
    if (!this.last || fileNames === null) return this.poll(now);
    this.observeClock(now);
    // After a clock step, ages are judged in ways only a full poll sets up.
    if (this.jumpActive(now)) return this.poll(now);
    /** The noted daemons' files, by daemon name. */
    const noted = new Map<string, DaemonFiles>();
    for (const fileName of fileNames) {
      const cls = classifyFileName(fileName);
      // An atomic writer's temp file, a dotfile: not a daemon's file.
      if (!cls.daemon) continue;
      const at = this.runtimeIndex.get(cls.name);
      const r = at === undefined ? undefined : this.runtime[at];
      const files = r ? (noted.get(cls.name) ?? this.files.get(cls.name)) : undefined;
      const fresh = this.peekFile(fileName, now);
      // A pid from systemd or a process search is for the full poll to find again.
      const pidFromFiles = r?.evidence.pidSource !== 'match' && r?.evidence.pidSource !== 'systemd';
      const prev = files?.[cls.kind];
      if (!r || !files || !prev || !fresh || !pidFromFiles || !onlyBeatMoved(prev, fresh)) {
        return this.poll(now);
      }
      noted.set(cls.name, { ...files, [cls.kind]: fresh });
    }
    if (noted.size === 0) return null;
    const { states, runtime } = this;
    /** The noted daemons' places in `runtime`. */
    const notedAt: number[] = [];
    this.runtime = runtime.slice();
    for (const [name, files] of noted) {
      const at = this.runtimeIndex.get(name)!;
      const { spec } = runtime[at]!;
      this.runtime[at] = {
        spec,
        evidence: gatherEvidence(spec, files, this.stateOf(name), now, null),
      };
      notedAt.push(at);
    }
    if (this.stillQuiet(now, noted.keys()) || this.judgeDue(now, notedAt)) {
      // Up daemons' routine beats only push their deadlines back, and no other
      // verdict changed: the next judgement sees the noted beats.
      for (const [name, files] of noted) this.files.set(name, files);
      return null;
    }
    const daemons = this.judgeAll(now, false);
    const before = this.last.daemons;
    const changed =
      daemons.length !== before.length ||
      daemons.some((d, i) => d.status !== before[i]!.status || d.reason !== before[i]!.reason);
    if (changed) {
      // The full poll judges these files again, from the states it would have had.
      this.states = states;
      this.runtime = runtime;
      return this.poll(now);
    }
    for (const [name, files] of noted) this.files.set(name, files);
    return null;
  }

  /**
   * Whether judging again now would change no verdict: before the quiet
   * deadline of the last judgement, and every daemon in `names` up without a
   * problem (a routine beat of theirs only makes them fresher).
   */
  private stillQuiet(now: Instant, names: Iterable<string>): boolean {
    if (now.monoMs >= this.quietUntilMono || this.dirOutage || !this.last) return false;
    for (const name of names) {
      const d = this.last.daemons[this.runtimeIndex.get(name) ?? -1];
      if (d?.name !== name || d.status !== 'up' || d.reason !== null || d.problems.length > 0)
        return false;
    }
    return true;
  }

  /** One daemon file read and parsed now, as a poll would; null when it is gone (or unreadable here). */
  private peekFile(fileName: string, now: Instant): ParsedHeartbeatFile | null {
    const obs = this.deps.heartbeats.peek?.(this.config.heartbeatDir, fileName) ?? null;
    if (!obs) return null;
    const maxFutureMs = this.config.clock.skewThreshold * 1000;
    return parseHeartbeatFile(obs, { nowMs: now.wallMs, maxFutureMs });
  }

  /** Restart counts and last pids, for persistence across runs of ghost-hb. */
  exportState(): EngineStateJson {
    const daemons: EngineStateJson['daemons'] = {};
    for (const [name, s] of this.states) {
      daemons[name] = {
        lastPid: s.lastPid,
        lastStartTimeMs: s.lastStartTimeMs,
        restarts: s.restarts,
      };
    }
    return { version: 1, daemons };
  }

  /** Drop what is remembered about daemons that left for good (restart counts, last pids). */
  forget(names: readonly string[]): void {
    for (const name of names) this.states.delete(name);
  }

  /** Take back what exportState gave; unknown or malformed entries are skipped. */
  restoreState(saved: EngineStateJson): void {
    if (!saved || saved.version !== 1 || typeof saved.daemons !== 'object') return;
    for (const [name, d] of Object.entries(saved.daemons)) {
      if (!d || typeof d !== 'object') continue;
      const state = this.stateOf(name);
      const int = (v: unknown) =>
        typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;
      state.lastPid = int(d.lastPid);
      state.lastStartTimeMs =
        typeof d.lastStartTimeMs === 'number' && Number.isFinite(d.lastStartTimeMs)
          ? d.lastStartTimeMs
          : null;
      state.restarts = int(d.restarts) ?? 0;
      this.states.set(name, state);
    }
  }

  // -------------------------------------------------------------------------

  private stateOf(name: string): DaemonState {
    return this.states.get(name) ?? initialDaemonState();
  }

  /** Move remembered process start times by `ms` (the boot time was derived again after a clock step). */
  private shiftStartTimes(ms: number): void {
    const move = (t: number | null) => (t === null ? null : t + ms);
    for (const [pid, sample] of this.samples) {
      this.samples.set(pid, { ...sample, startTimeMs: move(sample.startTimeMs) });
    }
    for (const state of this.states.values()) {
      state.lastStartTimeMs = move(state.lastStartTimeMs);
      if (state.cpu) state.cpu = { ...state.cpu, startTimeMs: move(state.cpu.startTimeMs) };
    }
  }

  /** The outage spans from the last read that found the directory to the first that finds it again. */
  private noteDirOutage(readable: boolean, now: Instant): void {
    if (!readable) {
      this.dirLostAtMs ??= this.dirReadAtMs ?? now.wallMs;
      return;
    }
    if (this.dirLostAtMs !== null) {
      this.dirOutage = { lostAtMs: this.dirLostAtMs, backAtMs: now.wallMs };
      this.dirLostAtMs = null;
    }
    this.dirReadAtMs = now.wallMs;
  }

  private observeClock(now: Instant): void {
    if (this.lastInstant) {
      const step = wallClockStepMs(this.lastInstant, now);
      if (Math.abs(step) > this.config.clock.jumpThreshold * 1000) {
        this.jump = { atMonoMs: now.monoMs, atWallMs: now.wallMs, stepMs: Math.round(step) };
        // Process start times must move with the clock, or every daemon started
        // before a step back would look started after its last beat (recycled).
        const shift = this.deps.processes.rebase?.() ?? 0;
        if (shift !== 0) this.shiftStartTimes(shift);
      }
    }
    this.lastInstant = now;
  }

  private jumpActive(now: Instant, graceSec?: number): boolean {
    if (!this.jump) return false;
    const grace =
      graceSec ??
      Math.max(...this.config.daemons.map((d) => d.grace), 3 * this.config.defaults.interval);
    return now.monoMs - this.jump.atMonoMs <= grace * 1000;
  }

  /**
   * Start a probe for every daemon with `probe:` (one still running from an
   * earlier poll is left alone); resolves when they end or when the poll has
   * waited its share of the interval, whichever comes first.
   */
  private startProbes(): Promise<void> {
    const probed = this.config.daemons.filter((d) => d.probe);
    if (probed.length === 0) return Promise.resolve();
    this.deps.probes.retain(new Set(probed.map((d) => d.name)));
    const runs = probed.map((d) =>
      this.deps.probes.start(d.name, d.probe!.spec, {
        timeoutMs: d.probe!.timeoutMs,
        expectStatus: d.probe!.expectStatus,
      }),
    );
    const longest = Math.max(...probed.map((d) => d.probe!.timeoutMs));
    const waitMs = Math.min(longest + 100, this.config.pollInterval * 1000 * PROBE_WAIT_SHARE);
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    return Promise.race([Promise.all(runs).then(() => undefined), cap]).finally(() =>
      clearTimeout(timer),
    );
  }

  /** One `systemctl show` for every unit; null when no daemon names one, else whether it answered. */
  private async readUnits(): Promise<boolean | null> {
    const units = [...new Set(this.config.daemons.flatMap((d) => (d.systemd ? [d.systemd] : [])))];
    if (units.length === 0) return null;
    const shown = await this.deps.systemd.show(units);
    if (!shown.ok) {
      // The last known states are dropped rather than shown as current.
      this.units.clear();
      this.systemdError = shown.error;
      return false;
    }
    this.units = new Map(shown.units.map((u) => [u.unit, u]));
    this.systemdError = null;
    return true;
  }

  /** A unit's main process stands in for a pid the files do not name. */
  private pidFromUnit(r: DaemonRuntime): void {
    const unit = r.spec.systemd ? this.units.get(r.spec.systemd) : undefined;
    if (!unit || unit.mainPid === null || r.evidence.pid != null) return;
    r.evidence = { ...r.evidence, pid: unit.mainPid, pidSource: 'systemd', pidNotBeforeMs: null };
  }

  private withChecks(r: DaemonRuntime, snapshot: DaemonSnapshot, now: Instant): DaemonSnapshot {
    const hb = r.evidence.beat?.heartbeat ?? null;
    if (!hasChecks(r.spec)) {
      const run = runSnapshot(hb, now.wallMs);
      return run ? { ...snapshot, lastRun: run } : snapshot;
    }
    return applyChecks(
      snapshot,
      r.spec,
      hb,
      {
        probe: this.deps.probes.last(r.spec.name),
        unit: r.spec.systemd ? (this.units.get(r.spec.systemd) ?? null) : null,
        systemdError: this.systemdError,
        cron: this.cronOf(r.spec),
      },
      { nowMs: now.wallMs, watchingSinceMs: this.watchingSinceMs ?? now.wallMs },
    );
  }

  private cronOf(spec: DaemonSpec): CronClock | null {
    if (!spec.schedule) return null;
    let clock = this.crons.get(spec.name);
    if (!clock) {
      clock = cronClock(spec.schedule.expression, spec.schedule.timezone);
      this.crons.set(spec.name, clock);
    }
    return clock;
  }

  /** Declared daemons in config order, then daemons discovered from files, by name. */
  private specsFor(byName: Map<string, DaemonFiles>): DaemonSpec[] {
    const specs = [...this.config.daemons];
    if (this.config.discover) {
      const declared = new Set(specs.map((s) => s.name));
      const found = [...byName.keys()].filter((n) => !declared.has(n)).sort();
      const known = new Map<string, DaemonSpec>();
      for (const name of found) {
        const spec =
          this.discovered.get(name) ?? resolveDaemonSpec({ name }, this.config.defaults, false);
        known.set(name, spec);
        specs.push(spec);
      }
      this.discovered = known;
    }
    return specs;
  }

  private judgeAll(now: Instant, updateCpu: boolean): DaemonSnapshot[] {
    const next = new Map<string, DaemonState>();
    const out: DaemonSnapshot[] = [];
    for (const r of this.runtime) {
      const { snapshot, state } = this.judgeOne(r, now, updateCpu);
      next.set(r.spec.name, state);
      out.push(snapshot);
    }
    // Keep remembered state of daemons not shown this time (restored, or files
    // briefly gone) so restart counts survive; bounded, so a directory churning
    // through random names cannot grow it without end.
    let carried = 0;
    for (const [name, s] of this.states) {
      if (next.has(name) || carried >= MAX_CARRIED_STATES) continue;
      next.set(name, s);
      carried++;
    }
    this.states = next;
    this.quietUntilByIndex = out.map((d) => this.quietUntil(now, d));
    this.quietUntilMono = least(this.quietUntilByIndex);
    return out;
  }

  /** One daemon judged from its evidence, its process and its state after the last judgement. */
  private judgeOne(
    r: DaemonRuntime,
    now: Instant,
    updateCpu: boolean,
  ): { snapshot: DaemonSnapshot; state: DaemonState } {
    this.judgedCount++;
    const timing = effectiveTiming(r.spec, r.evidence.beat?.heartbeat.intervalSec ?? null);
    const sample =
      r.evidence.pid != null && !r.evidence.matchLost
        ? (this.samples.get(r.evidence.pid) ?? null)
        : null;
    const { snapshot, state } = judgeDaemon(
      {
        spec: r.spec,
        evidence: r.evidence,
        sample,
        now,
        clockSuspect: this.jumpActive(now, timing.grace),
        updateCpu,
        dirOutage: this.dirOutage,
      },
      this.stateOf(r.spec.name),
    );
    return { snapshot: this.withChecks(r, snapshot, now), state };
  }

  /** Until when (mono ms) the verdict `d` given now cannot change by time alone; none during a clock step. */
  private quietUntil(now: Instant, d: DaemonSnapshot): number {
    return this.jumpActive(now) ? -Infinity : now.monoMs + daemonQuietForMs(d);
  }

  /**
   * Judges again only the daemons past their own quiet deadline, and those at
   * `extra` (places in `runtime`): before its deadline a daemon's verdict
   * cannot have changed (see daemonQuietForMs), so with 1,000 daemons a liveness
   * check or a beat judges the few whose time came, not all. Returns whether
   * every verdict stayed as published, and then keeps the new judgements;
   * otherwise keeps nothing, for the caller's full judgement.
   */
  private judgeDue(now: Instant, extra: Iterable<number>): boolean {
    if (!this.last || this.dirOutage) return false;
    const before = this.last.daemons;
    const due = new Set(extra);
    this.quietUntilByIndex.forEach((until, i) => {
      if (now.monoMs >= until) due.add(i);
    });
    const kept: [number, DaemonSnapshot, DaemonState][] = [];
    for (const i of due) {
      const r = this.runtime[i];
      const was = before[i];
      // A snapshot's name is escaped for display: a name that needed it is judged in full.
      if (!r || was?.name !== r.spec.name) return false;
      const { snapshot, state } = this.judgeOne(r, now, false);
      if (snapshot.status !== was.status || snapshot.reason !== was.reason) return false;
      kept.push([i, snapshot, state]);
    }
    for (const [i, snapshot, state] of kept) {
      // States are kept by the daemon's own name, as judgeAll keeps them.
      this.states.set(this.runtime[i]!.spec.name, state);
      this.quietUntilByIndex[i] = this.quietUntil(now, snapshot);
    }
    this.quietUntilMono = least(this.quietUntilByIndex);
    return true;
  }

  private publish(now: Instant, daemons: DaemonSnapshot[], pollMs: number): Snapshot {
    const s = this.system;
    const snapshot: Snapshot = {
      version: 1,
      at: new Date(now.wallMs).toISOString(),
      heartbeatDir: this.config.heartbeatDir,
      origin: { configFile: this.config.configFile, defaultDaemons: this.config.defaultDaemons },
      heartbeatDirError: this.dirError,
      system: {
        hostname: s.hostname,
        uptimeSec: s.uptimeSec,
        load1: s.load1,
        memUsedBytes: s.memUsedBytes,
        memTotalBytes: s.memTotalBytes,
      },
      clock: {
        ...NO_CLOCK_READING,
        lastJumpAt: this.jump ? new Date(this.jump.atWallMs).toISOString() : null,
        lastJumpMs: this.jump ? this.jump.stepMs : null,
      },
      daemons,
      summary: summarize(daemons),
      sources: { ...this.sources },
      pollMs: Math.round(pollMs * 1000) / 1000,
      ...(this.systemdError ? { sourceErrors: { systemd: this.systemdError } } : {}),
    };
    this.last = snapshot;
    return snapshot;
  }
}

const RANK: Record<DaemonSnapshot['status'], number> = { up: 0, unknown: 1, late: 2, down: 3 };

/**
 * True when a daemon's verdict got worse for want of a beat (late, hung,
 * stale) rather than because its process died: a verdict only a fresh read
 * of the heartbeat directory may give.
 */
function agedWorse(before: readonly DaemonSnapshot[], after: readonly DaemonSnapshot[]): boolean {
  return after.some((d, i) => {
    const prev = before[i];
    if (!prev || prev.name !== d.name || d.ageMs === null || d.processAlive === false) return false;
    return RANK[d.status] > RANK[prev.status];
  });
}

/**
 * True when `next` is `prev` with only the beat moved on: its time, sequence
 * number and uptime. Anything else a daemon writes can change what is shown.
 */
function onlyBeatMoved(prev: ParsedHeartbeatFile, next: ParsedHeartbeatFile): boolean {
  if (prev.fault !== null || next.fault !== null || prev.pid !== next.pid) return false;
  if (prev.warnings.join('\n') !== next.warnings.join('\n')) return false;
  const a = prev.heartbeat;
  const b = next.heartbeat;
  if (a === null || b === null) return a === b;
  const rest = (h: Heartbeat) => {
    const { tsMs: _ts, seq: _seq, uptimeSec: _up, mtimeMs: _mtime, ...others } = h;
    return JSON.stringify(others);
  };
  return rest(a) === rest(b);
}

/** Two files of one kind (NAME.hb and NAME.heartbeat): a valid one beats a faulty one, then the fresher. */
function preferFile(
  a: ParsedHeartbeatFile | undefined,
  b: ParsedHeartbeatFile,
): ParsedHeartbeatFile {
  if (!a) return b;
  if (!a.fault !== !b.fault) return a.fault ? b : a;
  return (b.heartbeat?.tsMs ?? b.mtimeMs ?? 0) > (a.heartbeat?.tsMs ?? a.mtimeMs ?? 0) ? b : a;
}

/**
 * The engine as the poller's source (`src/runtime/poller.ts`), with no events:
 * the anomaly rules wrap the engine to add them.
 */
export function engineSource(engine: Engine): {
  poll(now: Instant): Promise<PollResult>;
  checkLiveness(now: Instant): Promise<PollResult | null>;
} {
  return {
    poll: async (now) => ({ snapshot: await engine.poll(now), events: [] }),
    checkLiveness: async (now) => {
      const snapshot = await engine.checkLiveness(now);
      return snapshot && { snapshot, events: [] };
    },
  };
}

/** The least of `values` (Infinity for none), without spreading a fleet's worth of arguments. */
function least(values: readonly number[]): number {
  let min = Infinity;
  for (const v of values) if (v < min) min = v;
  return min;
}
