// API access records on their way to the audit log. Each request's record is
// queued synchronously (cheap) and written in batches, one write and one
// fdatasync per batch, at most `flushMs` later: a busy API must not cost an
// fsync per request. A flood beyond `maxPending` per batch is summarised in
// one record ("N more requests not recorded") rather than growing memory.
import type { AuditEntry } from '../store/audit.js';
import type { AccessRecord } from './access.js';

/** The part of the audit log the sink uses (store/audit.ts's AuditLog). */
export interface AuditBackend {
  recordMany(entries: readonly AuditEntry[]): void;
}

export class AccessAuditBuffer {
  private pending: AuditEntry[] = [];
  private overflow = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Write failures (a full disk must not take the API down); the last one is kept. */
  failures = 0;
  lastError: string | null = null;

  constructor(
    private readonly backend: AuditBackend,
    private readonly opts: { flushMs?: number; maxPending?: number } = {},
  ) {}

  /** Queue one record; the audit entry keeps every field, with `kind: 'api'`. */
  readonly push = (rec: AccessRecord): void => {
    if (this.pending.length >= (this.opts.maxPending ?? 10_000)) {
      this.overflow++;
    } else {
      const { type: _type, ...fields } = rec;
      this.pending.push({ kind: 'api', ...fields });
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.opts.flushMs ?? 500);
      this.timer.unref();
    }
  };

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (this.overflow > 0) {
      batch.push({
        kind: 'api',
        summary: `${this.overflow} more requests in this interval were not recorded individually`,
        dropped: this.overflow,
      });
      this.overflow = 0;
    }
    if (batch.length === 0) return;
    try {
      this.backend.recordMany(batch);
    } catch (err) {
      this.failures++;
      this.lastError = (err as Error).message;
    }
  }

  close(): void {
    this.flush();
  }
}
