// A private tmux server for the screen benchmarks: a session at a fixed size,
// windows that run a command and say its pid and how soon it drew, and the CPU
// and memory of a process from /proc.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/** Poll `fn` until it returns something truthy, and return that; throw at the deadline. */
export async function until(fn, timeoutMs, what, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** CPU seconds so far (user + system), resident and peak memory in MiB. */
export function procStat(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuSec: ticks / 100, rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
}

export class BenchPanes {
  constructor(name) {
    this.socket = `${name}-${process.pid}`;
  }

  run(...args) {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Session `bench`: a shell in `cwd` at width x height, the screens' prefs kept in `cwd`/xdg. */
  open(cwd, width, height) {
    this.run(
      'new-session',
      '-d',
      '-s',
      'bench',
      '-x',
      String(width),
      '-y',
      String(height),
      '-c',
      cwd,
      '-e',
      `XDG_STATE_HOME=${cwd}/xdg`,
      'sh',
    );
    this.run('set-option', '-t', 'bench', 'window-size', 'manual');
  }

  capture(win) {
    return this.run('capture-pane', '-p', '-t', win);
  }

  /**
   * Run `cmd` in a new window `win`; resolves with its pid and the ms until the
   * window shows `marker` (its first frame).
   */
  async start(win, cmd, cwd, marker, { timeoutMs = 15_000, everyMs = 5 } = {}) {
    const pidFile = path.join(cwd, `${win}.pid`);
    fs.rmSync(pidFile, { force: true });
    const t0 = performance.now();
    this.run('new-window', '-d', '-n', win, '-c', cwd, `sh -c 'echo $$ > ${pidFile}; exec ${cmd}'`);
    const pid = Number(
      await until(
        () => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim(),
        10_000,
        `${win} pid`,
        everyMs,
      ),
    );
    await until(() => this.capture(win).includes(marker), timeoutMs, `${win}: ${marker}`, everyMs);
    return { pid, firstFrameMs: performance.now() - t0 };
  }

  stop(win) {
    try {
      this.run('kill-window', '-t', win);
    } catch {
      // Already gone.
    }
  }

  close() {
    try {
      this.run('kill-server');
    } catch {
      // Already gone.
    }
  }
}
