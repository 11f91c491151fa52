// The one way tests wait: poll a condition until it holds or a deadline
// passes, then fail naming what was awaited (and the last value or error seen).
// Never a fixed sleep: on a loaded machine a sleep is either too short (a
// flaky test) or too long (a slow one); a deadline is only an upper bound.

export interface WaitOptions {
  /** Give up after this long (a generous bound for a loaded machine, not a timing). */
  timeoutMs?: number;
  /** Pause between probes. */
  everyMs?: number;
  /** What to add to the error at the deadline (the last frame, pane or output). */
  detail?: () => string;
}

const options = (o: number | WaitOptions | undefined, everyMs?: number): WaitOptions =>
  typeof o === 'number'
    ? { timeoutMs: o, ...(everyMs !== undefined ? { everyMs } : {}) }
    : (o ?? {});

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Poll `probe` until it returns something other than undefined, and return
 * that. A probe that throws counts as not yet (its error is reported at the deadline).
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  opts?: number | WaitOptions,
  everyMs?: number,
): Promise<T> {
  const { timeoutMs = 10_000, everyMs: every = 50, detail } = options(opts, everyMs);
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const seen = last ? `: ${String(last)}` : '';
      const more = detail ? `\n${detail()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}${more}`);
    }
    await pause(every);
  }
}

/** Poll until `cond` holds (30 s by default: conditions here wait on real processes). */
export async function until(
  cond: () => boolean | Promise<boolean>,
  what: string,
  opts: number | WaitOptions = 30_000,
): Promise<void> {
  const o = options(opts);
  await waitFor(async () => ((await cond()) ? true : undefined), what, {
    timeoutMs: 30_000,
    ...o,
  });
}
