// `ghost-hb` with no subcommand: the interactive monitor. Parses the flags,
// opens the Monitor (engine + anomaly rules + logs) behind the Poller, and
// draws the Ink app on the alternate screen. The terminal is restored on q,
// Ctrl-C, SIGTERM, SIGHUP (tmux kill-pane) and on any uncaught error, which is
// also written to the crash file in the state directory.
import fs from 'node:fs';
import path from 'node:path';
import type { AnyFlags } from 'meow';
import React from 'react';
import { render } from 'ink';
import type { Config } from '../../config/schema.js';
import { collectSnapshot } from '../../runtime/engine.js';
import { resolveStateDir, STATE_FILES } from '../../store/paths.js';
import { loadPrefs, prefsSaver, uiStateFile } from '../../ui/prefsStore.js';
import { Root } from '../../ui/Root.js';
import { FrameTerminal } from '../../ui/output/frameTerminal.js';
import { holdConsole } from '../../ui/output/consoleGuard.js';
import { commonFlags, EXIT, type Command, type CommandContext } from '../command.js';
import {
  loadConfigAudited,
  openMonitorRuntime,
  servingLine,
  startApiOrExplain,
} from '../runtime.js';
import { renderStatusText, statusExitCode } from '../statusText.js';
import { untilStopSignal } from '../signals.js';
import { wantColor } from './status.js';

const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';
const WATCH_DELAY_MS = 900;
/** How long a crash waits for the API and the logs to close before exiting anyway. */
const CRASH_SHUTDOWN_MS = 2000;

export interface InteractiveOptions {
  config: Config;
  color: boolean;
  /** --filter: start filtered (replaces the remembered filter). */
  filter: string | null;
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** --serve: the HTTP API beside the screen; listen null uses config api.listen. */
  serve?: { listen: string | null } | null;
  /** Runs once when the monitor stops, however it stops (the demo stops its fleet here). */
  onStop?: () => Promise<void> | void;
}

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

/** Write the crash file; returns its path, or null when even that failed. */
function writeCrashFile(stateDir: string, err: unknown): string | null {
  const file = path.join(stateDir, STATE_FILES.crash);
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  try {
    fs.mkdirSync(stateDir, { recursive: true });
    fs.appendFileSync(file, `--- ${new Date().toISOString()} pid ${process.pid}\n${text}\n`, {
      mode: 0o600,
    });
    return file;
  } catch {
    return null;
  }
}

export async function runInteractive(o: InteractiveOptions): Promise<number> {
  const { config } = o;
  const stateDir = resolveStateDir(config, o.env);
  const runtime = await openMonitorRuntime(config, {
    command: 'ui',
    stateDir,
    env: o.env,
    // Daemons beating out of phase would each trigger a poll and a frame; one
    // early poll per beat burst still shows a fresh beat within about a second.
    watchDelayMs: WATCH_DELAY_MS,
  });
  const { monitor, poller } = runtime;
  // Before the alternate screen, so a refused address is explained on the normal screen.
  const api = o.serve
    ? await startApiOrExplain(config, runtime, { ...o.serve, env: o.env, stderr: o.stderr })
    : null;
  if (o.serve && !api) {
    await o.onStop?.();
    return EXIT.UNKNOWN;
  }
  if (api) o.stderr.write(`${servingLine(api)}\n`);
  let shutdown: Promise<void> | null = null;
  /** Stop polling, close the API, then close the monitor's logs; once, whichever way it ends. */
  const stopRuntime = (reason: string) =>
    (shutdown ??= (async () => {
      await poller.stop();
      await api?.close();
      await monitor.close(reason);
    })());
  const prefsFile = uiStateFile(stateDir);
  const prefs = loadPrefs(prefsFile);
  if (o.filter !== null) prefs.filter = o.filter;
  let saveError: Error | null = null;
  const saver = prefsSaver(prefsFile, (err) => (saveError = err));

  let finish: (reason: string, code: number) => void = () => {};
  const stopped = new Promise<{ reason: string; code: number }>((resolve) => {
    finish = (reason, code) => resolve({ reason, code });
  });

  let restored = false;
  const restoreTerminal = () => {
    if (restored) return;
    restored = true;
    try {
      instance.unmount();
    } catch {
      // Already unmounted (a render error unmounts Ink itself).
    }
    terminal.dispose();
    o.stdout.write(LEAVE_ALT_SCREEN + SHOW_CURSOR);
    for (const line of heldConsole.release()) o.stderr.write(`${line}\n`);
  };

  const onSignal = (signal: NodeJS.Signals) =>
    finish(signal, signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143);
  let crashing = false;
  const onCrash = (err: unknown) => {
    if (crashing) return;
    crashing = true;
    restoreTerminal();
    const file = writeCrashFile(stateDir, err);
    const msg = err instanceof Error ? err.message : String(err);
    o.stderr.write(`ghost-hb: crashed: ${msg}\n${file ? `ghost-hb: details in ${file}\n` : ''}`);
    // Best effort and bounded: whatever crashed may be what the shutdown waits on.
    const closed = stopRuntime('crash').catch(() => {});
    void Promise.race([closed, new Promise((r) => setTimeout(r, CRASH_SHUTDOWN_MS).unref())])
      .then(() => o.onStop?.())
      .finally(() => process.exit(EXIT.UNKNOWN));
  };
  const signals = untilStopSignal(['SIGTERM', 'SIGHUP', 'SIGINT']);
  void signals.stopped.then(onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  o.stdout.write(ENTER_ALT_SCREEN);
  // Ink renders frames as strings; the terminal layer writes only what changed.
  const terminal = new FrameTerminal(o.stdout);
  const heldConsole = holdConsole();
  const instance = render(
    React.createElement(Root, {
      poller,
      color: o.color,
      intervalSec: config.pollInterval,
      offsetWarnMs: config.alerts.offsetWarnMs,
      initialPrefs: prefs,
      initialEvents: monitor.recentEvents(),
      availability: (name: string) => monitor.availability(name),
      context: [
        `config: ${config.configFile ?? 'none found (defaults)'}`,
        `heartbeats: ${config.heartbeatDir}`,
        `state: ${stateDir}`,
      ],
      onPrefs: (p) => void saver.save(p),
      onQuit: () => finish('quit', EXIT.OK),
    }),
    {
      stdout: terminal.inkStdout,
      stdin: o.stdin,
      stderr: o.stderr,
      // Ctrl-C is a key like q (the keymap binds it), so the terminal is restored the same way.
      exitOnCtrlC: false,
      // Ink's debug mode hands each whole frame to the terminal layer, unthrottled and
      // without its own erasing; the console is held by holdConsole instead.
      debug: true,
      patchConsole: false,
    },
  );
  instance.waitUntilExit().catch(onCrash);

  const { reason, code } = await stopped;
  restoreTerminal();
  try {
    await stopRuntime(reason);
    await saver.flush();
    if (saveError) {
      o.stderr.write(
        `ghost-hb: could not remember the filter and sort in ${prefsFile}: ${(saveError as Error).message}\n`,
      );
    }
  } finally {
    await o.onStop?.();
    signals.dispose();
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
  return code;
}

/** --serve and --listen, shared by the monitor and the demo. */
export const serveFlags = {
  serve: { type: 'boolean', default: false },
  listen: { type: 'string' },
} as const satisfies AnyFlags;

/** The --serve option from the flags: --listen alone implies --serve. */
export function serveOption(flags: Record<string, unknown>): { listen: string | null } | null {
  const listen = (flags.listen as string | undefined) ?? null;
  return flags.serve || listen !== null ? { listen } : null;
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
    return runInteractive({
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
