// The Monitor is what every long-running mode runs underneath (the interactive
// UI, `ghost-hb watch`, `ghost-hb serve`): the engine, the clock collector and
// the anomaly rules, with everything they conclude persisted in the state
// directory. It is a PollSource, so the Poller drives it.
//
// One poll: engine poll -> clock fields from the (background) clock collector
// -> anomaly rules -> events appended to the event log and the ring, status
// flips to the uptime log -> state saved atomically -> logs fdatasync'ed ->
// the result returned. The order means that once poll() has resolved, a
// `kill -9` loses nothing it logged.
import type { Config } from '../config/schema.js';
import { anomalySettings } from '../config/settings.js';
import {
  detectAnomalies,
  initialRuleState,
  reviveRuleState,
  type EvaluationKind,
  type RuleState,
} from '../core/anomaly/index.js';
import { EventRing, type EventBuffer } from '../core/events/index.js';
import { forgetGoneDaemons, seenFromJson, seenToJson } from '../core/retention.js';
import { formatDuration } from '../core/format.js';
import { sanitizeValue } from '../core/sanitize.js';
import { countedStatus, nextExpectation, type Expectation } from '../core/availability.js';
import type {
  DaemonSnapshot,
  HbEvent,
  Instant,
  PollResult,
  Snapshot,
  StorageStatus,
} from '../core/types.js';
import { ClockCollector, withClockAttempt } from '../collectors/clock/collector.js';
import { AuditLog } from '../store/audit.js';
import { Engine, type EngineDeps, type EngineStateJson } from './engine.js';
import { EventLog } from '../store/eventLog.js';
import { describeProblems, problemCount } from '../store/lines.js';
import { resolveStateDir, STATE_FILES } from '../store/paths.js';
import { MAX_EVENT_ID } from '../store/records.js';
import type { PollSource } from './poller.js';
import { loadState } from '../store/stateStore.js';
import {
  MAX_HELD_EVENTS,
  StateDirWriter,
  assertStateDirWritable,
  type StorageChange,
  type StorageHealth,
} from '../store/stateDirWriter.js';
import { UptimeLog, type Availability } from '../store/uptimeLog.js';
import { SilenceStore } from '../store/silences.js';

/** The parts of the engine the monitor uses (the real Engine, or a fake in tests). */
export interface MonitorEngine {
  poll(now: Instant): Promise<Snapshot>;
  checkLiveness?(now: Instant): Promise<Snapshot | null>;
  /** After the heartbeat directory changed: a full poll's snapshot, or null when only beats moved on. */
  checkBeats?(now: Instant, fileNames: readonly string[] | null): Promise<Snapshot | null>;
  exportState?(): unknown;
  restoreState?(state: EngineStateJson): void;
  /** Forget daemons that left for good. */
  forget?(names: readonly string[]): void;
}

/** The part of the clock collector the monitor uses. */
export interface MonitorClock {
  refresh(): void;
  current(): ReturnType<ClockCollector['current']>;
}

export interface MonitorOptions {
  config: Config;
  /** Overrides config.stateDir / $XDG_STATE_HOME. */
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
  /** A ready engine (tests, embedding); otherwise one is built from config and `collectors`. */
  engine?: MonitorEngine;
  /** Collectors for the engine built here (fakes in tests). */
  collectors?: Partial<EngineDeps>;
  clock?: MonitorClock;
  /** Wall clock for log housekeeping (retention, start/stop marks). */
  wallNow?: () => number;
  /** What is running the monitor, for the audit log ('watch', 'ui', 'serve'). */
  command?: string;
}

/** What the constructor is handed once open() has built or reloaded every part. */
interface MonitorParts {
  config: Config;
  stateDir: string;
  eventLog: EventLog;
  audit: AuditLog;
  uptime: UptimeLog;
  engine: MonitorEngine;
  clock: MonitorClock;
  ring: EventRing;
  rules: RuleState;
  wallNow: () => number;
  command: string;
}

/** A condition the anomaly rules hold open (an outage, a clock problem, ...), with the event that opened it. */
export interface OpenCondition {
  /** `subject/name`: stable while the condition stays open, across restarts. */
  key: string;
  kind: 'level' | 'edge';
  /** The opening event ('' id when opened silently, while its daemon flaps). */
  event: HbEvent;
}

/**
 * Something told of every evaluation (the notifier). Hooks run inside the
 * poll, so they must be quick and must not throw; errors are swallowed so a
 * broken outlet never stops monitoring.
 */
export interface EvaluationHook {
  /** The new events before they are logged: a hook may add fields to their `data` (a silence mark). */
  annotate?(events: HbEvent[], wallMs: number): void;
  /** After the poll's events are logged and the state saved. */
  evaluated?(result: PollResult, open: readonly OpenCondition[], wallMs: number): void;
  /** The monitor is closing. */
  close?(): Promise<void> | void;
}

export class Monitor implements PollSource {
  private readonly hooks = new Set<EvaluationHook>();
  private rules: RuleState;
  private closed = false;
  private lastSnapshot: Snapshot | null = null;
  /** Events raised while opening (a corrupt state file), logged and delivered with the first poll. */
  private pendingEvents: HbEvent[] = [];
  /** Events from raise(): already logged and in the ring, delivered with the next PollResult. */
  private raisedEvents: HbEvent[] = [];
  /** Per daemon: since when this run expects it, and whether it has worked (for availability). */
  private expected = new Map<string, Expectation>();

  readonly config: Config;
  readonly stateDir: string;
  readonly eventLog: EventLog;
  readonly audit: AuditLog;
  readonly uptime: UptimeLog;
  private readonly engine: MonitorEngine;
  private readonly clock: MonitorClock;
  private readonly ring: EventRing;
  private readonly wallNow: () => number;
  private readonly command: string;
  private readonly silences: SilenceStore;

  private constructor(parts: MonitorParts) {
    this.config = parts.config;
    this.stateDir = parts.stateDir;
    this.eventLog = parts.eventLog;
    this.audit = parts.audit;
    this.uptime = parts.uptime;
    this.engine = parts.engine;
    this.clock = parts.clock;
    this.ring = parts.ring;
    this.rules = parts.rules;
    this.wallNow = parts.wallNow;
    this.silences = new SilenceStore(parts.stateDir, parts.wallNow);
    this.command = parts.command;
    this.store = new StateDirWriter(parts.stateDir, parts.eventLog, parts.uptime, parts.audit);
    this.declared = new Set(parts.config.daemons.filter((d) => d.declared).map((d) => d.name));
  }

  /** Wall ms (minute resolution) each daemon was last in a snapshot, for forgetting those gone. */
  private seen = new Map<string, number>();
  private readonly declared: ReadonlySet<string>;

  /** Every write to the state directory after open goes through here (and never throws into a poll). */
  private readonly store: StateDirWriter;

  /**
   * Open the state directory, reload the persisted state and the newest events,
   * record the start in the audit log. A corrupt state file is moved aside and
   * reported as a warn event on the first poll.
   */
  static async open(opts: MonitorOptions): Promise<Monitor> {
    const { config } = opts;
    const wallNow = opts.wallNow ?? Date.now;
    const stateDir = opts.stateDir ?? resolveStateDir(config, opts.env);
    assertStateDirWritable(stateDir);
    const eventLog = new EventLog(stateDir, { ...config.events, now: wallNow });
    const audit = new AuditLog(stateDir, wallNow, config.events.rotateBytes, config.events.keep);
    const uptime = new UptimeLog(stateDir, wallNow());
    const engine = opts.engine ?? new Engine(config, opts.collectors);
    const clock = opts.clock ?? new ClockCollector(config.clock);
    const ring = new EventRing(config.events.max);
    for (const e of eventLog.tail(config.events.max)) ring.push(e);
    // Ids continue after the newest in the log, even if the state file lags it (kill -9).
    const firstId = eventLog.maxId() + 1;

    const loaded = loadState(stateDir, wallNow());
    let rules = initialRuleState(firstId);
    let seen = new Map<string, number>();
    if (loaded.kind === 'loaded') {
      rules = reviveRuleState(loaded.state.rules) ?? rules;
      // An id past the valid range (a hand-edited file) would stop ids being unique: continue from the log.
      if (rules.nextId > MAX_EVENT_ID) rules.nextId = firstId;
      rules.nextId = Math.max(rules.nextId, firstId);
      seen = seenFromJson(loaded.state.seen);
      if (loaded.state.engine && engine.restoreState) {
        engine.restoreState(loaded.state.engine as EngineStateJson);
      }
    }
    const monitor = new Monitor({
      config,
      stateDir,
      eventLog,
      audit,
      uptime,
      engine,
      clock,
      ring,
      rules,
      wallNow,
      command: opts.command ?? 'monitor',
    });
    monitor.seen = seen;
    if (loaded.kind === 'corrupt') {
      const event: HbEvent = {
        id: String(monitor.rules.nextId++),
        at: new Date(wallNow()).toISOString(),
        severity: 'warn',
        rule: 'state-corrupt',
        message: `state file was unreadable (${loaded.problem}); moved aside to ${loaded.movedTo} and started afresh`,
        data: { problem: loaded.problem, movedTo: loaded.movedTo },
      };
      monitor.pendingEvents.push(event);
      audit.record({ kind: 'state-corrupt', problem: loaded.problem, movedTo: loaded.movedTo });
    }
    for (const [file, problems] of [
      [STATE_FILES.events, eventLog.takeProblems()],
      [STATE_FILES.uptime, uptime.problems],
    ] as const) {
      if (problemCount(problems) === 0) continue;
      monitor.pendingEvents.push({
        id: String(monitor.rules.nextId++),
        at: new Date(wallNow()).toISOString(),
        severity: 'warn',
        rule: 'log-corrupt',
        message: describeProblems(file, problems),
        data: { file, invalid: problems.invalid, oversized: problems.oversized },
      });
    }
    uptime.markStart(wallNow());
    audit.recordStart({
      configFile: config.configFile,
      command: monitor.command,
      heartbeatDir: config.heartbeatDir,
      stateDir,
    });
    clock.refresh();
    return monitor;
  }

  /** One full poll (see the file comment for the order of steps). */
  async poll(now: Instant): Promise<PollResult> {
    this.clock.refresh();
    const snapshot = await this.engine.poll(now);
    return this.evaluate(snapshot, now, 'poll');
  }

  /** Cheap pid re-check between polls; a result only when a status changed. */
  async checkLiveness(now: Instant): Promise<PollResult | null> {
    if (!this.engine.checkLiveness) return null;
    const snapshot = await this.engine.checkLiveness(now);
    if (!snapshot) return null;
    return this.evaluate(snapshot, now, 'liveness');
  }

  /**
   * Entries of the heartbeat directory changed: a full poll when that may
   * change a verdict or anything shown; null (no poll, no frame) when the
   * files only carry the next beats of daemons judged from them already.
   */
  async checkBeats(now: Instant, fileNames: readonly string[] | null): Promise<PollResult | null> {
    if (!this.engine.checkBeats) return this.poll(now);
    const snapshot = await this.engine.checkBeats(now, fileNames);
    if (!snapshot) return null;
    this.clock.refresh();
    return this.evaluate(snapshot, now, 'poll');
  }

  /**
   * Raise an event from outside the anomaly rules (the dashboard pusher's
   * drops, ...): it gets the next event id and the time `now` (wall ms,
   * default the monitor's wall clock), is sanitized, appended to the event log
   * and the ring at once, and delivered to PollResult consumers (the UI, the
   * `--json` stream, the API's event stream, the dashboard push) with the next
   * poll's events, in the order raised. Returns the event as logged.
   */
  raise(input: Omit<HbEvent, 'id' | 'at'>, now: number = this.wallNow()): HbEvent {
    if (this.closed) throw new Error('monitor is closed');
    const event = sanitizeValue({
      ...input,
      id: String(this.rules.nextId++),
      at: new Date(now).toISOString(),
    }) as HbEvent;
    // A full disk must not lose the event for the screen and the stream: it is held and written later.
    this.store.hold([event]);
    this.store.appendNow(now);
    this.ring.push(event);
    this.raisedEvents.push(event);
    return event;
  }

  /** The newest events (at most `events.max`), oldest first, repeat counts applied. */
  recentEvents(): HbEvent[] {
    return this.ring.toArray();
  }

  /** The in-memory ring itself, read-only: the one event buffer of the process. */
  get events(): EventBuffer {
    return this.ring;
  }

  /** The snapshot of the last poll or liveness check, clock fields filled. */
  get latest(): Snapshot | null {
    return this.lastSnapshot;
  }

  /** Share of the last hour / day / week the daemon was up (or late); null without data. */
  availability(daemon: string): Availability {
    return this.uptime.summary(daemon, this.wallNow());
  }

  /** Tell `hook` of every evaluation from now on; returns the function that removes it. */
  addHook(hook: EvaluationHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  /** The conditions open now (the rule state's, flattened). */
  openConditions(): OpenCondition[] {
    const out: OpenCondition[] = [];
    for (const [subject, byName] of Object.entries(this.rules.conditions)) {
      for (const [name, c] of Object.entries(byName)) {
        out.push({ key: `${subject}/${name}`, kind: c.kind, event: c.event });
      }
    }
    return out;
  }

  /** Flush and close the logs and record the stop. Safe to call twice. */
  async close(reason = 'closed'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const hook of this.hooks) {
      try {
        await hook.close?.();
      } catch {
        // An outlet failing to close must not keep the logs open.
      }
    }
    // Best effort on a full or vanished state directory: closing never throws.
    this.store.closeAll(this.wallNow(), () =>
      this.audit.recordStop({ reason, command: this.command }),
    );
  }

  /** Daemons a silence covers carry its end, for every screen and client to show. */
  private markSilenced(daemons: DaemonSnapshot[]): DaemonSnapshot[] {
    // One stat of silences.json per poll; re-read only when it changed.
    if (this.silences.active().length === 0) return daemons;
    return daemons.map((d) => {
      const s = this.silences.coveringDaemon(d.name);
      return s ? { ...d, silencedUntil: s.endsAt } : d;
    });
  }

  /** Whether the state directory takes writes, and what is held until it does. */
  storageHealth(): StorageHealth {
    return this.store.health();
  }

  private evaluate(engineSnapshot: Snapshot, now: Instant, kind: EvaluationKind): PollResult {
    if (this.closed) throw new Error('monitor is closed');
    const snapshot = this.withClock(engineSnapshot);
    const result = detectAnomalies(this.rules, snapshot, anomalySettings(this.config), now, kind);
    this.rules = result.state;
    const forgot =
      kind === 'poll' && snapshot.heartbeatDirError === null && this.forgetGone(snapshot, now);
    // Sanitized once here, so the ring, the log, the UI and the API all hold the same safe copy.
    const clean = (e: HbEvent) => sanitizeValue(e) as HbEvent;
    const events = [...this.pendingEvents, ...result.events].map(clean);
    const updates = result.updates.map(clean);
    const raised = this.raisedEvents;
    this.pendingEvents = [];
    this.raisedEvents = [];
    this.runHooks((h) => h.annotate?.(events, now.wallMs));

    for (const e of events) this.ring.push(e);
    for (const e of updates) this.ring.update(e);
    const flipped = snapshot.heartbeatDirError === null && this.recordUptime(snapshot, now.wallMs);
    // Detection is done; persistence can only add a note about the disk, never take a result away.
    this.store.hold([...events, ...updates]);
    const change = this.store.write(
      {
        rules: this.rules,
        engine: this.engine.exportState?.() ?? null,
        seen: seenToJson(this.seen),
      },
      now.wallMs,
      forgot || flipped || events.length > 0 || updates.length > 0,
    );
    const storageEvents = change ? [this.storageEvent(change, now.wallMs)] : [];
    const withStorage: Snapshot = {
      ...snapshot,
      daemons: this.markSilenced(snapshot.daemons),
      storage: this.storageStatus(),
    };
    this.lastSnapshot = withStorage;
    // Raised events were logged when raised; they precede this poll's in id order.
    const pollResult = {
      snapshot: withStorage,
      events: [...raised, ...events, ...storageEvents],
      updates,
    };
    if (this.hooks.size > 0) {
      const open = this.openConditions();
      this.runHooks((h) => h.evaluated?.(pollResult, open, now.wallMs));
    }
    return pollResult;
  }

  /** Forget daemons neither declared nor seen for `forgetAfter` (and bound how many absent ones are kept). */
  private forgetGone(snapshot: Snapshot, now: Instant): boolean {
    // Minute resolution: last-seen times alone should not make state.json change every poll.
    const nowMs = Math.floor(now.wallMs / 60_000) * 60_000;
    const forgotten = forgetGoneDaemons(this.rules, this.seen, {
      present: snapshot.daemons.map((d) => d.name),
      declared: this.declared,
      nowMs,
      forgetAfterMs: this.config.forgetAfter * 1000,
    });
    for (const name of forgotten) this.uptime.forget(name);
    if (forgotten.length > 0) this.engine.forget?.(forgotten);
    return forgotten.length > 0;
  }

  private runHooks(fn: (hook: EvaluationHook) => void): void {
    for (const hook of this.hooks) {
      try {
        fn(hook);
      } catch {
        // Detection never depends on an outlet.
      }
    }
  }

  private storageStatus(): StorageStatus {
    const h = this.store.health();
    return {
      writable: h.writable,
      problem: h.problem,
      heldEvents: h.heldEvents,
      droppedEvents: h.droppedEvents,
    };
  }

  /** The one event for a change of the state directory's health; held, so it is logged once the disk allows. */
  private storageEvent(change: StorageChange, wallMs: number): HbEvent {
    const base = { id: String(this.rules.nextId++), at: new Date(wallMs).toISOString() };
    const event: HbEvent =
      change.kind === 'failed'
        ? {
            ...base,
            severity: 'error',
            rule: 'state-dir-unwritable',
            message: `state directory unwritable: ${change.problem} (${this.stateDir}); monitoring carries on, events are held and written when it can be`,
            data: { code: change.code, stateDir: this.stateDir },
          }
        : {
            ...base,
            severity: 'info',
            rule: 'state-dir-writable',
            message: `state directory writable again after ${formatDuration(change.downMs / 1000)}; ${change.written} held event${change.written === 1 ? '' : 's'} written${change.dropped ? `, ${change.dropped} dropped (more than ${MAX_HELD_EVENTS} held)` : ''}`,
            data: { written: change.written, dropped: change.dropped, downMs: change.downMs },
          };
    const clean = sanitizeValue(event) as HbEvent;
    this.ring.push(clean);
    this.store.hold([clean]);
    this.store.appendNow(wallMs);
    return clean;
  }

  /** Status flips to the uptime log, as availability counts them (core/availability.ts); true when one was written. */
  private recordUptime(snapshot: Snapshot, wallMs: number): boolean {
    const next = new Map<string, Expectation>();
    let flipped = false;
    for (const d of snapshot.daemons) {
      const e = nextExpectation(this.expected.get(d.name) ?? null, d.status, wallMs);
      next.set(d.name, e);
      const allowanceMs = (d.intervalSec + d.graceSec) * 1000;
      const counted = countedStatus(d.status, e, wallMs, allowanceMs);
      if (this.uptime.record(d.name, counted, wallMs)) flipped = true;
    }
    this.expected = next;
    return flipped;
  }

  /** Fill sync state and offset from the clock collector's last answer; the engine owns the jump fields. */
  private withClock(s: Snapshot): Snapshot {
    return withClockAttempt(s, this.clock.current());
  }
}
