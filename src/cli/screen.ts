// The interactive monitor's run: a screen data source (src/agent/source.ts)
// — the agent of this state directory over its socket when one runs, else
// this process's own MonitorRuntime (which holds the lock and starts and
// stops the poller, the API and the logs) — the TerminalSession (alternate
// screen, restore on quit, signals and crashes), the remembered prefs, and
// the Ink app, which only subscribes to the source. An attached screen whose
// agent stops takes over (unless --attach). Used by `ghost-hb` and `ghost-hb demo`.
import type { AnyFlags } from 'meow';
import React from 'react';
import { render } from 'ink';
import type { Config } from '../config/schema.js';
import { resolveStateDir } from '../store/paths.js';
import type { LockHolder } from '../store/lock.js';
import { loadPrefs, prefsSaver, uiStateFile, userStateDir } from '../ui/prefsStore.js';
import type { Prefs } from '../ui/model/view.js';
import { Root } from '../ui/Root.js';
import { FrameTerminal } from '../ui/output/frameTerminal.js';
import { holdConsole } from '../ui/output/consoleGuard.js';
import { TerminalSignals } from '../ui/output/terminalSignals.js';
import { findAgent } from '../agent/client.js';
import { agentSilences, localSilences, toggleMute } from '../agent/silences.js';
import { AttachedSource } from '../agent/attached.js';
import { HandoverSource, LocalSource, type ScreenSource } from '../agent/source.js';
import { EXIT, type FlagValues } from './command.js';
import type { PromEndpoint } from '../agent/prometheus.js';
import { openFleet, type RemoteSpec } from './remotes.js';
import { openRuntimeOrExplain, servingLine, type MonitorRuntime } from './runtime.js';
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
  /**
   * The agent of the state directory: 'auto' attaches when one runs and takes
   * over when it stops; 'only' (--attach) attaches or fails, and never takes
   * over; 'never' runs its own monitor (the demo). Default 'auto'.
   */
  attach?: 'auto' | 'only' | 'never';
  /** --remote / config `remotes`: a fleet screen over these hosts instead of one. */
  remotes?: readonly RemoteSpec[];
  /** --prometheus: a fleet screen over every instance this Prometheus server scrapes. */
  prometheus?: PromEndpoint | null;
  /** Where the prefs (and an attached screen's crash report) go; default the user's state directory. */
  prefsDir?: string;
  /** Runs once when the monitor stops, however it stops (the demo stops its fleet here). */
  onStop?: () => Promise<void> | void;
}

/** The monitor this process runs, once it runs one (at start, or after a takeover). */
let ownMonitor: MonitorRuntime['monitor'] | null = null;

/**
 * The `m` key: mute or unmute through whoever owns the state directory, this
 * process's own monitor or the agent the screen is attached to.
 */
async function toggleMuteFor(stateDir: string, daemon: string): Promise<void> {
  const agent = findAgent(stateDir);
  if (ownMonitor && (!agent || agent.holder.pid === process.pid)) {
    await toggleMute(localSilences(stateDir, ownMonitor.audit, 'screen'), daemon);
    return;
  }
  if (!agent) throw new Error('no monitor holds the state directory now');
  const via = `the agent (ghost-hb ${agent.holder.command}, pid ${agent.holder.pid})`;
  await toggleMute(agentSilences(agent.socket, 'screen', via), daemon);
}

/** Exit codes for the signals that end the screen (128 + signal number). */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGHUP: 129 };

/** This process's own monitor on the state directory, as a screen source; null when refused (explained on stderr). */
async function openLocal(
  o: ScreenOptions,
  stateDir: string,
  label: string | null = null,
): Promise<{ source: LocalSource; runtime: MonitorRuntime } | null> {
  const runtime = await openRuntimeOrExplain(
    o.config,
    {
      command: 'ui',
      stateDir,
      env: o.env,
      // Daemons beating out of phase would each trigger a poll and a frame; one
      // early poll per beat burst still shows a fresh beat within about a second.
      watchDelayMs: WATCH_DELAY_MS,
      // An agent like `watch`: `status`, `silence` and other screens ask it rather than the files.
      agentSocket: true,
    },
    o.stderr,
  );
  if (!runtime) return null;
  await runtime.serveSocket(o.stderr);
  ownMonitor = runtime.monitor;
  const source = new LocalSource(runtime.poller, runtime.monitor, (r) => runtime.stop(r), {
    label,
    problem: null,
    hosts: null,
  });
  return { source, runtime };
}

/**
 * The agent stopped under an attached screen: take the lock and monitor here,
 * with an event saying so in the pane and the log. Another process that took
 * the lock first is attached to instead (the connection finds it).
 */
async function takeOver(
  o: ScreenOptions,
  stateDir: string,
  handover: HandoverSource,
  gone: LockHolder,
): Promise<void> {
  let local: Awaited<ReturnType<typeof openLocal>>;
  try {
    // Nothing on stderr under the screen: a refusal leaves the attached source saying the agent stopped.
    local = await openLocal(
      { ...o, stderr: { write: () => true } as unknown as NodeJS.WriteStream },
      stateDir,
      `took over from agent pid ${gone.pid}`,
    );
  } catch {
    return;
  }
  if (!local) return;
  local.runtime.monitor.raise({
    severity: 'warn',
    rule: 'agent-lost',
    message: `ghost-hb ${gone.command} (pid ${gone.pid}) stopped; this screen (pid ${process.pid}) took over monitoring`,
    data: { pid: gone.pid, command: gone.command },
  });
  await handover.switchTo(local.source, 'agent-lost');
  await local.source.start();
}

/** The source the screen starts with: attached to the agent, or its own monitor; null (exit 3) when refused. */
async function openSource(
  o: ScreenOptions,
  stateDir: string,
  onLost: (holder: LockHolder) => void,
): Promise<{ source: ScreenSource; attached: boolean } | null> {
  if ((o.remotes && o.remotes.length > 0) || o.prometheus) {
    if (o.serve) {
      o.stderr.write(
        'ghost-hb: --serve serves one host; run "ghost-hb serve" on each host of the fleet\n',
      );
      return null;
    }
    const fleet = await openFleet(o.remotes ?? [], { ...o, stateDir });
    if (!fleet) return null;
    await fleet.start();
    return { source: fleet, attached: true };
  }
  const mode = o.attach ?? 'auto';
  const agent = mode === 'never' ? null : findAgent(stateDir);
  if (agent && o.serve) {
    o.stderr.write(
      `ghost-hb: --serve: ghost-hb ${agent.holder.command} (pid ${agent.holder.pid}) already monitors ${stateDir}; use its API, or stop it first\n`,
    );
    return null;
  }
  if (agent) {
    const attached = new AttachedSource({
      stateDir,
      socket: agent.socket,
      holder: agent.holder,
      onLost: mode === 'only' ? undefined : onLost,
    });
    await attached.start();
    return { source: attached, attached: true };
  }
  if (mode === 'only') {
    o.stderr.write(
      `ghost-hb: --attach: no agent is running for the state directory ${stateDir}; ` +
        'start one with "ghost-hb watch" or "ghost-hb serve" (or drop --attach to monitor here)\n',
    );
    return null;
  }
  const local = await openLocal(o, stateDir);
  if (!local) return null;
  // Before the alternate screen, so a refused address is explained on the normal screen.
  if (o.serve) {
    const api = await local.runtime.serveApi({ ...o.serve, env: o.env, stderr: o.stderr });
    if (!api) return null;
    o.stderr.write(`${servingLine(api)}\n`);
  }
  return { source: local.source, attached: false };
}
export async function runScreen(o: ScreenOptions): Promise<number> {
  const { config } = o;
  const stateDir = resolveStateDir(config, o.env);
  // The agent may stop before the screen is up: the takeover waits for it.
  let lost: LockHolder | null = null;
  let takingOver: Promise<void> | null = null;
  let handover: HandoverSource | null = null;
  const maybeTakeOver = () => {
    if (lost && handover && !takingOver) takingOver = takeOver(o, stateDir, handover, lost);
  };
  const opened = await openSource(o, stateDir, (gone) => {
    lost = gone;
    maybeTakeOver();
  });
  if (!opened) {
    await o.onStop?.();
    return EXIT.UNKNOWN;
  }
  const source = (handover = new HandoverSource(opened.source));
  // Prefs and crash reports are the user's: an attached screen writes nothing where the agent keeps its state.
  const userDir = o.prefsDir ?? userStateDir(o.env);
  const prefsFile = uiStateFile(userDir);
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
    crashDir: opened.attached ? userDir : stateDir,
    onCrash: async () => {
      await Promise.allSettled([source.stop('crash'), o.onStop?.()]);
    },
  });

  mountScreen(o, source, session, {
    stateDir,
    prefsFile,
    prefs,
    onPrefs: (p) => void saver.save(p),
    onQuit: () => finish(EXIT.OK, 'quit'),
  });
  if (!opened.attached) await source.start();
  maybeTakeOver();

  const { code, reason } = await stopped;
  session.restore();
  try {
    await takingOver;
    await source.stop(reason);
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

/** What the screen shows besides the source: where its state and preferences live, and its callbacks. */
interface ScreenView {
  stateDir: string;
  prefsFile: string;
  prefs: Prefs;
  onPrefs(prefs: Prefs): void;
  onQuit(): void;
}

/**
 * Ink on the alternate screen, drawing `source` through the terminal layer
 * (and the opt-in bell and window title); `session` restores the terminal.
 */
function mountScreen(
  o: ScreenOptions,
  source: HandoverSource,
  session: TerminalSession,
  view: ScreenView,
): void {
  const { config } = o;
  session.enter();
  // Ink renders frames as strings; the terminal layer writes only what changed.
  const terminal = new FrameTerminal(o.stdout);
  const heldConsole = holdConsole();
  // ui.bell and ui.title: from every poll, paused or not (the point is a window in the background).
  const bellAndTitle = new TerminalSignals((text) => terminal.signal(text), config.ui);
  const unsubscribeSignals = bellAndTitle.enabled
    ? source.subscribe((u) => {
        if (u.type === 'result') bellAndTitle.update(u.result.snapshot);
      })
    : () => {};
  const instance = render(
    React.createElement(Root, {
      feed: source,
      origin: source,
      color: o.color,
      intervalSec: config.pollInterval,
      offsetWarnMs: config.alerts.offsetWarnMs,
      initialPrefs: view.prefs,
      availability: (name: string) => source.availability(name),
      context: [
        `config: ${config.configFile ?? 'none found (defaults)'}`,
        `heartbeats: ${config.heartbeatDir}`,
        `state: ${view.stateDir}`,
        `prefs: ${view.prefsFile}`,
      ],
      onPrefs: view.onPrefs,
      onMute: (name: string) => toggleMuteFor(view.stateDir, name),
      onQuit: view.onQuit,
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
    dispose: () => {
      unsubscribeSignals();
      bellAndTitle.dispose();
      terminal.dispose();
    },
    restored: () => {
      for (const line of heldConsole.release()) o.stderr.write(`${line}\n`);
    },
  });
  instance.waitUntilExit().catch((err: unknown) => session.crash(err));
}

/** --serve and --listen, shared by the monitor and the demo. */
export const serveFlags = {
  serve: { type: 'boolean', default: false },
  listen: { type: 'string' },
} as const satisfies AnyFlags;

/** The --serve option from the flags: --listen alone implies --serve. */
export function serveOption(
  flags: Partial<FlagValues<typeof serveFlags>>,
): { listen: string | null } | null {
  const listen = flags.listen ?? null;
  return flags.serve || listen !== null ? { listen } : null;
}
