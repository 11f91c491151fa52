// Colours by meaning. Every coloured thing also carries a word or glyph, so the
// screen reads the same with NO_COLOR or --no-color.
import type { DaemonStatus, Severity } from '../core/types.js';

export const STATUS_COLOR: Record<DaemonStatus, string> = {
  up: 'green',
  late: 'yellow',
  down: 'red',
  unknown: 'gray',
};

export const SEVERITY_COLOR: Record<Severity, string> = {
  info: 'cyan',
  warn: 'yellow',
  error: 'red',
  critical: 'magenta',
};

export const SEVERITY_WORD: Record<Severity, string> = {
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  critical: 'CRIT',
};

/** `color` prop for ink's Text, or nothing when colour is off. */
export function tint(on: boolean, color: string | undefined): { color?: string } {
  return on && color ? { color } : {};
}
