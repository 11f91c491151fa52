// The router: which events become notifications, to which channels, and when.
// Pure (time is passed in, no I/O): the notifier feeds it each evaluation and
// asks it for the groups that are due.
//
// - A condition the anomaly rules open (an outage, the heartbeat directory
//   gone, the clock unsynced, flapping) is announced once, reminded every
//   repeatInterval while it stays open, and announced as resolved when the
//   rules close it (with the recovery's own words and the outage length).
// - One-off events (a reboot, a restart, a clock jump) are announced once.
// - Everything arriving within groupWait of a group's first alert goes out as
//   one message per channel: eight daemons dying together is one message.
// - While a daemon flaps, the rules open its conditions silently and raise one
//   `flapping` condition: that is the one announcement.
// - A silenced event is not sent, and a condition silenced later is not reminded.
import { SEVERITY_RANK } from '../core/events/index.js';
import type { HbEvent, Severity } from '../core/types.js';
import type { Alert } from './message.js';

export interface RouteSpec {
  match: {
    severity?: Severity | undefined;
    daemon?: string | undefined;
    rule?: string | undefined;
  };
  channels: string[];
  groupWaitMs: number;
  repeatIntervalMs: number;
  continue: boolean;
}

/** What the router needs to know of an open condition (see runtime/monitor.ts OpenCondition). */
export interface OpenConditionView {
  key: string;
  kind: 'level' | 'edge';
  event: HbEvent;
}

/** A condition that was announced, remembered until it resolves (persisted across restarts). */
export interface NotifiedCondition {
  eventId: string;
  routes: number[];
  severity: Severity;
  rule: string;
  daemon: string | null;
  message: string;
  reason: string | null;
  since: string;
  lastSentMs: number;
}

/** Alerts waiting out their group's wait (persisted, so a kill -9 inside the wait loses none). */
export interface PendingGroup {
  route: number;
  dueMs: number;
  alerts: [key: string, alert: Alert][];
}

export interface RouterState {
  version: 1;
  notified: Record<string, NotifiedCondition>;
  pending?: PendingGroup[];
}

/** A group ready to send: one message per channel. */
export interface DueGroup {
  route: number;
  channels: string[];
  alerts: Alert[];
}

/** Whether something is silenced now: the event (or the condition's opening event). */
export type SilencedFn = (subject: { daemon: string | null; rule: string }) => boolean;

const RESOLVING_RULES = new Set(['recovered']);

/** A one-off event that reports the end of a condition rather than a new fact. */
function isResolution(e: HbEvent): boolean {
  return RESOLVING_RULES.has(e.rule) || e.data?.cleared === true || e.data?.stopped === true;
}

function reasonOf(e: HbEvent): string | null {
  const r = e.data?.reason;
  return typeof r === 'string' && r.length > 0 ? r : null;
}

export function routeMatches(
  r: RouteSpec,
  e: { severity: Severity; daemon: string | null; rule: string },
): boolean {
  const m = r.match;
  if (m.severity && SEVERITY_RANK[e.severity] < SEVERITY_RANK[m.severity]) return false;
  if (m.daemon && e.daemon !== m.daemon) return false;
  if (m.rule && e.rule !== m.rule) return false;
  return true;
}

export class Router {
  private state: RouterState;
  private readonly groups = new Map<number, { dueMs: number; alerts: Map<string, Alert> }>();
  private dirty = false;

  constructor(
    readonly routes: readonly RouteSpec[],
    state: RouterState | null = null,
  ) {
    this.state = { version: 1, notified: state?.notified ?? {} };
    for (const g of state?.pending ?? []) {
      if (g.route < routes.length)
        this.groups.set(g.route, { dueMs: g.dueMs, alerts: new Map(g.alerts) });
    }
  }

  /** The routes an event goes to: the first that matches, and on while `continue` is set. */
  routesFor(e: { severity: Severity; daemon: string | null; rule: string }): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.routes.length; i++) {
      const r = this.routes[i]!;
      if (!routeMatches(r, e)) continue;
      out.push(i);
      if (!r.continue) break;
    }
    return out;
  }

  /** Feed one evaluation: its new events and the conditions open after it. */
  ingest(
    events: readonly HbEvent[],
    open: readonly OpenConditionView[],
    nowMs: number,
    silenced: SilencedFn,
  ): void {
    const openById = new Map<string, OpenConditionView>();
    const openKeys = new Set<string>();
    for (const c of open) {
      openKeys.add(c.key);
      if (c.event.id !== '') openById.set(c.event.id, c);
    }
    const resolutions = events.filter(isResolution);
    // A daemon back from an outage has a new process: its recovery says so, a restart line would repeat it.
    const recovered = new Set(
      resolutions.filter((e) => e.rule === 'recovered').map((e) => e.daemon),
    );
    for (const e of events) {
      if (isResolution(e) || (e.rule === 'restarted' && recovered.has(e.daemon))) continue;
      this.announce(e, openById.get(e.id) ?? null, nowMs, silenced);
    }
    this.resolveClosed(openKeys, resolutions, nowMs);
    this.remind(open, nowMs, silenced);
  }

  private announce(
    e: HbEvent,
    cond: OpenConditionView | null,
    nowMs: number,
    silenced: SilencedFn,
  ): void {
    const daemon = e.daemon ?? null;
    const routes = this.routesFor({ severity: e.severity, daemon, rule: e.rule });
    if (routes.length === 0 || e.data?.silenced || silenced({ daemon, rule: e.rule })) return;
    const alert: Alert = {
      status: 'firing',
      reminder: false,
      severity: e.severity,
      rule: e.rule,
      daemon,
      message: e.message,
      reason: reasonOf(e),
      since: e.at,
      durationMs: null,
      eventId: e.id,
    };
    const key = cond?.key ?? `event:${e.id}`;
    for (const r of routes) this.enqueue(r, key, alert, nowMs);
    if (cond?.kind === 'level') {
      this.state.notified[key] = {
        eventId: e.id,
        routes,
        severity: e.severity,
        rule: e.rule,
        daemon,
        message: e.message,
        reason: alert.reason,
        since: e.at,
        lastSentMs: nowMs,
      };
      this.dirty = true;
    }
  }

  /** Announced conditions that are no longer open have resolved. */
  private resolveClosed(openKeys: Set<string>, resolutions: HbEvent[], nowMs: number): void {
    for (const [key, n] of Object.entries(this.state.notified)) {
      if (openKeys.has(key)) continue;
      delete this.state.notified[key];
      this.dirty = true;
      const why = resolutions.find((e) =>
        n.daemon !== null
          ? e.daemon === n.daemon && (e.rule === 'recovered' || e.rule === n.rule)
          : e.rule === n.rule,
      );
      const outage = why?.data?.outageMs;
      const sinceMs = Date.parse(n.since);
      const alert: Alert = {
        status: 'resolved',
        reminder: false,
        severity: n.severity,
        rule: n.rule,
        daemon: n.daemon,
        message: why?.message ?? `no longer: ${n.message}`,
        reason: n.reason,
        since: n.since,
        durationMs:
          typeof outage === 'number'
            ? outage
            : Number.isFinite(sinceMs)
              ? Math.max(0, nowMs - sinceMs)
              : null,
        eventId: why?.id ?? n.eventId,
      };
      for (const r of n.routes) if (r < this.routes.length) this.enqueue(r, key, alert, nowMs);
    }
  }

  /** Conditions still open past their route's repeatInterval are announced again. */
  private remind(open: readonly OpenConditionView[], nowMs: number, silenced: SilencedFn): void {
    for (const c of open) {
      const n = this.state.notified[c.key];
      if (!n) continue;
      const routes = n.routes.filter((r) => r < this.routes.length);
      const interval = Math.min(...routes.map((r) => this.routes[r]!.repeatIntervalMs));
      if (!(nowMs - n.lastSentMs >= interval)) continue;
      n.lastSentMs = nowMs;
      this.dirty = true;
      if (silenced({ daemon: n.daemon, rule: n.rule })) continue;
      const alert: Alert = {
        status: 'firing',
        reminder: true,
        severity: n.severity,
        rule: n.rule,
        daemon: n.daemon,
        message: n.message,
        reason: n.reason,
        since: n.since,
        durationMs: null,
        eventId: n.eventId,
      };
      for (const r of routes) this.enqueue(r, c.key, alert, nowMs);
    }
  }

  private enqueue(route: number, key: string, alert: Alert, nowMs: number): void {
    let g = this.groups.get(route);
    if (!g) {
      g = { dueMs: nowMs + this.routes[route]!.groupWaitMs, alerts: new Map() };
      this.groups.set(route, g);
    }
    // A condition opened and resolved within one group wait shows as resolved, with its length.
    g.alerts.set(key, alert);
    this.dirty = true;
  }

  /** Groups whose wait is over, removed from the router. */
  takeDue(nowMs: number): DueGroup[] {
    const out: DueGroup[] = [];
    for (const [route, g] of this.groups) {
      if (g.dueMs > nowMs) continue;
      this.groups.delete(route);
      this.dirty = true;
      out.push({ route, channels: this.routes[route]!.channels, alerts: [...g.alerts.values()] });
    }
    return out;
  }

  /** When the next group is due (wall ms), or null when none waits. */
  nextDueMs(): number | null {
    let next: number | null = null;
    for (const g of this.groups.values()) if (next === null || g.dueMs < next) next = g.dueMs;
    return next;
  }

  /** The state to persist when it changed since the last call, else null. */
  takeDirtyState(): RouterState | null {
    if (!this.dirty) return null;
    this.dirty = false;
    const pending = [...this.groups].map(([route, g]) => ({
      route,
      dueMs: g.dueMs,
      alerts: [...g.alerts],
    }));
    return { ...this.state, pending };
  }
}
