// Helpers for ink-testing-library: wait for a frame to change or to satisfy a
// predicate, with a deadline, instead of sleeping.
import { waitFor } from './wait.js';

export async function waitForFrame(
  lastFrame: () => string | undefined,
  predicate: (frame: string) => boolean,
  timeoutMs = 3000,
): Promise<string> {
  let frame = '';
  return waitFor(
    () => {
      frame = lastFrame() ?? '';
      return predicate(frame) ? frame : undefined;
    },
    'the frame to match',
    { timeoutMs, everyMs: 5, detail: () => `last frame:\n${frame}` },
  );
}

/** Write keys and wait until the frame differs from the one before. */
export async function press(
  app: { stdin: { write(s: string): void }; lastFrame(): string | undefined },
  keys: string,
  until?: (frame: string) => boolean,
): Promise<string> {
  const before = app.lastFrame() ?? '';
  app.stdin.write(keys);
  return waitForFrame(app.lastFrame, until ?? ((f) => f !== before));
}

export const KEY = {
  up: '\u001b[A',
  down: '\u001b[B',
  pageUp: '\u001b[5~',
  pageDown: '\u001b[6~',
  enter: '\r',
  escape: '\u001b',
  backspace: '\u007f',
  tab: '\t',
  ctrlC: '\u0003',
} as const;

/** Lines of the table body: rows that start with a status glyph. */
export function tableNames(frame: string): string[] {
  return frame
    .split('\n')
    .filter((l) => /^[ >][✔▲✖?] /.test(l))
    .map((l) => l.replace(/^[ >][✔▲✖?] \S+\s+(?:⊘ )?/, '').split(/\s+/)[0]!);
}
