// `ghost-hb` with no subcommand: the interactive monitor. Parses the flags,
// opens the Monitor (engine + anomaly rules + logs) behind the Poller, and
// draws the Ink app on the alternate screen. The terminal is restored on q,
// Ctrl-C, SIGTERM, SIGHUP (tmux kill-pane) and on any uncaught error, which is
// also written to the crash file in the state directory.
import fs from 'node:fs';
import path from 'node:path';
import React from 'react';
import { render } from 'ink';
import type { Config } from '../../config/schema.js';
import { collectSnapshot } from '../../runtime/engine.js';
import { resolveStateDir, STATE_FILES } from '../../runtime/paths.js';
import { loadPrefs, prefsSaver, uiStateFile } from '../../runtime/uiState.js';
import { Root } from '../../ui/Root.js';
import { commonFlags, EXIT, type Command, type CommandContext } from '../command.js';
import { loadConfigAudited, openMonitorRuntime } from '../runtime.js';
import { renderStatusText, statusExitCode } from '../statusText.js';
import { wantColor } from './status.js';

const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';
const WATCH_DELAY_MS = 900;

export interface InteractiveOptions {
  config: Config;
  color: boolean;
  /** --filter: start filtered (replaces the remembered filter). */
  filter: string | null;
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Runs once when the monitor stops, however it stops (the demo stops its fleet here). */
  onStop?: () => Promise<void> | void;
}

/** Print why there is no screen, then one `status` poll (for pipes, cron, CI). */
async function printStatusInstead(config: Config, ctx: CommandContext): Promise<number> {
  ctx.stderr.write(
    'ghost-hb: not a terminal, so no interactive monitor; here is one status poll instead ' +
      '(run "ghost-hb watch" to monitor headless)\n',
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
  const { monitor, poller } = await openMonitorRuntime(config, {
    command: 'ui',
    stateDir,
    env: o.env,
    // Daemons beating out of phase would each trigger a poll and a frame; one
    // early poll per beat burst still shows a fresh beat within about a second.
    watchDelayMs: WATCH_DELAY_MS,
  });
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
    o.stdout.write(LEAVE_ALT_SCREEN + SHOW_CURSOR);
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
    void Promise.resolve(o.onStop?.()).finally(() => process.exit(EXIT.UNKNOWN));
  };
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
  for (const s of signals) process.on(s, onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  o.stdout.write(ENTER_ALT_SCREEN);
  const instance = render(
    React.createElement(Root, {
      poller,
      color: o.color,
      intervalSec: config.pollInterval,
      offsetWarnMs: config.alerts.offsetWarnMs,
      initialPrefs: prefs,
      initialEvents: monitor.recentEvents(),
      availability: (name: string) => monitor.availability(name),
      onPrefs: (p) => void saver.save(p),
      onQuit: () => finish('quit', EXIT.OK),
    }),
    {
      stdout: o.stdout,
      stdin: o.stdin,
      stderr: o.stderr,
      // Ctrl-C is a key like q (the keymap binds it), so the terminal is restored the same way.
      exitOnCtrlC: false,
      patchConsole: true,
      maxFps: 20,
    },
  );
  instance.waitUntilExit().catch(onCrash);

  const { reason, code } = await stopped;
  restoreTerminal();
  try {
    await poller.stop();
    await monitor.close(reason);
    await saver.flush();
    if (saveError) {
      o.stderr.write(
        `ghost-hb: could not remember the filter and sort in ${prefsFile}: ${(saveError as Error).message}\n`,
      );
    }
  } finally {
    await o.onStop?.();
    for (const s of signals) process.off(s, onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
  return code;
}

export const monitorCommand: Command = {
  name: '',
  summary: 'the interactive monitor (no subcommand)',
  help: `
  Usage
    $ ghost-hb [--dir DIR] [--config FILE] [--interval S] [--filter TEXT] [--no-color]

  Options
    --dir, -d      heartbeat directory (overrides the config's heartbeatDir)
    --config, -c   config file (default: search for .heartbeatrc from here upward)
    --interval     seconds between full polls (overrides pollInterval)
    --filter       start with this filter (substring, or "re:" and a regex)
    --no-color     no colour (NO_COLOR is honoured too)

  Press ? in the monitor for its keys. When stdout is not a terminal, prints
  one status poll instead.
`,
  flags: {
    ...commonFlags,
    interval: { type: 'number' },
    filter: { type: 'string' },
  },
  async run(ctx) {
    const config = await loadConfigAudited(ctx);
    if (!ctx.stdout.isTTY || !process.stdin.isTTY) return printStatusInstead(config, ctx);
    return runInteractive({
      config,
      color: wantColor(ctx.flags.color, ctx.env, true),
      filter: (ctx.flags.filter as string | undefined) ?? null,
      stdout: ctx.stdout,
      stdin: process.stdin,
      stderr: ctx.stderr,
      env: ctx.env,
    });
  },
};
