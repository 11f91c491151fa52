// What the long-running commands (the interactive monitor, `watch`, `serve`
// and `demo`) share before they differ: the configuration from the common
// flags, with a broken one recorded in the audit log, and the MonitorRuntime:
// the one owner of start-up and shutdown in every mode. It opens the Monitor
// (engine, anomaly rules and logs) behind its Poller, adds the HTTP API for
// `serve` and `--serve`, starts polling, and stops everything once, in
// order, however the process ends. The server's modules are imported only
// when the API is asked for, so the monitor does not pay for them at start-up.
import { loadConfig } from '../config/load.js';
import { ConfigError, type Config } from '../config/schema.js';
import { AuditLog } from '../store/audit.js';
import { Monitor } from '../runtime/monitor.js';
import { resolveStateDir, STATE_FILES } from '../store/paths.js';
import { explainHeld, LockHeldError, StateDirLock } from '../store/lock.js';
import { assertStateDirWritable } from '../store/stateDirWriter.js';
import { Poller } from '../runtime/poller.js';
import type { PollerListener } from '../runtime/poller.js';
import type { AttachedApi } from '../server/attach.js';
import type { AgentSocket } from '../agent/socket.js';
import type { AttachedNotify } from '../notify/index.js';
import { EXIT, type ContextWith, type headlessFlags } from './command.js';
import { untilStopSignal } from './signals.js';

/**
 * The configuration from --config, --dir and --interval. A ConfigError is
 * recorded in the audit log and rethrown (main turns it into exit 3); as the
 * config's own stateDir is unknown then, that audit log is the one in
 * --state-dir, or else the default state directory.
 */
export async function loadConfigAudited(ctx: ContextWith<typeof headlessFlags>): Promise<Config> {
  try {
    return await loadConfig({
      file: ctx.flags.config ?? null,
      cwd: ctx.cwd,
      dir: ctx.flags.dir ?? null,
      pollInterval: ctx.flags.interval ?? null,
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      const dir = ctx.flags.stateDir ?? resolveStateDir({ stateDir: null }, ctx.env);
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
  /** Serve the API on the state directory's unix socket (an agent: `watch`, `serve`). */
  agentSocket?: boolean;
}

export interface ApiStartOptions {
  /** --listen; null uses config api.listen. */
  listen: string | null;
  env: NodeJS.ProcessEnv;
  stderr: NodeJS.WritableStream;
}

/**
 * The monitor of one state directory with everything that runs beside it.
 * Commands open it, add what their mode needs, start() it, and stop() it
 * once; screens and servers only subscribe to its poller.
 */
export class MonitorRuntime {
  private apiHandle: AttachedApi | null = null;
  private socketHandle: AgentSocket | null = null;
  private stopping: Promise<void> | null = null;

  private constructor(
    readonly config: Config,
    readonly monitor: Monitor,
    readonly poller: Poller,
    /** Notifications and the self-ping, when configured (closed with the monitor). */
    readonly notify: AttachedNotify | null,
    /** This process's hold on the state directory: the one writer there. */
    readonly lock: StateDirLock,
  ) {}

  /**
   * Take the state directory's lock (LockHeldError when a live process holds
   * it), open the Monitor and create the Poller that drives it (not started yet).
   */
  static async open(config: Config, opts: RuntimeOptions): Promise<MonitorRuntime> {
    const stateDir = opts.stateDir ?? resolveStateDir(config, opts.env);
    // An unwritable directory is a one-line StateDirError before the lock tries to write there.
    assertStateDirWritable(stateDir);
    const lock = StateDirLock.acquire(stateDir, {
      command: opts.command,
      socket: opts.agentSocket ? STATE_FILES.socket : null,
    });
    let monitor: Monitor;
    try {
      monitor = await Monitor.open({ config, stateDir, env: opts.env, command: opts.command });
    } catch (err) {
      lock.release();
      throw err;
    }
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
    return new MonitorRuntime(config, monitor, poller, notify, lock);
  }

  get stateDir(): string {
    return this.monitor.stateDir;
  }

  get api(): AttachedApi | null {
    return this.apiHandle;
  }

  /**
   * Serve the HTTP API (and the dashboard push) beside the monitor. On a
   * refused setting (ApiConfigError: no token for a non-loopback address, a
   * token file others can read, an address in use) the message goes to the
   * audit log and stderr, the runtime is stopped, and the result is null: the
   * caller exits 3. Any other failure stops the runtime and is rethrown.
   */
  async serveApi(opts: ApiStartOptions): Promise<AttachedApi | null> {
    const [{ attachApi }, { ApiConfigError }] = await Promise.all([
      import('../server/attach.js'),
      import('../server/auth.js'),
    ]);
    try {
      this.apiHandle = await attachApi({
        config: this.config,
        poller: this.poller,
        monitor: this.monitor,
        listen: opts.listen,
        env: opts.env,
        notifyStats: this.notify?.notifier ? () => this.notify?.notifier?.stats() ?? null : null,
      });
      return this.apiHandle;
    } catch (err) {
      if (err instanceof ApiConfigError) {
        this.monitor.audit.recordConfigError({
          file: this.config.configFile,
          message: err.message,
        });
        await this.stop('api-error');
        opts.stderr.write(`ghost-hb: ${err.message}\n`);
        return null;
      }
      await this.stop('api-error');
      throw err;
    }
  }

  /**
   * Serve the API on a unix socket in the state directory, for screens,
   * `status` and `events` on this host (after serveApi, whose route table it
   * reuses). A socket that cannot be made is reported on stderr; the monitor
   * goes on without it.
   */
  async serveSocket(stderr: NodeJS.WritableStream): Promise<AgentSocket | null> {
    const [{ serveAgentSocket }, { AccessAuditBuffer }, { configPingRoutes }] = await Promise.all([
      import('../agent/socket.js'),
      import('../server/auditSink.js'),
      import('../server/pingRoutes.js'),
    ]);
    const audit = new AccessAuditBuffer(this.monitor.audit);
    try {
      const socket = await serveAgentSocket({
        stateDir: this.stateDir,
        feed: this.poller,
        monitor: this.monitor,
        pollIntervalSec: this.config.pollInterval,
        audit: audit.push,
        // `serve`'s table has the pings; `watch` pings over the socket alone.
        ...(this.apiHandle
          ? { routes: this.apiHandle.server.routes }
          : { extraRoutes: configPingRoutes(this.config, null, null) }),
      });
      this.socketHandle = {
        path: socket.path,
        close: async () => {
          await socket.close();
          audit.close();
        },
      };
      return this.socketHandle;
    } catch (err) {
      audit.close();
      stderr.write(`ghost-hb: ${(err as Error).message}\n`);
      return null;
    }
  }

  /** Report failed polls and liveness checks on stderr (the headless modes). */
  reportErrors(stderr: NodeJS.WritableStream): void {
    const listener: PollerListener = (u) => {
      if (u.type === 'error') stderr.write(`ghost-hb: ${u.kind} failed: ${u.error.message}\n`);
    };
    this.poller.subscribe(listener);
  }

  /** Start polling: at once, then on schedule. */
  start(): void {
    if (this.stopping) throw new Error('the monitor runtime is stopped');
    this.poller.start();
  }

  /**
   * Stop polling, close the API, then close the monitor's logs (recording
   * `reason`). Once, whichever way the process ends; later calls wait for the first.
   */
  stop(reason: string): Promise<void> {
    return (this.stopping ??= (async () => {
      await this.poller.stop();
      try {
        await this.socketHandle?.close();
        await this.apiHandle?.close();
      } finally {
        try {
          await this.monitor.close(reason);
        } finally {
          this.lock.release();
        }
      }
    })());
  }
}

/**
 * MonitorRuntime.open for a command: a state directory held by another live
 * monitor is explained on stderr (who, how to attach, how to stop it) and the
 * result is null, for the caller to exit 3.
 */
export async function openRuntimeOrExplain(
  config: Config,
  opts: RuntimeOptions,
  stderr: NodeJS.WritableStream,
): Promise<MonitorRuntime | null> {
  try {
    return await MonitorRuntime.open(config, opts);
  } catch (err) {
    if (!(err instanceof LockHeldError)) throw err;
    stderr.write(`${explainHeld(err)}\n`);
    return null;
  }
}

/** What `watch` and `serve` add to the agent they both run. */
export interface AgentMode {
  /** Recorded in the audit log's start and stop records. */
  command: 'watch' | 'serve';
  /**
   * After the runtime opened and before the unix socket is served (the
   * socket reuses the API's routes): false stops there with exit 3.
   */
  attach?(runtime: MonitorRuntime): Promise<boolean>;
  /** Last step before polling starts: subscribe to the poller, announce on stderr. */
  ready(runtime: MonitorRuntime): void;
}

/**
 * The headless agent's whole life, shared by `watch` and `serve`: load the
 * config, take the state directory, serve its unix socket, report failed
 * polls on stderr, poll until SIGTERM or SIGINT, then stop once (exit 0).
 * A held state directory or a refused setting is exit 3.
 */
export async function runAgent(
  ctx: ContextWith<typeof headlessFlags>,
  mode: AgentMode,
): Promise<number> {
  const signals = untilStopSignal();
  try {
    const config = await loadConfigAudited(ctx);
    const runtime = await openRuntimeOrExplain(
      config,
      {
        command: mode.command,
        stateDir: ctx.flags.stateDir,
        env: ctx.env,
        agentSocket: true,
      },
      ctx.stderr,
    );
    if (!runtime) return EXIT.UNKNOWN;
    if (mode.attach && !(await mode.attach(runtime))) return EXIT.UNKNOWN;
    await runtime.serveSocket(ctx.stderr);
    runtime.reportErrors(ctx.stderr);
    mode.ready(runtime);
    runtime.start();
    await runtime.stop(await signals.stopped);
    return EXIT.OK;
  } finally {
    signals.dispose();
  }
}

/** The start-up line naming the API's address and where its token came from (never the token). */
export function servingLine(api: AttachedApi): string {
  const token = api.tokenOrigin === 'none' ? 'no token' : `token from ${api.tokenOrigin}`;
  return `ghost-hb: serving ${api.server.url} (${token})`;
}
