// A fleet in one screen: several hosts' data merged into one ScreenSource
// (src/agent/source.ts). Each host is fed by a FleetFeed (an agent's API over
// HTTP or the local socket, this host's own monitor, or any other remote-style
// source, such as a Prometheus server feeding many hosts); the FleetSource
// owns what is common: the HOST of each row, one event pane across hosts,
// per-host connection states for the header, and the rule that a host that
// cannot be reached makes its daemons `unknown` ("host unreachable") after a
// timeout, never `down`, with one event when it goes and one when it returns.
//
// A FleetFeed, the interface other sources implement:
//   start(sink)   begin feeding; resolve after the first attempt (connected or not).
//                 Call sink.state(host, ...) for every connection change,
//                 sink.snapshot(host, s) for each snapshot (its daemons' names
//                 as the host knows them) and sink.events(host, es) for new
//                 events, each event once (dedupe on reconnect).
//   stop()        stop feeding, release everything.
//                 A feed that stands for many hosts (a Prometheus server) calls
//                 sink.problem(text) when its own source fails, null when it
//                 answers again: the header shows it as the screen's problem.
//   retryNow()    reconnect now rather than at the backoff's time (optional).
//   availability(host, daemon)   the daemon's 1 h / 24 h / 7 d availability (optional).
import { performance } from 'node:perf_hooks';
import { statusSignature, summarize } from '../core/status.js';
import {
  NO_CLOCK_READING,
  type DaemonSnapshot,
  type HbEvent,
  type Snapshot,
} from '../core/types.js';
import type { Monitor } from '../runtime/monitor.js';
import type { Poller } from '../runtime/poller.js';
import type { Availability } from '../store/uptimeLog.js';
import { AvailabilityCache } from './availabilityCache.js';
import { AgentConnection, type ConnectionOptions, type HostState } from './connection.js';
import type { ApiEndpoint } from './endpoint.js';
import { FedSource, StatusCell, type HostStatus } from './source.js';

export interface FleetSink {
  state(host: string, state: HostState): void;
  snapshot(host: string, snapshot: Snapshot): void;
  events(host: string, events: readonly HbEvent[]): void;
  /** The feed's own trouble (not one host's), or null when it is over. */
  problem?(text: string | null): void;
}

export interface FleetFeed {
  start(sink: FleetSink): Promise<void>;
  stop(): Promise<void>;
  retryNow?(): void;
  availability?(host: string, daemon: string): Promise<Availability>;
}

/** How soon the screen shows a host's change of status, or an event. */
const URGENT_MS = 100;

/** The reason an unreachable host's daemons show. */
export const HOST_UNREACHABLE = 'host unreachable';

/** `HOST/NAME`: a row's key in the fleet screen (a daemon name has no `/`). */
export const qualify = (host: string, name: string) => `${host}/${name}`;

/** A host's daemon as a fleet row: qualified name, HOST set, `unknown` while the host is unreachable. */
export function fleetDaemon(host: string, d: DaemonSnapshot, unreachable: boolean): DaemonSnapshot {
  const row: DaemonSnapshot = { ...d, name: qualify(host, d.name), host };
  return unreachable
    ? { ...row, status: 'unknown', reason: HOST_UNREACHABLE, processAlive: null, cpuPct: null }
    : row;
}

/** A host's event in the fleet's pane: id and daemon qualified, the host named when there is no daemon. */
export function fleetEvent(host: string, e: HbEvent): HbEvent {
  return e.daemon !== undefined
    ? { ...e, id: qualify(host, e.id), daemon: qualify(host, e.daemon) }
    : { ...e, id: qualify(host, e.id), message: `${host}: ${e.message}` };
}

export interface HostView {
  name: string;
  snapshot: Snapshot | null;
  unreachable: boolean;
}

/** The fleet as one snapshot: every host's daemons (in host order), counts over all. */
export function mergeFleet(hosts: readonly HostView[], nowMs: number): Snapshot {
  const daemons: DaemonSnapshot[] = [];
  let pollMs = 0;
  for (const h of hosts) {
    if (!h.snapshot) continue;
    pollMs = Math.max(pollMs, h.snapshot.pollMs);
    for (const d of h.snapshot.daemons) daemons.push(fleetDaemon(h.name, d, h.unreachable));
  }
  const label = `${hosts.length} host${hosts.length === 1 ? '' : 's'}`;
  return {
    version: 1,
    at: new Date(nowMs).toISOString(),
    heartbeatDir: label,
    origin: { configFile: null, defaultDaemons: false },
    heartbeatDirError: null,
    system: {
      hostname: label,
      uptimeSec: null,
      load1: null,
      memUsedBytes: null,
      memTotalBytes: null,
    },
    clock: {
      ...NO_CLOCK_READING,
      lastJumpAt: null,
      lastJumpMs: null,
      note: 'clocks are per host: see each host',
    },
    daemons,
    summary: summarize(daemons),
    sources: { heartbeats: true, processes: true, system: true },
    pollMs,
  };
}

export interface FleetOptions {
  /** Host names, in the order the header lists them (feeds may add hosts they find). */
  hosts: readonly string[];
  /** Where the data comes from, after the title ("prometheus http://..."); default none. */
  label?: string | null;
  feeds: readonly FleetFeed[];
  /** The screen's poll interval: the history records at most one poll per interval. */
  intervalMs: number;
  /** A host silent for this long has its daemons `unknown` (default 10 s). */
  unknownAfterMs?: number;
  now?: () => number;
}

interface HostEntry {
  snapshot: Snapshot | null;
  /** statusSignature of the snapshot: a change draws at once, fresher figures can wait. */
  signature: string | null;
  state: HostState;
  unreachable: boolean;
  feed: FleetFeed | null;
}

export class FleetSource extends FedSource {
  private readonly entries = new Map<string, HostEntry>();
  protected readonly cell: StatusCell;
  protected readonly avail: AvailabilityCache;
  private readonly now: () => number;
  private readonly unknownAfterMs: number;
  private pending: HbEvent[] = [];
  private started = false;
  private emitTimer: NodeJS.Timeout | null = null;
  /** performance.now() the pending emit is due. */
  private emitDue = Infinity;
  private tick: NodeJS.Timeout | null = null;
  private lastPollMono = -Infinity;
  private ownEvents = 0;
  private readonly problems = new Map<FleetFeed, string>();

  constructor(private readonly o: FleetOptions) {
    super();
    this.now = o.now ?? Date.now;
    this.unknownAfterMs = o.unknownAfterMs ?? 10_000;
    for (const name of o.hosts) {
      this.entries.set(name, {
        snapshot: null,
        signature: null,
        state: { state: 'connecting', detail: null, retryAt: null, downSince: this.now() },
        unreachable: false,
        feed: null,
      });
    }
    this.cell = new StatusCell({
      label: o.label ?? null,
      problem: null,
      hosts: this.hostStatuses(),
      at: this.now(),
    });
    this.avail = new AvailabilityCache(
      (name) => this.fetchAvailability(name),
      () => this.cell.notify(),
    );
  }

  /** Start every feed; resolves when each has made its first attempt. */
  async start(): Promise<void> {
    const sink: FleetSink = {
      state: (h, s) => this.onState(h, s),
      snapshot: (h, s) => this.onSnapshot(h, s),
      events: (h, es) => this.onEvents(h, es),
    };
    await Promise.all(
      this.o.feeds.map((f) =>
        f.start({
          state: (h, s) => {
            const e = this.entries.get(h);
            if (e) e.feed = f;
            sink.state(h, s);
          },
          snapshot: sink.snapshot,
          events: sink.events,
          problem: (text) => this.onProblem(f, text),
        }),
      ),
    );
    this.started = true;
    this.tick = setInterval(() => this.onTick(), 1000);
    this.tick.unref();
  }

  async stop(): Promise<void> {
    if (this.tick) clearInterval(this.tick);
    if (this.emitTimer) clearTimeout(this.emitTimer);
    await Promise.allSettled(this.o.feeds.map((f) => f.stop()));
  }

  pollNow(): Promise<void> {
    for (const f of this.o.feeds) f.retryNow?.();
    return Promise.resolve();
  }

  /** The merged snapshot now (for one-shot readers such as `status --remote`). */
  snapshot(): Snapshot {
    return mergeFleet(this.views(), this.now());
  }

  /** Each host's own snapshot and state (for `status --remote --json`). */
  hostsNow(): Array<{ name: string; snapshot: Snapshot | null; state: HostState }> {
    return [...this.entries].map(([name, e]) => ({ name, snapshot: e.snapshot, state: e.state }));
  }

  private fetchAvailability(name: string): Promise<Availability> {
    const slash = name.indexOf('/');
    const host = name.slice(0, slash);
    const feed = this.entries.get(host)?.feed;
    if (slash < 0 || !feed?.availability) return Promise.reject(new Error('no such host'));
    return feed.availability(host, name.slice(slash + 1));
  }

  private views(): HostView[] {
    return [...this.entries].map(([name, e]) => ({
      name,
      snapshot: e.snapshot,
      unreachable: e.unreachable,
    }));
  }

  private hostStatuses(): HostStatus[] {
    return [...this.entries].map(([name, e]) => ({ name, state: e.state }));
  }

  private entry(host: string): HostEntry {
    let e = this.entries.get(host);
    if (!e) {
      // A feed may report hosts it discovers (a Prometheus server's instances).
      e = {
        snapshot: null,
        signature: null,
        state: { state: 'connecting', detail: null, retryAt: null, downSince: null },
        unreachable: false,
        feed: null,
      };
      this.entries.set(host, e);
    }
    return e;
  }

  private onState(host: string, state: HostState): void {
    const e = this.entry(host);
    e.state = state;
    if (state.state === 'connected' && e.unreachable) this.reachable(host, e);
    this.cell.set({ hosts: this.hostStatuses(), at: this.now() });
  }

  private onProblem(feed: FleetFeed, text: string | null): void {
    if ((this.problems.get(feed) ?? null) === text) return;
    if (text === null) this.problems.delete(feed);
    else this.problems.set(feed, text);
    const problem = this.problems.size > 0 ? [...this.problems.values()].join('; ') : null;
    this.cell.set({ problem, at: this.now() });
  }

  private onSnapshot(host: string, snapshot: Snapshot): void {
    const e = this.entry(host);
    e.snapshot = snapshot;
    const signature = statusSignature(snapshot);
    const changed = signature !== e.signature;
    e.signature = signature;
    if (e.unreachable && e.state.state === 'connected') this.reachable(host, e);
    this.scheduleEmit(changed ? URGENT_MS : this.o.intervalMs);
  }

  private onEvents(host: string, events: readonly HbEvent[]): void {
    for (const ev of events) this.record(fleetEvent(host, ev));
    this.scheduleEmit();
  }

  /** Hosts silent past the timeout turn unknown; the header's countdowns move. */
  private onTick(): void {
    const now = this.now();
    let changed = false;
    for (const [host, e] of this.entries) {
      if (e.state.state === 'connected' || e.unreachable) continue;
      const since = e.state.downSince;
      if (since !== null && now - since >= this.unknownAfterMs) {
        e.unreachable = true;
        changed = true;
        this.fleetEvent({
          severity: 'error',
          rule: 'host-unreachable',
          message: `${host}: ${HOST_UNREACHABLE} (${e.state.state}${e.state.detail ? `: ${e.state.detail}` : ''}); its daemons are unknown until it answers`,
          data: { host, state: e.state.state },
        });
      }
    }
    if (changed) this.scheduleEmit();
    if ([...this.entries.values()].some((e) => e.state.retryAt !== null)) {
      this.cell.set({ at: now });
    }
  }

  private reachable(host: string, e: HostEntry): void {
    e.unreachable = false;
    this.fleetEvent({
      severity: 'info',
      rule: 'host-reachable',
      message: `${host}: reachable again`,
      data: { host },
    });
  }

  private fleetEvent(input: Omit<HbEvent, 'id' | 'at'>): void {
    const event: HbEvent = {
      ...input,
      id: `fleet/${++this.ownEvents}`,
      at: new Date(this.now()).toISOString(),
    };
    this.record(event);
  }

  /** Into the ring at once; with the next update once the screen is running. */
  private record(event: HbEvent): void {
    this.ring.push(event);
    if (this.started) this.pending.push(event);
  }

  /**
   * Coalesce hosts' updates into frames: a change of status or an event
   * within URGENT_MS; fresher ages and figures alone once per poll interval,
   * as a screen of one host redraws them (many hosts each sending a snapshot
   * per poll would otherwise each cost a frame of every host's rows).
   */
  private scheduleEmit(withinMs = URGENT_MS): void {
    const due = performance.now() + withinMs;
    if (this.emitTimer && this.emitDue <= due) return;
    if (this.emitTimer) clearTimeout(this.emitTimer);
    this.emitDue = due;
    this.emitTimer = setTimeout(() => {
      this.emitTimer = null;
      this.emitDue = Infinity;
      this.emit();
    }, withinMs);
  }

  private emit(): void {
    const snapshot = mergeFleet(this.views(), this.now());
    this.latest = snapshot;
    const mono = performance.now();
    // The history's sparkline moves once per interval, however many hosts report.
    const kind = mono - this.lastPollMono >= this.o.intervalMs * 0.9 ? 'poll' : 'liveness';
    if (kind === 'poll') this.lastPollMono = mono;
    const events = this.pending;
    this.pending = [];
    this.tell(this.update(snapshot, events, kind));
  }

  protected override wallNow(): number {
    return this.now();
  }
}

/** One agent's API (HTTP, or this host's socket) as a fleet member named `host`. */
export class AgentFeed implements FleetFeed {
  private readonly connection: AgentConnection;

  constructor(
    readonly host: string,
    endpoint: ApiEndpoint,
    opts: ConnectionOptions = {},
  ) {
    this.connection = new AgentConnection(endpoint, opts);
  }

  start(sink: FleetSink): Promise<void> {
    return this.connection.start({
      state: (s) => sink.state(this.host, s),
      snapshot: (s) => sink.snapshot(this.host, s),
      events: (es) => sink.events(this.host, es),
    });
  }

  stop(): Promise<void> {
    this.connection.stop();
    return Promise.resolve();
  }

  retryNow(): void {
    this.connection.retryNow();
  }

  availability(_host: string, daemon: string): Promise<Availability> {
    return this.connection.availability(daemon);
  }
}

/** This host's own monitor (no agent runs here) as a fleet member named `host`. */
export class MonitorFeed implements FleetFeed {
  private unsubscribe: () => void = () => {};

  constructor(
    readonly host: string,
    private readonly poller: Poller,
    private readonly monitor: Pick<Monitor, 'recentEvents' | 'availability'>,
    private readonly stopRuntime: () => Promise<void>,
  ) {}

  start(sink: FleetSink): Promise<void> {
    sink.state(this.host, { state: 'connected', detail: null, retryAt: null, downSince: null });
    sink.events(this.host, this.monitor.recentEvents());
    this.unsubscribe = this.poller.subscribe((u) => {
      if (u.type !== 'result') return;
      if (u.result.events.length > 0) sink.events(this.host, u.result.events);
      sink.snapshot(this.host, u.result.snapshot);
    });
    this.poller.start();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.unsubscribe();
    return this.stopRuntime();
  }

  retryNow(): void {
    void this.poller.pollNow();
  }

  availability(_host: string, daemon: string): Promise<Availability> {
    return Promise.resolve(this.monitor.availability(daemon));
  }
}
