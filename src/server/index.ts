// The HTTP side of ghost-hb: API server, metrics, dashboard push.
export {
  startServer,
  DEFAULT_LIMITS,
  type GhostServer,
  type ServerOptions,
  type ServerLimits,
  type PollFeed,
  type EventStore,
  type AccessRecord,
  type AuthOutcome,
} from './server.js';
export {
  resolveApiToken,
  tokenMatches,
  isLoopback,
  parseListen,
  assertListenAllowed,
  ApiConfigError,
} from './auth.js';
export { HbMetrics } from './metrics.js';
export { DashboardPusher, backoffDelay, type DropReport, type PushOptions } from './push.js';
export { parseEventQuery, type ApiEventQuery } from './query.js';
export {
  attachApi,
  monitorEventStore,
  type AttachOptions,
  type AttachedApi,
  type MonitorLike,
} from './attach.js';
export { AccessAuditBuffer } from './auditSink.js';
