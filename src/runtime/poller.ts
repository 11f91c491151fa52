// The poller owns ghost-hb's only timer. It runs a full poll every
// `pollIntervalMs`, a cheap pid-liveness check every `livenessIntervalMs` in
// between, and a beat check shortly after the heartbeat directory changes
// (fs.watch, re-armed when the directory is replaced; polling where no watch
// can be set up: see dirWatch.ts). The beat check hands the source the names
// of the changed entries: a change that may alter a verdict (a new daemon, a
// restart, a late daemon beating again, a new message) is read by a full poll
// at once, so it shows within a second; a daemon's next routine beat is only
// noted, and waits for the scheduled poll to be shown (no extra poll, no extra
// frame). Polls never overlap: a request that arrives while one is running is
// remembered and served once the running one ends.
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
  /**
   * The heartbeat directory's entries `fileNames` changed (null: which is
   * unknown). A full poll's result when that may change what is shown; null
   * when the files only carry routine beats (noted, shown with the next poll).
   * Without it, every change is a full poll.
   */
  checkBeats?(now: Instant, fileNames: readonly string[] | null): Promise<PollResult | null>;
}

export type PollKind = 'poll' | 'liveness';

/** What a turn of the timer runs: a poll, a liveness check, or a check of changed heartbeat files. */
type RunKind = PollKind | 'beats';

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
  /** Delay between a directory change and the beat check it triggers (coalesces bursts). Default 150. */
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
  /** When the beat check a directory change asked for is due (Infinity: none asked). */
  private nextBeatsMono = Infinity;
  /** Entries changed since the last poll or beat check; null when a change did not say which. */
  private changed: Set<string> | null = new Set();
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
        (fileName) => this.onDirChange(fileName),
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

  private onDirChange(fileName?: string | null): void {
    if (!this.running) return;
    if (fileName == null) this.changed = null;
    else this.changed?.add(fileName);
    // The first change of a burst sets the time; the rest of the burst rides along.
    const soon = this.env.now().monoMs + this.watchDelayMs;
    if (soon < this.nextPollMono && soon < this.nextBeatsMono) {
      this.nextBeatsMono = soon;
      this.schedule();
    }
  }

  /** The changed entries so far (null: unknown), forgotten: whatever runs now reads them. */
  private takeChanges(): string[] | null {
    const changed = this.changed;
    this.changed = new Set();
    this.nextBeatsMono = Infinity;
    return changed === null ? null : [...changed];
  }

  private clearTimer(): void {
    if (this.timer !== null) this.env.clearTimeout(this.timer);
    this.timer = null;
    this.timerDueMono = Infinity;
  }

  /** (Re)arm the single timer for whichever of the next poll / liveness check comes first. */
  private schedule(): void {
    if (!this.running || this.inFlight) return;
    const due = Math.min(this.nextPollMono, this.nextBeatsMono, this.nextLivenessMono);
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
    else if (now >= this.nextBeatsMono) void this.run('beats');
    else if (now >= this.nextLivenessMono) void this.run('liveness');
    else this.schedule();
  }

  private run(kind: RunKind): Promise<void> {
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

  private async execute(kind: RunKind): Promise<void> {
    // Every tick: a replaced directory is watched again before more beats are missed
    // (first, so that a poll's own schedule wins over the beat check a change asks for).
    this.watcher?.check(kind === 'poll');
    const at = this.env.now();
    // A poll reads every entry; a beat check reads the changed ones.
    const changed = kind === 'liveness' ? null : this.takeChanges();
    if (kind === 'poll') this.polledAt(at);
    else if (kind === 'liveness') this.nextLivenessMono = at.monoMs + this.livenessIntervalMs;
    // A beat check either polls in full or only notes beats: reported as a poll, or not at all.
    const reported: PollKind = kind === 'liveness' ? 'liveness' : 'poll';
    try {
      const polled = await this.ask(kind, at, changed);
      const durationMs = this.env.now().monoMs - at.monoMs;
      if (kind === 'beats' && polled) this.polledAt(at);
      if (kind === 'poll' || (kind === 'beats' && polled)) this.failures = 0;
      if (polled) {
        const result = this.withWatchStatus(polled);
        this.lastResult = result;
        this.emit({ type: 'result', kind: reported, result, at, durationMs });
      }
    } catch (err) {
      if (reported === 'poll') this.failures++;
      const error = err instanceof Error ? err : new Error(String(err));
      this.emit({ type: 'error', kind: reported, error, at, consecutiveFailures: this.failures });
    }
  }

  private ask(kind: RunKind, at: Instant, changed: string[] | null): Promise<PollResult | null> {
    if (kind === 'liveness') return this.source.checkLiveness!(at);
    if (kind === 'beats' && this.source.checkBeats) return this.source.checkBeats(at, changed);
    return this.source.poll(at);
  }

  /** A full poll started at `at`: the next one, and the next liveness check, count from it. */
  private polledAt(at: Instant): void {
    this.nextPollMono = at.monoMs + this.pollIntervalMs;
    if (this.livenessEnabled) this.nextLivenessMono = at.monoMs + this.livenessIntervalMs;
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
