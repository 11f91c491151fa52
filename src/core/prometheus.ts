// A fleet as a Prometheus server knows it: the answers of its HTTP API
// (/api/v1/query, /api/v1/alerts) checked and turned into one snapshot per
// scraped ghost-hb (`instance`), in the shape every screen reads, and firing
// alerts into events. Pure: the caller fetches, passes the answers and the
// evaluation time in. Everything in an answer is remote input: shapes are
// checked, label values escaped and bounded, numbers that are not finite
// dropped; nothing here throws on a bad answer.
import { z } from 'zod';
import { sanitizeString } from './sanitize.js';
import { summarize } from './status.js';
import type {
  DaemonSnapshot,
  DaemonStatus,
  HbEvent,
  Severity,
  Snapshot,
  SnapshotSources,
} from './types.js';

/** The series of one poll, as instant queries (PromQL). Names and labels: src/server/metrics.ts. */
export const PROM_QUERIES = {
  /** Fresh values of every series the screen shows; one query keeps each series' name. */
  series:
    '{__name__=~"ghosthb_daemon_(status|last_beat_timestamp_seconds|restarts_total|cpu_ratio|memory_rss_bytes|flapping|down_reason)|ghosthb_clock_(offset_seconds|synced)|ghosthb_last_poll_timestamp_seconds"}',
  /** The last status each daemon had in the past hour: the rows of a host that no longer answers. */
  lastStatus: 'last_over_time(ghosthb_daemon_status[1h]) == 1',
  /** Scrape health of every target of the jobs that scrape ghost-hb, down ones included. */
  up: 'up and on (job) last_over_time(ghosthb_build_info[1h])',
} as const;

export const UNREACHABLE_REASON = 'host unreachable';

const LABEL_MAX = 128;

/** One sample of an instant vector: its labels (escaped, bounded) and value. */
export interface PromSample {
  labels: Record<string, string>;
  value: number;
}

export type PromResult<T> = { ok: true; value: T } | { ok: false; error: string };

const sampleValue = z.tuple([z.number(), z.string()]);
const vectorAnswer = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('vector'),
    result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sampleValue })),
  }),
});
const errorAnswer = z.object({
  status: z.literal('error'),
  errorType: z.string().optional(),
  error: z.string(),
});

/** Prometheus writes special floats as strings: "NaN", "+Inf", "-Inf". */
function parseFloatText(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return s.trim() === '' ? NaN : Number(s);
}

function cleanLabels(metric: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metric)) {
    out[sanitizeString(k, LABEL_MAX)] = sanitizeString(v, LABEL_MAX);
  }
  return out;
}

/** Prometheus's own error answer ("bad_data: parse error ..."), or why the answer is not one. */
function answerError(body: unknown, what: string): string {
  const e = errorAnswer.safeParse(body);
  if (e.success) {
    const type = e.data.errorType ? `${sanitizeString(e.data.errorType, 64)}: ` : '';
    return `Prometheus refused the query: ${type}${sanitizeString(e.data.error, 300)}`;
  }
  return `not a Prometheus ${what} answer`;
}

/** An /api/v1/query answer holding an instant vector. */
export function parseVector(body: unknown): PromResult<PromSample[]> {
  const r = vectorAnswer.safeParse(body);
  if (!r.success) return { ok: false, error: answerError(body, 'instant-vector') };
  return {
    ok: true,
    value: r.data.data.result.map((s) => ({
      labels: cleanLabels(s.metric),
      value: parseFloatText(s.value[1]),
    })),
  };
}

/** One alert of /api/v1/alerts. */
export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  /** Epoch ms the alert became active, or null. */
  activeAtMs: number | null;
}

const alertsAnswer = z.object({
  status: z.literal('success'),
  data: z.object({
    alerts: z.array(
      z.object({
        labels: z.record(z.string(), z.string()),
        annotations: z.record(z.string(), z.string()).optional(),
        state: z.string(),
        activeAt: z.string().optional(),
      }),
    ),
  }),
});

/** An /api/v1/alerts answer. */
export function parseAlerts(body: unknown): PromResult<PromAlert[]> {
  const r = alertsAnswer.safeParse(body);
  if (!r.success) return { ok: false, error: answerError(body, 'alerts') };
  return {
    ok: true,
    value: r.data.data.alerts.map((a) => {
      const at = a.activeAt ? Date.parse(a.activeAt) : NaN;
      return {
        labels: cleanLabels(a.labels),
        annotations: cleanLabels(a.annotations ?? {}),
        state: sanitizeString(a.state, 16),
        activeAtMs: Number.isFinite(at) ? at : null,
      };
    }),
  };
}

/** One scraped ghost-hb, as a snapshot. */
export interface PromHost {
  /** The `instance` label: the host's address as Prometheus scrapes it. */
  instance: string;
  job: string | null;
  /** Whether the last scrape succeeded (`up`); null when Prometheus has no `up` for it. */
  reachable: boolean | null;
  /** Why the rows may be wrong or missing; null when fine. */
  problem: string | null;
  snapshot: Snapshot;
}

export interface PromAnswers {
  /** Evaluation time of the queries, epoch ms. */
  atMs: number;
  series: readonly PromSample[];
  lastStatus: readonly PromSample[];
  up: readonly PromSample[];
}

const STATUS_SET: ReadonlySet<string> = new Set(['up', 'late', 'down', 'unknown']);

/** What the series say about one daemon of one host. */
interface DaemonFacts {
  status?: DaemonStatus;
  lastBeatSec?: number;
  restarts?: number;
  cpuRatio?: number;
  rssBytes?: number;
  flapping?: boolean;
  downReason?: string;
}

/** What the series say about one host. */
interface HostFacts {
  job: string | null;
  up: boolean | null;
  daemons: Map<string, DaemonFacts>;
  lastStatus: Map<string, DaemonStatus>;
  clockOffsetSec?: number;
  clockSynced?: boolean;
  lastPollSec?: number;
}

function hostOf(hosts: Map<string, HostFacts>, labels: Record<string, string>): HostFacts | null {
  const instance = labels.instance;
  if (!instance) return null;
  let h = hosts.get(instance);
  if (!h) {
    h = { job: labels.job ?? null, up: null, daemons: new Map(), lastStatus: new Map() };
    hosts.set(instance, h);
  }
  return h;
}

function daemonOf(h: HostFacts, labels: Record<string, string>): DaemonFacts | null {
  const name = labels.daemon;
  if (!name) return null;
  let d = h.daemons.get(name);
  if (!d) h.daemons.set(name, (d = {}));
  return d;
}

/** Fold one fresh sample into its host's facts. */
function foldSeries(h: HostFacts, s: PromSample): void {
  const v = s.value;
  if (!Number.isFinite(v)) return;
  const name = s.labels.__name__;
  if (name === 'ghosthb_clock_offset_seconds') h.clockOffsetSec = v;
  else if (name === 'ghosthb_clock_synced') h.clockSynced = v === 1;
  else if (name === 'ghosthb_last_poll_timestamp_seconds') h.lastPollSec = v;
  const d = name?.startsWith('ghosthb_daemon_') ? daemonOf(h, s.labels) : null;
  if (!d) return;
  switch (name) {
    case 'ghosthb_daemon_status':
      if (v === 1 && STATUS_SET.has(s.labels.status ?? ''))
        d.status = s.labels.status as DaemonStatus;
      break;
    case 'ghosthb_daemon_last_beat_timestamp_seconds':
      d.lastBeatSec = v;
      break;
    case 'ghosthb_daemon_restarts_total':
      d.restarts = v;
      break;
    case 'ghosthb_daemon_cpu_ratio':
      d.cpuRatio = v;
      break;
    case 'ghosthb_daemon_memory_rss_bytes':
      d.rssBytes = v;
      break;
    case 'ghosthb_daemon_flapping':
      d.flapping = v === 1;
      break;
    case 'ghosthb_daemon_down_reason':
      d.downReason = s.labels.reason ?? 'unknown';
      break;
  }
}

function collectFacts(a: PromAnswers): Map<string, HostFacts> {
  const hosts = new Map<string, HostFacts>();
  for (const s of a.up) {
    const h = hostOf(hosts, s.labels);
    if (h && Number.isFinite(s.value)) h.up = (h.up ?? false) || s.value === 1;
  }
  for (const s of a.series) {
    const h = hostOf(hosts, s.labels);
    if (h) foldSeries(h, s);
  }
  for (const s of a.lastStatus) {
    const h = hostOf(hosts, s.labels);
    const status = s.labels.status ?? '';
    if (h && s.labels.daemon && STATUS_SET.has(status)) {
      h.lastStatus.set(s.labels.daemon, status as DaemonStatus);
    }
  }
  return hosts;
}

const isoOrNull = (sec: number | undefined) =>
  sec === undefined || !Number.isFinite(sec * 1000) ? null : new Date(sec * 1000).toISOString();

/** A row of a host whose ghost-hb answers: what its series say. */
function liveDaemon(name: string, d: DaemonFacts, atMs: number): DaemonSnapshot {
  const status = d.status ?? 'unknown';
  const lastBeatAt = isoOrNull(d.lastBeatSec);
  return {
    ...blankDaemon(name),
    status,
    reason: status === 'down' ? (d.downReason ?? null) : d.status ? null : 'no status series',
    lastBeatAt,
    ageMs: lastBeatAt === null ? null : Math.max(0, atMs - d.lastBeatSec! * 1000),
    cpuPct: d.cpuRatio === undefined ? null : d.cpuRatio * 100,
    memRssBytes: d.rssBytes ?? null,
    restarts: Math.max(0, Math.round(d.restarts ?? 0)),
    problems: d.flapping ? ['flapping'] : [],
  };
}

/** A row of a host that no longer answers: unknown, never down, with what was last known. */
function unreachableDaemon(name: string, last: DaemonStatus | undefined): DaemonSnapshot {
  return {
    ...blankDaemon(name),
    status: 'unknown',
    reason: UNREACHABLE_REASON,
    problems: last ? [`last known status: ${last}`] : [],
  };
}

/** The fields Prometheus does not carry (no pid, no heartbeat file, no config). */
function blankDaemon(name: string): DaemonSnapshot {
  return {
    name,
    status: 'unknown',
    reason: null,
    pid: null,
    lastBeatAt: null,
    ageMs: null,
    intervalSec: 0,
    processAlive: null,
    processState: null,
    uptimeSec: null,
    cpuPct: null,
    memRssBytes: null,
    restarts: 0,
    source: 'none',
    problems: [],
    skewMs: null,
    critical: false,
    declared: true,
    graceSec: 0,
    toleranceSec: 0,
    heartbeatPath: null,
    payload: null,
    selfStatus: null,
    message: null,
    command: null,
    startedAt: null,
    seq: null,
    clockSuspect: false,
  };
}

function hostSnapshot(instance: string, h: HostFacts, atMs: number): Snapshot {
  const answering = h.up !== false;
  const daemons = answering
    ? [...h.daemons].map(([name, d]) => liveDaemon(name, d, atMs))
    : [...new Set([...h.lastStatus.keys(), ...h.daemons.keys()])].map((name) =>
        unreachableDaemon(name, h.lastStatus.get(name)),
      );
  daemons.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const sources: SnapshotSources = {
    heartbeats: answering,
    processes: answering,
    system: answering,
  };
  return {
    version: 1,
    at: new Date(atMs).toISOString(),
    heartbeatDir: '',
    origin: { configFile: null, defaultDaemons: false },
    heartbeatDirError: null,
    system: {
      hostname: instance,
      uptimeSec: null,
      load1: null,
      memUsedBytes: null,
      memTotalBytes: null,
    },
    clock: {
      synced: answering ? (h.clockSynced ?? null) : null,
      offsetMs: answering && h.clockOffsetSec !== undefined ? h.clockOffsetSec * 1000 : null,
      errorBoundMs: null,
      source: null,
      stratum: null,
      lastJumpAt: null,
      lastJumpMs: null,
    },
    daemons,
    summary: summarize(daemons),
    sources,
    pollMs: 0,
  };
}

function hostProblem(h: HostFacts): string | null {
  if (h.up === false) return `${UNREACHABLE_REASON}: Prometheus cannot scrape it`;
  if (h.daemons.size === 0) return 'no ghosthb_daemon_* series (not a ghost-hb, or no daemons)';
  return null;
}

/** One snapshot per scraped ghost-hb, ordered by instance. */
export function fleetFromAnswers(a: PromAnswers): PromHost[] {
  const hosts = collectFacts(a);
  return [...hosts]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([instance, h]) => ({
      instance,
      job: h.job,
      reachable: h.up,
      problem: hostProblem(h),
      snapshot: hostSnapshot(instance, h, a.atMs),
    }));
}

/** Alertmanager-style severity labels in ghost-hb's words. */
export function alertSeverity(label: string | undefined): Severity {
  switch ((label ?? '').toLowerCase()) {
    case 'critical':
    case 'page':
      return 'critical';
    case 'error':
      return 'error';
    case 'info':
    case 'none':
      return 'info';
    default:
      return 'warn';
  }
}

/** FNV-1a, 32 bits, as 8 hex digits: a short stable id for a label set. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** An alert's identity: its label set (as Prometheus identifies it) and when it began. */
export function alertKey(a: PromAlert): string {
  const labels = Object.keys(a.labels)
    .sort()
    .map((k) => `${k}=${a.labels[k]}`)
    .join('\u0000');
  return `prom-${fnv1a(labels)}-${a.activeAtMs ?? 0}`;
}

function alertEvent(a: PromAlert, id: string, atMs: number, resolved: boolean): HbEvent {
  const name = a.labels.alertname ?? 'alert';
  const text = a.annotations.summary ?? a.annotations.description ?? name;
  const host = a.labels.instance;
  return {
    id: resolved ? `${id}-resolved` : id,
    at: new Date(resolved ? atMs : (a.activeAtMs ?? atMs)).toISOString(),
    severity: resolved ? 'info' : alertSeverity(a.labels.severity),
    rule: name,
    ...(a.labels.daemon ? { daemon: a.labels.daemon } : {}),
    message: resolved ? `resolved: ${text}` : text,
    data: { source: 'prometheus', ...(host ? { host } : {}), labels: a.labels },
  };
}

/** Firing alerts by key, as last seen: what the next poll compares with. */
export type FiringAlerts = ReadonlyMap<string, PromAlert>;

/**
 * The events of one poll of /api/v1/alerts: one per alert that began firing
 * since `previous`, one `resolved` per alert that stopped. Pending alerts
 * are not events yet.
 */
export function alertEvents(
  alerts: readonly PromAlert[],
  previous: FiringAlerts,
  atMs: number,
): { events: HbEvent[]; firing: Map<string, PromAlert> } {
  const firing = new Map<string, PromAlert>();
  for (const a of alerts) if (a.state === 'firing') firing.set(alertKey(a), a);
  const events: HbEvent[] = [];
  for (const [key, a] of firing)
    if (!previous.has(key)) events.push(alertEvent(a, key, atMs, false));
  for (const [key, a] of previous)
    if (!firing.has(key)) events.push(alertEvent(a, key, atMs, true));
  events.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
  return { events, firing };
}
