// `ghost-hb run NAME -- CMD ARGS...`: wrap any command so it beats while it
// lives and leaves a final beat saying how it ended. The supervising is
// runner.ts's; this module checks the arguments and wires it up.
import { parseProbe } from '../../collectors/probes.js';
import { DAEMON_NAME_RULE, isDaemonName } from '../../core/names.js';
import { exitStatusOf, runWrapped } from '../../runner.js';
import { EXIT, defineCommand, type CommandContext } from '../command.js';
import { BeatError, prepareHeartbeatDir } from '../../beat.js';
import { heartbeatDir } from './beat.js';

export const runCommand = defineCommand({
  name: 'run',
  summary: 'run a command and beat for it while it lives; a final beat says how it ended',
  help: `
  Usage
    $ ghost-hb run NAME [--dir DIR] [--interval S] [--probe URL|tcp:HOST:PORT|exec:CMD]
                        [--probe-timeout S] [--kill-timeout S] [--mkdir] -- CMD [ARGS...]

  Starts CMD and writes NAME.json with CMD's pid every S seconds while it runs:
  not while it is stopped, and with --probe only while the probe passes (so a
  hung server stops beating and the monitor shows it hung). SIGTERM, SIGINT,
  SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH are passed on; a child still
  there --kill-timeout seconds after a stop signal is killed. When CMD ends, a
  final beat records its exit code or signal and how long it ran (the monitor
  shows "exited (code 4)" or "killed (SIGSEGV)"), and run exits as CMD did
  (a signal as 128 + its number, as a shell reports it).

  Options
    --dir, -d         heartbeat directory (default: the config's heartbeatDir)
    --config, -c      config file to take heartbeatDir from
    --interval        seconds between beats (default 5)
    --probe           http://HOST:PORT/PATH (2xx/3xx passes), tcp:HOST:PORT (a connect
                      passes) or exec:COMMAND (exit 0 passes)
    --probe-timeout   seconds a probe may take (default: the interval, at most 5)
    --kill-timeout    seconds between a forwarded stop signal and SIGKILL (default 10)
    --mkdir           create the heartbeat directory when missing

  Examples
    ghost-hb run backup --dir /srv/app/_heartbeat --interval 30 -- /usr/local/bin/backup.sh
    ghost-hb run api --probe http://127.0.0.1:8080/health -- node server.js

  Exit codes
    CMD's own; 3 when run cannot start it (bad arguments, missing heartbeat directory);
    127 when CMD cannot be executed
`,
  flags: {
    dir: { type: 'string', shortFlag: 'd' },
    config: { type: 'string', shortFlag: 'c' },
    interval: { type: 'number', default: 5 },
    probe: { type: 'string' },
    probeTimeout: { type: 'number' },
    killTimeout: { type: 'number', default: 10 },
    mkdir: { type: 'boolean', default: false },
  },
  async run(ctx) {
    const cut = ctx.args.indexOf('--');
    const before = cut === -1 ? ctx.args : ctx.args.slice(0, cut);
    const command = cut === -1 ? [] : ctx.args.slice(cut + 1);
    const [name, ...extra] = before;
    if (!name || extra.length > 0 || command.length === 0) {
      return usage(ctx, 'give a NAME, then -- and the command to run (see ghost-hb run --help)');
    }
    if (!isDaemonName(name)) {
      return usage(ctx, `bad daemon name ${JSON.stringify(name)}: ${DAEMON_NAME_RULE}`);
    }
    const interval = ctx.flags.interval;
    const killTimeout = ctx.flags.killTimeout;
    for (const [flag, v] of [
      ['interval', interval],
      ['kill-timeout', killTimeout],
      ['probe-timeout', ctx.flags.probeTimeout],
    ] as const) {
      if (v !== undefined && !((v as number) > 0 && (v as number) <= 7 * 86400)) {
        return usage(ctx, `--${flag} must be a positive number of seconds, not ${String(v)}`);
      }
    }
    const probe = ctx.flags.probe === undefined ? null : parseProbe(ctx.flags.probe);
    if (typeof probe === 'string') return usage(ctx, probe);
    const dir = await heartbeatDir(ctx);
    try {
      // Checked before CMD starts, so a mistyped directory fails at once.
      await prepareHeartbeatDir(dir, ctx.flags.mkdir);
    } catch (err) {
      return usage(ctx, err instanceof BeatError ? err.message : (err as Error).message);
    }
    const exit = await runWrapped({
      dir,
      name,
      command,
      intervalSec: interval,
      probe,
      probeTimeoutMs: (ctx.flags.probeTimeout ?? Math.min(interval, 5)) * 1000,
      killTimeoutMs: killTimeout * 1000,
      log: (line) => ctx.stderr.write(`ghost-hb run: ${line}\n`),
    });
    return exitStatusOf(exit);
  },
});

function usage(ctx: CommandContext, message: string): number {
  ctx.stderr.write(`ghost-hb run: ${message}\n`);
  return EXIT.UNKNOWN;
}
