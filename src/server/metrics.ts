// Prometheus metrics, through prom-client. Values are set from each poll's
// result (never at scrape time), so a scrape costs only the rendering. Times
// are exported as Unix timestamps, never as "seconds since", so they stay
// correct however stale the scrape.
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { STATUSES, type HbEvent, type Severity, type Snapshot } from '../core/types.js';
import { CLOCK_OFFSET_CONVENTION } from '../core/format.js';
import { escapeControl } from '../core/sanitize.js';
import { VERSION } from '../version.js';

/** Label values come from file names: keep them printable and bounded. */
export function labelValue(s: string, max = 128): string {
  const v = escapeControl(s);
  return v.length > max ? v.slice(0, max) : v;
}

/**
 * The (severity, rule) pairs the anomaly rules and the monitor raise, exported
 * at 0 from the start so that rate() and increase() count the first event of
 * each kind (a series that appears at 1 hides its first increment).
 */
export const KNOWN_EVENT_KINDS: ReadonlyArray<readonly [Severity, string]> = [
  ...(['crashed', 'hung', 'down', 'malformed'] as const).flatMap((r) => [
    ['error', r] as const,
    ['critical', r] as const,
  ]),
  ['info', 'recovered'],
  ['warn', 'late'],
  ['warn', 'never-seen'],
  ['warn', 'unknown'],
  ['info', 'new-daemon'],
  ['warn', 'flapping'],
  ['info', 'flapping'],
  ['warn', 'restarted'],
  ['error', 'restart-loop'],
  ['warn', 'clock-skew'],
  ['warn', 'jitter'],
  ['warn', 'cpu-high'],
  ['warn', 'mem-high'],
  ['warn', 'mem-growth'],
  ['warn', 'clock-offset'],
  ['error', 'clock-offset'],
  ['error', 'clock-unsynced'],
  ['info', 'clock-unsynced'],
  ['warn', 'clock-jump'],
  ['warn', 'reboot'],
  ['error', 'heartbeat-dir'],
  ['info', 'heartbeat-dir'],
  ['warn', 'source-failing'],
  ['info', 'source-failing'],
  ['warn', 'state-corrupt'],
  ['warn', 'notify-dropped'],
  ['warn', 'dashboard-push-dropped'],
  ['warn', 'log-corrupt'],
  ['error', 'state-dir-unwritable'],
  ['info', 'state-dir-writable'],
  ['warn', 'agent-lost'],
];

/** Delivery counts of the notifier (notify/notifier.ts NotifierStats). */
export interface NotifyStatsLike {
  channels: Record<string, Record<'delivered' | 'retried' | 'dropped', number>>;
  outbox: number;
}

/** The bounded vocabulary of a reason ("malformed: bad JSON" -> "malformed", "not running (check 1 of 3)" -> "not running"). */
export function reasonLabel(reason: string | null): string {
  if (!reason) return 'unknown';
  return labelValue(reason.split(/[:(]/)[0]!.trim(), 32) || 'unknown';
}

export interface MetricsOptions {
  /** Also export process_* metrics of ghost-hb itself (CPU, RSS, start time). Default true. */
  processMetrics?: boolean;
}

export class HbMetrics {
  readonly registry = new Registry();
  private readonly up: Gauge;
  private readonly status: Gauge;
  private readonly lastBeat: Gauge;
  private readonly restarts: Counter;
  private readonly cpu: Gauge;
  private readonly rss: Gauge;
  private readonly flapping: Gauge;
  private readonly clockOffset: Gauge;
  private readonly clockSynced: Gauge;
  private readonly events: Counter;
  private readonly pollDuration: Histogram;
  private readonly pollErrors: Counter;
  private readonly lastPoll: Gauge;
  private readonly sourceUp: Gauge;
  private readonly eventsHeld: Gauge;
  private readonly pushDropped: Counter;
  private readonly downReason: Gauge;
  /** Per daemon that is down: its reason and since when (Unix s), kept while the reason holds. */
  private readonly downSince = new Map<string, { reason: string; sinceSec: number }>();
  private notifyStats: (() => NotifyStatsLike | null) | null = null;
  private readonly seenEvents = new Set<string>();
  private readonly seenOrder: string[] = [];
  /** Daemons flagged flapping by the anomaly rules' `flapping` events (start, then `stopped`). */
  private readonly flappingNow = new Set<string>();
  private cached: Promise<string> | null = null;
  private cachedAt = 0;
  /** The last snapshot given, until its series are set (see updateSnapshot). */
  private unapplied: Snapshot | null = null;

  constructor(opts: MetricsOptions = {}) {
    const registers = [this.registry];
    const daemon = ['daemon'] as const;
    this.up = new Gauge({
      name: 'ghosthb_daemon_up',
      help: 'Whether the daemon is alive and beating: 1 when up or late, 0 when down or unknown.',
      labelNames: daemon,
      registers,
    });
    this.status = new Gauge({
      name: 'ghosthb_daemon_status',
      help: 'Current status of the daemon: 1 for the status it is in, 0 for the others.',
      labelNames: ['daemon', 'status'],
      registers,
    });
    this.lastBeat = new Gauge({
      name: 'ghosthb_daemon_last_beat_timestamp_seconds',
      help: "Unix time of the daemon's last heartbeat.",
      labelNames: daemon,
      registers,
    });
    this.restarts = new Counter({
      name: 'ghosthb_daemon_restarts_total',
      help: 'Restarts (change of pid or process start time) seen since ghost-hb began keeping state.',
      labelNames: daemon,
      registers,
    });
    this.cpu = new Gauge({
      name: 'ghosthb_daemon_cpu_ratio',
      help: "CPU used by the daemon's process since the previous poll, as a ratio of one core.",
      labelNames: daemon,
      registers,
    });
    this.rss = new Gauge({
      name: 'ghosthb_daemon_memory_rss_bytes',
      help: "Resident memory of the daemon's process.",
      labelNames: daemon,
      registers,
    });
    this.flapping = new Gauge({
      name: 'ghosthb_daemon_flapping',
      help: 'Whether the daemon is flapping (state changing too often): 1 or 0.',
      labelNames: daemon,
      registers,
    });
    this.clockOffset = new Gauge({
      name: 'ghosthb_clock_offset_seconds',
      help: `Offset of the system clock from its time source, seconds (${CLOCK_OFFSET_CONVENTION}).`,
      registers,
    });
    this.clockSynced = new Gauge({
      name: 'ghosthb_clock_synced',
      help: 'Whether the system clock is synchronised to a time source: 1 or 0.',
      registers,
    });
    this.events = new Counter({
      name: 'ghosthb_events_total',
      help: 'Anomaly events raised, by severity and rule.',
      labelNames: ['severity', 'rule'],
      registers,
    });
    this.pollDuration = new Histogram({
      name: 'ghosthb_poll_duration_seconds',
      help: 'Wall time of one full poll of heartbeats, processes and system figures.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.pollErrors = new Counter({
      name: 'ghosthb_poll_errors_total',
      help: 'Polls that failed as a whole.',
      registers,
    });
    this.lastPoll = new Gauge({
      name: 'ghosthb_last_poll_timestamp_seconds',
      help: 'Unix time of the last successful full poll.',
      registers,
    });
    this.sourceUp = new Gauge({
      name: 'ghosthb_source_up',
      help: 'Whether a data source (heartbeat directory, /proc, clock, ...) answered on the last poll.',
      labelNames: ['source'],
      registers,
    });
    this.eventsHeld = new Gauge({
      name: 'ghosthb_events_held',
      help: 'Events held in memory because the state directory refuses writes (written once it takes them).',
      registers,
    });
    this.pushDropped = new Counter({
      name: 'ghosthb_push_dropped_total',
      help: 'Dashboard pushes dropped (queue full or retries exhausted).',
      labelNames: ['reason'],
      registers,
    });
    for (const [severity, rule] of KNOWN_EVENT_KINDS) this.events.inc({ severity, rule }, 0);
    // Unknown until a poll says otherwise.
    this.setOrAbsent(this.clockOffset, null);
    this.setOrAbsent(this.clockSynced, null);
    this.downReason = new Gauge({
      name: 'ghosthb_daemon_down_reason',
      help: 'Present while the daemon is down, labelled with why (crashed, hung, stale, failing, malformed); the value is the Unix time that reason began.',
      labelNames: ['daemon', 'reason'],
      registers,
    });
    const stats = () => this.notifyStats?.() ?? null;
    new Counter({
      name: 'ghosthb_notifications_total',
      help: 'Notification delivery attempts by channel and outcome (delivered, retried, dropped).',
      labelNames: ['channel', 'outcome'],
      registers,
      collect() {
        const s = stats();
        this.reset();
        if (!s) return;
        for (const [channel, counts] of Object.entries(s.channels)) {
          for (const [outcome, n] of Object.entries(counts)) {
            this.inc({ channel: labelValue(channel, 64), outcome }, n);
          }
        }
      },
    });
    new Gauge({
      name: 'ghosthb_outbox_messages',
      help: 'Notifications waiting in the outbox (queued or being retried), all channels.',
      registers,
      collect() {
        const s = stats();
        this.reset();
        if (s) this.set(s.outbox);
      },
    });
    new Gauge({
      name: 'ghosthb_build_info',
      help: 'ghost-hb version, always 1.',
      labelNames: ['version'],
      registers,
    }).set({ version: VERSION }, 1);
    // prom-client's default metrics include nodejs_*_total gauges that
    // `promtool check metrics` rejects; these three standard ones are enough.
    if (opts.processMetrics !== false) {
      new Counter({
        name: 'process_cpu_seconds_total',
        help: 'Total user and system CPU time spent by ghost-hb in seconds.',
        registers,
        collect() {
          const u = process.cpuUsage();
          this.reset();
          this.inc((u.user + u.system) / 1e6);
        },
      });
      new Gauge({
        name: 'process_resident_memory_bytes',
        help: 'Resident memory of ghost-hb in bytes.',
        registers,
        collect() {
          this.set(process.memoryUsage.rss());
        },
      });
      new Gauge({
        name: 'process_start_time_seconds',
        help: 'Start time of ghost-hb since unix epoch in seconds.',
        registers,
      }).set(Math.round(Date.now() / 1000 - process.uptime()));
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * The exposition text. Rendering ~1,500 series costs about a millisecond, so
   * it is cached until the next poll result (or for at most `maxAgeMs`, so
   * ghost-hb's own process_* figures stay fresh); concurrent scrapes share it.
   */
  render(maxAgeMs = 1000): Promise<string> {
    const now = performance.now();
    if (this.unapplied) {
      this.applySnapshot(this.unapplied);
      this.unapplied = null;
    }
    if (!this.cached || now - this.cachedAt > maxAgeMs) {
      this.cachedAt = now;
      this.cached = this.registry.metrics();
      this.cached.catch(() => (this.cached = null));
    }
    return this.cached;
  }

  private invalidate(): void {
    this.cached = null;
  }

  /**
   * A new snapshot: its series are set when the metrics are next read (a
   * scrape every 15 s or more; a poll with 1,000 daemons sets ~10,000). When
   * each down daemon's reason began is noted now, at the poll that saw it.
   */
  updateSnapshot(s: Snapshot): void {
    this.invalidate();
    this.updateDownReasons(s);
    this.unapplied = s;
  }

  /** Replace every per-daemon and clock series with the snapshot's values. */
  private applySnapshot(s: Snapshot): void {
    for (const m of [this.up, this.status, this.lastBeat, this.cpu, this.rss, this.flapping]) {
      m.reset();
    }
    this.restarts.reset();
    for (const d of s.daemons) {
      const daemon = labelValue(d.name);
      this.up.set({ daemon }, d.status === 'up' || d.status === 'late' ? 1 : 0);
      for (const st of STATUSES) this.status.set({ daemon, status: st }, d.status === st ? 1 : 0);
      if (d.lastBeatAt) {
        const t = Date.parse(d.lastBeatAt);
        if (Number.isFinite(t)) this.lastBeat.set({ daemon }, t / 1000);
      }
      this.restarts.inc({ daemon }, Math.max(0, d.restarts || 0));
      if (d.cpuPct != null && Number.isFinite(d.cpuPct)) this.cpu.set({ daemon }, d.cpuPct / 100);
      if (d.memRssBytes != null && Number.isFinite(d.memRssBytes)) {
        this.rss.set({ daemon }, d.memRssBytes);
      }
      this.flapping.set({ daemon }, this.flappingNow.has(d.name) ? 1 : 0);
    }
    const offset = s.clock?.offsetMs;
    const synced = s.clock?.synced;
    this.setOrAbsent(this.clockOffset, offset == null ? null : offset / 1000);
    this.setOrAbsent(this.clockSynced, synced == null ? null : synced ? 1 : 0);
    this.eventsHeld.set(s.storage?.heldEvents ?? 0);
    this.sourceUp.reset();
    for (const [source, ok] of Object.entries(s.sources ?? {})) {
      this.sourceUp.set({ source: labelValue(source, 64) }, ok ? 1 : 0);
    }
  }

  /** Follow each down daemon's reason and when it began; the series goes when the daemon is back. */
  private updateDownReasons(s: Snapshot): void {
    this.downReason.reset();
    const nowSec = Date.parse(s.at) / 1000;
    const seen = new Set<string>();
    for (const d of s.daemons) {
      if (d.status !== 'down') continue;
      seen.add(d.name);
      const reason = reasonLabel(d.reason);
      const prev = this.downSince.get(d.name);
      const since =
        prev && prev.reason === reason ? prev : { reason, sinceSec: Math.round(nowSec) };
      this.downSince.set(d.name, since);
      this.downReason.set({ daemon: labelValue(d.name), reason }, since.sinceSec);
    }
    for (const name of [...this.downSince.keys()]) if (!seen.has(name)) this.downSince.delete(name);
  }

  /**
   * An unlabelled gauge always exports a sample (prom-client gives it 0), so an
   * unknown value takes the metric out of the registry: no sample, rather
   * than a 0 that alerts and dashboards would take for a reading.
   */
  private setOrAbsent(g: Gauge, value: number | null): void {
    const name = (g as unknown as { name: string }).name;
    const present = this.registry.getSingleMetric(name) !== undefined;
    if (value === null) {
      if (present) this.registry.removeSingleMetric(name);
      return;
    }
    g.set(value);
    if (!present) this.registry.registerMetric(g);
  }

  /** Where ghosthb_notifications_total and ghosthb_outbox_messages come from (read at scrape). */
  setNotifyStats(source: (() => NotifyStatsLike | null) | null): void {
    this.notifyStats = source;
  }

  /** A full poll succeeded. */
  observePoll(durationMs: number, atWallMs: number): void {
    this.invalidate();
    this.pollDuration.observe(Math.max(0, durationMs) / 1000);
    this.lastPoll.set(atWallMs / 1000);
  }

  pollFailed(): void {
    this.invalidate();
    this.pollErrors.inc();
  }

  pushDrops(reason: string, n = 1): void {
    this.invalidate();
    this.pushDropped.inc({ reason }, n);
  }

  /**
   * Follow the flapping state from `flapping` events (also for events from
   * before a restart, which are not counted again).
   */
  trackFlapping(events: readonly HbEvent[]): void {
    for (const e of events) {
      if (e.rule !== 'flapping' || !e.daemon) continue;
      if (e.data?.stopped === true) this.flappingNow.delete(e.daemon);
      else this.flappingNow.add(e.daemon);
    }
  }

  /** Count events once each, however often they are seen (replays, liveness results). */
  countEvents(events: readonly HbEvent[]): void {
    this.invalidate();
    this.trackFlapping(events);
    for (const e of events) {
      if (this.seenEvents.has(e.id)) continue;
      this.seenEvents.add(e.id);
      this.seenOrder.push(e.id);
      if (this.seenOrder.length > 10_000) this.seenEvents.delete(this.seenOrder.shift()!);
      this.events.inc({ severity: e.severity, rule: labelValue(e.rule, 64) });
    }
  }
}
