// While the screen is up, console output would scribble over it: a library's
// stray console.warn lands in the middle of the table. Hold such messages and
// give them back after the terminal is restored.
const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;
const KEPT = 50;

export interface HeldConsole {
  /** Restore the console; returns the messages held meanwhile (the newest KEPT). */
  release(): string[];
}

export function holdConsole(): HeldConsole {
  const held: string[] = [];
  const saved = METHODS.map((m) => [m, console[m]] as const);
  for (const m of METHODS) {
    console[m] = (...args: unknown[]) => {
      held.push(args.map((a) => (typeof a === 'string' ? a : String(a))).join(' '));
      if (held.length > KEPT) held.shift();
    };
  }
  return {
    release() {
      for (const [m, fn] of saved) console[m] = fn;
      return held.splice(0);
    },
  };
}
