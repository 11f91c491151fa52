// Rule state carried from one evaluation to the next, and the "condition"
// mechanism that gives every rule the same coalescing behaviour: a rule that
// fires for a subject opens a condition holding the event it emitted; while the
// condition is open, repeats only raise that event's count (an update with the
// same id) until the condition clears. Everything here is plain JSON data so
// the monitor can persist it and reload it after a restart.
import { isSeverity, SEVERITY_RANK } from '../events/severity.js';
import type { DaemonStatus, HbEvent, Instant, Severity } from '../types.js';

/** How a condition clears: `level` when its predicate turns false, `edge` after a quiet window. */
export type ConditionKind = 'level' | 'edge';

export interface Condition {
  kind: ConditionKind;
  /** The event that opened the condition; its `data.count` is raised by repeats. */
  event: HbEvent;
  /** Wall ms of the latest occurrence (edge conditions expire after a quiet window). */
  lastMs: number;
}

/** Per-daemon memory of the rules. */
export interface DaemonRuleState {
  /** Status seen on the previous evaluation, null before the first. */
  status: DaemonStatus | null;
  /** Set once the daemon has been anything but `unknown`. */
  everSeen: boolean;
  /** Wall ms the current outage began (status turned down), for the recovery's outage length. */
  downSinceMs: number | null;
  pid: number | null;
  restarts: number;
  /** Wall ms of recent restarts, pruned to the restart window. */
  restartTimes: number[];
  /** Status of the last `flapWindow` checks, oldest first, one letter each (u, l, d, ?). */
  history: string;
  /** Cadence slot (monotonic ms / poll interval) of the last flap check; null after a restart. */
  flapSlot: number | null;
  flapping: boolean;
  /** Last beat time seen (epoch ms) and its seq, for beat-gap statistics. */
  lastBeatMs: number | null;
  lastSeq: number | null;
  /** Recent gaps between beats in ms, oldest first, and their running sum and sum of squares. */
  gaps: number[];
  gapSum: number;
  gapSumSq: number;
  /** Checks since the status last changed (flap history with no change needs no arithmetic). */
  steadyChecks: number;
  cpuHighPolls: number;
  /** RSS on the last full poll after warm-up; null before it. */
  lastRss: number | null;
  /** Full polls in the current run of growth (equal readings neither extend nor break it). */
  rssGrowthPolls: number;
  /** RSS the current run of growth began at; null when there is no run. */
  rssRunStartBytes: number | null;
  /** Wall ms this process's RSS was first seen (the warm-up clock when its uptime is unknown). */
  rssSinceMs: number | null;
}

export interface RuleState {
  version: 1;
  /** Next event id (decimal). Ids are unique within a log. */
  nextId: number;
  /**
   * Open conditions by subject (a daemon name, 'clock', 'source:NAME', ...),
   * then by condition name. Grouped by subject so that the common case, a
   * daemon with nothing open, costs one lookup per evaluation.
   */
  conditions: Record<string, Record<string, Condition>>;
  daemons: Record<string, DaemonRuleState>;
  /** Last clock jump seen in `snapshot.clock.lastJumpAt`. */
  lastJumpAt: string | null;
  /** Host boot time (wall ms, from uptime) last reported as a reboot. */
  bootMs: number | null;
  /** This run only (monotonic time does not survive a restart): when evaluation began. */
  runStartMonoMs: number | null;
}

export function initialRuleState(nextId = 1): RuleState {
  return {
    version: 1,
    nextId,
    conditions: {},
    daemons: {},
    lastJumpAt: null,
    bootMs: null,
    runStartMonoMs: null,
  };
}

export function initialDaemonRuleState(): DaemonRuleState {
  return {
    status: null,
    everSeen: false,
    downSinceMs: null,
    pid: null,
    restarts: 0,
    restartTimes: [],
    history: '',
    flapSlot: null,
    flapping: false,
    lastBeatMs: null,
    lastSeq: null,
    gaps: [],
    gapSum: 0,
    gapSumSq: 0,
    steadyChecks: 0,
    cpuHighPolls: 0,
    lastRss: null,
    rssGrowthPolls: 0,
    rssRunStartBytes: null,
    rssSinceMs: null,
  };
}

/**
 * Accept a rule state reloaded from disk: anything that is not recognisably one
 * starts fresh, and the per-run fields are reset (monotonic time restarts with
 * the process).
 */
export function reviveRuleState(raw: unknown): RuleState | null {
  if (!raw || typeof raw !== 'object') return null;
  const s = raw as Partial<RuleState>;
  if (
    s.version !== 1 ||
    typeof s.nextId !== 'number' ||
    !Number.isSafeInteger(s.nextId) ||
    !s.conditions ||
    typeof s.conditions !== 'object' ||
    !s.daemons ||
    typeof s.daemons !== 'object'
  ) {
    return null;
  }
  const daemons: Record<string, DaemonRuleState> = {};
  for (const [name, d] of Object.entries(s.daemons)) {
    const revived = { ...initialDaemonRuleState(), ...(d as Partial<DaemonRuleState>) };
    if (typeof revived.history !== 'string') revived.history = '';
    if (!Array.isArray(revived.gaps)) revived.gaps = [];
    // The first beat seen by this run follows a gap that spans the monitor's
    // own downtime: it is not jitter, so there is no previous beat to measure from.
    revived.lastBeatMs = null;
    // Cadence slots count monotonic time, which restarts with the process.
    revived.flapSlot = null;
    revived.lastSeq = null;
    // Running sums are derived data: recomputed rather than trusted from disk.
    revived.gapSum = revived.gaps.reduce((a, g) => a + g, 0);
    revived.gapSumSq = revived.gaps.reduce((a, g) => a + g * g, 0);
    daemons[name] = revived;
  }
  return {
    version: 1,
    nextId: s.nextId,
    conditions: reviveConditions(s.conditions),
    daemons,
    lastJumpAt: typeof s.lastJumpAt === 'string' ? s.lastJumpAt : null,
    bootMs: typeof s.bootMs === 'number' ? s.bootMs : null,
    runStartMonoMs: null,
  };
}

/** Keep only well-formed conditions from disk: a bad entry must not break every later poll. */
function reviveConditions(raw: object): RuleState['conditions'] {
  const out: RuleState['conditions'] = {};
  for (const [subject, byName] of Object.entries(raw)) {
    if (!byName || typeof byName !== 'object') continue;
    for (const [name, c] of Object.entries(byName as Record<string, unknown>)) {
      const cond = c as Partial<Condition> | null;
      if (
        !cond ||
        (cond.kind !== 'level' && cond.kind !== 'edge') ||
        typeof cond.lastMs !== 'number' ||
        !cond.event ||
        typeof cond.event.id !== 'string' ||
        typeof cond.event.rule !== 'string' ||
        !isSeverity(cond.event.severity)
      ) {
        continue;
      }
      (out[subject] ??= {})[name] = cond as Condition;
    }
  }
  return out;
}

export interface RaiseInput {
  rule: string;
  /** Condition name when several rules share one (crashed / hung / down are one outage). */
  condition?: string;
  severity: Severity;
  message: string;
  daemon?: string;
  /** What the condition is about when it is not a daemon (a source name, 'clock', 'host'). */
  subject?: string;
  data?: Record<string, unknown>;
  kind?: ConditionKind;
}

/** One evaluation: collects new events and updates to open ones, updating the rule state in place. */
export class Evaluation {
  readonly events: HbEvent[] = [];
  /** Coalesced repeats: earlier events re-issued with a higher `data.count`. */
  readonly updates = new Map<string, HbEvent>();
  readonly at: string;

  constructor(
    readonly state: RuleState,
    readonly now: Instant,
    private readonly coalesceMs: number,
  ) {
    this.at = new Date(now.wallMs).toISOString();
  }

  isOpen(name: string, subject: string): boolean {
    const m = this.state.conditions[subject];
    return m !== undefined && name in m;
  }

  get(name: string, subject: string): Condition | undefined {
    return this.state.conditions[subject]?.[name];
  }

  /** The subject's condition map, created on first write. */
  private writable(subject: string): Record<string, Condition> {
    let current = this.state.conditions[subject];
    if (current === undefined) {
      current = {};
      this.state.conditions[subject] = current;
    }
    return current;
  }

  private set(subject: string, name: string, c: Condition): void {
    this.writable(subject)[name] = c;
  }

  private newEvent(input: RaiseInput, id: string): HbEvent {
    const event: HbEvent = {
      id,
      at: this.at,
      severity: input.severity,
      rule: input.rule,
      message: input.message,
    };
    if (input.daemon !== undefined) event.daemon = input.daemon;
    if (input.data) event.data = input.data;
    return event;
  }

  /**
   * Fire a rule. Opens a condition with a new event, or, when one is open for
   * the same rule and subject, counts the repeat into it (a higher severity
   * re-opens it with a new event, so an escalation is never hidden).
   * `level` conditions do not count repeats: they are the same fact re-observed.
   */
  raise(input: RaiseInput): HbEvent | null {
    const subject = input.subject ?? input.daemon ?? '';
    const name = input.condition ?? input.rule;
    const open = this.get(name, subject);
    const kind = input.kind ?? 'level';
    if (open && SEVERITY_RANK[input.severity] <= SEVERITY_RANK[open.event.severity]) {
      if (kind === 'edge') this.bump(name, subject, 1, input);
      return null;
    }
    const event = this.newEvent(input, String(this.state.nextId++));
    this.set(subject, name, { kind, event, lastMs: this.now.wallMs });
    this.events.push(event);
    return event;
  }

  /** Count `times` more occurrences into the open condition `name` of `subject`. */
  /**
   * Count `times` more occurrences into the open condition `name` of
   * `subject`. The event keeps its first message and data (its id and `at` are
   * the first occurrence's); `data.lastAt` and, when the repeat says something
   * new, `data.latestMessage` and `data.latest` carry the newest occurrence
   * (a restart's new pid), so every reader shows the repeat as it is now.
   */
  bump(name: string, subject: string, times = 1, latest?: RaiseInput): void {
    const open = this.get(name, subject);
    // A silently opened condition has no logged event to count into.
    if (!open || open.event.id === '') return;
    const prevCount = typeof open.event.data?.count === 'number' ? open.event.data.count : 1;
    const newest =
      latest && latest.message !== open.event.message
        ? { latestMessage: latest.message, latest: latest.data ?? null }
        : {};
    const event: HbEvent = {
      ...open.event,
      data: { ...open.event.data, count: prevCount + times, lastAt: this.at, ...newest },
    };
    this.set(subject, name, { ...open, event, lastMs: this.now.wallMs });
    const fresh = this.events.findIndex((e) => e.id === event.id);
    if (fresh >= 0) this.events[fresh] = event;
    else this.updates.set(event.id, event);
  }

  /**
   * Open a condition without announcing it: used while a daemon is flapping,
   * when the transition is folded into the flapping event instead.
   */
  openSilently(input: RaiseInput): void {
    const subject = input.subject ?? input.daemon ?? '';
    const name = input.condition ?? input.rule;
    if (this.isOpen(name, subject)) return;
    this.set(subject, name, {
      kind: input.kind ?? 'level',
      event: this.newEvent(input, ''),
      lastMs: this.now.wallMs,
    });
  }

  /**
   * Announce the conditions opened silently for `subject` (flapping has ended
   * and they still hold): each gets an id and becomes a new event.
   */
  publishSilent(subject: string): void {
    const m = this.state.conditions[subject];
    if (!m) return;
    for (const [name, c] of Object.entries(m)) {
      if (c.event.id !== '') continue;
      const event: HbEvent = { ...c.event, id: String(this.state.nextId++), at: this.at };
      this.set(subject, name, { ...c, event });
      this.events.push(event);
    }
  }

  /** Close a condition; returns it when it was open. */
  clear(name: string, subject: string): Condition | undefined {
    const m = this.state.conditions[subject];
    if (m === undefined || !(name in m)) return undefined;
    const open = m[name];
    const w = this.writable(subject);
    delete w[name];
    if (Object.keys(w).length === 0) delete this.state.conditions[subject];
    return open;
  }

  /** An event that opens no condition (a one-off: recovery, "stopped flapping"). */
  emit(input: Omit<RaiseInput, 'kind' | 'subject'>): HbEvent {
    const event = this.newEvent(input, String(this.state.nextId++));
    this.events.push(event);
    return event;
  }

  /** Edge conditions close once nothing has repeated them for the quiet window. */
  expireEdges(): void {
    for (const [subject, m] of Object.entries(this.state.conditions)) {
      for (const [name, c] of Object.entries(m)) {
        if (c.kind === 'edge' && this.now.wallMs - c.lastMs > this.coalesceMs) {
          this.clear(name, subject);
        }
      }
    }
  }
}
