// The watcher watched: after each successful full poll (at most once per
// `interval`), ghost-hb pings an outside dead-man URL (healthchecks style),
// and `URL/fail` when polls fail, so its own death, hang or blindness is
// noticed from outside. One request at a time, each bounded; never awaited by
// the poll.
import type { PollerUpdate } from '../runtime/poller.js';
import { VERSION } from '../version.js';

export interface SelfPingOptions {
  url: string;
  intervalMs: number;
  timeoutMs?: number;
  now?: () => number;
}

export class SelfPing {
  private lastOkMs = Number.NEGATIVE_INFINITY;
  private lastFailMs = Number.NEGATIVE_INFINITY;
  private inFlight: AbortController | null = null;
  /** Pings sent and failed (for tests and status). */
  readonly counts = { ok: 0, fail: 0, errors: 0 };

  constructor(private readonly opts: SelfPingOptions) {}

  private get now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** A Poller listener. */
  readonly onUpdate = (u: PollerUpdate): void => {
    if (u.kind !== 'poll') return;
    if (u.type === 'result') {
      if (this.now - this.lastOkMs < this.opts.intervalMs) return;
      this.lastOkMs = this.now;
      this.lastFailMs = Number.NEGATIVE_INFINITY;
      this.send(this.opts.url, 'ok');
    } else {
      if (this.now - this.lastFailMs < this.opts.intervalMs) return;
      this.lastFailMs = this.now;
      this.lastOkMs = Number.NEGATIVE_INFINITY;
      this.send(`${this.opts.url.replace(/\/+$/, '')}/fail`, 'fail');
    }
  };

  private send(url: string, kind: 'ok' | 'fail'): void {
    // A ping still out after a whole interval is abandoned for the new one.
    this.inFlight?.abort();
    const ac = new AbortController();
    this.inFlight = ac;
    const timer = setTimeout(() => ac.abort(), this.opts.timeoutMs ?? 10_000);
    fetch(url, {
      method: 'POST',
      body: '',
      headers: { 'user-agent': `ghost-hb/${VERSION}` },
      signal: ac.signal,
    })
      .then(async (res) => {
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) this.counts[kind]++;
        else this.counts.errors++;
      })
      .catch(() => {
        this.counts.errors++;
      })
      .finally(() => {
        clearTimeout(timer);
        if (this.inFlight === ac) this.inFlight = null;
      });
  }

  close(): void {
    this.inFlight?.abort();
  }
}
