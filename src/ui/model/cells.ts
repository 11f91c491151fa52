// Small text helpers for the terminal views: compact durations, sizes and
// percentages, and width-aware truncation/padding. Pure; no clock reads.
import { escapeControl } from '../../core/sanitize.js';
import { formatAge } from '../../core/format.js';

/** formatAge, keeping only the larger unit when both do not fit ("12h 30m" -> "12h"). */
export function compactDuration(ms: number | null | undefined, width: number): string {
  const s = formatAge(ms);
  return s.length <= width ? s : s.split(' ')[0]!;
}

// Sizes and percentages are shorter than format.ts's ("34M", "55%") because
// their table columns are five and six characters wide.

/** "812K", "34M", "1.2G"; "-" for null. */
export function shortBytes(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '-';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = Math.max(0, n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)}${units[i]}`;
}

/** "3.2%", "45%"; "-" for null. */
export function shortPct(p: number | null | undefined): string {
  if (p == null || !Number.isFinite(p)) return '-';
  return p < 10 ? `${p.toFixed(1)}%` : `${Math.round(p)}%`;
}

/** Escape control characters so a hostile name or message cannot drive the terminal. */
export function safeText(s: string | null | undefined): string {
  return s == null ? '' : escapeControl(s);
}

/** Display width of a string, counting wide (CJK, emoji) characters as two columns. */
export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

function charWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp >= 0x300 && cp <= 0x36f) return 0; // combining marks
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Cut to at most `width` columns, ending with an ellipsis when something was cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

/** Split `text` into lines of at most `width` columns, at spaces where possible. */
export function wrapWords(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (textWidth(next) <= w) {
      line = next;
      continue;
    }
    if (line) out.push(line);
    line = '';
    // A word wider than the line is cut at the width.
    for (const ch of word) {
      if (textWidth(line + ch) > w) {
        out.push(line);
        line = '';
      }
      line += ch;
    }
  }
  if (line || out.length === 0) out.push(line);
  return out;
}

/** Truncate, then pad to exactly `width` columns (left- or right-aligned). */
export function fit(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  const t = truncate(s, width);
  const pad = ' '.repeat(Math.max(0, width - textWidth(t)));
  return align === 'left' ? t + pad : pad + t;
}

/** Local wall time HH:MM:SS of an ISO timestamp (or epoch ms): core/format.ts owns time formats. */
export { formatClock as localClock } from '../../core/format.js';
