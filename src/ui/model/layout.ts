// Screen layout as arithmetic: which table columns fit a width, and how the
// rows of a terminal are shared between header, table, event pane and footer.
// Pure, so every terminal size can be tested without drawing.
import type { DaemonSnapshot } from '../../core/types.js';
import { compactDuration, fit, shortBytes, shortPct } from './cells.js';
import { formatAge, STATUS_GLYPHS } from '../../core/format.js';
import { escapeControl } from '../../core/sanitize.js';

export type ColumnKey =
  | 'status'
  | 'host'
  | 'name'
  | 'reason'
  | 'pid'
  | 'age'
  | 'uptime'
  | 'cpu'
  | 'mem'
  | 'restarts'
  | 'avail'
  | 'spark';

export interface ColumnSpec {
  key: ColumnKey;
  label: string;
  width: number;
  align: 'left' | 'right';
  /** Lower numbers are dropped first when the width runs out; Infinity never. */
  keep: number;
}

/** Every column, in display order. Widths are fixed except the name's. */
export const COLUMNS: readonly ColumnSpec[] = [
  // Wide enough for the whole word: "? unknown".
  { key: 'status', label: 'STATUS', width: 9, align: 'left', keep: Infinity },
  // Only in a fleet screen, as wide as its hosts' names (see tableLayout's `hostWidth`).
  { key: 'host', label: 'HOST', width: 0, align: 'left', keep: Infinity },
  { key: 'name', label: 'NAME', width: 0, align: 'left', keep: Infinity },
  { key: 'reason', label: 'REASON', width: 10, align: 'left', keep: 90 },
  { key: 'pid', label: 'PID', width: 7, align: 'right', keep: 50 },
  { key: 'age', label: 'AGE', width: 6, align: 'right', keep: 80 },
  { key: 'uptime', label: 'UPTIME', width: 7, align: 'right', keep: 30 },
  { key: 'cpu', label: 'CPU', width: 5, align: 'right', keep: 60 },
  { key: 'mem', label: 'MEM', width: 6, align: 'right', keep: 55 },
  { key: 'restarts', label: 'RST', width: 3, align: 'right', keep: 40 },
  { key: 'avail', label: 'AVAIL', width: 5, align: 'right', keep: 35 },
  { key: 'spark', label: 'RECENT', width: 10, align: 'left', keep: 10 },
];

export const NAME_MIN = 8;
const NAME_MAX = 32;
/** The name width columns are dropped to protect (the default daemon names are 16 long). */
const NAME_COMFORT = 16;

export interface TableLayout {
  columns: ColumnSpec[];
  nameWidth: number;
}

/** The HOST column's width bounds: "HOST" itself, and room for `host:port` of a Prometheus instance. */
const HOST_MIN = 4;
const HOST_MAX = 24;

/** The HOST column's width for these hosts' names; 0 (no column) when no row has a host. */
export function hostColumnWidth(hosts: Iterable<string | undefined>): number {
  let longest = -1;
  for (const h of hosts) if (h !== undefined) longest = Math.max(longest, h.length);
  return longest < 0 ? 0 : Math.max(HOST_MIN, Math.min(HOST_MAX, longest));
}

/**
 * Choose columns for a width: drop the least important until the name gets
 * its comfortable width (or as much as it needs), then give the name the rest.
 * `hostWidth` 0 leaves out the HOST column (a single host's screen).
 */
export function tableLayout(width: number, longestName: number, hostWidth = 0): TableLayout {
  const wantName = Math.max(NAME_MIN, Math.min(NAME_MAX, longestName));
  const need = Math.min(wantName, NAME_COMFORT);
  const cols = COLUMNS.filter((c) => hostWidth > 0 || c.key !== 'host').map((c) =>
    c.key === 'host' ? { ...c, width: hostWidth } : c,
  );
  const fixedWidth = (cs: ColumnSpec[]) =>
    cs.reduce((sum, c) => sum + c.width, 0) + Math.max(0, cs.length - 1);
  const dropOrder = cols.filter((c) => c.keep !== Infinity).sort((a, b) => a.keep - b.keep);
  for (const victim of dropOrder) {
    if (width - fixedWidth(cols) >= need) break;
    cols.splice(cols.indexOf(victim), 1);
  }
  const nameWidth = Math.max(NAME_MIN, Math.min(wantName, width - fixedWidth(cols)));
  return { columns: cols, nameWidth };
}

/** The name a row shows: in a fleet, without the `HOST/` that keeps rows of different hosts apart. */
export function displayName(d: Pick<DaemonSnapshot, 'name' | 'host'>): string {
  return d.host !== undefined && d.name.startsWith(`${d.host}/`)
    ? d.name.slice(d.host.length + 1)
    : d.name;
}

/** Marks a daemon whose notifications a silence holds back (the `m` key, `ghost-hb silence`). */
export const MUTED_MARK = '⊘';

/** The name as the table shows it: a muted daemon's is marked before it. */
export function nameCell(d: DaemonSnapshot): string {
  const name = escapeControl(displayName(d));
  return d.silencedUntil ? `${MUTED_MARK} ${name}` : name;
}

/** Per-daemon history the table shows beside the snapshot. */
export interface RowHistory {
  /** Share of polls this session in which the daemon was up (0..1), null before the first. */
  availability: number | null;
  /** Recent statuses as sparkline characters, oldest first. */
  spark: string;
}

function cell(d: DaemonSnapshot, key: ColumnKey, hist: RowHistory | undefined): string {
  switch (key) {
    case 'status':
      return `${STATUS_GLYPHS[d.status]} ${d.status}`;
    case 'host':
      return escapeControl(d.host ?? '');
    case 'name':
      return nameCell(d);
    case 'reason':
      return escapeControl(d.reason) || (d.clockSuspect ? 'clock?' : '');
    case 'pid':
      return d.pid == null ? '-' : String(d.pid);
    case 'age':
      return compactDuration(d.ageMs, 6);
    case 'uptime':
      return formatAge(d.uptimeSec == null ? null : d.uptimeSec * 1000);
    case 'cpu':
      return shortPct(d.cpuPct);
    case 'mem':
      return shortBytes(d.memRssBytes);
    case 'restarts':
      return String(d.restarts);
    case 'avail':
      return hist?.availability == null ? '-' : `${Math.floor(hist.availability * 100)}%`;
    case 'spark':
      return hist?.spark ?? '';
  }
}

/**
 * One table line in three parts: the status cell (coloured), the sparkline
 * (with its leading space; '' without the column) and the rest between them.
 * The glyph and the sparkline are a row's non-ASCII text: kept apart, the
 * rest is printable ASCII (unless a name is not), which every width
 * measurement takes without grapheme segmentation, and the sparkline is the
 * same text poll after poll while the daemon's status holds, so Ink's
 * measurement cache answers for it.
 */
export interface RowCells {
  status: string;
  rest: string;
  spark: string;
}

export function rowCells(
  d: DaemonSnapshot,
  layout: TableLayout,
  hist: RowHistory | undefined,
): RowCells {
  let rest = '';
  let status = '';
  let spark = '';
  for (const c of layout.columns) {
    const w = c.key === 'name' ? layout.nameWidth : c.width;
    const text = fit(cell(d, c.key, hist), w, c.align);
    if (c.key === 'status') status = text;
    else if (c.key === 'spark') spark = ` ${text}`;
    else rest += ` ${text}`;
  }
  return { status, rest, spark };
}

export function headerCells(layout: TableLayout): string {
  return layout.columns
    .map((c) => fit(c.label, c.key === 'name' ? layout.nameWidth : c.width, c.align))
    .join(' ');
}

export interface ScreenLayout {
  compact: boolean;
  /** Table rows (daemon lines) that fit, excluding the column header and "n more" line. */
  tableRows: number;
  eventLines: number;
}

// A 60x15 pane (a tmux split) is already compact: below 64 columns or 16 rows.
export const COMPACT_BELOW = { width: 64, height: 16 } as const;
/** Header lines, column header, event pane title, footer. */
const FULL_CHROME = 3 + 1 + 1 + 1;
const MIN_EVENT_LINES = 6;

/**
 * Share the rows: the table gets what its daemons need (plus a "n more" line
 * when they do not all fit), the event pane at least six lines, and the pane
 * takes whatever the table leaves.
 */
export function screenLayout(width: number, height: number, daemonCount: number): ScreenLayout {
  if (width < COMPACT_BELOW.width || height < COMPACT_BELOW.height) {
    // Status line + column header + rows (+ "n more").
    const room = Math.max(1, height - 2);
    const rows = daemonCount > room ? Math.max(1, room - 1) : room;
    // Rows the table does not need show the newest events (under a title line).
    const spare = room - Math.max(1, Math.min(daemonCount, rows) + (daemonCount > rows ? 1 : 0));
    return { compact: true, tableRows: rows, eventLines: spare >= 2 ? spare - 1 : 0 };
  }
  const room = height - FULL_CHROME;
  const maxTable = Math.max(3, room - MIN_EVENT_LINES);
  const tableRows = daemonCount <= maxTable ? daemonCount : Math.max(1, maxTable - 1);
  // An empty table still takes a line: it says why it is empty.
  const used = Math.max(1, tableRows + (daemonCount > tableRows ? 1 : 0));
  return { compact: false, tableRows, eventLines: Math.max(0, room - used) };
}
