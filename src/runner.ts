// `ghost-hb run`'s supervisor: start a command, beat for it while it lives
// (with the child's pid, on fixed slots; not while it is stopped, and with a
// probe only while the probe passes), forward the signals a service manager
// or a terminal sends, and on exit write a final beat saying how it ended.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { BeatError, writeHeartbeat, type BeatOptions } from './beat.js';
import { runProbe, probeLabel, type ProbeSpec } from './collectors/probes.js';
import { exitOk, exitReason, type RunExit } from './core/runs.js';

export interface RunOptions {
  dir: string;
  name: string;
  /** The command and its arguments. */
  command: string[];
  intervalSec: number;
  probe: ProbeSpec | null;
  probeTimeoutMs: number;
  /** After a stop signal is forwarded, SIGKILL the child when it has not exited by then. */
  killTimeoutMs: number;
  /** Where the supervisor's own remarks go (the child's stderr is inherited). */
  log: (line: string) => void;
}

/** Signals passed on to the child; the first four also start the kill timeout. */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'];
const PASSED_SIGNALS: NodeJS.Signals[] = [...STOP_SIGNALS, 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

/** The shell's exit status for a run: its code, or 128 + the signal's number. */
export function exitStatusOf(exit: RunExit): number {
  if (exit.signal === null) return exit.code ?? 1;
  const n = (os.constants.signals as Record<string, number>)[exit.signal];
  return n === undefined ? 1 : 128 + n;
}

/** True when /proc says the process is stopped (SIGSTOP, a debugger): alive but not working. */
export function isStopped(pid: number, procDir = '/proc'): boolean {
  try {
    const stat = fs.readFileSync(`${procDir}/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'T' || state === 't';
  } catch {
    return false;
  }
}

/** Run the command to its end; resolves to how it ended (its final beat is written). */
export async function runWrapped(opts: RunOptions): Promise<RunExit> {
  const startedAt = Date.now();
  const t0 = performance.now();
  const [file, ...args] = opts.command;
  const child = spawn(file!, args, { stdio: 'inherit' });
  const ended = new Promise<RunExit>((resolve) => {
    child.once('error', (err) => {
      opts.log(`cannot start ${file}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
      // 127: what a shell reports for a command it cannot find or run.
      resolve({ code: 127, signal: null, durationMs: Math.round(performance.now() - t0) });
    });
    child.once('exit', (code, signal) =>
      resolve({ code, signal, durationMs: Math.round(performance.now() - t0) }),
    );
  });
  const base: BeatOptions = {
    interval: opts.intervalSec,
    startedAt,
    source: 'run',
  };
  const release = forwardSignals(child, opts.killTimeoutMs, opts.log);
  const stop = new AbortController();
  const beating =
    child.pid === undefined
      ? Promise.resolve()
      : beatWhileAlive(child.pid, opts, base, stop.signal);
  try {
    const exit = await ended;
    stop.abort();
    await beating;
    await writeFinal(opts, base, exit);
    return exit;
  } finally {
    release();
  }
}

async function writeFinal(opts: RunOptions, base: BeatOptions, exit: RunExit): Promise<void> {
  try {
    await writeHeartbeat(opts.dir, opts.name, {
      ...base,
      pid: null,
      status: exitOk(exit) ? 'ok' : 'failing',
      message: exitReason(exit),
      exit,
    });
  } catch (err) {
    opts.log(`final beat not written: ${(err as Error).message}`);
  }
}

/**
 * Beat now and then on slots start + k*interval until `signal` aborts. A
 * stopped child and a failing probe skip the beat, so the monitor sees the
 * daemon go late and then hung; each change is reported once.
 */
async function beatWhileAlive(
  pid: number,
  opts: RunOptions,
  base: BeatOptions,
  signal: AbortSignal,
): Promise<void> {
  const periodMs = opts.intervalSec * 1000;
  const start = performance.now();
  let lastRemark: string | null = null;
  const remark = (r: string | null) => {
    if (r !== lastRemark && (r !== null || lastRemark !== null)) {
      opts.log(r ?? 'beating again');
    }
    lastRemark = r;
  };
  for (;;) {
    if (signal.aborted) return;
    const why = await reasonNotToBeat(pid, opts);
    if (signal.aborted) return;
    if (why === null) {
      try {
        await writeHeartbeat(opts.dir, opts.name, { ...base, pid, status: 'ok' });
        remark(null);
      } catch (err) {
        remark(err instanceof BeatError ? err.message : `beat failed: ${(err as Error).message}`);
      }
    } else {
      remark(why);
    }
    const elapsed = performance.now() - start;
    const wait = (Math.floor(elapsed / periodMs) + 1) * periodMs - elapsed;
    try {
      await sleep(wait, undefined, { signal });
    } catch {
      return;
    }
  }
}

async function reasonNotToBeat(pid: number, opts: RunOptions): Promise<string | null> {
  if (isStopped(pid)) return `pid ${pid} is stopped; not beating`;
  if (opts.probe === null) return null;
  const r = await runProbe(opts.probe, { timeoutMs: opts.probeTimeoutMs });
  return r.ok ? null : `probe ${probeLabel(opts.probe)} failed (${r.detail}); not beating`;
}

/**
 * Pass signals on to the child. After a stop signal the child gets SIGCONT
 * too (a stopped child could not act on it) and, if it is still there after
 * `killTimeoutMs`, SIGKILL. Returns a function that removes the handlers.
 */
function forwardSignals(child: ChildProcess, killTimeoutMs: number, log: (l: string) => void) {
  let killTimer: NodeJS.Timeout | null = null;
  const handler = (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(sig);
    if (!STOP_SIGNALS.includes(sig)) return;
    child.kill('SIGCONT');
    killTimer ??= setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) {
        log(`child did not exit ${killTimeoutMs} ms after ${sig}; sending SIGKILL`);
        child.kill('SIGKILL');
      }
    }, killTimeoutMs);
  };
  for (const s of PASSED_SIGNALS) process.on(s, handler);
  return () => {
    if (killTimer) clearTimeout(killTimer);
    for (const s of PASSED_SIGNALS) process.off(s, handler);
  };
}
