// The screen's hold on the terminal: the alternate screen while the monitor
// is drawn, and the way back to the normal screen on quit, on a signal and on
// any uncaught error. A crash is written to the crash file in the state
// directory (the stack would vanish with the alternate screen) and summed up
// on stderr once the terminal is back.
import fs from 'node:fs';
import path from 'node:path';
import { STATE_FILES } from '../store/paths.js';

const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';
/** How long a crash waits for the shutdown (API, logs) before exiting anyway. */
const CRASH_SHUTDOWN_MS = 2000;
/** Exit code after a crash (EXIT.UNKNOWN). */
const CRASH_EXIT = 3;

export interface TerminalSessionOptions {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Where the crash file goes; null writes none (a screen attached to an agent writes nothing there). */
  crashDir: string | null;
  /** Best-effort shutdown after a crash (bounded by CRASH_SHUTDOWN_MS), before the process exits 3. */
  onCrash(): Promise<void> | void;
}

/** What draws on the alternate screen, taken down in this order when the terminal is restored. */
export interface Drawing {
  /** Stop drawing (Ink's unmount). */
  unmount(): void;
  /** Release the output layer under it. */
  dispose?(): void;
  /** Runs on the normal screen, once restored (held console output goes out here). */
  restored?(): void;
}

/** Append the error to the crash file; returns its path, or null when even that failed. */
export function writeCrashFile(dir: string, err: unknown, now = new Date()): string | null {
  const file = path.join(dir, STATE_FILES.crash);
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.appendFileSync(file, `--- ${now.toISOString()} pid ${process.pid}\n${text}\n`, {
      mode: 0o600,
    });
    return file;
  } catch {
    return null;
  }
}

export class TerminalSession {
  private entered = false;
  private restored = false;
  private crashing = false;
  private drawing: Drawing = { unmount: () => {} };
  private readonly crashHandler = (err: unknown) => this.crash(err);

  constructor(private readonly o: TerminalSessionOptions) {}

  /** Switch to the alternate screen and restore the terminal on any uncaught error from now on. */
  enter(): void {
    if (this.entered) return;
    this.entered = true;
    process.on('uncaughtException', this.crashHandler);
    process.on('unhandledRejection', this.crashHandler);
    this.o.stdout.write(ENTER_ALT_SCREEN);
  }

  /** What restoring must take down first (Ink's instance), so its last frame does not land on the normal screen. */
  drawnBy(drawing: Drawing): void {
    this.drawing = drawing;
  }

  /** Back to the normal screen with the cursor shown. Safe to call twice. */
  restore(): void {
    if (!this.entered || this.restored) return;
    this.restored = true;
    try {
      this.drawing.unmount();
    } catch {
      // Already unmounted (a render error unmounts Ink itself).
    }
    this.drawing.dispose?.();
    this.o.stdout.write(LEAVE_ALT_SCREEN + SHOW_CURSOR);
    this.drawing.restored?.();
  }

  /** Restore and stop catching errors (the normal end). */
  close(): void {
    this.restore();
    process.off('uncaughtException', this.crashHandler);
    process.off('unhandledRejection', this.crashHandler);
  }

  /** Restore, record the error, shut down within a bound, exit 3. */
  crash(err: unknown): void {
    if (this.crashing) return;
    this.crashing = true;
    this.restore();
    const file = this.o.crashDir === null ? null : writeCrashFile(this.o.crashDir, err);
    const msg = err instanceof Error ? err.message : String(err);
    this.o.stderr.write(
      `ghost-hb: crashed: ${msg}\n${file ? `ghost-hb: details in ${file}\n` : ''}`,
    );
    // Best effort and bounded: whatever crashed may be what the shutdown waits on.
    const closed = Promise.resolve()
      .then(() => this.o.onCrash())
      .catch(() => {});
    void Promise.race([
      closed,
      new Promise((r) => setTimeout(r, CRASH_SHUTDOWN_MS).unref()),
    ]).finally(() => process.exit(CRASH_EXIT));
  }
}
