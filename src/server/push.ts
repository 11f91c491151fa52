// Dashboard push: POST each poll's snapshot and events as JSON to
// `dashboard.url`. A single background sender drains a bounded queue, with a
// timeout per attempt and retries with exponential backoff and full jitter;
// enqueueing is synchronous and O(1), so a slow or dead dashboard never delays
// a poll or the screen. When the queue is full the oldest push is dropped;
// drops are counted and reported (coalesced) through `onDrop`.
import type { PollResult } from '../core/types.js';
import { sanitizeString } from '../core/sanitize.js';
import { VERSION } from '../version.js';

export type DropReason = 'queue_full' | 'retries_exhausted' | 'rejected';

export interface DropReport {
  /** Drops since the previous report, by reason. */
  dropped: Record<DropReason, number>;
  /** Drops since the pusher started. */
  totalDropped: number;
  /** The last failure, sanitized (never holds the token). */
  lastError: string | null;
}

export interface PushOptions {
  url: string;
  token: string | null;
  timeoutMs: number;
  /** Attempts after the first before a push is given up. */
  retries: number;
  queueMax: number;
  /** First backoff ceiling; doubles per attempt up to maxDelayMs. Default 500. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Drops are reported at most this often (the rest are summed). Default 60 s. */
  reportIntervalMs?: number;
  onDrop?: (report: DropReport) => void;
  /** Called for every drop at once (for counters). */
  onDropCount?: (reason: DropReason, n: number) => void;
  fetch?: typeof fetch;
  random?: () => number;
}

interface Pending {
  result: PollResult;
  enqueuedAt: number;
}

export interface PushStats {
  sent: number;
  attempts: number;
  failures: number;
  dropped: Record<DropReason, number>;
  queued: number;
}

/** Full jitter (AWS architecture blog): a uniform delay in [0, min(max, base * 2^attempt)). */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export class DashboardPusher {
  private readonly queue: Pending[] = [];
  private readonly fetchFn: typeof fetch;
  private readonly random: () => number;
  private running = false;
  private closed = false;
  private abort: AbortController | null = null;
  private sleepTimer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private idle: Promise<void> = Promise.resolve();
  private pendingReport: Record<DropReason, number> = zero();
  private lastReportAt = -Infinity;
  private lastError: string | null = null;
  readonly stats: PushStats = { sent: 0, attempts: 0, failures: 0, dropped: zero(), queued: 0 };

  constructor(private readonly opts: PushOptions) {
    this.fetchFn = opts.fetch ?? fetch;
    this.random = opts.random ?? Math.random;
  }

  /** Queue one poll's result. Never blocks, never throws. */
  enqueue(result: PollResult): void {
    if (this.closed) return;
    this.queue.push({ result, enqueuedAt: Date.now() });
    if (this.queue.length > this.opts.queueMax) {
      const n = this.queue.length - this.opts.queueMax;
      this.queue.splice(0, n);
      this.drop('queue_full', n);
    }
    this.stats.queued = this.queue.length;
    if (!this.running) {
      this.running = true;
      this.idle = this.drain().finally(() => {
        this.running = false;
      });
    }
  }

  /** Resolves when the queue is empty (or the pusher closed). */
  async flushed(): Promise<void> {
    while (this.running) await this.idle;
  }

  /** Stop sending; a push in flight is aborted, queued pushes are discarded. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    this.abort?.abort();
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.wake?.();
    await this.idle;
    this.flushReport(true);
  }

  private drop(reason: DropReason, n: number): void {
    this.stats.dropped[reason] += n;
    this.pendingReport[reason] += n;
    this.opts.onDropCount?.(reason, n);
    this.flushReport(false);
  }

  private flushReport(force: boolean): void {
    const pending = Object.values(this.pendingReport).reduce((a, b) => a + b, 0);
    if (pending === 0 || !this.opts.onDrop) return;
    const now = Date.now();
    if (!force && now - this.lastReportAt < (this.opts.reportIntervalMs ?? 60_000)) return;
    this.lastReportAt = now;
    const dropped = this.pendingReport;
    this.pendingReport = zero();
    try {
      this.opts.onDrop({
        dropped,
        totalDropped: Object.values(this.stats.dropped).reduce((a, b) => a + b, 0),
        lastError: this.lastError,
      });
    } catch {
      // Reporting must not break pushing.
    }
  }

  private async drain(): Promise<void> {
    while (!this.closed && this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.stats.queued = this.queue.length;
      const body = JSON.stringify({
        source: 'ghost-hb',
        version: VERSION,
        sentAt: new Date().toISOString(),
        queuedMs: Date.now() - item.enqueuedAt,
        snapshot: item.result.snapshot,
        events: item.result.events,
      });
      for (let attempt = 0; !this.closed; attempt++) {
        const outcome = await this.attempt(body);
        if (outcome.ok) {
          this.stats.sent++;
          this.flushReport(false);
          break;
        }
        this.stats.failures++;
        this.lastError = outcome.error;
        if (outcome.permanent) {
          this.drop('rejected', 1);
          break;
        }
        if (attempt >= this.opts.retries) {
          this.drop('retries_exhausted', 1);
          break;
        }
        const base = this.opts.baseDelayMs ?? 500;
        const max = this.opts.maxDelayMs ?? 30_000;
        let delay = backoffDelay(attempt + 1, base, max, this.random);
        if (outcome.retryAfterMs != null)
          delay = Math.min(max, Math.max(delay, outcome.retryAfterMs));
        await this.sleep(delay);
      }
    }
  }

  private async attempt(body: string): Promise<{
    ok: boolean;
    permanent?: boolean;
    error: string | null;
    retryAfterMs?: number | null;
  }> {
    this.stats.attempts++;
    const abort = new AbortController();
    this.abort = abort;
    const timer = setTimeout(() => abort.abort(new Error('timeout')), this.opts.timeoutMs);
    try {
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'User-Agent': `ghost-hb/${VERSION}`,
      };
      if (this.opts.token) headers.Authorization = `Bearer ${this.opts.token}`;
      const res = await this.fetchFn(this.opts.url, {
        method: 'POST',
        headers,
        body,
        signal: abort.signal,
        redirect: 'error',
      });
      // Read (and discard) the body within the same timeout so the socket is reused.
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true, error: null };
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      const ra = Number(res.headers.get('retry-after'));
      return {
        ok: false,
        permanent: !retryable,
        error: `HTTP ${res.status}`,
        retryAfterMs: Number.isFinite(ra) && ra > 0 ? ra * 1000 : null,
      };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const why = abort.signal.aborted
        ? `timed out after ${this.opts.timeoutMs} ms`
        : (e.cause?.code ?? e.message);
      return { ok: false, error: sanitizeString(why, 200) };
    } finally {
      clearTimeout(timer);
      this.abort = null;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
      this.sleepTimer.unref();
    });
  }
}

function zero(): Record<DropReason, number> {
  return { queue_full: 0, retries_exhausted: 0, rejected: 0 };
}
