// Library entry: `import { collectSnapshot } from 'ghost-hb'`. What a program
// embedding ghost-hb needs: collect a snapshot, write a heartbeat, load the
// config, run the monitor behind its poller, serve the API, and the types of
// what they return. Everything else is internal and may change.
export type * from './core/types.js';
export { STATUSES, SEVERITIES } from './core/types.js';
export type { EventFilter, EventQuery } from './core/events/index.js';

// Configuration.
export { loadConfig, type LoadConfigOptions } from './config/load.js';
export {
  resolveConfig,
  defaultConfig,
  ConfigError,
  DEFAULT_DAEMONS,
  type Config,
} from './config/schema.js';

// One snapshot, or a long-running engine that tracks restarts and CPU.
export { Engine, type EngineStateJson } from './runtime/engine.js';
export { collectSnapshot, type CollectSnapshotOptions } from './runtime/collectSnapshot.js';

// From inside a daemon: its heartbeat.
export { writeHeartbeat, BeatError, type BeatOptions } from './beat.js';

// The monitor (rules, event log, uptime) behind the poller (the only timer).
export { Monitor, type MonitorOptions } from './runtime/monitor.js';
export {
  Poller,
  systemInstant,
  type PollSource,
  type PollerOptions,
  type PollerUpdate,
  type PollerListener,
} from './runtime/poller.js';
export type { Availability } from './store/uptimeLog.js';

// The HTTP API beside a monitor, or on any poll feed.
export {
  attachApi,
  startServer,
  resolveApiToken,
  ApiConfigError,
  DEFAULT_LIMITS,
  type AttachOptions,
  type AttachedApi,
  type GhostServer,
  type ServerOptions,
  type ServerLimits,
  type PollFeed,
  type EventStore,
  type AccessRecord,
  type AuthOutcome,
} from './server/index.js';

export { VERSION } from './version.js';
