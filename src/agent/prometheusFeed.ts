// A Prometheus server as a fleet feed (src/agent/fleet.ts): every `instance`
// scraping a ghost-hb becomes a host of the fleet screen, refreshed once per
// poll interval (one poll at a time, never overlapping), and alerts that
// begin or stop firing become events in the pane, under the instance they
// name. Per host, the connection state says whether Prometheus can scrape
// it; when Prometheus itself does not answer, every host it fed says why and
// the screen shows the server's trouble as its problem, so the FleetSource's
// own rule (unknown after a timeout, never down) applies as for agents.
import type { HostState, HostStateKind } from './connection.js';
import type { FleetFeed, FleetSink } from './fleet.js';
import {
  describePrometheus,
  pollPrometheus,
  PromError,
  type FleetPoll,
  type PrometheusClient,
  type PromErrorKind,
} from './prometheus.js';
import type { FiringAlerts, PromHost } from '../core/prometheus.js';
import type { HbEvent } from '../core/types.js';
import type { Availability } from '../store/uptimeLog.js';

/** Where an alert that names no instance goes in the pane. */
export const PROMETHEUS_HOST = 'prometheus';

const STATE_OF: Record<PromErrorKind, HostStateKind> = {
  unreachable: 'unreachable',
  auth: 'auth failed',
  'bad-answer': 'bad answer',
};

export interface PrometheusFeedOptions {
  /** Time between polls (the screen's poll interval). */
  intervalMs: number;
  now?: () => number;
}

/** A PromQL string literal: the value quoted, backslashes and quotes escaped. */
const promString = (s: string) => JSON.stringify(s);

/** Share of samples up or late among those up, late or down: availability as ghost-hb counts it. */
function availabilityQuery(instance: string, daemon: string, window: string): string {
  const sel = (statuses: string) =>
    `sum(sum_over_time(ghosthb_daemon_status{instance=${promString(instance)},daemon=${promString(daemon)},status=~"${statuses}"}[${window}]))`;
  return `${sel('up|late')} / ${sel('up|late|down')}`;
}

export class PrometheusFeed implements FleetFeed {
  private sink: FleetSink | null = null;
  private firing: FiringAlerts = new Map();
  /** The state last told for each host, so the header changes only when it does. */
  private readonly states = new Map<string, HostState>();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private stopped = false;
  private readonly now: () => number;
  readonly where: string;

  constructor(
    private readonly client: PrometheusClient,
    private readonly o: PrometheusFeedOptions,
  ) {
    this.now = o.now ?? Date.now;
    this.where = `prometheus ${describePrometheus(client.endpoint.url)}`;
  }

  /** The first poll, then one each interval. */
  async start(sink: FleetSink): Promise<void> {
    this.sink = sink;
    await this.pollOnce();
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // A poll in flight is left to its deadline; its answer is dropped.
    return Promise.resolve();
  }

  retryNow(): void {
    if (this.polling || this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.pollOnce();
  }

  async availability(host: string, daemon: string): Promise<Availability> {
    const at = this.now();
    const share = async (window: string): Promise<number | null> => {
      const [sample] = await this.client.query(availabilityQuery(host, daemon, window), at);
      return sample && Number.isFinite(sample.value) ? sample.value : null;
    };
    const [h1, h24, d7] = await Promise.all([share('1h'), share('24h'), share('7d')]);
    return { h1, h24, d7 };
  }

  private pollOnce(): Promise<void> {
    const started = this.now();
    this.polling = pollPrometheus(this.client, started, this.firing)
      .then(
        (poll) => this.answered(poll, this.now() - started),
        (err: unknown) => {
          if (!(err instanceof PromError)) throw err;
          this.failed(err);
        },
      )
      .finally(() => {
        this.polling = null;
        this.schedule();
      });
    return this.polling;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.pollOnce();
    }, this.o.intervalMs);
    this.timer.unref();
  }

  private answered(poll: FleetPoll, tookMs: number): void {
    if (this.stopped) return;
    const sink = this.sink!;
    sink.problem?.(null);
    this.firing = poll.firing;
    const seen = new Set<string>();
    for (const h of poll.hosts) {
      seen.add(h.instance);
      this.tell(h.instance, this.hostState(h));
      sink.snapshot(h.instance, { ...h.snapshot, pollMs: tookMs });
    }
    // A host Prometheus forgot (its series past the lookback): say so, keep its last rows.
    for (const host of this.states.keys()) {
      if (!seen.has(host)) this.tell(host, this.down('unreachable', 'no longer in Prometheus'));
    }
    for (const [host, events] of byHost(poll.events)) sink.events(host, events);
  }

  private failed(err: PromError): void {
    if (this.stopped) return;
    this.sink!.problem?.(`${this.where}: ${err.message}`);
    const retryAt = this.now() + this.o.intervalMs;
    for (const host of this.states.keys()) {
      this.tell(host, { ...this.down(STATE_OF[err.kind], err.message), retryAt });
    }
  }

  private hostState(h: PromHost): HostState {
    if (h.reachable === false) return this.down('unreachable', h.problem);
    return { state: 'connected', detail: null, retryAt: null, downSince: null };
  }

  /** A state out of touch, counted from when the host was last in touch. */
  private down(state: HostStateKind, detail: string | null): HostState {
    return { state, detail, retryAt: null, downSince: this.now() };
  }

  /** Tell the sink a host's state when it changed (a host out of touch keeps its first downSince). */
  private tell(host: string, next: HostState): void {
    const prev = this.states.get(host);
    const same =
      prev &&
      prev.state === next.state &&
      prev.detail === next.detail &&
      prev.retryAt === next.retryAt;
    if (same) return;
    const state =
      next.downSince !== null && prev?.downSince != null
        ? { ...next, downSince: prev.downSince }
        : next;
    this.states.set(host, state);
    this.sink!.state(host, state);
  }
}

/** Alert events by the instance they name (those naming none, under PROMETHEUS_HOST). */
function byHost(events: readonly HbEvent[]): Map<string, HbEvent[]> {
  const out = new Map<string, HbEvent[]>();
  for (const e of events) {
    const host = typeof e.data?.host === 'string' ? e.data.host : PROMETHEUS_HOST;
    out.set(host, [...(out.get(host) ?? []), e]);
  }
  return out;
}
