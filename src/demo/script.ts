// The demo fleet's script: what each of the eight daemons does, by time since
// the fleet started. Within the first two minutes every behaviour the monitor
// knows shows once; then the script repeats. Pure, so it can be tested.
import type { SelfReportedStatus } from '../core/types.js';

export const DEMO_INTERVAL_SEC = 2;
export const DEMO_CYCLE_MS = 120_000;

export type DemoAction =
  | { kind: 'beat'; status: SelfReportedStatus; message?: string }
  | { kind: 'skip' } // alive, but no beat (a hang, or a late beat)
  | { kind: 'malformed' } // write a truncated JSON file
  | { kind: 'crash' }; // exit; the fleet restarts it with a new pid

const between = (t: number, from: number, to: number) => t >= from * 1000 && t < to * 1000;

/**
 * What `name` does at `elapsedMs` into the demo (`tick` counts its beats).
 * `livedMs` is how long this process has run (a restarted one does not crash again at once).
 */
export function demoAction(
  name: string,
  elapsedMs: number,
  tick: number,
  livedMs: number,
): DemoAction {
  const t = elapsedMs % DEMO_CYCLE_MS;
  switch (name) {
    case 'executor':
      // Crashes at 20 s; comes back a few seconds later with a new pid.
      return between(t, 20, 30) && livedMs > 10_000 ? { kind: 'crash' } : beat();
    case 'healer':
      // Hangs from 35 s to 60 s: alive, no beats (down, "hung").
      return between(t, 35, 60) ? { kind: 'skip' } : beat();
    case 'validationEngine':
      // Beats late from 10 s to 50 s: only every third tick (6 s apart; late, not down).
      return between(t, 10, 50) && tick % 3 !== 0 ? { kind: 'skip' } : beat();
    case 'messageQueue':
      return between(t, 25, 70)
        ? { kind: 'beat', status: 'degraded', message: 'queue depth 4812 above 1000' }
        : beat();
    case 'healthAggregator':
      // Writes a truncated heartbeat from 45 s to 65 s (a writer caught mid-write).
      return between(t, 45, 65) ? { kind: 'malformed' } : beat();
    default:
      return beat();
  }
}

function beat(): DemoAction {
  return { kind: 'beat', status: 'ok' };
}

/** Exit code a demo daemon uses for its planned crash (the fleet restarts it). */
export const CRASH_EXIT_CODE = 42;
