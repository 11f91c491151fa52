// `ghost-hb beat NAME`: one atomic heartbeat, so a shell daemon can beat with
// one line (`ghost-hb beat backup --interval 60`), or `--every S` to keep
// beating on a fixed cadence. This module is on the fast path (cli/fast.ts):
// it must load nothing heavier than the writer itself; the config loader
// (cosmiconfig, zod) is imported only when no --dir is given.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BeatError, writeHeartbeat, type BeatOptions } from '../../beat.js';
import { callerPid } from '../../collectors/processes.js';
import type { SelfReportedStatus } from '../../core/types.js';
import {
  EXIT,
  defineCommand,
  type CommandContext,
  type ContextWith,
  type commonFlags,
} from '../command.js';

export const beatCommand = defineCommand({
  name: 'beat',
  summary: 'write NAME.json into the heartbeat directory (atomically), once or --every S',
  help: `
  Usage
    $ ghost-hb beat NAME [--dir DIR] [--status ok|degraded|failing] [--pid N]
                         [--message TEXT] [--interval S] [--every S] [--mkdir]

  Options
    --dir, -d      heartbeat directory (default: the config's heartbeatDir;
                   giving it skips loading the config, the cheapest beat)
    --config, -c   config file to take heartbeatDir from
    --status       ok (default), degraded or failing
    --pid          pid to report (default: the parent process, i.e. the calling shell;
                   npm/npx in between are skipped)
    --message      free text shown beside the daemon
    --interval     seconds until the next beat (overrides the configured interval;
                   with --every, defaults to S)
    --every        keep running and beat every S seconds on a fixed cadence (no
                   drift: beats are due at start + k*S), until SIGTERM or Ctrl-C
    --mkdir        create the heartbeat directory when missing (otherwise a missing
                   directory is an error, so a typo cannot swallow the beats)

  Examples
    ghost-hb beat backup --dir /srv/app/_heartbeat --status failing --message "disk full"
    ghost-hb beat pinger --dir /srv/app/_heartbeat --every 5 &

  Exit codes
    0 written, 3 cannot write (bad name or option, bad config, missing or unwritable directory)
`,
  flags: {
    dir: { type: 'string', shortFlag: 'd' },
    config: { type: 'string', shortFlag: 'c' },
    status: { type: 'string', default: 'ok' },
    pid: { type: 'number' },
    message: { type: 'string' },
    interval: { type: 'number' },
    every: { type: 'number' },
    mkdir: { type: 'boolean', default: false },
  },
  async run(ctx) {
    const [name, ...extra] = ctx.args;
    if (!name || extra.length > 0) {
      return usage(ctx, 'give exactly one daemon NAME (see ghost-hb beat --help)');
    }
    const status = ctx.flags.status;
    if (!['ok', 'degraded', 'failing'].includes(status)) {
      return usage(ctx, `--status must be ok, degraded or failing, not "${status}"`);
    }
    const every = ctx.flags.every;
    if (every !== undefined && !(every > 0 && every <= 7 * 86400)) {
      return usage(ctx, `--every must be a positive number of seconds, not ${every}`);
    }
    const interval = ctx.flags.interval ?? every;
    const dir = await heartbeatDir(ctx);
    const opts: BeatOptions = {
      status: status as SelfReportedStatus,
      pid: ctx.flags.pid ?? callerPid(),
      mkdir: ctx.flags.mkdir,
      ...(ctx.flags.message !== undefined ? { message: ctx.flags.message } : {}),
      ...(interval !== undefined ? { interval } : {}),
    };
    const failure = await beatOnce(dir, name, opts);
    if (failure !== null || every === undefined) {
      if (failure !== null) ctx.stderr.write(`ghost-hb beat: ${failure}\n`);
      return failure === null ? EXIT.OK : EXIT.UNKNOWN;
    }
    await beatEvery(every, dir, name, opts, ctx);
    return EXIT.OK;
  },
});

function usage(ctx: CommandContext, message: string): number {
  ctx.stderr.write(`ghost-hb beat: ${message}\n`);
  return EXIT.UNKNOWN;
}

/** --dir when given (no config needed, so a broken config cannot stop a beat), else the config's. */
export async function heartbeatDir(ctx: ContextWith<typeof commonFlags>): Promise<string> {
  const dirFlag = ctx.flags.dir;
  if (dirFlag) return path.resolve(ctx.cwd, dirFlag);
  const { loadConfig } = await import('../../config/load.js');
  const config = await loadConfig({
    file: ctx.flags.config ?? null,
    cwd: ctx.cwd,
  });
  return config.heartbeatDir;
}

/** One beat; the reason it failed, or null. */
async function beatOnce(dir: string, name: string, opts: BeatOptions): Promise<string | null> {
  try {
    await writeHeartbeat(dir, name, opts);
    return null;
  } catch (err) {
    return err instanceof BeatError
      ? err.message
      : `${(err as NodeJS.ErrnoException).code ?? ''} ${(err as Error).message}`.trim();
  }
}

/**
 * Time from `elapsedMs` (since the first beat) to the next slot k*period
 * strictly after it. Slots are fixed, so a late wake-up or a slow write
 * shortens the next wait instead of pushing every later beat back; a slot
 * overrun entirely is skipped.
 */
export function msUntilNextSlot(elapsedMs: number, periodMs: number): number {
  return (Math.floor(elapsedMs / periodMs) + 1) * periodMs - elapsedMs;
}

/**
 * Beat at start + k*S on the monotonic clock until SIGTERM/SIGINT. A slot
 * missed (a stalled disk, a suspended process) is skipped, not made up in a
 * burst. A failed write is reported once per distinct reason and retried at
 * the next slot: a daemon's beater must outlive a briefly missing directory.
 */
export async function beatEvery(
  everySec: number,
  dir: string,
  name: string,
  opts: BeatOptions,
  ctx: Pick<CommandContext, 'stderr'>,
  signal?: AbortSignal,
): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  signal?.addEventListener('abort', onSignal, { once: true });
  const periodMs = everySec * 1000;
  const start = performance.now();
  let lastFailure: string | null = null;
  try {
    for (;;) {
      try {
        const wait = msUntilNextSlot(performance.now() - start, periodMs);
        await sleep(wait, undefined, { signal: stop.signal });
      } catch {
        return;
      }
      const failure = await beatOnce(dir, name, opts);
      if (failure !== null && failure !== lastFailure) {
        ctx.stderr.write(`ghost-hb beat: ${failure}\n`);
      } else if (failure === null && lastFailure !== null) {
        ctx.stderr.write('ghost-hb beat: beating again\n');
      }
      lastFailure = failure;
    }
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
