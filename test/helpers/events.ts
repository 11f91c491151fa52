// Numbered events for the event module and event log tests: event N is at
// EVENT_T0 + N seconds, so ids and times sort together.
import type { HbEvent } from '../../src/core/types.js';

export const EVENT_T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

export const ev = (id: number, over: Partial<HbEvent> = {}): HbEvent => ({
  id: String(id),
  at: new Date(EVENT_T0 + id * 1000).toISOString(),
  severity: 'warn',
  rule: 'late',
  daemon: 'relay',
  message: `event ${id}`,
  ...over,
});
