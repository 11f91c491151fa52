// Events, owned in one place: severity order, the filter, the `since`
// grammar, newest-N, and the in-memory ring.
export { SEVERITY_RANK, severityRank, isSeverity, atLeast } from './severity.js';
export { parseDuration, parseSince, SINCE_HELP } from './since.js';
export {
  matchesFilter,
  newest,
  queryEvents,
  type EventFilter,
  type EventQuery,
  type TextTest,
} from './filter.js';
export { EventRing, DEFAULT_RING_SIZE, type EventBuffer, type RingEntry } from './ring.js';
export { eventNow, type EventNow } from './repeat.js';
