// The in-memory event list: the newest N events, oldest first, with repeat
// counts applied in place (an update carries the id of the event it replaces).
// One ring per process: the monitor fills it; the screen, the API and the
// event stream read it (resume after an id, queries that fit in memory).
import type { HbEvent } from '../types.js';
import { matchesFilter, newest, type EventQuery } from './filter.js';

export const DEFAULT_RING_SIZE = 1000;

/**
 * An event with its place in the ring's history: `seq` counts the events
 * pushed (from 1) and stays with the event when its repeat count is updated
 * in place, so a reader can anchor a selection or a "cleared through" mark on it.
 */
export interface RingEntry {
  seq: number;
  event: HbEvent;
}

/** What readers of a ring may do. */
export interface EventBuffer {
  readonly capacity: number;
  readonly size: number;
  has(id: string): boolean;
  /** Oldest first. */
  toArray(): HbEvent[];
  /** Oldest first, with their sequence numbers. */
  entries(): RingEntry[];
  /** Events after `id`, oldest first; null when `id` is not held (too old, or never seen). */
  after(id: string): HbEvent[] | null;
  /** Matching events, oldest first; the newest `q.limit` of them. */
  query(q: EventQuery): HbEvent[];
}

/** A fixed-capacity ring of events; pushing beyond capacity drops the oldest. */
export class EventRing implements EventBuffer {
  private readonly items: (HbEvent | undefined)[];
  private start = 0;
  private length = 0;
  /** id -> absolute sequence number of its slot, for in-place updates and after(). */
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

  has(id: string): boolean {
    return this.positions.has(id);
  }

  /** Add an event, or replace the one with its id (a repeat count grew). */
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

  /** Push the events whose ids are not held yet; returns those, in order. */
  add(events: readonly HbEvent[]): HbEvent[] {
    const fresh: HbEvent[] = [];
    for (const e of events) {
      if (this.positions.has(e.id)) continue;
      this.push(e);
      fresh.push(e);
    }
    return fresh;
  }

  /** Replace an event by id (a repeat count grew); false when it has left the ring. */
  update(e: HbEvent): boolean {
    const seq = this.positions.get(e.id);
    if (seq === undefined) return false;
    this.items[this.slot(seq)] = e;
    return true;
  }

  toArray(): HbEvent[] {
    return this.from(0);
  }

  entries(): RingEntry[] {
    const first = this.oldestSeq() + 1;
    const out: RingEntry[] = [];
    for (let i = 0; i < this.length; i++)
      out.push({ seq: first + i, event: this.items[(this.start + i) % this.capacity]! });
    return out;
  }

  after(id: string): HbEvent[] | null {
    const seq = this.positions.get(id);
    return seq === undefined ? null : this.from(seq + 1 - this.oldestSeq());
  }

  query(q: EventQuery): HbEvent[] {
    return newest(
      this.toArray().filter((e) => matchesFilter(e, q)),
      q.limit,
    );
  }

  private oldestSeq(): number {
    return this.pushed - this.length;
  }

  private slot(seq: number): number {
    return (this.start + (seq - this.oldestSeq())) % this.capacity;
  }

  /** Oldest first, from the `offset`-th held event. */
  private from(offset: number): HbEvent[] {
    const out: HbEvent[] = [];
    for (let i = offset; i < this.length; i++)
      out.push(this.items[(this.start + i) % this.capacity]!);
    return out;
  }
}
