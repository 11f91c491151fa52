// The HTTP side of ghost-hb as the library exposes it: start the API server
// on a poll feed, or attach it (and the dashboard push) to a running monitor.
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
export { resolveApiToken, ApiConfigError } from './auth.js';
export { attachApi, type AttachOptions, type AttachedApi } from './attach.js';
