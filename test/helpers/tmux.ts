// A private tmux server for end-to-end tests: its own socket, so it never
// touches the user's sessions, and killed afterwards.
import { execFileSync } from 'node:child_process';
import { waitFor } from './wait.js';

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

  kill(): void {
    try {
      this.run('kill-server');
    } catch {
      // Already gone.
    }
  }
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
