// `ghost-hb beat NAME`: one atomic heartbeat, so a shell daemon can beat with
// one line (`ghost-hb beat backup --interval 60`).
import path from 'node:path';
import { BeatError, writeHeartbeat } from '../../beat.js';
import { loadConfig } from '../../config/load.js';
import type { SelfReportedStatus } from '../../core/types.js';
import { EXIT, type Command } from '../command.js';

export const beatCommand: Command = {
  name: 'beat',
  summary: 'write NAME.json into the heartbeat directory (atomically)',
  help: `
  Usage
    $ ghost-hb beat NAME [--dir DIR] [--status ok|degraded|failing] [--pid N]
                         [--message TEXT] [--interval S]

  Options
    --dir, -d      heartbeat directory (default: the config's heartbeatDir)
    --config, -c   config file to take heartbeatDir from
    --status       ok (default), degraded or failing
    --pid          pid to report (default: the parent process, i.e. the calling shell)
    --message      free text shown beside the daemon
    --interval     seconds until the next beat (overrides the configured interval)

  Example
    while sleep 10; do ghost-hb beat backup --interval 10; done

  Exit codes
    0 written, 3 cannot write (bad name or option, bad config, unwritable directory)
`,
  flags: {
    dir: { type: 'string', shortFlag: 'd' },
    config: { type: 'string', shortFlag: 'c' },
    status: { type: 'string', default: 'ok' },
    pid: { type: 'number' },
    message: { type: 'string' },
    interval: { type: 'number' },
  },
  async run(ctx) {
    const [name, ...extra] = ctx.args;
    if (!name || extra.length > 0) {
      ctx.stderr.write('ghost-hb beat: give exactly one daemon NAME (see ghost-hb beat --help)\n');
      return EXIT.UNKNOWN;
    }
    const status = ctx.flags.status as string;
    if (!['ok', 'degraded', 'failing'].includes(status)) {
      ctx.stderr.write(
        `ghost-hb beat: --status must be ok, degraded or failing, not "${status}"\n`,
      );
      return EXIT.UNKNOWN;
    }
    const dirFlag = ctx.flags.dir as string | undefined;
    // With --dir no config is needed, so a broken config cannot stop a daemon beating.
    const dir = dirFlag
      ? path.resolve(ctx.cwd, dirFlag)
      : (
          await loadConfig({
            file: (ctx.flags.config as string | undefined) ?? null,
            cwd: ctx.cwd,
          })
        ).heartbeatDir;
    try {
      await writeHeartbeat(dir, name, {
        status: status as SelfReportedStatus,
        pid: (ctx.flags.pid as number | undefined) ?? process.ppid,
        ...(ctx.flags.message !== undefined ? { message: String(ctx.flags.message) } : {}),
        ...(ctx.flags.interval !== undefined ? { interval: ctx.flags.interval as number } : {}),
      });
    } catch (err) {
      const why =
        err instanceof BeatError
          ? err.message
          : `${(err as NodeJS.ErrnoException).code ?? ''} ${(err as Error).message}`.trim();
      ctx.stderr.write(`ghost-hb beat: ${why}\n`);
      return EXIT.UNKNOWN;
    }
    return EXIT.OK;
  },
};
