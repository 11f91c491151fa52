// A coalesced event as it is now. A repeating condition (a restart loop, clock
// jumps) stays one event whose id and `at` are the first occurrence's; its
// data counts the repeats (`count`), dates the newest (`lastAt`) and, when the
// newest says something new, carries its message and data (`latestMessage`,
// `latest`). Every reader (the screen, `events`, `watch`) shows it through here.
import type { HbEvent } from '../types.js';

export interface EventNow {
  /** Occurrences so far; 1 for an event that never repeated. */
  count: number;
  /** When the newest occurrence happened (ISO). */
  at: string;
  /** When the first one happened (ISO). */
  firstAt: string;
  /** The newest occurrence's message. */
  message: string;
  /** The newest occurrence's data, when it differs from the first's. */
  latest: unknown;
}

export function eventNow(e: HbEvent): EventNow {
  const data = e.data ?? {};
  const count = typeof data.count === 'number' && data.count > 1 ? data.count : 1;
  const lastAt = typeof data.lastAt === 'string' ? data.lastAt : null;
  const latestMessage = typeof data.latestMessage === 'string' ? data.latestMessage : null;
  const repeated = count > 1;
  return {
    count,
    at: repeated && lastAt ? lastAt : e.at,
    firstAt: e.at,
    message: repeated ? (latestMessage ?? e.message) : e.message,
    latest: repeated ? (data.latest ?? null) : null,
  };
}
