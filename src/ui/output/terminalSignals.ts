// Opt-in signals beside the frames (`ui.bell`, `ui.title`), so a monitor in a
// background tmux window or terminal tab flags trouble: the bell rings when a
// daemon turns down (tmux marks the window), and the window title counts what
// is down: "[2 down] ghost-hb HOST". Off by default. The hostname passes the
// same escaping as every other text, so it cannot end the title sequence.
import type { Snapshot } from '../../core/types.js';
import { escapeControl } from '../../core/sanitize.js';

const ESC = '\u001b';
const BEL = '\u0007';
/** xterm's title stack: keep the title from before the monitor, and give it back. */
const PUSH_TITLE = `${ESC}[22;2t`;
const POP_TITLE = `${ESC}[23;2t`;

export interface SignalOptions {
  bell: boolean;
  title: boolean;
}

export interface SignalState {
  /** Daemons down at the last snapshot; null before the first. */
  down: ReadonlySet<string> | null;
  /** The title last written. */
  title: string | null;
}

export const NO_SIGNALS: SignalState = { down: null, title: null };

/** The window title for a snapshot. */
export function windowTitle(snapshot: Snapshot): string {
  const host = escapeControl(snapshot.system.hostname ?? '');
  const name = host ? `ghost-hb ${host}` : 'ghost-hb';
  const down = snapshot.summary.down;
  return down > 0 ? `[${down} down] ${name}` : name;
}

/**
 * What to write for a snapshot, given what was written before: the bell when
 * a daemon is down that was not at the last snapshot (not for those already
 * down when the monitor starts), the title when its text changes. Pure.
 */
export function nextSignals(
  prev: SignalState,
  snapshot: Snapshot,
  opts: SignalOptions,
): { state: SignalState; output: string } {
  const down = new Set(snapshot.daemons.filter((d) => d.status === 'down').map((d) => d.name));
  let output = '';
  if (opts.bell && prev.down !== null && [...down].some((name) => !prev.down!.has(name))) {
    output += BEL;
  }
  let title = prev.title;
  if (opts.title) {
    const next = windowTitle(snapshot);
    if (next !== title) {
      output += `${prev.title === null ? PUSH_TITLE : ''}${ESC}]2;${next}${BEL}`;
      title = next;
    }
  }
  return { state: { down, title }, output };
}

/** Writes the signals for each snapshot to the terminal; gives the old title back on dispose. */
export class TerminalSignals {
  private state: SignalState = NO_SIGNALS;

  constructor(
    private readonly write: (text: string) => void,
    private readonly opts: SignalOptions,
  ) {}

  get enabled(): boolean {
    return this.opts.bell || this.opts.title;
  }

  update(snapshot: Snapshot): void {
    if (!this.enabled) return;
    const { state, output } = nextSignals(this.state, snapshot, this.opts);
    this.state = state;
    if (output) this.write(output);
  }

  dispose(): void {
    if (this.state.title !== null) this.write(POP_TITLE);
    this.state = NO_SIGNALS;
  }
}
