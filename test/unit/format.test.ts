import { describe, expect, it } from '@jest/globals';
import {
  formatAge,
  formatBytes,
  formatClock,
  formatDuration,
  formatPct,
  formatSeconds,
  formatStamp,
  hasControlChars,
} from '../../src/core/format.js';
import { escapeControl } from '../../src/core/sanitize.js';

describe('format helpers', () => {
  it.each([
    [0, '0s'],
    [3, '3s'],
    [59.9, '59s'],
    [60, '1m'],
    [130, '2m 10s'],
    [3600, '1h'],
    [3 * 3600 + 5 * 60 + 9, '3h 5m'],
    [2 * 86400 + 4 * 3600, '2d 4h'],
    [-1, '-'],
    [null, '-'],
    [Number.NaN, '-'],
  ])('formatDuration(%p) = %p', (sec, text) => {
    expect(formatDuration(sec)).toBe(text);
  });

  it.each([
    [400, '0.4s'],
    [3000, '3s'],
    [130_000, '2m 10s'],
    [-2000, 'in 2s'],
    [null, '-'],
  ])('formatAge(%p) = %p', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });

  it.each([
    [99.6, '0.1s'],
    [2002, '2.0s'],
    [7132, '7.1s'],
    [59_949, '59.9s'],
    [59_950, '1m'],
    [130_000, '2m 10s'],
    [3_600_000, '1h'],
    [-1, '-'],
    [null, '-'],
  ])('formatSeconds(%p) = %p', (ms, text) => {
    expect(formatSeconds(ms)).toBe(text);
  });

  // Inputs are built from local fields, so the table holds in any time zone.
  const local = (...f: [number, number, number, number, number, number, number?]) =>
    new Date(f[0], f[1] - 1, f[2], f[3], f[4], f[5], f[6] ?? 0).getTime();

  it.each([
    ['epoch ms', local(2026, 1, 31, 8, 5, 9), '08:05:09', '2026-01-31 08:05:09'],
    [
      'ISO text',
      new Date(local(2026, 12, 2, 23, 59, 59, 999)).toISOString(),
      '23:59:59',
      '2026-12-02 23:59:59',
    ],
    ['midnight', local(2026, 3, 1, 0, 0, 0), '00:00:00', '2026-03-01 00:00:00'],
    ['epoch zero', new Date(0).toISOString(), formatClock(0), formatStamp(0)],
    ['not a time', 'yesterday', '--:--:--', 'yesterday'],
    ['NaN', Number.NaN, '--:--:--', 'NaN'],
  ])('%s: formatClock = %p, formatStamp = %p', (_what, at, clock, stamp) => {
    expect(formatClock(at)).toBe(clock);
    expect(formatStamp(at)).toBe(stamp);
  });

  it.each([
    [512, '512B'],
    [1536, '1.5K'],
    [12.3 * 1024 * 1024, '12.3M'],
    [5 * 1024 ** 3, '5.0G'],
    [null, '-'],
    [-5, '-'],
  ])('formatBytes(%p) = %p', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it('formats percentages with one decimal', () => {
    expect(formatPct(3.456)).toBe('3.5%');
    expect(formatPct(null)).toBe('-');
  });

  it.each([
    ['plain-name', 'plain-name'],
    ['a\x1b[2Jb', 'a\\x1b[2Jb'],
    ['line\nbreak\ttab\r', 'line\\nbreak\\ttab\\r'],
    ['nul\x00del\x7f', 'nul\\x00del\\x7f'],
    ['c1\u009b31m', 'c1\\x9b31m'],
    ['bidi\u202etxt', 'bidi\\u202etxt'],
    ['back\\slash', 'back\\slash'],
    ['ünïcödé ✓', 'ünïcödé ✓'],
  ])('escapeControl(%j) = %j', (raw, shown) => {
    expect(escapeControl(raw)).toBe(shown);
    // What is shown never carries a control character to the terminal.
    expect(hasControlChars(escapeControl(raw))).toBe(false);
    // Idempotent, so layers that each escape do not double backslashes.
    expect(escapeControl(escapeControl(raw))).toBe(shown);
  });
});
