// `ghost-hb serve`: the headless monitor with the HTTP API beside it: polls,
// detects and logs like `watch`, and serves /api/status, /api/events, the
// event stream, /metrics, /healthz and the dashboard page (and pushes to a
// dashboard when configured). SIGTERM and SIGINT stop it cleanly, exit 0.
import { loadConfig } from '../../config/load.js';
import { ConfigError } from '../../config/schema.js';
import { AuditLog } from '../../runtime/audit.js';
import { Monitor } from '../../runtime/monitor.js';
import { resolveStateDir } from '../../runtime/paths.js';
import { Poller } from '../../runtime/poller.js';
import { ApiConfigError } from '../../server/auth.js';
import { attachApi } from '../../server/attach.js';
import { commonFlags, EXIT, type Command } from '../command.js';
import { untilStopSignal } from '../signals.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run headless with the HTTP API, live stream, /metrics and dashboard page',
  help: `
  Usage
    $ ghost-hb serve [--listen HOST:PORT] [--dir DIR] [--config FILE] [--state-dir DIR] [--interval S]

  Options
    --listen       address to serve on (default: config api.listen, 127.0.0.1:9464)
    --dir, -d      heartbeat directory (overrides the config's heartbeatDir)
    --config, -c   config file (default: search for .heartbeatrc from here upward)
    --state-dir    where the event, uptime and audit logs go (overrides stateDir)
    --interval     seconds between polls (overrides pollInterval)

  Endpoints: / (dashboard), /api/status, /api/events, /api/events/stream,
  /metrics, /healthz. Every endpoint but /healthz needs the token (api.token,
  api.tokenFile or $GHOST_HB_TOKEN) when one is set; a non-loopback --listen
  requires one. SIGTERM and SIGINT stop it and exit 0.
`,
  flags: {
    ...commonFlags,
    listen: { type: 'string' },
    stateDir: { type: 'string' },
    interval: { type: 'number' },
  },
  async run(ctx) {
    const signals = untilStopSignal();
    try {
      let config;
      try {
        config = await loadConfig({
          file: (ctx.flags.config as string | undefined) ?? null,
          cwd: ctx.cwd,
          dir: (ctx.flags.dir as string | undefined) ?? null,
          pollInterval: (ctx.flags.interval as number | undefined) ?? null,
        });
      } catch (err) {
        if (err instanceof ConfigError) {
          const dir =
            (ctx.flags.stateDir as string | undefined) ??
            resolveStateDir({ stateDir: null }, ctx.env);
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
      const monitor = await Monitor.open(config, {
        stateDir: (ctx.flags.stateDir as string | undefined) ?? undefined,
        env: ctx.env,
        command: 'serve',
      });
      const poller = new Poller(monitor, {
        pollIntervalMs: config.pollInterval * 1000,
        watchDir: config.heartbeatDir,
      });
      let api;
      try {
        api = await attachApi({
          config,
          poller,
          monitor,
          listen: (ctx.flags.listen as string | undefined) ?? null,
          env: ctx.env,
        });
      } catch (err) {
        if (err instanceof ApiConfigError) {
          monitor.audit.recordConfigError({ file: config.configFile, message: err.message });
          await monitor.close('api-error');
          ctx.stderr.write(`ghost-hb: ${err.message}\n`);
          return EXIT.UNKNOWN;
        }
        await monitor.close('api-error');
        throw err;
      }
      poller.subscribe((u) => {
        if (u.type === 'error')
          ctx.stderr.write(`ghost-hb: ${u.kind} failed: ${u.error.message}\n`);
      });
      poller.start();
      ctx.stderr.write(
        `ghost-hb: serving ${api.server.url} (${api.tokenOrigin === 'none' ? 'no token' : `token from ${api.tokenOrigin}`}); ` +
          `watching ${config.heartbeatDir} every ${config.pollInterval}s\n`,
      );
      const signal = await signals.stopped;
      await poller.stop();
      await api.close();
      await monitor.close(signal);
      return EXIT.OK;
    } finally {
      signals.dispose();
    }
  },
};
