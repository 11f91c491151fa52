// Small text helpers for the terminal views: compact durations, sizes and
// percentages, and width-aware truncation/padding. Pure; no clock reads.
import stringWidth from 'string-width';
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

// Display width is string-width's (the library Ink measures with), so a line
// this module fits is the line Ink draws: emoji sequences, skin tones, ZWJ
// families and East Asian wide characters count as the terminal counts them.
// Nearly every text on the screen is printable ASCII, whose width is its
// length: that case never reaches the library.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const graphemes = new Intl.Segmenter();

/**
 * Widths of the non-ASCII texts measured lately (glyphs, sparklines, names):
 * the same few come back every frame, and grapheme segmentation is the
 * costliest thing a frame does. Emptied when full, so it stays small.
 */
const WIDTHS = new Map<string, number>();
const WIDTHS_MAX = 2048;

/** Display width of a string in terminal columns. */
export function textWidth(s: string): number {
  if (PRINTABLE_ASCII.test(s)) return s.length;
  let w = WIDTHS.get(s);
  if (w === undefined) {
    if (WIDTHS.size >= WIDTHS_MAX) WIDTHS.clear();
    w = stringWidth(s);
    WIDTHS.set(s, w);
  }
  return w;
}

/** The string's user-perceived characters (grapheme clusters), each with its width. */
function* cells(s: string): Generator<{ text: string; width: number }> {
  if (PRINTABLE_ASCII.test(s)) {
    for (const ch of s) yield { text: ch, width: 1 };
    return;
  }
  for (const { segment } of graphemes.segment(s)) {
    yield { text: segment, width: textWidth(segment) };
  }
}

/** Cut to at most `width` columns, ending with an ellipsis when something was cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(s) <= width) return s;
  if (PRINTABLE_ASCII.test(s)) return `${s.slice(0, width - 1)}…`;
  let out = '';
  let w = 0;
  for (const c of cells(s)) {
    if (w + c.width > width - 1) break;
    out += c.text;
    w += c.width;
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
    // A word wider than the line is cut at the width, between whole characters.
    let lineWidth = 0;
    for (const c of cells(word)) {
      if (lineWidth + c.width > w && line) {
        out.push(line);
        line = '';
        lineWidth = 0;
      }
      line += c.text;
      lineWidth += c.width;
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
