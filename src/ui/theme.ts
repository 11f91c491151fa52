// Colours by meaning. Every coloured thing also carries a word or glyph, so the
// screen reads the same with NO_COLOR or --no-color. Nothing that informs is
// drawn in bright black (SGR 90, Ink's "gray"): Solarized-dark and similar
// themes map it to the background. Secondary text (times, "n/a", empty gauge
// cells) is dim (SGR 2) instead, which every theme derives from its foreground.
import type { DaemonStatus, Severity } from '../core/types.js';

/** The tone of secondary text: dim, not a colour. */
export const MUTED = 'dim';

/** Unknown keeps the terminal's own foreground: its "?" glyph and word say it. */
export const STATUS_COLOR: Record<DaemonStatus, string | undefined> = {
  up: 'green',
  late: 'yellow',
  down: 'red',
  unknown: undefined,
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

/** `color` (or `dimColor` for MUTED) props for ink's Text, or nothing when colour is off. */
export function tint(
  on: boolean,
  color: string | undefined,
): { color?: string; dimColor?: boolean } {
  if (!on || !color) return {};
  return color === MUTED ? { dimColor: true } : { color };
}
