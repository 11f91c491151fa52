// Delivery: one worker per channel, each with its own queue, so a dead or
// stalled channel only ever delays itself (never another channel, the poll or
// the screen). A worker sends its queue in order, one attempt at a time, each
// bounded by the channel's timeout; a failed attempt is retried after an
// exponential backoff with full jitter (a random delay up to
// min(retryMax, retryInitial * 2^attempt)), until the message is older than
// maxAge and is dropped. Outcomes are settled in the outbox and counted.
import type { OutboxEntry, SettleOutcome } from '../store/outbox.js';
import type { NotifyMessage } from './message.js';
import { DeliveryError, type Channel } from './channels/index.js';

export interface DeliveryPolicy {
  maxAgeMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
}

export type AttemptOutcome = 'delivered' | 'retried' | 'dropped';

export interface DeliveryEvents {
  /** Every attempt's outcome (metrics); `detail` is a secret-free reason for failures. */
  outcome(
    channel: string,
    outcome: AttemptOutcome,
    entry: OutboxEntry,
    detail: string | null,
  ): void;
  /** The entry is finished (delivered or dropped): settle it in the outbox. */
  settle(entry: OutboxEntry, outcome: SettleOutcome): void;
}

/** Full jitter: uniformly random in [0, min(cap, base * 2^attempt)). */
export function backoffMs(attempt: number, policy: DeliveryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.retryMaxMs, policy.retryInitialMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

export class ChannelWorker {
  private readonly queue: OutboxEntry[] = [];
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: AbortController | null = null;
  private attempts = 0;
  private closed = false;
  /** The last failure's reason, null after a success (for `notify test` and status). */
  lastError: string | null = null;

  constructor(
    readonly channel: Channel,
    private readonly timeoutMs: number,
    private readonly policy: DeliveryPolicy,
    private readonly events: DeliveryEvents,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  push(entry: OutboxEntry): void {
    this.queue.push(entry);
    this.kick();
  }

  /** Retry now instead of waiting out the backoff (tests, `notify test`). */
  retryNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.kick();
  }

  private kick(): void {
    if (this.running || this.timer || this.closed) return;
    void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const entry = this.queue[0]!;
        const age = this.now() - Date.parse(entry.createdAt);
        if (!(age <= this.policy.maxAgeMs)) {
          this.finish(
            entry,
            'dropped',
            `not delivered within ${Math.round(this.policy.maxAgeMs / 1000)}s (${this.lastError ?? 'no attempt'})`,
          );
          continue;
        }
        const failure = await this.attempt(entry);
        if (this.closed) return;
        if (failure === null) {
          this.lastError = null;
          this.finish(entry, 'delivered', null);
          continue;
        }
        this.lastError = failure.message;
        if (failure.permanent) {
          this.finish(entry, 'dropped', `refused: ${failure.message}`);
          continue;
        }
        this.events.outcome(this.channel.name, 'retried', entry, failure.message);
        const delay = backoffMs(this.attempts++, this.policy, this.random);
        this.timer = setTimeout(() => {
          this.timer = null;
          this.kick();
        }, delay);
        this.timer.unref();
        return;
      }
    } finally {
      this.running = false;
    }
  }

  private async attempt(entry: OutboxEntry): Promise<DeliveryError | null> {
    const ac = new AbortController();
    this.inFlight = ac;
    const timer = setTimeout(() => ac.abort(), this.timeoutMs);
    try {
      await this.channel.send(entry.message as NotifyMessage, ac.signal);
      return null;
    } catch (err) {
      return err instanceof DeliveryError
        ? err
        : new DeliveryError(ac.signal.aborted ? 'timed out' : 'failed');
    } finally {
      clearTimeout(timer);
      this.inFlight = null;
    }
  }

  private finish(entry: OutboxEntry, outcome: SettleOutcome, detail: string | null): void {
    this.queue.shift();
    this.attempts = 0;
    this.events.settle(entry, outcome);
    this.events.outcome(this.channel.name, outcome, entry, detail);
  }

  /** Stop: the attempt in flight is abandoned; what is queued stays in the outbox for the next start. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.inFlight?.abort();
    this.channel.close?.();
  }
}
