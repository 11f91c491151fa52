// Wire the HTTP server and the dashboard push to a running monitor: what
// `ghost-hb serve` does headless, and what the interactive monitor does with
// `--serve`. The caller owns the Monitor and the Poller; this adds the API
// beside them and returns one close() for both server and push.
import path from 'node:path';
import type { Config } from '../config/schema.js';
import type { HbEvent } from '../core/types.js';
import type { AuditEntry } from '../store/audit.js';
import type { Availability } from '../store/uptimeLog.js';
import type { EventBuffer, EventQuery } from '../core/events/index.js';
import type { PollerUpdate } from '../runtime/poller.js';
import { AccessAuditBuffer } from './auditSink.js';
import { resolveApiToken } from './auth.js';
import type { NotifyStatsLike } from './metrics.js';
import { configPingRoutes, type PingLimits } from './pingRoutes.js';
import { send } from './respond.js';
import type { Route } from './routes.js';
import { DashboardPusher, type DropReport } from './push.js';
import { SilenceStore } from '../store/silences.js';
import { silenceRoutes } from './silenceRoutes.js';
import type { ApiEventQuery } from './query.js';
import {
  startServer,
  type EventStore,
  type GhostServer,
  type PollFeed,
  type ServerLimits,
} from './server.js';

/** The parts of runtime/monitor.ts's Monitor the API uses. */
export interface MonitorLike {
  /** The monitor's event ring (the API reads it rather than keeping a copy). */
  readonly events: EventBuffer;
  /**
   * Log an event from outside the rules with a proper id; it reaches the
   * event stream, the screen and the push with the next poll's result.
   */
  raise(event: Omit<HbEvent, 'id' | 'at'>): HbEvent;
  readonly eventLog: {
    query(q: EventQuery): HbEvent[];
    /** The same, reading in chunks that yield to the event loop (polls go on meanwhile). */
    queryAsync?(q: EventQuery): Promise<HbEvent[]>;
  };
  readonly audit: {
    recordMany(entries: readonly AuditEntry[]): void;
    record(entry: AuditEntry): unknown;
  };
  /** The state directory, when the monitor has one: /api/silences manages its silences. */
  readonly stateDir?: string;
  /** Share of the last hour / day / week a daemon was up, for /api/daemons/NAME/availability. */
  availability?(daemon: string): Availability;
}

/** The detail data a screen shows for one daemon (availability over 1 h / 24 h / 7 d). */
export function detailRoutes(monitor: MonitorLike): Route[] {
  const availability = monitor.availability?.bind(monitor);
  if (!availability) return [];
  return [
    {
      path: '/api/daemons/:name/availability',
      methods: ['GET'],
      auth: 'token',
      handle({ res, params }) {
        send(res, 200, JSON.stringify(availability(params.name ?? '')));
      },
    },
  ];
}

export interface AttachOptions {
  config: Config;
  /** The Poller driving the monitor. */
  poller: PollFeed;
  monitor: MonitorLike;
  /** Overrides config.api.listen (--listen). */
  listen?: string | null;
  env?: NodeJS.ProcessEnv;
  limits?: Partial<ServerLimits>;
  /** Ping limits other than the defaults (body cap, per-name rate, new names). */
  pingLimits?: Partial<PingLimits>;
  /** The notifier's delivery counts, for ghosthb_notifications_total and ghosthb_outbox_messages. */
  notifyStats?: (() => NotifyStatsLike | null) | null;
}

export interface AttachedApi {
  server: GhostServer;
  pusher: DashboardPusher | null;
  /** Where the token came from (for a start-up line; never the token). */
  tokenOrigin: string;
  close(): Promise<void>;
}

/**
 * /api/events from the monitor's in-memory ring when that is known to hold
 * every match, else from the event log on disk.
 */
export function monitorEventStore(monitor: MonitorLike): EventStore {
  const ring = monitor.events;
  let logScans: Promise<unknown> = Promise.resolve();
  return {
    buffer: ring,
    async query(q: ApiEventQuery) {
      const fromRing = ring.query(q);
      const oldest = ring.size > 0 ? Date.parse(ring.toArray()[0]!.at) : NaN;
      const complete =
        ring.size < ring.capacity ||
        fromRing.length >= q.limit ||
        (q.sinceMs != null && oldest <= q.sinceMs);
      if (complete) return fromRing;
      const log = monitor.eventLog;
      if (!log.queryAsync) return log.query(q);
      // One scan of the log at a time: concurrent clients queue rather than
      // multiply the reading, so no number of them can slow the polls.
      const run = logScans.then(() => log.queryAsync!(q));
      logScans = run.catch(() => undefined);
      return run;
    },
  };
}

/** The event reporting dashboard pushes dropped since the last report. */
export function dropEvent(report: DropReport): Omit<HbEvent, 'id' | 'at'> {
  const d = report.dropped;
  const n = d.queue_full + d.retries_exhausted + d.rejected;
  return {
    severity: 'warn',
    rule: 'dashboard-push-dropped',
    message:
      `dashboard push dropped ${n} update${n === 1 ? '' : 's'} ` +
      `(queue full ${d.queue_full}, retries exhausted ${d.retries_exhausted}, rejected ${d.rejected})` +
      (report.lastError ? `; last error: ${report.lastError}` : ''),
    data: { ...d, totalDropped: report.totalDropped },
  };
}

/** Start the API server (and the dashboard push, when configured) beside a monitor. */
export async function attachApi(opts: AttachOptions): Promise<AttachedApi> {
  const { config, poller, monitor } = opts;
  const env = opts.env ?? process.env;
  const baseDir = config.configFile ? path.dirname(config.configFile) : process.cwd();
  const { token, origin } = resolveApiToken(config.api, env, baseDir);
  const auditBuffer = new AccessAuditBuffer(monitor.audit);

  const server = await startServer({
    feed: poller,
    pollIntervalSec: config.pollInterval,
    listen: opts.listen ?? config.api.listen,
    token,
    metricsPublic: config.api.metricsPublic,
    events: monitorEventStore(monitor),
    audit: auditBuffer.push,
    ...(opts.limits ? { limits: opts.limits } : {}),
    routes: [
      ...detailRoutes(monitor),
      ...(monitor.stateDir
        ? silenceRoutes({ store: new SilenceStore(monitor.stateDir), audit: monitor.audit })
        : []),
      ...configPingRoutes(
        config,
        token,
        config.api.pingToken ?? env.GHOST_HB_PING_TOKEN?.trim() ?? null,
        opts.pingLimits,
      ),
    ],
  });

  server.metrics.setNotifyStats(opts.notifyStats ?? null);

  let pusher: DashboardPusher | null = null;
  let unsubscribe = () => {};
  if (config.dashboard.url) {
    pusher = new DashboardPusher({
      url: config.dashboard.url,
      token: config.dashboard.token ?? env.GHOST_HB_DASHBOARD_TOKEN ?? null,
      timeoutMs: config.dashboard.timeoutMs,
      retries: config.dashboard.retries,
      queueMax: config.dashboard.queueMax,
      onDropCount: (reason, n) => server.metrics.pushDrops(reason, n),
      // Logged now with the monitor's next id; the event stream (and the next
      // push) carry it with the next poll's result.
      onDrop: (report) => void monitor.raise(dropEvent(report)),
    });
    const p = pusher;
    unsubscribe = poller.subscribe((u: PollerUpdate) => {
      if (u.type === 'result') p.enqueue(u.result);
    });
  }

  return {
    server,
    pusher,
    tokenOrigin: origin,
    async close() {
      unsubscribe();
      await pusher?.close();
      await server.close();
      auditBuffer.close();
    },
  };
}
