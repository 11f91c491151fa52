// `ghost-hb` with no subcommand: the interactive monitor (src/cli/screen.ts)
// on the alternate screen. The terminal is restored on q, Ctrl-C, SIGTERM,
// SIGHUP (tmux kill-pane) and on any uncaught error, which is also written to
// the crash file in the state directory. Without a terminal: one status poll.
import type { Config } from '../../config/schema.js';
import { collectSnapshot } from '../../runtime/collectSnapshot.js';
import { commonFlags, type Command, type CommandContext } from '../command.js';
import { loadConfigAudited } from '../runtime.js';
import { runScreen, serveFlags, serveOption } from '../screen.js';
import { renderStatusText, statusExitCode } from '../statusText.js';
import { wantColor } from './status.js';

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

export const monitorCommand: Command = {
  name: '',
  summary: 'the interactive monitor (no subcommand)',
  help: `
  Usage
    $ ghost-hb [--dir DIR] [--config FILE] [--interval S] [--filter TEXT] [--no-color]
               [--serve [--listen HOST:PORT]]

  Options
    --dir, -d      heartbeat directory (overrides the config's heartbeatDir)
    --config, -c   config file (default: search for .heartbeatrc from here upward)
    --interval     seconds between full polls (overrides pollInterval)
    --filter       start with this filter (substring, or "re:" and a regex)
    --no-color     no colour (NO_COLOR is honoured too)
    --serve        also serve the HTTP API, /metrics and the dashboard page
                   (as "ghost-hb serve" does)
    --listen       address for --serve (implies it; default: config api.listen,
                   127.0.0.1:9464); a non-loopback address needs a token

  Press ? in the monitor for its keys. When stdout is not a terminal, prints
  one status poll instead.
`,
  flags: {
    ...commonFlags,
    ...serveFlags,
    interval: { type: 'number' },
    filter: { type: 'string' },
  },
  async run(ctx) {
    const config = await loadConfigAudited(ctx);
    const serve = serveOption(ctx.flags);
    if (!ctx.stdout.isTTY || !process.stdin.isTTY) {
      return printStatusInstead(config, ctx, serve !== null);
    }
    return runScreen({
      config,
      color: wantColor(ctx.flags.color, ctx.env, true),
      filter: (ctx.flags.filter as string | undefined) ?? null,
      serve,
      stdout: ctx.stdout,
      stdin: process.stdin,
      stderr: ctx.stderr,
      env: ctx.env,
    });
  },
};
