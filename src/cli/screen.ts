// The interactive monitor's run: the MonitorRuntime (which starts and stops
// the poller, the API and the logs), the TerminalSession (alternate screen,
// restore on quit, signals and crashes), the remembered prefs, and the Ink
// app, which only subscribes to the poller. Used by `ghost-hb` and `ghost-hb demo`.
import type { AnyFlags } from 'meow';
import React from 'react';
import { render } from 'ink';
import type { Config } from '../config/schema.js';
import { resolveStateDir } from '../store/paths.js';
import { loadPrefs, prefsSaver, uiStateFile } from '../ui/prefsStore.js';
import { Root } from '../ui/Root.js';
import { FrameTerminal } from '../ui/output/frameTerminal.js';
import { holdConsole } from '../ui/output/consoleGuard.js';
import { localSilences, toggleMute } from '../agent/silences.js';
import { EXIT } from './command.js';
import { openRuntimeOrExplain, servingLine } from './runtime.js';
import { untilStopSignal } from './signals.js';
import { TerminalSession } from './terminalSession.js';

const WATCH_DELAY_MS = 900;

export interface ScreenOptions {
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

/** Exit codes for the signals that end the screen (128 + signal number). */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGHUP: 129 };

export async function runScreen(o: ScreenOptions): Promise<number> {
  const { config } = o;
  const stateDir = resolveStateDir(config, o.env);
  const runtime = await openRuntimeOrExplain(
    config,
    {
      command: 'ui',
      stateDir,
      env: o.env,
      // Daemons beating out of phase would each trigger a poll and a frame; one
      // early poll per beat burst still shows a fresh beat within about a second.
      watchDelayMs: WATCH_DELAY_MS,
      // An agent like `watch`: `status`, `events` and `silence` ask it rather than the files.
      agentSocket: true,
    },
    o.stderr,
  );
  if (!runtime) {
    await o.onStop?.();
    return EXIT.UNKNOWN;
  }
  // Before the alternate screen, so a refused address is explained on the normal screen.
  if (o.serve) {
    const api = await runtime.serveApi({ ...o.serve, env: o.env, stderr: o.stderr });
    if (!api) {
      await o.onStop?.();
      return EXIT.UNKNOWN;
    }
    o.stderr.write(`${servingLine(api)}\n`);
  }
  await runtime.serveSocket(o.stderr);
  const prefsFile = uiStateFile(stateDir);
  const prefs = loadPrefs(prefsFile);
  if (o.filter !== null) prefs.filter = o.filter;
  let saveError: Error | null = null;
  const saver = prefsSaver(prefsFile, (err) => (saveError = err));

  let finish: (code: number, reason: string) => void = () => {};
  const stopped = new Promise<{ code: number; reason: string }>((resolve) => {
    finish = (code, reason) => resolve({ code, reason });
  });
  const signals = untilStopSignal(['SIGTERM', 'SIGHUP', 'SIGINT']);
  void signals.stopped.then((s) => finish(SIGNAL_EXIT[s] ?? 143, s));
  const session = new TerminalSession({
    stdout: o.stdout,
    stderr: o.stderr,
    crashDir: stateDir,
    onCrash: async () => {
      await Promise.allSettled([runtime.stop('crash'), o.onStop?.()]);
    },
  });

  session.enter();
  // Ink renders frames as strings; the terminal layer writes only what changed.
  const terminal = new FrameTerminal(o.stdout);
  const heldConsole = holdConsole();
  const instance = render(
    React.createElement(Root, {
      feed: runtime.poller,
      color: o.color,
      intervalSec: config.pollInterval,
      offsetWarnMs: config.alerts.offsetWarnMs,
      initialPrefs: prefs,
      initialEvents: runtime.monitor.recentEvents(),
      availability: (name: string) => runtime.monitor.availability(name),
      context: [
        `config: ${config.configFile ?? 'none found (defaults)'}`,
        `heartbeats: ${config.heartbeatDir}`,
        `state: ${stateDir}`,
      ],
      onPrefs: (p) => void saver.save(p),
      // This process owns the state directory: its silences are changed here, audited.
      onMute: async (name: string) => {
        await toggleMute(localSilences(stateDir, runtime.monitor.audit, 'screen'), name);
      },
      onQuit: () => finish(EXIT.OK, 'quit'),
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
  session.drawnBy({
    unmount: () => instance.unmount(),
    dispose: () => terminal.dispose(),
    restored: () => {
      for (const line of heldConsole.release()) o.stderr.write(`${line}\n`);
    },
  });
  instance.waitUntilExit().catch((err: unknown) => session.crash(err));
  runtime.start();

  const { code, reason } = await stopped;
  session.restore();
  try {
    await runtime.stop(reason);
    await saver.flush();
    if (saveError) {
      o.stderr.write(
        `ghost-hb: could not remember the filter and sort in ${prefsFile}: ${(saveError as Error).message}\n`,
      );
    }
  } finally {
    await o.onStop?.();
    signals.dispose();
    session.close();
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
