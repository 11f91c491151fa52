// The agent's API on a unix socket in its state directory: what `watch` and
// `serve` offer to screens, `status` and `events` on the same host. The same
// route table as the HTTP API (reused from the HTTP server when `serve` runs
// one), plus the detail data a screen needs. The file permission is the
// authentication: the socket is created 0600 (the umask is narrowed around
// bind(2), so it never exists wider, even briefly) and only the owner can
// connect; no token is asked for.
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { STATE_FILES } from '../store/paths.js';
import type { Availability } from '../store/uptimeLog.js';
import type { PollFeed } from '../server/feedState.js';
import type { AccessAudit } from '../server/access.js';
import type { Route } from '../server/routes.js';
import { detailRoutes, type MonitorLike } from '../server/attach.js';

/** sun_path holds 108 bytes on Linux, NUL included. */
const MAX_SOCKET_PATH = 107;

/** What the agent's own routes read besides the API's. */
export interface AgentMonitor extends MonitorLike {
  availability(daemon: string): Availability;
}

export interface AgentSocketOptions {
  stateDir: string;
  feed: PollFeed;
  monitor: AgentMonitor;
  pollIntervalSec: number;
  /** The HTTP API's route table when `serve` runs one; otherwise the socket builds its own. */
  routes?: readonly Route[];
  /** More routes for an agent without an HTTP server (`watch`): its pings. */
  extraRoutes?: readonly Route[];
  audit?: AccessAudit;
}

export interface AgentSocket {
  readonly path: string;
  close(): Promise<void>;
}

export function socketPath(stateDir: string): string {
  return path.join(stateDir, STATE_FILES.socket);
}

export class SocketPathError extends Error {}

/** The API's routes over the monitor's feed, for an agent without an HTTP server (`watch`). */
async function ownRoutes(o: AgentSocketOptions): Promise<{ routes: Route[]; close(): void }> {
  const [
    { apiRoutes },
    { FeedState },
    { EventStream },
    { HbMetrics },
    { monitorEventStore },
    { silenceRoutes },
    { SilenceStore },
  ] = await Promise.all([
    import('../server/apiRoutes.js'),
    import('../server/feedState.js'),
    import('../server/sse.js'),
    import('../server/metrics.js'),
    import('../server/attach.js'),
    import('../server/silenceRoutes.js'),
    import('../store/silences.js'),
  ]);
  const { DEFAULT_LIMITS } = await import('../server/server.js');
  const metrics = new HbMetrics();
  const events = monitorEventStore(o.monitor);
  const feed = new FeedState(o.feed, {
    metrics,
    pollIntervalSec: o.pollIntervalSec,
    ringSize: DEFAULT_LIMITS.ringSize,
    ...(events.buffer ? { buffer: events.buffer } : {}),
  });
  const stream = new EventStream(feed, {
    keepaliveMs: DEFAULT_LIMITS.keepaliveMs,
    maxClients: DEFAULT_LIMITS.maxStreamClients,
    maxBufferBytes: DEFAULT_LIMITS.maxStreamBufferBytes,
  });
  // The silences of the state directory this agent owns: `ghost-hb silence` and
  // an attached screen's `m` key change them here, never in the file behind its back.
  const silences = o.monitor.stateDir
    ? silenceRoutes({ store: new SilenceStore(o.monitor.stateDir), audit: o.monitor.audit })
    : [];
  return {
    routes: [...apiRoutes({ feed, stream, metrics, events }), ...silences],
    close() {
      stream.close();
      feed.close();
    },
  };
}

/**
 * Remove what is at the socket's path: only ever called by the lock holder,
 * so a socket there was left by a dead agent. lstat, so a symlink planted
 * there is removed, never followed.
 */
function removeStale(file: string): void {
  try {
    fs.lstatSync(file);
  } catch {
    return;
  }
  fs.rmSync(file, { force: true });
}

/** bind(2) with a umask that leaves the socket owner-only from its creation. */
function listenPrivately(server: http.Server, file: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const umask = process.umask(0o177);
    try {
      // net.Server binds a path synchronously inside listen(), so the umask covers the bind.
      server.listen(file, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      process.umask(umask);
    }
  });
}

/** Serve the agent's API on `<stateDir>/agent.sock`. The caller holds the state directory's lock. */
export async function serveAgentSocket(o: AgentSocketOptions): Promise<AgentSocket> {
  const file = socketPath(o.stateDir);
  if (Buffer.byteLength(file) > MAX_SOCKET_PATH) {
    throw new SocketPathError(
      `no agent socket: ${file} is longer than a unix socket path may be (${MAX_SOCKET_PATH} bytes); use a shorter stateDir`,
    );
  }
  const [{ createApiHandler }, { createApiServer, DEFAULT_LIMITS }, { requestAuth }] =
    await Promise.all([
      import('../server/routes.js'),
      import('../server/server.js'),
      import('../server/auth.js'),
    ]);
  const own = o.routes ? null : await ownRoutes(o);
  // `serve`'s table already has the detail routes; an agent without one adds them.
  const routes = o.routes ?? [...own!.routes, ...detailRoutes(o.monitor), ...(o.extraRoutes ?? [])];
  const handler = createApiHandler(routes, {
    // No token: the socket's 0600 mode decides who may connect.
    access: requestAuth(null, 'localhost'),
    audit: o.audit,
    maxUrlBytes: DEFAULT_LIMITS.maxUrlBytes,
  });
  const server = createApiServer(handler, DEFAULT_LIMITS, o.audit);
  removeStale(file);
  try {
    await listenPrivately(server, file);
    fs.chmodSync(file, 0o600);
  } catch (err) {
    own?.close();
    throw err;
  }
  const ino = fs.statSync(file).ino;
  return {
    path: file,
    close: () =>
      new Promise<void>((resolve) => {
        own?.close();
        server.close(() => resolve());
        server.closeAllConnections();
        // Only our own socket: never one a successor bound meanwhile.
        try {
          if (fs.lstatSync(file).ino === ino) fs.rmSync(file, { force: true });
        } catch {
          // Gone already.
        }
      }),
  };
}
