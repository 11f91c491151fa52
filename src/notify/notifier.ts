// The notifier: the monitor's evaluations in, messages out. It marks silenced
// events before they are logged, feeds the router, turns each due group into
// one message per channel, writes those to the outbox (durably) and only then
// hands them to the channels' workers. Everything it does inside a poll is
// in memory plus one appended line; delivery happens beside the poll.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Config } from '../config/schema.js';
import type { HbEvent, PollResult, Severity } from '../core/types.js';
import { Outbox, type OutboxEntry } from '../store/outbox.js';
import { loadNotifyState, saveNotifyState } from '../store/notifyState.js';
import { SilenceStore } from '../store/silences.js';
import { createChannel, type Channel } from './channels/index.js';
import { ChannelWorker, type AttemptOutcome, type DeliveryPolicy } from './delivery.js';
import { sortAlerts, titleFor, type Alert, type NotifyMessage } from './message.js';
import { Router, type OpenConditionView, type RouteSpec, type RouterState } from './router.js';

export const DROP_RULE = 'notify-dropped';

export type NotifyConfig = Config['notify'];

export interface NotifierOptions {
  stateDir: string;
  env?: NodeJS.ProcessEnv;
  /** Wall clock (ms). */
  now?: () => number;
  random?: () => number;
  /** Raise an event (a dropped notification); the monitor's raise(). */
  raise?: (event: Omit<HbEvent, 'id' | 'at'>) => void;
  /** Channels to use instead of those built from the config (tests). */
  channels?: Channel[];
}

export type ChannelCounts = Record<AttemptOutcome, number>;

export interface NotifierStats {
  /** Attempts by channel and outcome since start. */
  channels: Record<string, ChannelCounts>;
  /** Messages waiting in the outbox (all channels). */
  outbox: number;
}

/** notify.routes resolved: seconds to ms, absent channels = all; the default route last. */
export function resolveRoutes(n: NotifyConfig): RouteSpec[] {
  const all = n.channels.map((c) => c.name);
  const spec = (
    r: Partial<NotifyConfig['routes'][number]>,
    match: RouteSpec['match'],
  ): RouteSpec => ({
    match,
    channels: r.channels ?? all,
    groupWaitMs: (r.groupWait ?? n.groupWait) * 1000,
    repeatIntervalMs: (r.repeatInterval ?? n.repeatInterval) * 1000,
    continue: r.continue ?? false,
  });
  const routes = n.routes.map((r) => spec(r, r.match));
  // The default route: what no route caught, warn and above, to every channel.
  routes.push(spec({}, { severity: 'warn' as Severity }));
  return routes;
}

function reviveRouterState(raw: unknown): RouterState | null {
  const s = raw as Partial<RouterState> | null;
  if (!s || s.version !== 1 || !s.notified || typeof s.notified !== 'object') return null;
  const pending = Array.isArray(s.pending)
    ? s.pending.filter(
        (g) =>
          g &&
          typeof g.route === 'number' &&
          typeof g.dueMs === 'number' &&
          Array.isArray(g.alerts),
      )
    : [];
  return { version: 1, notified: s.notified, pending };
}

export class Notifier {
  readonly silences: SilenceStore;
  private readonly outbox: Outbox;
  private readonly router: Router;
  private readonly workers = new Map<string, ChannelWorker>();
  private readonly counts: Record<string, ChannelCounts> = {};
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private timerDueMs: number | null = null;
  private host = os.hostname();
  private closed = false;
  /** What notify-state.json holds (as this process last wrote it). */
  private savedState: string | null = null;

  constructor(
    readonly config: NotifyConfig,
    private readonly opts: NotifierOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.silences = new SilenceStore(opts.stateDir, this.now);
    this.outbox = new Outbox(opts.stateDir, this.now);
    this.router = new Router(
      resolveRoutes(config),
      reviveRouterState(loadNotifyState(opts.stateDir)),
    );
    const env = opts.env ?? process.env;
    const channels = opts.channels ?? config.channels.map((c) => createChannel(c, env));
    const policy: DeliveryPolicy = {
      maxAgeMs: config.maxAge * 1000,
      retryInitialMs: config.retryInitial * 1000,
      retryMaxMs: config.retryMax * 1000,
    };
    for (const ch of channels) {
      const timeoutMs = config.channels.find((c) => c.name === ch.name)?.timeoutMs ?? 10_000;
      this.counts[ch.name] = { delivered: 0, retried: 0, dropped: 0 };
      this.workers.set(
        ch.name,
        new ChannelWorker(
          ch,
          timeoutMs,
          policy,
          {
            outcome: (name, outcome, entry, detail) => this.onOutcome(name, outcome, entry, detail),
            settle: (entry, outcome) => this.outbox.settle(entry.key, entry.channel, outcome),
          },
          this.now,
          opts.random,
        ),
      );
    }
    // What a previous run queued and did not deliver goes out first, same keys.
    for (const entry of this.outbox.pendingEntries()) {
      const w = this.workers.get(entry.channel);
      if (w) w.push(entry);
      else this.outbox.settle(entry.key, entry.channel, 'dropped');
    }
  }

  /** Mark silenced events (`data.silenced`: the silence's id and end) before they are logged. */
  annotate(events: HbEvent[]): void {
    if (events.length === 0) return;
    const match = this.silences.matcher();
    for (const e of events) {
      const s = match({ daemon: e.daemon ?? null, rule: e.rule });
      if (s) e.data = { ...e.data, silenced: { id: s.id, until: s.endsAt } };
    }
  }

  /** One evaluation of the monitor. */
  evaluated(result: PollResult, open: readonly OpenConditionView[], wallMs: number): void {
    if (this.closed) return;
    if (result.snapshot.system.hostname) this.host = result.snapshot.system.hostname;
    const match = this.silences.matcher();
    this.router.ingest(result.events, open, wallMs, (s) => match(s) !== null);
    this.flushDue();
  }

  /**
   * The router's memory, when it changed (announced conditions, groups
   * waiting). A group that came and went within one flush (one-off events,
   * groupWait 0) leaves it as it was: no rewrite, no fsync.
   */
  private saveState(): void {
    const state = this.router.takeDirtyState();
    if (!state) return;
    const body = JSON.stringify(state);
    if (body === this.savedState) return;
    try {
      saveNotifyState(this.opts.stateDir, body);
      this.savedState = body;
    } catch {
      // A full disk: at worst a condition is announced again after a restart.
    }
  }

  /** Send the groups whose wait is over; schedule the next. */
  flushDue(): void {
    if (this.closed) return;
    const now = this.now();
    const entries: OutboxEntry[] = [];
    for (const g of this.router.takeDue(now)) {
      if (g.alerts.length === 0) continue;
      entries.push(...this.entriesFor(g.channels, sortAlerts(g.alerts), now));
    }
    // Outbox first, then the state that says the groups left the router: a kill -9
    // between the two repeats a message (same alerts, new key) rather than losing it.
    this.dispatch(entries);
    this.saveState();
    this.schedule();
  }

  private entriesFor(channels: readonly string[], alerts: Alert[], now: number): OutboxEntry[] {
    const createdAt = new Date(now).toISOString();
    const message: NotifyMessage = {
      version: 1,
      id: randomUUID(),
      host: this.host,
      status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
      createdAt,
      title: titleFor(this.host, alerts),
      alerts,
    };
    return channels
      .filter((c) => this.workers.has(c))
      .map((channel) => ({ key: message.id, channel, createdAt, message }));
  }

  /** Durable first, then to the workers. */
  private dispatch(entries: OutboxEntry[]): void {
    if (entries.length === 0) return;
    this.outbox.enqueue(entries);
    for (const e of entries) this.workers.get(e.channel)!.push(e);
  }

  private schedule(): void {
    const due = this.router.nextDueMs();
    if (
      due === null ||
      this.closed ||
      (this.timer && this.timerDueMs !== null && this.timerDueMs <= due)
    )
      return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDueMs = due;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerDueMs = null;
        this.flushDue();
      },
      Math.max(0, due - this.now()),
    );
    this.timer.unref();
  }

  private onOutcome(
    channel: string,
    outcome: AttemptOutcome,
    entry: OutboxEntry,
    detail: string | null,
  ): void {
    const c = (this.counts[channel] ??= { delivered: 0, retried: 0, dropped: 0 });
    c[outcome]++;
    if (outcome !== 'dropped') return;
    const message = entry.message as NotifyMessage;
    // A drop notice is itself sent; its own drop is only counted, so a dead channel cannot loop.
    if (message.alerts.every((a) => a.rule === DROP_RULE)) return;
    try {
      this.opts.raise?.({
        severity: 'warn',
        rule: DROP_RULE,
        message: `notification "${message.title}" to channel ${channel} dropped: ${detail ?? 'unknown reason'}`,
        data: { channel, key: entry.key, createdAt: entry.createdAt, reason: detail },
      });
    } catch {
      // The monitor is closing.
    }
  }

  /** Delivery outcomes and the outbox size (metrics). */
  stats(): NotifierStats {
    return { channels: structuredClone(this.counts), outbox: this.outbox.size };
  }

  /** The channel names, in configuration order. */
  channelNames(): string[] {
    return [...this.workers.keys()];
  }

  /** The last failure of a channel (null after a success). */
  lastError(channel: string): string | null {
    return this.workers.get(channel)?.lastError ?? null;
  }

  /** Resolves once nothing is queued for these entries' channels or `timeoutMs` passed. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = this.now() + timeoutMs;
    while (this.outbox.size > 0) {
      if (this.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  /** Send what waits in groups now (a clean stop), then stop the workers; the outbox keeps the rest. */
  close(): void {
    if (this.closed) return;
    const now = this.now();
    const entries: OutboxEntry[] = [];
    for (const g of this.router.takeDue(Number.POSITIVE_INFINITY)) {
      if (g.alerts.length > 0)
        entries.push(...this.entriesFor(g.channels, sortAlerts(g.alerts), now));
    }
    try {
      this.outbox.enqueue(entries);
      this.saveState();
    } catch {
      // Unwritable: the groups stay in the last saved state instead.
    }
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.workers.values()) w.close();
    this.outbox.close();
  }
}
