// What the server knows of the monitor: the latest poll (and its JSON, encoded
// once per poll however many clients ask), the recent events for stream
// resume and the in-memory /api/events, the metrics, and when the last full
// poll ran (for /healthz). It subscribes to the feed once; every listener and
// every route reads from here. Beside a monitor it reads the monitor's own
// event ring (one buffer per process); alone it keeps a ring of what the feed
// delivered.
import { performance } from 'node:perf_hooks';
import { EventRing, type EventBuffer, type EventQuery } from '../core/events/index.js';
import type { HbEvent, PollResult, Snapshot } from '../core/types.js';
import type { PollerListener, PollerUpdate } from '../runtime/poller.js';
import type { HbMetrics } from './metrics.js';

/** What the server reads: the Poller (or anything with the same two members). */
export interface PollFeed {
  readonly latest: PollResult | null;
  subscribe(listener: PollerListener): () => void;
}

/** What happened on the feed, for the live stream. */
export type FeedChange =
  | { type: 'events'; events: readonly HbEvent[] }
  | { type: 'snapshot'; json: string; snapshot: Snapshot };

export interface FeedStateOptions {
  metrics: HbMetrics;
  /** Seconds between full polls: /healthz turns 503 after 3 of them without one. */
  pollIntervalSec: number;
  /** Events kept for Last-Event-ID resume, when there is no `buffer`. */
  ringSize: number;
  /**
   * The monitor's event ring, filled by the monitor with every event the feed
   * delivers (and those from before this process, read from the log).
   */
  buffer?: EventBuffer;
  /** A monotonic clock in milliseconds (performance.now by default). */
  now?: () => number;
}

export interface Health {
  status: 200 | 503;
  body: {
    status: 'ok' | 'stale' | 'no poll yet';
    lastPollAt: string | null;
    lastPollAgeMs: number | null;
    pollIntervalSec: number;
  };
}

export class FeedState {
  private latest: PollResult | null;
  private latestJson: string | null = null;
  private lastPollMono: number | null = null;
  private lastPollWall: number | null = null;
  private readonly buffer: EventBuffer;
  /** Set when this state keeps its own ring (no monitor's to read). */
  private readonly ownRing: EventRing | null;
  private readonly listeners = new Set<(change: FeedChange) => void>();
  private readonly now: () => number;
  private readonly unsubscribe: () => void;

  constructor(
    feed: PollFeed,
    private readonly opts: FeedStateOptions,
  ) {
    this.now = opts.now ?? (() => performance.now());
    this.ownRing = opts.buffer ? null : new EventRing(opts.ringSize);
    this.buffer = opts.buffer ?? this.ownRing!;
    const { metrics } = opts;
    metrics.trackFlapping(this.buffer.toArray());
    this.latest = feed.latest;
    if (this.latest) {
      if (this.ownRing) metrics.trackFlapping(this.ownRing.add(this.latest.events));
      metrics.updateSnapshot(this.latest.snapshot);
      this.lastPollMono = this.now();
      this.lastPollWall = Date.parse(this.latest.snapshot.at);
    }
    this.unsubscribe = feed.subscribe((u) => this.onUpdate(u));
  }

  /** The latest snapshot as JSON, or null before the first poll. */
  statusJson(): string | null {
    return this.latest ? (this.latestJson ??= JSON.stringify(this.latest.snapshot)) : null;
  }

  /** The events held in memory. */
  get events(): EventBuffer {
    return this.buffer;
  }

  /** Events after `id`; null when `id` is unknown (too old, or from an earlier run). */
  eventsAfter(id: string): HbEvent[] | null {
    return this.buffer.after(id);
  }

  /** Matching events held in memory, oldest first (the newest `q.limit`). */
  query(q: EventQuery): HbEvent[] {
    return this.buffer.query(q);
  }

  health(): Health {
    const ageMs = this.lastPollMono === null ? null : this.now() - this.lastPollMono;
    const ok = ageMs !== null && ageMs <= 3 * this.opts.pollIntervalSec * 1000;
    return {
      status: ok ? 200 : 503,
      body: {
        status: ok ? 'ok' : this.lastPollMono === null ? 'no poll yet' : 'stale',
        lastPollAt: this.lastPollWall === null ? null : new Date(this.lastPollWall).toISOString(),
        lastPollAgeMs: ageMs === null ? null : Math.round(ageMs),
        pollIntervalSec: this.opts.pollIntervalSec,
      },
    };
  }

  /** Hear each change; returns the unsubscribe. */
  onChange(listener: (change: FeedChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  private onUpdate(u: PollerUpdate): void {
    const { metrics } = this.opts;
    if (u.type === 'error') {
      if (u.kind === 'poll') metrics.pollFailed();
      return;
    }
    this.latest = u.result;
    this.latestJson = null;
    // A feed's result carries only events it has not delivered before; our
    // own ring still drops repeats, so a replayed result is not re-sent.
    const fresh = this.ownRing ? this.ownRing.add(u.result.events) : u.result.events;
    if (fresh.length > 0) {
      metrics.countEvents(fresh);
      this.emit({ type: 'events', events: fresh });
    }
    metrics.updateSnapshot(u.result.snapshot);
    if (u.kind === 'poll') {
      this.lastPollMono = this.now();
      this.lastPollWall = u.at.wallMs;
      metrics.observePoll(u.durationMs, u.at.wallMs);
    }
    if (this.listeners.size > 0) {
      this.emit({ type: 'snapshot', json: this.statusJson()!, snapshot: u.result.snapshot });
    }
  }

  private emit(change: FeedChange): void {
    for (const l of this.listeners) l(change);
  }
}
