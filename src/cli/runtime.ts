// What the long-running commands (the interactive monitor, `watch`, `serve`
// and `demo`) share before they differ: the configuration from the common
// flags, with a broken one recorded in the audit log; the Monitor (engine,
// anomaly rules and logs) behind its Poller; and, for `serve` and `--serve`,
// the HTTP API beside them. The server's modules are imported only when the
// API is asked for, so the monitor does not pay for them at start-up.
import { loadConfig } from '../config/load.js';
import { ConfigError, type Config } from '../config/schema.js';
import { AuditLog } from '../store/audit.js';
import { Monitor } from '../runtime/monitor.js';
import { resolveStateDir } from '../store/paths.js';
import { Poller } from '../runtime/poller.js';
import type { AttachedApi } from '../server/attach.js';
import type { AttachedNotify } from '../notify/index.js';
import type { CommandContext } from './command.js';

/**
 * The configuration from --config, --dir and --interval. A ConfigError is
 * recorded in the audit log and rethrown (main turns it into exit 3); as the
 * config's own stateDir is unknown then, that audit log is the one in
 * --state-dir, or else the default state directory.
 */
export async function loadConfigAudited(ctx: CommandContext): Promise<Config> {
  try {
    return await loadConfig({
      file: (ctx.flags.config as string | undefined) ?? null,
      cwd: ctx.cwd,
      dir: (ctx.flags.dir as string | undefined) ?? null,
      pollInterval: (ctx.flags.interval as number | undefined) ?? null,
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      const dir =
        (ctx.flags.stateDir as string | undefined) ?? resolveStateDir({ stateDir: null }, ctx.env);
      try {
        const audit = new AuditLog(dir);
        audit.recordConfigError({ file: err.file, message: err.message });
        audit.close();
      } catch {
        // An unwritable state directory must not hide the configuration error.
      }
    }
    throw err;
  }
}

export interface RuntimeOptions {
  /** Recorded in the audit log's start and stop records ('ui', 'watch', 'serve'). */
  command: string;
  /** Overrides config.stateDir / $XDG_STATE_HOME (--state-dir). */
  stateDir?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Delay between a heartbeat-directory change and the poll it triggers (Poller's default when absent). */
  watchDelayMs?: number;
}

export interface MonitorRuntime {
  monitor: Monitor;
  poller: Poller;
  /** Notifications and the self-ping, when configured (closed with the monitor). */
  notify: AttachedNotify | null;
}

/** Open the Monitor and create the Poller that drives it (not started yet). */
export async function openMonitorRuntime(
  config: Config,
  opts: RuntimeOptions,
): Promise<MonitorRuntime> {
  const monitor = await Monitor.open(config, {
    ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir } : {}),
    env: opts.env,
    command: opts.command,
  });
  const poller = new Poller(monitor, {
    pollIntervalMs: config.pollInterval * 1000,
    watchDir: config.heartbeatDir,
    ...(opts.watchDelayMs !== undefined ? { watchDelayMs: opts.watchDelayMs } : {}),
  });
  // Loaded only when configured: a monitor without notifications pays nothing for them.
  const notify =
    config.notify.channels.length > 0 || config.notify.selfPing !== null
      ? (await import('../notify/index.js')).attachNotify(config, monitor, poller, opts.env)
      : null;
  return { monitor, poller, notify };
}

export interface ApiStartOptions {
  /** --listen; null uses config api.listen. */
  listen: string | null;
  env: NodeJS.ProcessEnv;
  stderr: NodeJS.WritableStream;
}

/**
 * Start the HTTP API (and the dashboard push) beside a runtime whose Poller
 * exists. On a refused setting (ApiConfigError: no token for a non-loopback
 * address, a token file others can read, an address in use) the message goes
 * to the audit log and stderr, the monitor is closed, and the result is null:
 * the caller exits 3. Any other failure closes the monitor and is rethrown.
 */
export async function startApiOrExplain(
  config: Config,
  rt: MonitorRuntime,
  opts: ApiStartOptions,
): Promise<AttachedApi | null> {
  const [{ attachApi }, { ApiConfigError }] = await Promise.all([
    import('../server/attach.js'),
    import('../server/auth.js'),
  ]);
  try {
    return await attachApi({
      config,
      poller: rt.poller,
      monitor: rt.monitor,
      listen: opts.listen,
      notifyStats: rt.notify?.notifier ? () => rt.notify?.notifier?.stats() ?? null : null,
      env: opts.env,
    });
  } catch (err) {
    if (err instanceof ApiConfigError) {
      rt.monitor.audit.recordConfigError({ file: config.configFile, message: err.message });
      await rt.monitor.close('api-error');
      opts.stderr.write(`ghost-hb: ${err.message}\n`);
      return null;
    }
    await rt.monitor.close('api-error');
    throw err;
  }
}

/** The start-up line naming the API's address and where its token came from (never the token). */
export function servingLine(api: AttachedApi): string {
  const token = api.tokenOrigin === 'none' ? 'no token' : `token from ${api.tokenOrigin}`;
  return `ghost-hb: serving ${api.server.url} (${token})`;
}
