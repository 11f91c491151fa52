// A private tmux server for end-to-end tests: its own socket, so it never
// touches the user's sessions, and killed afterwards.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { running } from './proc.js';
import { waitFor } from './wait.js';

/** How long a killed pane's programs get to finish their shutdown (flushing state) before SIGKILL. */
const EXIT_BOUND_MS = 20_000;

export class Tmux {
  readonly socket = `ghost-hb-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly session = 'e2e';

  static available(): boolean {
    try {
      execFileSync('tmux', ['-V'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /**
   * A detached session running a plain shell in `cwd`, at a fixed size. The
   * user's state directory (remembered filter and sort) is one inside `cwd`,
   * so no test inherits another's prefs or leaves its own in the real home.
   */
  start(cwd: string, width = 80, height = 24, env: Record<string, string> = {}): void {
    const withState = { XDG_STATE_HOME: `${cwd}/.xdg-state`, ...env };
    const envArgs = Object.entries(withState).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    this.run(
      'new-session',
      '-d',
      '-s',
      this.session,
      '-x',
      String(width),
      '-y',
      String(height),
      '-c',
      cwd,
      ...envArgs,
      'sh',
    );
    this.run('set-option', '-t', this.session, 'window-size', 'manual');
  }

  type(text: string): void {
    this.run('send-keys', '-t', this.session, '-l', text);
  }

  keys(...keys: string[]): void {
    this.run('send-keys', '-t', this.session, ...keys);
  }

  capture(): string {
    return this.run('capture-pane', '-p', '-t', this.session);
  }

  alternateScreenOn(): boolean {
    return this.run('display-message', '-p', '-t', this.session, '#{alternate_on}').trim() === '1';
  }

  resize(width: number, height: number): void {
    this.run('resize-window', '-t', this.session, '-x', String(width), '-y', String(height));
  }

  /** Poll the pane until `predicate` holds; throws with the last capture at the deadline. */
  async waitFor(predicate: (pane: string) => boolean, timeoutMs = 10_000): Promise<string> {
    let pane = '';
    return waitFor(
      () => {
        pane = this.capture();
        return predicate(pane) ? pane : undefined;
      },
      'the pane to match',
      { timeoutMs, detail: () => pane },
    );
  }

  /**
   * Kill the server and wait until every program that ran in its panes has
   * exited: a monitor flushes its state directory on SIGHUP, and a test that
   * removes that directory while the flush runs fails with ENOTEMPTY.
   */
  kill(): void {
    const pids = this.panePrograms();
    try {
      this.run('kill-server');
    } catch {
      // Already gone.
    }
    if (!waitSync(() => pids.every((p) => !running(p)), EXIT_BOUND_MS)) {
      for (const p of pids) signal(p, 'SIGKILL');
      waitSync(() => pids.every((p) => !running(p)), EXIT_BOUND_MS);
    }
  }

  /** The pane shells and everything below them. */
  private panePrograms(): number[] {
    let roots: number[];
    try {
      roots = this.run('list-panes', '-a', '-F', '#{pane_pid}')
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
    return descendants(roots);
  }
}

/** `roots` and all their descendants, from the parent pids in /proc. */
function descendants(roots: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Exited while listing.
    }
  }
  const all: number[] = [];
  const queue = [...roots];
  while (queue.length) {
    const pid = queue.shift()!;
    all.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return all;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** Poll `cond` (blocking; for synchronous teardown) until it holds or `boundMs` passes. */
function waitSync(cond: () => boolean, boundMs: number): boolean {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + boundMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    Atomics.wait(cell, 0, 0, 50);
  }
  return true;
}

/** Table rows (status glyph first) in a capture, as [name, rest of line]; a muted row's ⊘ is not its name. */
export function paneRows(pane: string): Array<{ name: string; line: string }> {
  return pane
    .split('\n')
    .filter((l) => /^[ >]?[✔▲✖?] (up|late|down|unkn(?:own)?)\s/.test(l))
    .map((line) => ({
      name: line.replace(/^[ >]?[✔▲✖?] \S+\s+(?:⊘ )?/, '').split(/\s+/)[0]!,
      line,
    }));
}
