// `ghost-hb status`: one poll, printed as a table or as the JSON contract, with
// a Nagios-style exit code.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { ClockCollector, withClockAttempt } from '../../collectors/clock/collector.js';
import type { Snapshot } from '../../core/types.js';
import { resolveStateDir, STATE_FILES } from '../../store/paths.js';
import { collectSnapshot } from '../../runtime/collectSnapshot.js';
import { commonFlags, EXIT, defineCommand, type CommandContext } from '../command.js';
import { renderStatusText, statusExitCode } from '../statusText.js';
import { PROMETHEUS_HELP, prometheusFlags, prometheusStatus } from '../prometheusFleet.js';

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

/**
 * The latest snapshot of the agent running on this state directory (fresh:
 * its clock data included), when there is one watching the same heartbeat
 * directory; null otherwise (or when it does not answer), for a poll of our own.
 */
async function fromAgent(stateDir: string, heartbeatDir: string): Promise<Snapshot | null> {
  // Loaded only when an agent may be there: a plain status stays cheap.
  if (!fs.existsSync(path.join(stateDir, STATE_FILES.lock))) return null;
  const { agentGet, findAgent } = await import('../../agent/client.js');
  const agent = findAgent(stateDir);
  if (!agent) return null;
  try {
    const snapshot = await agentGet<Snapshot>(agent.socket, '/api/status', { timeoutMs: 3000 });
    return snapshot.heartbeatDir === heartbeatDir ? snapshot : null;
  } catch {
    return null;
  }
}

/** One poll of our own, with the clock sources asked alongside (bounded by their timeouts), as `watch` asks them. */
async function pollHere(config: Config, ctx: CommandContext): Promise<Snapshot> {
  const [polled, clock] = await Promise.all([
    collectSnapshot({ config, cwd: ctx.cwd }),
    new ClockCollector(config.clock, { env: ctx.env }).check(),
  ]);
  return withClockAttempt(polled, clock);
}

/** `status --remote`: every host's latest snapshot, one table or one JSON document. */
async function fleetStatus(
  ctx: CommandContext,
  config: Config,
  stateDir: string,
  flags: string[],
): Promise<number> {
  const [{ resolveRemotes, RemoteError }, { askFleet, fleetReport }] = await Promise.all([
    import('../remotes.js'),
    import('../fleetStatus.js'),
  ]);
  let specs;
  try {
    specs = resolveRemotes(flags, config, ctx.env);
  } catch (err) {
    if (!(err instanceof RemoteError)) throw err;
    ctx.stderr.write(`ghost-hb: ${err.message}\n`);
    return EXIT.UNKNOWN;
  }
  const answers = await askFleet(specs, {
    stateDir,
    timeoutMs: 5000,
    pollHere: () => pollHere(config, ctx),
  });
  const report = fleetReport(answers, Date.now());
  if (ctx.flags.json) {
    ctx.stdout.write(`${JSON.stringify(report.json, null, 2)}\n`);
  } else {
    ctx.stdout.write(
      renderStatusText(report.merged, {
        color: wantColor(ctx.flags.color, ctx.env, ctx.stdout.isTTY),
      }),
    );
  }
  for (const f of report.failed) {
    ctx.stderr.write(`ghost-hb: ${f.name}: ${f.state}: ${f.error ?? ''}\n`);
  }
  return report.exitCode;
}

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'one poll of the heartbeat directory, as a table or JSON',
  help: `
  Usage
    $ ghost-hb status [--dir DIR] [--config FILE] [--json] [--no-color]
    $ ghost-hb status --remote NAME=URL [--remote NAME=URL]... [--json]
    $ ghost-hb status --prometheus URL [--prometheus-token-file FILE] [--json]

  Options
    --dir, -d      heartbeat directory (overrides the config's heartbeatDir)
    --config, -c   config file (default: search for .heartbeatrc from here upward)
    --state-dir    the state directory whose running agent (watch, serve) to ask
                   (default: the config's stateDir); without one, poll here
    --remote       NAME=URL: ask these agents' HTTP APIs (repeatable; NAME= is this
                   host) and print the fleet: rows as HOST/NAME, or with --json,
                   "host" on each daemon and each host's state; the token of a
                   configured remote of that name, else $GHOST_HB_TOKEN
    --json         print one JSON document (the documented contract) instead of a table
    --no-color     no colour (NO_COLOR is honoured too)
${PROMETHEUS_HELP}

  Exit codes
    0 all up, 1 some late or unknown (none down), 2 some down,
    3 cannot run (bad config, missing or unreadable heartbeat directory)
    With --remote, over all hosts; a host that does not answer counts as unknown.
`,
  flags: {
    ...commonFlags,
    stateDir: { type: 'string' },
    json: { type: 'boolean', default: false },
    remote: { type: 'string', isMultiple: true },
    ...prometheusFlags,
  },
  async run(ctx) {
    const fleet = await prometheusStatus(ctx);
    if (fleet !== null) return fleet;
    const config = await loadConfig({
      file: ctx.flags.config ?? null,
      cwd: ctx.cwd,
      dir: ctx.flags.dir ?? null,
    });
    const stateDir = ctx.flags.stateDir ?? resolveStateDir(config, ctx.env);
    const remoteFlags = ctx.flags.remote ?? [];
    if (remoteFlags.length > 0) return fleetStatus(ctx, config, stateDir, remoteFlags);
    const snapshot =
      (await fromAgent(stateDir, config.heartbeatDir)) ?? (await pollHere(config, ctx));
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
});
