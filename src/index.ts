// Library entry: `import { collectSnapshot } from 'ghost-hb'`.
export * from './core/types.js';
export { loadConfig, type LoadConfigOptions } from './config/load.js';
export {
  resolveConfig,
  resolveDaemonSpec,
  defaultConfig,
  ConfigError,
  DEFAULT_DAEMONS,
  DAEMON_NAME_PATTERN,
  type Config,
} from './config/schema.js';
export { Engine, engineSource, type EngineDeps, type EngineStateJson } from './runtime/engine.js';
export { collectSnapshot, type CollectSnapshotOptions } from './runtime/collectSnapshot.js';
export { writeHeartbeat, BeatError, type BeatOptions } from './beat.js';
export {
  FsHeartbeatCollector,
  type HeartbeatCollector,
  type HeartbeatDirOptions,
} from './collectors/heartbeatDir.js';
export {
  ProcfsProcessCollector,
  SiProcessCollector,
  defaultProcessCollector,
  type ProcessCollector,
  type Liveness,
} from './collectors/processes.js';
export { HostSystemCollector, type SystemCollector } from './collectors/system.js';
export {
  formatAge,
  formatDuration,
  formatBytes,
  formatSeconds,
  formatPct,
  escapeForDisplay,
  hasControlChars,
} from './core/format.js';
export {
  classifyFileName,
  parseHeartbeatFile,
  MAX_HEARTBEAT_BYTES,
  type ParsedHeartbeatFile,
} from './core/heartbeatFile.js';
export { REASONS } from './core/status.js';
export { renderStatusText, statusExitCode } from './cli/statusText.js';
export { STATUS_GLYPHS } from './core/format.js';
export { VERSION } from './version.js';
// Anomaly detection, clock sync, the event log and the monitor (issue 4).
export {
  Monitor,
  type MonitorOptions,
  type MonitorEngine,
  type MonitorClock,
} from './runtime/monitor.js';
export {
  EventLog,
  followFile,
  logFiles,
  mergeById,
  type EventLogOptions,
  type FollowOptions,
} from './store/eventLog.js';
export {
  AuditLog,
  fileSha256,
  type AuditEntry,
  type AuditKind,
  type AuditRecord,
} from './store/audit.js';
export { UptimeLog, type Availability, type UptimeRecord } from './store/uptimeLog.js';
export {
  loadState,
  saveState,
  type PersistedState,
  type LoadStateResult,
} from './store/stateStore.js';
export {
  detectAnomalies,
  initialRuleState,
  reviveRuleState,
  percentStateChange,
  type AnomalyConfig,
  type AnomalyResult,
  type RuleState,
} from './core/anomaly/index.js';
export {
  EventRing,
  matchesFilter,
  queryEvents,
  parseSince,
  severityRank,
  isSeverity,
  DEFAULT_RING_SIZE,
  type EventBuffer,
  type EventFilter,
  type EventQuery,
} from './core/events/index.js';
export {
  parseChronyTracking,
  parseTimedatectlShow,
  parseTimesyncStatus,
  parseDurationMs,
  type ClockSample,
} from './collectors/clock/parsers.js';
export {
  ClockCollector,
  querySntp,
  parseServer,
  type ClockAttempt,
} from './collectors/clock/collector.js';
export {
  Poller,
  systemInstant,
  systemInstant as nowInstant,
  type PollSource,
  type PollerOptions,
  type PollerUpdate,
} from './runtime/poller.js';
export {
  startServer,
  attachApi,
  monitorEventStore,
  HbMetrics,
  DashboardPusher,
  resolveApiToken,
  tokenMatches,
  ApiConfigError,
  type GhostServer,
  type ServerOptions,
  type PollFeed,
  type EventStore,
  type AccessRecord,
  type AttachOptions,
  type AttachedApi,
  type PushOptions,
} from './server/index.js';
