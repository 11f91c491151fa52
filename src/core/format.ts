// Pure formatting helpers shared by the plain-text status table and the
// interactive monitor: short human durations, byte sizes, percentages, and
// escaping of untrusted text (daemon names, reasons, messages) before it
// reaches a terminal.
import { escapeControl, hasControlChars } from './sanitize.js';
import type { DaemonStatus } from './types.js';

/** A glyph per status, so every view reads without colour. */
export const STATUS_GLYPHS: Readonly<Record<DaemonStatus, string>> = {
  up: '✔',
  late: '▲',
  down: '✖',
  unknown: '?',
};

/** Placeholder shown for a missing value. */
export const MISSING = '-';

/**
 * A duration in seconds as at most two units: "0s", "3s", "2m 10s", "5h 3m", "2d 4h".
 * Negative or non-finite input gives "-".
 */
export function formatDuration(sec: number | null | undefined): string {
  if (sec == null || !Number.isFinite(sec) || sec < 0) return MISSING;
  const s = Math.floor(sec);
  const units: [number, string][] = [
    [86400, 'd'],
    [3600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  for (let i = 0; i < units.length; i++) {
    const [size, label] = units[i]!;
    if (s >= size || size === 1) {
      const major = Math.floor(s / size);
      const next = units[i + 1];
      if (!next) return `${major}${label}`;
      const minor = Math.floor((s % size) / next[0]);
      return minor > 0 ? `${major}${label} ${minor}${next[1]}` : `${major}${label}`;
    }
  }
  return `${s}s`;
}

/**
 * An age in milliseconds: sub-second ages keep one decimal ("0.4s") because a
 * beat that is 400 ms old and one that is 0 ms old read differently to an operator.
 */
export function formatAge(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return MISSING;
  if (ms < 0) return `in ${formatAge(-ms)}`;
  if (ms < 1000) return `${(ms / 1000).toFixed(1)}s`;
  return formatDuration(ms / 1000);
}

/**
 * A span in milliseconds where tenths of a second matter (beat gaps, skew,
 * clock steps): "0.1s", "2.0s", "7.1s" under a minute, then as
 * formatDuration ("2m 10s"). Negative or non-finite input gives "-".
 */
export function formatSeconds(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return MISSING;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  return formatDuration(Math.round(ms / 1000));
}

/** Bytes with a binary-prefixed unit and one decimal: "512B", "12.3K", "1.5G". */
export function formatBytes(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n) || n < 0) return MISSING;
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)}B` : `${value.toFixed(1)}${units[unit]}`;
}

/** A percentage with one decimal: "3.5%". */
export function formatPct(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return MISSING;
  return `${n.toFixed(1)}%`;
}

/**
 * Make untrusted text safe for a terminal: C0/C1 control characters, DEL,
 * zero-width and bidi characters are shown as escapes ("\x1b", "\n",
 * "\u202e"), so a daemon named "a\x1b[2Jb" cannot clear the screen or disguise
 * itself. Backslashes are left alone so that escaping is idempotent: the core,
 * the table and the UI may each escape the same text.
 */
export function escapeForDisplay(s: string): string {
  return escapeControl(s);
}

export { hasControlChars };
