// Probes as the config and the core see them: the target grammar
// (`http(s)://...`, `tcp:HOST:PORT`, `exec:COMMAND`) and the verdict a probe
// result gives a daemon. Pure; running probes is collectors/probes.ts's job.
import type { DaemonStatus } from './types.js';

export type ProbeSpec =
  | { kind: 'http'; url: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'exec'; command: string };

/** One probe's outcome. */
export interface ProbeResult {
  ok: boolean;
  /** Time from start to answer (or to the timeout), ms. */
  latencyMs: number;
  /** What was seen: `HTTP 200`, `connection refused`, `timed out after 2000 ms`, `exit 1`. */
  detail: string;
}

/** Parse `http(s)://...`, `tcp:HOST:PORT` or `exec:COMMAND`; a string says what is wrong. */
export function parseProbe(text: string): ProbeSpec | string {
  const t = text.trim();
  if (/^https?:\/\//i.test(t)) {
    try {
      const url = new URL(t);
      return { kind: 'http', url: url.href };
    } catch {
      return `probe "${t}" is not a valid URL`;
    }
  }
  const tcp = /^tcp:(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(t);
  if (tcp) {
    const port = Number(tcp[2]);
    if (port < 1 || port > 65535) return `probe "${t}": port must be 1-65535`;
    return { kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port };
  }
  if (t.startsWith('exec:') && t.slice(5).trim() !== '') {
    return { kind: 'exec', command: t.slice(5).trim() };
  }
  return `probe "${t}" must be http://..., https://..., tcp:HOST:PORT or exec:COMMAND`;
}

/** A short label for displays: the URL, `tcp:host:port` or `exec:command`. */
export function probeLabel(spec: ProbeSpec): string {
  switch (spec.kind) {
    case 'http':
      return spec.url;
    case 'tcp':
      return `tcp:${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`;
    case 'exec':
      return `exec:${spec.command}`;
  }
}

/** How a daemon with `probe:` is checked (resolved from its config entry). */
export interface ProbeCheck {
  spec: ProbeSpec;
  /** A probe is cut after this many ms and fails. */
  timeoutMs: number;
  /** HTTP status expected; null accepts any 2xx or 3xx. */
  expectStatus: number | null;
  /** A passing probe slower than this (ms) makes the daemon late. */
  slowMs: number;
}

/** The last probe of a daemon as the snapshot shows it (`probe` in the JSON). */
export interface ProbeSnapshot {
  target: string;
  /** Null before the first probe has answered. */
  ok: boolean | null;
  latencyMs: number | null;
  detail: string | null;
  /** When the last probe finished (ISO-8601), null before the first. */
  at: string | null;
  timeoutMs: number;
  slowMs: number;
}

export interface ProbeVerdict {
  status: DaemonStatus;
  reason: string | null;
}

/**
 * A daemon's status from its last probe: failed is down (the detail says how),
 * passing but slower than `slowMs` is late, otherwise up; no answer yet is unknown.
 */
export function judgeProbe(check: ProbeCheck, last: ProbeResult | null): ProbeVerdict {
  if (last === null) return { status: 'unknown', reason: 'not probed yet' };
  if (!last.ok) return { status: 'down', reason: `probe failed: ${last.detail}` };
  if (last.latencyMs > check.slowMs) {
    // The threshold, not the figure: a reason that changed every poll would be a new condition every poll.
    return { status: 'late', reason: `probe slow (over ${check.slowMs} ms)` };
  }
  return { status: 'up', reason: null };
}
