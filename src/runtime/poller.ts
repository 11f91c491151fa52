// The poller owns ghost-hb's only timer. It runs a full poll every
// `pollIntervalMs`, a cheap pid-liveness check every `livenessIntervalMs` in
// between, and an early poll shortly after the heartbeat directory changes
// (fs.watch, re-armed when the directory is replaced; polling where no watch
// can be set up: see dirWatch.ts), so a fresh beat shows within a second while
// the timer remains the backstop. Polls never overlap: a request that arrives
// while one is running is remembered and served once the running one ends.
import { performance } from 'node:perf_hooks';
import type { Instant, PollResult, WatchStatus } from '../core/types.js';
import {
  DirWatcher,
  fsWatchFactory,
  statDirectory,
  type StatDir,
  type WatchFactory,
} from './dirWatch.js';

/** What the poller drives: the engine, or the engine wrapped with anomaly rules. */
export interface PollSource {
  /** Full poll: heartbeat files, processes, system figures. */
  poll(now: Instant): Promise<PollResult>;
  /** Cheap re-check of known pids; null when nothing changed. */
  checkLiveness?(now: Instant): Promise<PollResult | null>;
}

export type PollKind = 'poll' | 'liveness';

export type PollerUpdate =
  | { type: 'result'; kind: PollKind; result: PollResult; at: Instant; durationMs: number }
  | { type: 'error'; kind: PollKind; error: Error; at: Instant; consecutiveFailures: number };

export type PollerListener = (update: PollerUpdate) => void;

/**
 * What a screen reads: anything that delivers poll updates (this Poller, an
 * agent the screen is attached to, a fleet of remote agents). Whoever owns
 * the source starts and stops it; readers only subscribe.
 */
export interface UpdateSource {
  subscribe(listener: PollerListener): () => void;
  /** Fresh data as soon as possible (the screen's refresh key). */
  pollNow?(): Promise<void>;
}

/** Injectable timer and watcher, so tests drive time instead of sleeping. */
export interface PollerEnvironment {
  now(): Instant;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Watch a directory (throws when the OS cannot); returns a function that stops watching. */
  watchDir: WatchFactory;
  /** The watched directory's identity and stamp; null when it is absent. */
  statDir: StatDir;
}

export interface PollerOptions {
  pollIntervalMs: number;
  /** 0 disables the liveness check. Default 1000. */
  livenessIntervalMs?: number;
  /** Directory to watch for changes; null disables watching. */
  watchDir?: string | null;
  /** Delay between a directory change and the poll it triggers (coalesces bursts). Default 150. */
  watchDelayMs?: number;
  /** Keep the process alive for the timer (headless use). Default true. */
  keepAlive?: boolean;
  env?: Partial<PollerEnvironment>;
}

export function systemInstant(): Instant {
  return { wallMs: Date.now(), monoMs: performance.now() };
}

export class Poller implements UpdateSource {
  private readonly listeners = new Set<PollerListener>();
  private readonly env: PollerEnvironment;
  private readonly pollIntervalMs: number;
  private readonly livenessIntervalMs: number;
  private readonly watchDelayMs: number;
  private timer: unknown = null;
  private timerDueMono = Infinity;
  private running = false;
  private inFlight: Promise<void> | null = null;
  private pendingPoll = false;
  private nextPollMono = 0;
  private nextLivenessMono = Infinity;
  private watcher: DirWatcher | null = null;
  private failures = 0;
  private lastResult: PollResult | null = null;

  constructor(
    private readonly source: PollSource,
    private readonly opts: PollerOptions,
  ) {
    this.pollIntervalMs = Math.max(50, opts.pollIntervalMs);
    this.livenessIntervalMs = opts.livenessIntervalMs ?? 1000;
    this.watchDelayMs = opts.watchDelayMs ?? 150;
    this.env = {
      now: systemInstant,
      setTimeout: (fn, ms) => {
        const t = setTimeout(fn, ms);
        if (opts.keepAlive === false) t.unref();
        return t;
      },
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
      watchDir: fsWatchFactory,
      statDir: statDirectory,
      ...opts.env,
    };
  }

  /** Subscribe to results and errors; returns the unsubscribe function. */
  subscribe(listener: PollerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The newest successful result, if any. */
  get latest(): PollResult | null {
    return this.lastResult;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Start: polls at once, then on schedule. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const now = this.env.now().monoMs;
    this.nextPollMono = now;
    this.nextLivenessMono = this.livenessEnabled ? now + this.livenessIntervalMs : Infinity;
    if (this.opts.watchDir) {
      this.watcher = new DirWatcher(
        this.opts.watchDir,
        () => this.onDirChange(),
        this.env.watchDir,
        this.env.statDir,
      );
      this.watcher.check(true);
    }
    this.schedule();
  }

  /** Stop the timer and the watcher; resolves when any poll in flight has ended. */
  async stop(): Promise<void> {
    this.running = false;
    this.clearTimer();
    this.watcher?.close();
    this.watcher = null;
    await this.inFlight;
  }

  /** Poll as soon as possible (after the one in flight, if any). Resolves when it is done. */
  async pollNow(): Promise<void> {
    this.nextPollMono = this.env.now().monoMs;
    if (this.inFlight) {
      this.pendingPoll = true;
      await this.inFlight;
      // The pending poll runs from run()'s tail; wait for it as well.
      await this.inFlight;
      return;
    }
    await this.run('poll');
  }

  /** How directory changes are noticed; null when no directory is watched. */
  get watchStatus(): WatchStatus | null {
    return this.watcher?.status() ?? null;
  }

  private get livenessEnabled(): boolean {
    return this.livenessIntervalMs > 0 && typeof this.source.checkLiveness === 'function';
  }

  private onDirChange(): void {
    if (!this.running) return;
    const soon = this.env.now().monoMs + this.watchDelayMs;
    if (soon < this.nextPollMono) {
      this.nextPollMono = soon;
      this.schedule();
    }
  }

  private clearTimer(): void {
    if (this.timer !== null) this.env.clearTimeout(this.timer);
    this.timer = null;
    this.timerDueMono = Infinity;
  }

  /** (Re)arm the single timer for whichever of the next poll / liveness check comes first. */
  private schedule(): void {
    if (!this.running || this.inFlight) return;
    const due = Math.min(this.nextPollMono, this.nextLivenessMono);
    if (this.timer !== null && this.timerDueMono <= due) return;
    this.clearTimer();
    const delay = Math.max(0, due - this.env.now().monoMs);
    this.timerDueMono = due;
    this.timer = this.env.setTimeout(() => {
      this.timer = null;
      this.timerDueMono = Infinity;
      this.onTimer();
    }, delay);
  }

  private onTimer(): void {
    if (!this.running) return;
    const now = this.env.now().monoMs;
    if (now >= this.nextPollMono) void this.run('poll');
    else if (now >= this.nextLivenessMono) void this.run('liveness');
    else this.schedule();
  }

  private run(kind: PollKind): Promise<void> {
    const task = this.execute(kind).finally(() => {
      this.inFlight = null;
      if (this.pendingPoll) {
        this.pendingPoll = false;
        void this.run('poll');
      } else {
        this.schedule();
      }
    });
    this.inFlight = task;
    return task;
  }

  private async execute(kind: PollKind): Promise<void> {
    // Every tick: a replaced directory is watched again before more beats are missed
    // (first, so that a poll's own schedule wins over the early poll a change asks for).
    this.watcher?.check(kind === 'poll');
    const at = this.env.now();
    if (kind === 'poll') {
      this.nextPollMono = at.monoMs + this.pollIntervalMs;
      if (this.livenessEnabled) this.nextLivenessMono = at.monoMs + this.livenessIntervalMs;
    } else {
      this.nextLivenessMono = at.monoMs + this.livenessIntervalMs;
    }
    try {
      const polled =
        kind === 'poll' ? await this.source.poll(at) : await this.source.checkLiveness!(at);
      const durationMs = this.env.now().monoMs - at.monoMs;
      if (kind === 'poll') this.failures = 0;
      if (polled) {
        const result = this.withWatchStatus(polled);
        this.lastResult = result;
        this.emit({ type: 'result', kind, result, at, durationMs });
      }
    } catch (err) {
      if (kind === 'poll') this.failures++;
      const error = err instanceof Error ? err : new Error(String(err));
      this.emit({ type: 'error', kind, error, at, consecutiveFailures: this.failures });
    }
  }

  private withWatchStatus(result: PollResult): PollResult {
    const watch = this.watchStatus;
    return watch ? { ...result, snapshot: { ...result.snapshot, watch } } : result;
  }

  private emit(update: PollerUpdate): void {
    for (const l of this.listeners) {
      try {
        l(update);
      } catch {
        // A failing listener must not stop the poller or starve the others.
      }
    }
  }
}
