// The in-memory event list: the newest N events, oldest first, with repeat
// counts applied in place (an update carries the id of the event it replaces).
// Also the filter shared by the ring, the event log query and the API.
import { SEVERITIES, type HbEvent, type Severity } from './types.js';

export const DEFAULT_RING_SIZE = 1000;

export interface EventFilter {
  /** Only events at or after this wall time (epoch ms). */
  sinceMs?: number | null;
  /** Only events at or above this severity. */
  severity?: Severity | null;
  /** Only events about this daemon. */
  daemon?: string | null;
  /** Only events with this rule. */
  rule?: string | null;
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function isSeverity(s: unknown): s is Severity {
  return typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s);
}

export function matchesFilter(e: HbEvent, f: EventFilter): boolean {
  if (f.severity && severityRank(e.severity) < severityRank(f.severity)) return false;
  if (f.daemon && e.daemon !== f.daemon) return false;
  if (f.rule && e.rule !== f.rule) return false;
  if (f.sinceMs !== undefined && f.sinceMs !== null && Date.parse(e.at) < f.sinceMs) return false;
  return true;
}

/** A fixed-capacity ring of events; pushing beyond capacity drops the oldest. */
export class EventRing {
  private readonly items: (HbEvent | undefined)[];
  private start = 0;
  private length = 0;
  /** id -> absolute sequence number of its slot, for in-place updates. */
  private readonly positions = new Map<string, number>();
  private pushed = 0;

  constructor(readonly capacity: number = DEFAULT_RING_SIZE) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    }
    this.items = new Array(capacity);
  }

  get size(): number {
    return this.length;
  }

  push(e: HbEvent): void {
    if (this.positions.has(e.id)) {
      this.update(e);
      return;
    }
    if (this.length === this.capacity) {
      const dropped = this.items[this.start];
      if (dropped) this.positions.delete(dropped.id);
      this.items[this.start] = e;
      this.start = (this.start + 1) % this.capacity;
    } else {
      this.items[(this.start + this.length) % this.capacity] = e;
      this.length++;
    }
    this.positions.set(e.id, this.pushed++);
  }

  /** Replace an event by id (a repeat count grew); false when it has left the ring. */
  update(e: HbEvent): boolean {
    const seq = this.positions.get(e.id);
    if (seq === undefined) return false;
    const oldest = this.pushed - this.length;
    this.items[(this.start + (seq - oldest)) % this.capacity] = e;
    return true;
  }

  /** Oldest first. */
  toArray(): HbEvent[] {
    const out: HbEvent[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.items[(this.start + i) % this.capacity]!);
    return out;
  }

  /** Matching events, oldest first; with `limit`, the newest `limit` of them. */
  filter(f: EventFilter, limit?: number): HbEvent[] {
    const out = this.toArray().filter((e) => matchesFilter(e, f));
    return limit !== undefined && out.length > limit ? out.slice(out.length - limit) : out;
  }
}
