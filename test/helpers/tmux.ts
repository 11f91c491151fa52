// A private tmux server for end-to-end tests: its own socket, so it never
// touches the user's sessions, and killed afterwards.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BeatingFleet } from './beatingFleet.js';
import { BIN } from './cli.js';
import { running } from './proc.js';
import { requireTool } from './tools.js';
import { waitFor } from './wait.js';

/** How long a killed pane's programs get to finish their shutdown (flushing state) before SIGKILL. */
const EXIT_BOUND_MS = 20_000;

export class Tmux {
  readonly socket = `ghost-hb-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly session = 'e2e';

  /** Whether tmux is here: locally a missing tmux skips the tests; under CI it fails them. */
  static available(): boolean {
    return requireTool('tmux', 'tmux');
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

export interface MonitorPaneOptions {
  /** Of the fleet's temporary directory. */
  prefix: string;
  daemons: string[];
  /** The monitor's poll interval (s). */
  pollInterval: number;
  width: number;
  height: number;
  /** More environment for the pane (it has PS1 and TERM=xterm-256color). */
  env?: Record<string, string>;
  /** Settings added to the fleet's .heartbeatrc.json before the monitor starts. */
  config?: Record<string, unknown>;
  /** Keep everything the pane is sent (tmux pipe-pane), for `written()`. */
  record?: boolean;
  /** The command line typed into the pane's shell (default: node and the built binary). */
  command?: string;
}

export interface MonitorPane {
  fleet: BeatingFleet;
  tmux: Tmux;
  /** What the monitor has written to the terminal so far (with `record`; '' without). */
  written(): string;
  /** Kill the tmux server (and the monitor) and the fleet. */
  close(): void;
}

/**
 * A beating fleet and the built monitor on it in a private tmux pane of the
 * size given, from the fleet's directory; resolves once the screen shows every
 * daemon up. The fleet and the pane are closed by `close()`, also when the
 * start fails.
 */
export async function startMonitorPane(o: MonitorPaneOptions): Promise<MonitorPane> {
  const fleet = await BeatingFleet.start(o.prefix, o.daemons, o.pollInterval);
  const tmux = new Tmux();
  const raw = path.join(fleet.root, 'pane.raw');
  const pane: MonitorPane = {
    fleet,
    tmux,
    written: () => (fs.existsSync(raw) ? fs.readFileSync(raw, 'latin1') : ''),
    close: () => {
      tmux.kill();
      fleet.close();
    },
  };
  try {
    if (o.config) {
      const rc = path.join(fleet.root, '.heartbeatrc.json');
      const current = JSON.parse(fs.readFileSync(rc, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(rc, JSON.stringify({ ...current, ...o.config }));
    }
    tmux.start(fleet.root, o.width, o.height, { PS1: '$ ', TERM: 'xterm-256color', ...o.env });
    if (o.record) tmux.run('pipe-pane', '-o', '-t', tmux.session, `cat >> ${raw}`);
    tmux.type(o.command ?? `node ${BIN}`);
    tmux.keys('Enter');
    await tmux.waitFor(
      (p) => o.daemons.every((n) => paneRows(p).some((r) => r.name === n && /up/.test(r.line))),
      60_000,
    );
  } catch (err) {
    pane.close();
    throw err;
  }
  return pane;
}
