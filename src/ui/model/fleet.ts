// The fleet screen's header line: per host, its daemons' counts and its
// connection state ("connected", "reconnecting in 4s", "auth failed",
// "unreachable, retry in 12s", "incompatible version"). Pure: time is an argument.
import type { HostState, HostStateKind } from '../../agent/connection.js';
import type { HostStatus } from '../../agent/source.js';
import type { DaemonSnapshot, DaemonStatus } from '../../core/types.js';
import { STATUS_GLYPHS } from '../../core/format.js';

export interface HostBadge {
  name: string;
  /** Non-zero counts only, worst last: "3✔ 1✖". */
  counts: string;
  connection: string;
  tone: 'green' | 'yellow' | 'red';
}

const TONE: Record<HostStateKind, HostBadge['tone']> = {
  connected: 'green',
  connecting: 'yellow',
  reconnecting: 'yellow',
  'auth failed': 'red',
  unreachable: 'red',
  'incompatible version': 'red',
  'bad answer': 'red',
};

/** What the header says of a host's connection. */
export function connectionText(s: HostState, nowMs: number): string {
  const wait = s.retryAt === null ? null : Math.max(0, Math.ceil((s.retryAt - nowMs) / 1000));
  if (s.state === 'reconnecting')
    return wait === null ? 'reconnecting' : `reconnecting in ${wait}s`;
  if (s.state === 'connected' || s.state === 'connecting' || wait === null) return s.state;
  return `${s.state}, retry in ${wait}s`;
}

const ORDER: DaemonStatus[] = ['up', 'late', 'down', 'unknown'];

export function hostBadges(
  hosts: readonly HostStatus[],
  daemons: readonly DaemonSnapshot[],
  nowMs: number,
): HostBadge[] {
  const counts = new Map<string, Record<DaemonStatus, number>>();
  for (const d of daemons) {
    if (d.host === undefined) continue;
    let c = counts.get(d.host);
    if (!c) counts.set(d.host, (c = { up: 0, late: 0, down: 0, unknown: 0 }));
    c[d.status]++;
  }
  return hosts.map((h) => {
    const c = counts.get(h.name);
    const text = c
      ? ORDER.filter((s) => c[s] > 0)
          .map((s) => `${c[s]}${STATUS_GLYPHS[s]}`)
          .join(' ')
      : '';
    return {
      name: h.name,
      counts: text,
      connection: connectionText(h.state, nowMs),
      tone: TONE[h.state.state],
    };
  });
}

/**
 * Where the data comes from, in the few columns the compact status line has:
 * a fleet's host count (and how many are not connected), else the source's
 * label ("attached to agent pid 123"); null for a screen monitoring on its own.
 */
export function compactOrigin(
  origin: string | null,
  hosts: readonly Pick<HostBadge, 'tone'>[] | null,
): string | null {
  if (hosts) {
    const off = hosts.filter((h) => h.tone !== 'green').length;
    const count = `${hosts.length} host${hosts.length === 1 ? '' : 's'}`;
    return off > 0 ? `${count}, ${off} not connected` : count;
  }
  return origin;
}
