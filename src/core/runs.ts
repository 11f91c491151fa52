// Runs of a wrapped command or a job: how a run ended, in the words the
// monitor shows (`exited (code 4)`, `killed (SIGSEGV)`). Written by
// `ghost-hb run` and the HTTP pings (/ping/NAME/EXIT_CODE, /fail), read back
// from the heartbeat's `exit` and `startedAt` fields. Pure.

/** How the last run ended, as a heartbeat's `exit` field holds it. */
export interface RunExit {
  /** Exit code, or null when the run was ended by a signal. */
  code: number | null;
  /** Signal name (`SIGSEGV`) when the run was ended by one, else null. */
  signal: string | null;
  /** Wall time the run took, when known. */
  durationMs: number | null;
}

/** Signals that mean the program crashed rather than was asked to stop. */
const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT', 'SIGSYS']);

/** True when the run ended well (exit code 0). */
export function exitOk(exit: RunExit): boolean {
  return exit.signal === null && exit.code === 0;
}

/** The reason shown for a run that ended: `exited (code 4)`, `killed (SIGSEGV)`. */
export function exitReason(exit: RunExit): string {
  if (exit.signal !== null) return `killed (${exit.signal})`;
  return exit.code === null ? 'exited' : `exited (code ${exit.code})`;
}

/** True for a signal that says the program crashed (segfault, abort, ...). */
export function isCrashSignal(signal: string | null): boolean {
  return signal !== null && CRASH_SIGNALS.has(signal);
}

/** The exit status a shell reports for a run: the code, or 128 + the signal number. */
export function shellExitStatus(exit: RunExit, signalNumber: (s: string) => number | null): number {
  if (exit.signal === null) return exit.code ?? 1;
  const n = signalNumber(exit.signal);
  return n === null ? 1 : 128 + n;
}
