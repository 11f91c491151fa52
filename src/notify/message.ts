// What a notification says, whatever channel carries it: the alerts of one
// group (opened, reminded or resolved conditions and one-off events) with the
// host, the daemon, what happened and why, since when, and for a recovery how
// long it was out. Pure: the text every channel shows is rendered here once.
import { formatDuration } from '../core/format.js';
import type { Severity } from '../core/types.js';
import { SEVERITY_RANK } from '../core/events/index.js';

export type AlertStatus = 'firing' | 'resolved';

/** One line of a notification. This is the documented webhook shape (README "Notifications"). */
export interface Alert {
  status: AlertStatus;
  /** True when this is a reminder of a condition still open (notify.repeatInterval). */
  reminder: boolean;
  severity: Severity;
  rule: string;
  /** The daemon concerned; null for host-wide problems (heartbeat directory, clock, reboot). */
  daemon: string | null;
  /** The event's own text. */
  message: string;
  /** Why (crashed, hung, no heartbeat for 40s, ...), when the rules know. */
  reason: string | null;
  /** When the condition began (ISO 8601). */
  since: string;
  /** For a resolved alert: how long the condition lasted, in ms. */
  durationMs: number | null;
  /** The id of the event in the event log. */
  eventId: string;
}

export interface NotifyMessage {
  version: 1;
  /** Idempotency key: a repeated delivery of the same message carries the same id. */
  id: string;
  host: string;
  /** firing when any alert fires, else resolved. */
  status: AlertStatus;
  createdAt: string;
  /** One-line summary (mail subject, ntfy title). */
  title: string;
  /** The alerts, firing first. */
  alerts: Alert[];
  /** True for `ghost-hb notify test`. */
  test?: boolean;
}

export function highestSeverity(alerts: readonly Alert[]): Severity {
  let best: Severity = 'info';
  for (const a of alerts) if (SEVERITY_RANK[a.severity] > SEVERITY_RANK[best]) best = a.severity;
  return best;
}

function subjectOf(a: Alert): string {
  return a.daemon ?? a.rule;
}

/** "[host] FIRING 3: relayCore, watchdog, executor" / "[host] RESOLVED: relayCore". */
export function titleFor(host: string, alerts: readonly Alert[], test = false): string {
  if (test) return `[${host}] ghost-hb test notification`;
  const firing = alerts.filter((a) => a.status === 'firing');
  const shown = firing.length > 0 ? firing : alerts;
  const label =
    firing.length > 0 ? (firing.every((a) => a.reminder) ? 'STILL FIRING' : 'FIRING') : 'RESOLVED';
  const names = [...new Set(shown.map(subjectOf))];
  const list =
    names.length > 4 ? `${names.slice(0, 4).join(', ')} +${names.length - 4}` : names.join(', ');
  const count = shown.length > 1 ? ` ${shown.length}` : '';
  if (shown.length === 1) return `[${host}] ${label}: ${shown[0]!.message}`;
  return `[${host}] ${label}${count}: ${list}`;
}

function ago(fromIso: string, nowMs: number): string {
  const ms = nowMs - Date.parse(fromIso);
  return Number.isFinite(ms) && ms >= 0 ? formatDuration(Math.round(ms / 1000)) : '?';
}

/** One alert as one plain line. */
export function alertLine(a: Alert, nowMs: number): string {
  const head =
    a.status === 'resolved'
      ? 'RESOLVED'
      : `${a.reminder ? 'STILL ' : ''}${a.severity.toUpperCase()}`;
  const reason = a.reason && !a.message.includes(a.reason) ? ` (${a.reason})` : '';
  const when =
    a.status === 'resolved'
      ? a.durationMs === null
        ? ` (since ${a.since})`
        : ` (out ${formatDuration(Math.round(a.durationMs / 1000))}, since ${a.since})`
      : ` (since ${a.since}, ${ago(a.since, nowMs)} ago)`;
  return `${head} ${subjectOf(a)}: ${a.message}${reason}${when}`;
}

/** The plain-text body (mail, ntfy, exec's readers, chat fallbacks). */
export function bodyText(m: NotifyMessage): string {
  const now = Date.parse(m.createdAt);
  const lines = m.test
    ? [`This is a test notification from ghost-hb on ${m.host}.`]
    : m.alerts.map((a) => alertLine(a, now));
  return `${lines.join('\n')}\n\nhost: ${m.host}\nsent: ${m.createdAt}\nid: ${m.id}\n`;
}

/** Firing alerts first, then by severity, then by subject. */
export function sortAlerts(alerts: Alert[]): Alert[] {
  return alerts.sort(
    (a, b) =>
      (a.status === b.status ? 0 : a.status === 'firing' ? -1 : 1) ||
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      subjectOf(a).localeCompare(subjectOf(b)),
  );
}
