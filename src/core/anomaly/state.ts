// Rule state carried from one evaluation to the next, and the "condition"
// mechanism that gives every rule the same coalescing behaviour: a rule that
// fires for a subject opens a condition holding the event it emitted; while the
// condition is open, repeats only raise that event's count (an update with the
// same id) until the condition clears. Everything here is plain JSON data so
// the monitor can persist it and reload it after a restart.
import type { DaemonStatus, HbEvent, Instant, Severity } from '../types.js';

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warn: 1, error: 2, critical: 3 };

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
  /** Status of the last `flapWindow` checks, oldest first. */
  history: DaemonStatus[];
  flapping: boolean;
  /** Last beat time seen (epoch ms) and its seq, for beat-gap statistics. */
  lastBeatMs: number | null;
  lastSeq: number | null;
  /** Recent gaps between beats in ms, oldest first. */
  gaps: number[];
  cpuHighPolls: number;
  lastRss: number | null;
  rssGrowthPolls: number;
}

export interface RuleState {
  version: 1;
  /** Next event id (decimal). Ids are unique within a log. */
  nextId: number;
  /** Open conditions, by `rule \0 subject`. */
  conditions: Record<string, Condition>;
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
    history: [],
    flapping: false,
    lastBeatMs: null,
    lastSeq: null,
    gaps: [],
    cpuHighPolls: 0,
    lastRss: null,
    rssGrowthPolls: 0,
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
    daemons[name] = { ...initialDaemonRuleState(), ...(d as Partial<DaemonRuleState>) };
  }
  return {
    version: 1,
    nextId: s.nextId,
    conditions: s.conditions as Record<string, Condition>,
    daemons,
    lastJumpAt: typeof s.lastJumpAt === 'string' ? s.lastJumpAt : null,
    bootMs: typeof s.bootMs === 'number' ? s.bootMs : null,
    runStartMonoMs: null,
  };
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

export function conditionKey(rule: string, subject: string | undefined): string {
  return `${rule}\u0000${subject ?? ''}`;
}

/**
 * One evaluation: collects new events and updates to open ones against a rule
 * state that it mutates (the caller hands in a copy it owns).
 */
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

  isOpen(rule: string, subject?: string): boolean {
    return conditionKey(rule, subject) in this.state.conditions;
  }

  get(rule: string, subject?: string): Condition | undefined {
    return this.state.conditions[conditionKey(rule, subject)];
  }

  /**
   * Fire a rule. Opens a condition with a new event, or, when one is open for
   * the same rule and subject, counts the repeat into it (a higher severity
   * re-opens it with a new event, so an escalation is never hidden).
   * `level` conditions do not count repeats: they are the same fact re-observed.
   */
  raise(input: RaiseInput): HbEvent | null {
    const subject = input.subject ?? input.daemon;
    const key = conditionKey(input.condition ?? input.rule, subject);
    const open = this.state.conditions[key];
    const kind = input.kind ?? 'level';
    if (open && SEVERITY_RANK[input.severity] <= SEVERITY_RANK[open.event.severity]) {
      if (kind === 'edge') this.bump(key);
      else this.state.conditions[key] = { ...open, lastMs: this.now.wallMs };
      return null;
    }
    const event: HbEvent = {
      id: String(this.state.nextId++),
      at: this.at,
      severity: input.severity,
      rule: input.rule,
      message: input.message,
    };
    if (input.daemon !== undefined) event.daemon = input.daemon;
    if (input.data) event.data = input.data;
    this.state.conditions[key] = { kind, event, lastMs: this.now.wallMs };
    this.events.push(event);
    return event;
  }

  /**
   * Count `times` more occurrences into the open condition under `key` (by
   * `rule`/`subject` or an explicit condition name). Conditions are replaced,
   * never mutated, so the caller's previous state stays intact.
   */
  bump(key: string, times = 1): void {
    const open = this.state.conditions[key];
    // A silently opened condition has no logged event to count into.
    if (!open || open.event.id === '') return;
    const prevCount = typeof open.event.data?.count === 'number' ? open.event.data.count : 1;
    const event: HbEvent = {
      ...open.event,
      data: { ...open.event.data, count: prevCount + times, lastAt: this.at },
    };
    this.state.conditions[key] = { ...open, event, lastMs: this.now.wallMs };
    const fresh = this.events.findIndex((e) => e.id === event.id);
    if (fresh >= 0) this.events[fresh] = event;
    else this.updates.set(event.id, event);
  }

  /**
   * Open a condition without announcing it: used while a daemon is flapping,
   * when the transition is folded into the flapping event instead.
   */
  openSilently(input: RaiseInput): void {
    const key = conditionKey(input.condition ?? input.rule, input.subject ?? input.daemon);
    if (key in this.state.conditions) return;
    const event: HbEvent = {
      id: '',
      at: this.at,
      severity: input.severity,
      rule: input.rule,
      message: input.message,
    };
    if (input.daemon !== undefined) event.daemon = input.daemon;
    if (input.data) event.data = input.data;
    this.state.conditions[key] = { kind: input.kind ?? 'level', event, lastMs: this.now.wallMs };
  }

  /**
   * Announce the conditions opened silently for `subject` (flapping has ended
   * and they still hold): each gets an id and becomes a new event.
   */
  publishSilent(subject: string): void {
    const suffix = `\u0000${subject}`;
    for (const [key, c] of Object.entries(this.state.conditions)) {
      if (c.event.id !== '' || !key.endsWith(suffix)) continue;
      const event: HbEvent = { ...c.event, id: String(this.state.nextId++), at: this.at };
      this.state.conditions[key] = { ...c, event };
      this.events.push(event);
    }
  }

  /** Close a condition; returns it when it was open. */
  clear(rule: string, subject?: string): Condition | undefined {
    const key = conditionKey(rule, subject);
    const open = this.state.conditions[key];
    if (open) delete this.state.conditions[key];
    return open;
  }

  /** An event that opens no condition (a one-off: recovery, "stopped flapping"). */
  emit(input: Omit<RaiseInput, 'kind' | 'subject'>): HbEvent {
    const event: HbEvent = {
      id: String(this.state.nextId++),
      at: this.at,
      severity: input.severity,
      rule: input.rule,
      message: input.message,
    };
    if (input.daemon !== undefined) event.daemon = input.daemon;
    if (input.data) event.data = input.data;
    this.events.push(event);
    return event;
  }

  /** Edge conditions close once nothing has repeated them for the quiet window. */
  expireEdges(): void {
    for (const [key, c] of Object.entries(this.state.conditions)) {
      if (c.kind === 'edge' && this.now.wallMs - c.lastMs > this.coalesceMs) {
        delete this.state.conditions[key];
      }
    }
  }
}
