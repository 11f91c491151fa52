// `ghost-hb status`: one poll, printed as a table or as the JSON contract, with
// a Nagios-style exit code.
import { loadConfig } from '../../config/load.js';
import { ClockCollector, withClockAttempt } from '../../collectors/clock/collector.js';
import { collectSnapshot } from '../../runtime/collectSnapshot.js';
import { commonFlags, EXIT, type Command } from '../command.js';
import { renderStatusText, statusExitCode } from '../statusText.js';

/** Colour only on a terminal, never with NO_COLOR set (https://no-color.org) or --no-color. */
export function wantColor(
  flag: unknown,
  env: NodeJS.ProcessEnv,
  isTTY: boolean | undefined,
): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') {
    return true;
  }
  return isTTY === true;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'one poll of the heartbeat directory, as a table or JSON',
  help: `
  Usage
    $ ghost-hb status [--dir DIR] [--config FILE] [--json] [--no-color]

  Options
    --dir, -d      heartbeat directory (overrides the config's heartbeatDir)
    --config, -c   config file (default: search for .heartbeatrc from here upward)
    --json         print one JSON document (the documented contract) instead of a table
    --no-color     no colour (NO_COLOR is honoured too)

  Exit codes
    0 all up, 1 some late or unknown (none down), 2 some down,
    3 cannot run (bad config, missing or unreadable heartbeat directory)
`,
  flags: {
    ...commonFlags,
    json: { type: 'boolean', default: false },
  },
  async run(ctx) {
    const config = await loadConfig({
      file: (ctx.flags.config as string | undefined) ?? null,
      cwd: ctx.cwd,
      dir: (ctx.flags.dir as string | undefined) ?? null,
    });
    // The clock is part of the host's status: its sources are asked alongside
    // the poll (bounded by their timeouts), as `watch` asks them.
    const [polled, clock] = await Promise.all([
      collectSnapshot({ config, cwd: ctx.cwd }),
      new ClockCollector(config.clock).check(),
    ]);
    const snapshot = withClockAttempt(polled, clock);
    if (ctx.flags.json) {
      ctx.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
    } else {
      ctx.stdout.write(
        renderStatusText(snapshot, {
          color: wantColor(ctx.flags.color, ctx.env, ctx.stdout.isTTY),
        }),
      );
    }
    if (snapshot.heartbeatDirError !== null) {
      ctx.stderr.write(
        `ghost-hb: cannot read heartbeat directory ${snapshot.heartbeatDir}: ${snapshot.heartbeatDirError}\n`,
      );
      return EXIT.UNKNOWN;
    }
    return statusExitCode(snapshot);
  },
};
