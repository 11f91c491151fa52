// `ghost-hb serve`: the headless monitor with the HTTP API beside it: polls,
// detects and logs like `watch`, and serves /api/status, /api/events, the
// event stream, /metrics, /healthz and the dashboard page (and pushes to a
// dashboard when configured). SIGTERM and SIGINT stop it cleanly, exit 0.
import { headlessFlags, defineCommand } from '../command.js';
import { runAgent, servingLine } from '../runtime.js';

export const serveCommand = defineCommand({
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
    ...headlessFlags,
    listen: { type: 'string' },
  },
  run: (ctx) =>
    runAgent(ctx, {
      command: 'serve',
      async attach(runtime) {
        const api = await runtime.serveApi({
          listen: ctx.flags.listen ?? null,
          env: ctx.env,
          stderr: ctx.stderr,
        });
        return api !== null;
      },
      ready({ api, config }) {
        if (!api) return;
        ctx.stderr.write(
          `${servingLine(api)}; watching ${config.heartbeatDir} every ${config.pollInterval}s\n`,
        );
      },
    }),
});
