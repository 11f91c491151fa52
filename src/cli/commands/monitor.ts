// `ghost-hb` with no subcommand: the interactive monitor (src/cli/screen.ts)
// on the alternate screen. The terminal is restored on q, Ctrl-C, SIGTERM,
// SIGHUP (tmux kill-pane) and on any uncaught error, which is also written to
// the crash file in the state directory. Without a terminal: one status poll.
import type { Config } from '../../config/schema.js';
import { collectSnapshot } from '../../runtime/collectSnapshot.js';
import { commonFlags, EXIT, defineCommand, type CommandContext } from '../command.js';
import { loadConfigAudited } from '../runtime.js';
import { runScreen, serveFlags, serveOption } from '../screen.js';
import { renderStatusText, statusExitCode } from '../statusText.js';
import { RemoteError, resolveRemotes, type RemoteSpec } from '../remotes.js';
import { wantColor } from './status.js';
import {
  endpointOrExplain,
  PROMETHEUS_HELP,
  prometheusFlags,
  prometheusStatus,
} from '../prometheusFleet.js';

/** Print why there is no screen, then one `status` poll (for pipes, cron, CI). */
async function printStatusInstead(
  config: Config,
  ctx: CommandContext,
  serve: boolean,
): Promise<number> {
  ctx.stderr.write(
    'ghost-hb: not a terminal, so no interactive monitor; here is one status poll instead ' +
      `(run "ghost-hb ${serve ? 'serve' : 'watch'}" to ${serve ? 'serve the API' : 'monitor'} headless)\n`,
  );
  const snapshot = await collectSnapshot({ config, cwd: ctx.cwd });
  ctx.stdout.write(renderStatusText(snapshot, { color: false }));
  return statusExitCode(snapshot);
}

export const monitorCommand = defineCommand({
  name: '',
  summary: 'the interactive monitor (no subcommand)',
  help: `
  Usage
    $ ghost-hb [--dir DIR] [--config FILE] [--interval S] [--filter TEXT] [--no-color]
               [--attach] [--remote NAME=URL]... [--serve [--listen HOST:PORT]]
    $ ghost-hb --prometheus URL [--prometheus-token-file FILE] [--remote NAME=URL]...

  Options
    --dir, -d      heartbeat directory (overrides the config's heartbeatDir)
    --config, -c   config file (default: search for .heartbeatrc from here upward)
    --interval     seconds between full polls (overrides pollInterval)
    --filter       start with this filter (substring, or "re:" and a regex)
    --attach       only attach to the agent (ghost-hb watch or serve) running on
                   the state directory: exit 3 when there is none, and never take
                   over when it stops (without it: attach when one runs, take
                   over when it stops, else monitor here)
    --no-color     no colour (NO_COLOR is honoured too)
    --remote       NAME=URL: a fleet screen over these agents' HTTP APIs (repeatable;
                   NAME= is this host); replaces the config's remotes, taking a
                   configured remote's token by name (else $GHOST_HB_TOKEN)
${PROMETHEUS_HELP}
    --serve        also serve the HTTP API, /metrics and the dashboard page
                   (as "ghost-hb serve" does)
    --listen       address for --serve (implies it; default: config api.listen,
                   127.0.0.1:9464); a non-loopback address needs a token

  With an agent running on the state directory, the screen attaches to it over
  its socket ("attached to agent pid N" in the header) and writes nothing there.
  With --prometheus, a fleet screen: each instance is a host (HOST column,
  host: filter), refreshed every poll interval, and alerts show in the event
  pane as they begin and stop firing.
  Press ? in the monitor for its keys. When stdout is not a terminal, prints
  one status poll instead (of the fleet, with --prometheus).
`,
  flags: {
    ...commonFlags,
    ...serveFlags,
    interval: { type: 'number' },
    filter: { type: 'string' },
    attach: { type: 'boolean', default: false },
    remote: { type: 'string', isMultiple: true },
    ...prometheusFlags,
  },
  async run(ctx) {
    const config = await loadConfigAudited(ctx);
    const serve = serveOption(ctx.flags);
    let remotes: RemoteSpec[];
    try {
      remotes = resolveRemotes(ctx.flags.remote ?? [], config, ctx.env);
    } catch (err) {
      if (!(err instanceof RemoteError)) throw err;
      ctx.stderr.write(`ghost-hb: ${err.message}\n`);
      return EXIT.UNKNOWN;
    }
    const prometheus = await endpointOrExplain(ctx);
    if (prometheus === 'refused') return EXIT.UNKNOWN;
    if (!ctx.stdout.isTTY || !process.stdin.isTTY) {
      if (prometheus) {
        ctx.stderr.write('ghost-hb: not a terminal; here is one poll of the fleet instead\n');
        return (await prometheusStatus(ctx)) ?? EXIT.UNKNOWN;
      }
      return printStatusInstead(config, ctx, serve !== null);
    }
    return runScreen({
      config,
      color: wantColor(ctx.flags.color, ctx.env, true),
      filter: ctx.flags.filter ?? null,
      serve,
      attach: ctx.flags.attach ? 'only' : 'auto',
      remotes,
      prometheus,
      stdout: ctx.stdout,
      stdin: process.stdin,
      stderr: ctx.stderr,
      env: ctx.env,
    });
  },
});
