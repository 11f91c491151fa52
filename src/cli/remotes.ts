// The fleet's hosts from `--remote NAME=URL` (repeatable) or the config's
// `remotes`, and the FleetSource over them. Flags replace the config's list;
// a flag naming a configured remote takes that remote's token. A token comes
// from `token`, `tokenFile` (refused when group or others can read it) or
// $GHOST_HB_TOKEN, and travels only in the Authorization header: a URL with
// user:password in it is refused, so no credential ends up in a message.
import type { Config } from '../config/schema.js';
import { findAgent } from '../agent/client.js';
import { remoteToken } from '../agent/endpoint.js';
import { ApiConfigError } from '../server/auth.js';
import { AgentFeed, FleetSource, MonitorFeed, type FleetFeed } from '../agent/fleet.js';
import type { PromEndpoint } from '../agent/prometheus.js';
import type { PrometheusFeed } from '../agent/prometheusFeed.js';
import { openRuntimeOrExplain } from './runtime.js';

export interface RemoteSpec {
  name: string;
  /** Null: this host (its agent over the socket, or a monitor of its own). */
  url: URL | null;
  token: string | null;
}

export class RemoteError extends Error {}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

function parseUrl(name: string, raw: string): URL | null {
  if (raw.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RemoteError(
      `remote ${name}: "${raw}" is not a URL (http://HOST:PORT or https://...)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RemoteError(`remote ${name}: only http:// and https:// URLs, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new RemoteError(
      `remote ${name}: no credentials in the URL; give the token as token or tokenFile in the config, or $GHOST_HB_TOKEN`,
    );
  }
  if (url.search || url.hash) {
    throw new RemoteError(`remote ${name}: the URL takes no query or fragment`);
  }
  return url;
}

/** The remotes to show: from the flags when given, else from the config. */
export function resolveRemotes(
  flags: readonly string[],
  config: Pick<Config, 'remotes'>,
  env: NodeJS.ProcessEnv,
): RemoteSpec[] {
  const configured = new Map(config.remotes.map((r) => [r.name, r]));
  const entries =
    flags.length > 0
      ? flags.map((f) => {
          const eq = f.indexOf('=');
          if (eq <= 0)
            throw new RemoteError(`--remote ${f}: expected NAME=URL (NAME= for this host)`);
          const name = f.slice(0, eq);
          const c = configured.get(name);
          return {
            name,
            url: f.slice(eq + 1),
            token: c?.token ?? null,
            tokenFile: c?.tokenFile ?? null,
          };
        })
      : config.remotes;
  const seen = new Set<string>();
  let locals = 0;
  return entries.map((e) => {
    if (!NAME.test(e.name)) {
      throw new RemoteError(
        `remote "${e.name}": a name is letters, digits, ".", "_", "-" (at most 32)`,
      );
    }
    if (seen.has(e.name)) throw new RemoteError(`remote ${e.name} is given twice`);
    seen.add(e.name);
    const url = parseUrl(e.name, e.url);
    if (url === null && ++locals > 1) throw new RemoteError('only one remote can be this host');
    let token: string | null = null;
    if (url) {
      try {
        token = remoteToken(e.name, e) ?? (env.GHOST_HB_TOKEN?.trim() || null);
      } catch (err) {
        if (err instanceof ApiConfigError) throw new RemoteError(err.message);
        throw err;
      }
    }
    return { name: e.name, url, token };
  });
}

export interface FleetOpen {
  config: Config;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  stderr: NodeJS.WritableStream;
  /** Shorter timeouts for one-shot readers (`status --remote`). */
  requestTimeoutMs?: number;
  /** --prometheus: every instance a Prometheus server scrapes, as hosts beside the remotes. */
  prometheus?: PromEndpoint | null;
}

/** The feed of a Prometheus server's instances (loaded only when asked for). */
async function prometheusFeed(endpoint: PromEndpoint, o: FleetOpen): Promise<PrometheusFeed> {
  const [{ PrometheusClient }, { PrometheusFeed }] = await Promise.all([
    import('../agent/prometheus.js'),
    import('../agent/prometheusFeed.js'),
  ]);
  const intervalMs = o.config.pollInterval * 1000;
  // A poll's queries must finish before the next is due (and within 5 s).
  const timeoutMs = Math.max(1000, Math.min(5000, intervalMs));
  return new PrometheusFeed(new PrometheusClient(endpoint, { timeoutMs }), { intervalMs });
}

/**
 * The FleetSource over the remotes (and a Prometheus server's instances); null when this host's own monitor is
 * refused (explained on stderr). Not started.
 */
export async function openFleet(
  specs: readonly RemoteSpec[],
  o: FleetOpen,
): Promise<FleetSource | null> {
  const feeds: FleetFeed[] = [];
  // Rows move once per poll interval, and at once when a status changes.
  const snapshotMs = o.config.pollInterval * 1000;
  const prom = o.prometheus ? await prometheusFeed(o.prometheus, o) : null;
  if (prom) feeds.push(prom);
  for (const spec of specs) {
    if (spec.url) {
      feeds.push(
        new AgentFeed(
          spec.name,
          { kind: 'http', url: spec.url, token: spec.token },
          o.requestTimeoutMs
            ? { requestTimeoutMs: o.requestTimeoutMs, snapshotMs }
            : { snapshotMs },
        ),
      );
      continue;
    }
    const agent = findAgent(o.stateDir);
    if (agent) {
      feeds.push(
        new AgentFeed(
          spec.name,
          { kind: 'socket', socket: agent.socket },
          { sanitize: false, snapshotMs },
        ),
      );
      continue;
    }
    const runtime = await openRuntimeOrExplain(
      o.config,
      { command: 'ui', stateDir: o.stateDir, env: o.env },
      o.stderr,
    );
    if (!runtime) {
      await Promise.allSettled(feeds.map((f) => f.stop()));
      return null;
    }
    feeds.push(
      new MonitorFeed(spec.name, runtime.poller, runtime.monitor, () => runtime.stop('quit')),
    );
  }
  return new FleetSource({
    hosts: specs.map((s) => s.name),
    feeds,
    label: prom?.where ?? null,
    intervalMs: o.config.pollInterval * 1000,
    unknownAfterMs: Math.max(10_000, 2 * o.config.pollInterval * 1000),
  });
}
