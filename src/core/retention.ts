// What the monitor remembers about daemons that have left: a daemon that is
// neither declared nor seen for `forgetAfterMs` is forgotten (its rule memory,
// open conditions and last-seen time), and at most `maxAbsent` absent daemons
// are remembered at all (the oldest-seen go first). A directory churning
// through thousands of names must not make every poll slower and every
// state.json larger, for ever.
import type { RuleState } from './anomaly/index.js';

/** Absent (not declared, not in the last poll) daemons remembered at most. */
export const MAX_ABSENT_DAEMONS = 1000;

export interface RetentionInput {
  /** Names in this poll's snapshot. */
  present: Iterable<string>;
  /** Names declared in the config: never forgotten. */
  declared: ReadonlySet<string>;
  nowMs: number;
  forgetAfterMs: number;
  maxAbsent?: number;
}

/**
 * Update `seen` (name -> wall ms last present) and drop from `rules` and `seen`
 * the daemons to forget. Returns the names forgotten. Mutates its arguments,
 * as the rules do with their state.
 */
export function forgetGoneDaemons(
  rules: RuleState,
  seen: Map<string, number>,
  input: RetentionInput,
): string[] {
  const present = new Set(input.present);
  for (const name of present) seen.set(name, input.nowMs);
  const absent: Array<[string, number]> = [];
  for (const name of Object.keys(rules.daemons)) {
    if (present.has(name) || input.declared.has(name)) continue;
    // Known from before last-seen times were kept: the clock starts now.
    if (!seen.has(name)) seen.set(name, input.nowMs);
    absent.push([name, seen.get(name)!]);
  }
  const forgotten = absent
    .filter(([, at]) => input.nowMs - at > input.forgetAfterMs)
    .map(([name]) => name);
  const kept = absent.filter(([, at]) => input.nowMs - at <= input.forgetAfterMs);
  const max = input.maxAbsent ?? MAX_ABSENT_DAEMONS;
  if (kept.length > max) {
    kept.sort((a, b) => a[1] - b[1]);
    for (const [name] of kept.slice(0, kept.length - max)) forgotten.push(name);
  }
  for (const name of forgotten) {
    delete rules.daemons[name];
    delete rules.conditions[name];
    seen.delete(name);
  }
  // Names seen but never judged by the rules (none today) must not pile up either.
  for (const name of seen.keys()) {
    if (!present.has(name) && !(name in rules.daemons) && !input.declared.has(name)) {
      seen.delete(name);
    }
  }
  return forgotten;
}

/** `seen` as saved in state.json (name -> wall ms last present). */
export function seenToJson(seen: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries(seen);
}

export function seenFromJson(raw: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (!raw || typeof raw !== 'object') return out;
  for (const [name, at] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof at === 'number' && Number.isFinite(at)) out.set(name, at);
  }
  return out;
}
