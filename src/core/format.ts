// Pure formatting helpers shared by the plain-text status table, the event
// lines and the interactive monitor: wall-clock times and short human
// durations (the one place either is formatted), byte sizes, percentages, and
// escaping of untrusted text (daemon names, reasons, messages) before it
// reaches a terminal.
//
// Times go through date-fns' lightFormat: local time, zero-padded fields,
// patterns as data, and no locale tables to load (the `date-fns` index and
// its `format` load the whole library or its English locale, which `watch`
// and `status` would pay at every start). Durations are fixed-length units
// (a day is 86,400 s) in at most two fields, which date-fns' calendar-based
// durations (months, years, worded units) do not express: a table below.
import { lightFormat } from 'date-fns/lightFormat';
import { hasControlChars } from './sanitize.js';
import type { ClockSnapshot, DaemonStatus } from './types.js';

/** A glyph per status, so every view reads without colour. */
export const STATUS_GLYPHS: Readonly<Record<DaemonStatus, string>> = {
  up: '✔',
  late: '▲',
  down: '✖',
  unknown: '?',
};

/**
 * The one order of statuses on every display (the screen's status sort, the
 * dashboard's table, the status text): what needs attention first.
 */
export const STATUS_RANK: Readonly<Record<DaemonStatus, number>> = {
  down: 0,
  unknown: 1,
  late: 2,
  up: 3,
};

/** Daemons by status (STATUS_RANK), critical ones first within a status, then by name. */
export function compareByStatus(
  a: { status: DaemonStatus; name: string; critical: boolean },
  b: { status: DaemonStatus; name: string; critical: boolean },
): number {
  return (
    STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
    Number(b.critical) - Number(a.critical) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

/**
 * The one sign convention for clock offsets, NTP's (chrony, timesyncd and SNTP
 * all report it so): the correction the local clock needs. Positive means the
 * local clock is behind its reference, negative that it is ahead.
 */
export const CLOCK_OFFSET_CONVENTION =
  'positive: the local clock is behind its reference; negative: ahead (NTP convention)';

/** An offset in words: "12.3 ms behind", "4.0 ms ahead", "0.0 ms". */
export function describeOffset(offsetMs: number): string {
  const abs = `${Math.abs(offsetMs).toFixed(1)} ms`;
  if (Math.abs(offsetMs) < 0.05) return abs;
  return `${abs} ${offsetMs > 0 ? 'behind' : 'ahead'}`;
}

/** The clock line of a text display: sync state, offset in words, source; or why there is none. */
export function describeClock(clock: ClockSnapshot): string {
  if (clock.synced === null && clock.offsetMs === null) {
    return clock.note ?? 'no answer from the clock source';
  }
  const parts = [clock.synced === null ? 'sync unknown' : clock.synced ? 'synced' : 'NOT synced'];
  if (clock.offsetMs !== null) parts.push(describeOffset(clock.offsetMs));
  if (clock.errorBoundMs !== null) parts.push(`±${clock.errorBoundMs.toFixed(1)} ms`);
  if (clock.source) parts.push(`(${clock.source})`);
  return parts.join(', ').replace(', (', ' (');
}

/** Placeholder shown for a missing value. */
export const MISSING = '-';

/** Local wall time of the screen's clocks, event pane and detail view. */
const CLOCK_PATTERN = 'HH:mm:ss';
/** Local date and time of the event lines of `watch` and `events`, as a log file an operator tails. */
const STAMP_PATTERN = 'yyyy-MM-dd HH:mm:ss';

function toEpochMs(at: string | number): number {
  return typeof at === 'string' ? Date.parse(at) : at;
}

/** Local wall time "08:05:09" of an ISO timestamp or epoch ms; "--:--:--" when it is not a time. */
export function formatClock(at: string | number): string {
  const ms = toEpochMs(at);
  return Number.isFinite(ms) ? lightFormat(ms, CLOCK_PATTERN) : '--:--:--';
}

/** Local date and time "2026-01-31 08:05:09" of an ISO timestamp or epoch ms; unreadable text as it is. */
export function formatStamp(at: string | number): string {
  const ms = toEpochMs(at);
  return Number.isFinite(ms) ? lightFormat(ms, STAMP_PATTERN) : String(at);
}

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

export { hasControlChars };
