// Severity order, the one ranking every filter, rule and display uses.
import { SEVERITIES, type Severity } from '../types.js';

/** info 0, warn 1, error 2, critical 3. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = Object.freeze(
  Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<Severity, number>,
);

export function severityRank(s: Severity): number {
  return SEVERITY_RANK[s];
}

export function isSeverity(s: unknown): s is Severity {
  return typeof s === 'string' && Object.hasOwn(SEVERITY_RANK, s);
}

/** True when `s` is `min` or worse. */
export function atLeast(s: Severity, min: Severity): boolean {
  return SEVERITY_RANK[s] >= SEVERITY_RANK[min];
}
