// Frames as grids of cells, and the escape codes that turn one frame into the
// next on a terminal: only the cells that changed are written, each run after
// a cursor move; a line that got shorter is erased from its new end. Pure: no
// I/O, so the diff is tested without a terminal.
import stringWidth from 'string-width';

/** One line of a frame: what each column shows, and the SGR that styles it. */
export interface CellLine {
  /** Per column; '' for the second column of a wide character. */
  chars: string[];
  /** Per column: the SGR sequence that sets its style from a reset ('' = default). */
  styles: string[];
}

const ESC = '\u001b';
const RESET = `${ESC}[0m`;
const ERASE_TO_EOL = `${ESC}[K`;
/** Unchanged columns between two changed runs rewritten rather than jumped (a jump costs ~8 bytes). */
const MERGE_GAP = 8;

/** Terminal style state, as SGR parameters grouped so that a later code replaces an earlier one. */
interface Style {
  fg: string;
  bg: string;
  /** Attribute codes that are on (1 bold, 2 dim, 3 italic, 4 underline, 7 inverse, 8 hidden, 9 strike...). */
  attrs: Set<string>;
}

const ATTR_OFF: Record<string, string[]> = {
  '22': ['1', '2'],
  '23': ['3'],
  '24': ['4'],
  '25': ['5'],
  '27': ['7'],
  '28': ['8'],
  '29': ['9'],
  '55': ['53'],
};

function applySgr(style: Style, params: string): void {
  const codes = params === '' ? ['0'] : params.split(';');
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    const n = Number(code);
    if (n === 0) {
      style.fg = '';
      style.bg = '';
      style.attrs.clear();
    } else if (n === 38 || n === 48) {
      // 38;5;N or 38;2;R;G;B: one colour in several parameters.
      const len = codes[i + 1] === '5' ? 3 : codes[i + 1] === '2' ? 5 : 1;
      const value = codes.slice(i, i + len).join(';');
      if (n === 38) style.fg = value;
      else style.bg = value;
      i += len - 1;
    } else if (n === 39) style.fg = '';
    else if (n === 49) style.bg = '';
    else if ((n >= 30 && n <= 37) || (n >= 90 && n <= 97)) style.fg = code;
    else if ((n >= 40 && n <= 47) || (n >= 100 && n <= 107)) style.bg = code;
    else if (ATTR_OFF[code]) for (const a of ATTR_OFF[code]) style.attrs.delete(a);
    else style.attrs.add(code);
  }
}

function styleKey(style: Style): string {
  const parts = [...style.attrs].sort();
  if (style.fg) parts.push(style.fg);
  if (style.bg) parts.push(style.bg);
  return parts.length ? `${ESC}[${parts.join(';')}m` : '';
}

/** Widths of the non-ASCII graphemes seen (glyphs, sparkline blocks): a handful, every frame. */
const GRAPHEME_WIDTHS = new Map<string, number>();
const GRAPHEME_WIDTHS_MAX = 1024;

/** Width of one grapheme as Ink lays it out (string-width), ASCII without a lookup. */
function charWidth(ch: string): number {
  const c = ch.charCodeAt(0);
  if (ch.length === 1 && c >= 0x20 && c < 0x7f) return 1;
  let w = GRAPHEME_WIDTHS.get(ch);
  if (w === undefined) {
    if (GRAPHEME_WIDTHS.size >= GRAPHEME_WIDTHS_MAX) GRAPHEME_WIDTHS.clear();
    w = stringWidth(ch);
    GRAPHEME_WIDTHS.set(ch, w);
  }
  return w;
}

const segmenter = new Intl.Segmenter();
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/**
 * Text in which every UTF-16 unit is a grapheme of its own: printable ASCII,
 * Latin-1 and Latin Extended letters, punctuation, arrows, box drawing,
 * blocks, geometric shapes, symbols and dingbats (the screen's glyphs and
 * sparklines). No character here extends or prepends to another (no combining
 * mark, joiner, variation selector or surrogate), so no segmentation is needed.
 */
const ONE_UNIT_GRAPHEMES =
  /^[\x20-\x7e\u00a1-\u00ac\u00ae-\u02ff\u2010-\u2027\u2030-\u205e\u2190-\u2bff]*$/;
// eslint-disable-next-line no-control-regex
const SEQUENCE = /\u001b(?:\[([0-9;:?]*)([@-~])|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-_])/g;

/** Parse a line of Ink's output (text and SGR codes) into cells, at most `width` columns. */
export function parseLine(line: string, width: number): CellLine {
  const chars: string[] = [];
  const styles: string[] = [];
  const style: Style = { fg: '', bg: '', attrs: new Set() };
  let key = '';
  let last = 0;
  const addText = (text: string): void => {
    if (PRINTABLE_ASCII.test(text)) {
      // The common case: one column per character, no segmentation.
      const n = Math.min(text.length, width - chars.length);
      for (let i = 0; i < n; i++) {
        chars.push(text[i]!);
        styles.push(key);
      }
      return;
    }
    const graphemes: Iterable<string> = ONE_UNIT_GRAPHEMES.test(text)
      ? text
      : Array.from(segmenter.segment(text), (s) => s.segment);
    for (const segment of graphemes) {
      const w = charWidth(segment);
      if (w === 0) continue;
      if (chars.length + w > width) return;
      chars.push(segment);
      styles.push(key);
      if (w === 2) {
        chars.push('');
        styles.push(key);
      }
    }
  };
  SEQUENCE.lastIndex = 0;
  for (let m = SEQUENCE.exec(line); m; m = SEQUENCE.exec(line)) {
    if (m.index > last) addText(line.slice(last, m.index));
    last = SEQUENCE.lastIndex;
    // Only SGR changes what a cell looks like; anything else is dropped.
    if (m[2] === 'm') {
      applySgr(style, m[1] ?? '');
      key = styleKey(style);
    }
  }
  if (last < line.length) addText(line.slice(last));
  return { chars, styles };
}

const moveTo = (row: number, col: number): string => `${ESC}[${row + 1};${col + 1}H`;

/** Write columns [from, to) of `line` at `row`, styles set from a reset. */
function writeRun(line: CellLine, row: number, from: number, to: number): string {
  let out = moveTo(row, from);
  let current: string | null = null;
  for (let c = from; c < to; c++) {
    const ch = line.chars[c]!;
    if (ch === '') continue;
    const st = line.styles[c]!;
    if (st !== current) {
      out += current === null && st === '' ? RESET : RESET + st;
      current = st;
    }
    out += ch;
  }
  return out;
}

function sameCell(a: CellLine, b: CellLine, c: number): boolean {
  return a.chars[c] === b.chars[c] && a.styles[c] === b.styles[c];
}

/** Escape codes that turn `prev` (null: unknown, a blank screen) into `next` at `row`. */
export function diffLine(prev: CellLine | null, next: CellLine, row: number): string {
  const len = next.chars.length;
  const prevLen = prev ? prev.chars.length : 0;
  let out = '';
  let c = 0;
  let end = 0;
  while (c < len) {
    if (prev && c < prevLen && sameCell(prev, next, c)) {
      c++;
      continue;
    }
    // A run of changed columns; it absorbs short unchanged gaps.
    let from = c;
    // Never start on the right half of a wide character, new or old.
    while (from > 0 && (next.chars[from] === '' || (prev && prev.chars[from] === ''))) from--;
    let to = c + 1;
    let gap = 0;
    for (let k = to; k < len && gap <= MERGE_GAP; k++) {
      if (prev && k < prevLen && sameCell(prev, next, k)) gap++;
      else {
        gap = 0;
        to = k + 1;
      }
    }
    // A wide character's right half goes with it.
    if (to < len && next.chars[to] === '') to++;
    out += writeRun(next, row, from, to);
    end = to;
    c = to;
  }
  if (prevLen > len) {
    out += (end === len && out ? '' : moveTo(row, len)) + RESET + ERASE_TO_EOL;
  }
  return out;
}

/** Escape codes that turn the screen from `prev` into `next` (rows of cells). */
export function diffFrame(
  prev: readonly (CellLine | null)[] | null,
  next: readonly CellLine[],
): string {
  let out = '';
  for (let row = 0; row < next.length; row++) {
    out += diffLine(prev ? (prev[row] ?? null) : null, next[row]!, row);
  }
  return out ? out + RESET : '';
}
