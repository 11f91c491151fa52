// Nagios-style flap detection: the percent state change over the last N
// checks, with recent changes weighted more (0.8 for the oldest transition up
// to 1.2 for the newest), as Nagios computes it for hosts and services. The sum
// is divided by the full number of transitions in the window, so a short
// history (a monitor that just started) cannot look like flapping.

const OLDEST_WEIGHT = 0.8;
const NEWEST_WEIGHT = 1.2;

/** Weighted percent state change (0..100) of `history` (oldest first) in a window of `window` checks. */
export function percentStateChange<T>(history: readonly T[], window: number): number {
  const slots = window - 1;
  if (slots <= 0 || history.length < 2) return 0;
  const start = Math.max(0, history.length - window);
  let weighted = 0;
  // Transition i sits between checks i-1 and i; position within the window sets its weight.
  const first = start + 1;
  for (let i = first; i < history.length; i++) {
    if (history[i] !== history[i - 1]) {
      const position = slots - (history.length - i); // 0 = oldest slot, slots-1 = newest
      const weight =
        slots === 1
          ? NEWEST_WEIGHT
          : OLDEST_WEIGHT + ((NEWEST_WEIGHT - OLDEST_WEIGHT) * position) / (slots - 1);
      weighted += weight;
    }
  }
  return (weighted / slots) * 100;
}

/** Hysteresis: start above `highPct`, stop below `lowPct`, otherwise keep the current verdict. */
export function nextFlapping(
  flapping: boolean,
  pct: number,
  highPct: number,
  lowPct: number,
): boolean {
  if (!flapping && pct > highPct) return true;
  if (flapping && pct < lowPct) return false;
  return flapping;
}
