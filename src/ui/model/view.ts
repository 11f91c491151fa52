// The monitor's view model: what the operator chose (filter, status filter,
// sort, selection, scroll, mode) and the pure functions that turn a snapshot
// and that choice into the rows and events to draw. No I/O, no clock.
import type { DaemonSnapshot, HbEvent } from '../../core/types.js';
import { compareByStatus } from '../../core/format.js';
import { matchesFilter, type EventFilter } from '../../core/events/index.js';

export const STATUS_FILTERS = ['all', 'problems', 'up', 'late', 'down'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export const SORT_KEYS = ['status', 'name', 'age', 'cpu', 'mem', 'restarts'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** What is remembered across restarts (the UI state file). */
export interface Prefs {
  filter: string;
  statusFilter: StatusFilter;
  sort: SortKey;
  reverse: boolean;
}

export const DEFAULT_PREFS: Prefs = {
  filter: '',
  statusFilter: 'all',
  sort: 'status',
  reverse: false,
};

export type Mode = 'table' | 'filter' | 'detail' | 'help' | 'events' | 'event';

export interface ViewState extends Prefs {
  mode: Mode;
  /** Mode to return to when the help overlay closes. */
  previousMode: Mode;
  /** The filter being typed; applied live. Null when not typing. */
  draft: string | null;
  /** Selected row index in the filtered, sorted list, and the daemon it held. */
  cursor: number;
  selectedName: string | null;
  /** First visible row of the table. */
  top: number;
  /** Daemon shown in the detail view. */
  detailName: string | null;
  /** First line shown of the detail view or the help, when they are taller than the screen. */
  scrollTop: number;
  /**
   * Local sequence number of the selected event in the pane (the bottom line
   * once the list is longer than the pane); null selects and follows the newest.
   */
  eventAnchor: number | null;
  /** The event shown whole in the event view. */
  eventSeq: number | null;
  /** Events with a sequence number up to this one are cleared from the pane. */
  eventsClearedThrough: number;
  paused: boolean;
}

export function initialViewState(prefs: Partial<Prefs> = {}): ViewState {
  return {
    ...DEFAULT_PREFS,
    ...prefs,
    mode: 'table',
    previousMode: 'table',
    draft: null,
    cursor: 0,
    selectedName: null,
    top: 0,
    detailName: null,
    scrollTop: 0,
    eventAnchor: null,
    eventSeq: null,
    eventsClearedThrough: 0,
    paused: false,
  };
}

export function prefsOf(s: ViewState): Prefs {
  return { filter: s.filter, statusFilter: s.statusFilter, sort: s.sort, reverse: s.reverse };
}

// ---------------------------------------------------------------------------
// Filtering
// ---------------------------------------------------------------------------

export interface TextMatcher {
  test(s: string): boolean;
  /** Set when a `re:` pattern does not compile; nothing matches then. */
  error: string | null;
  active: boolean;
}

const MATCH_ALL: TextMatcher = { test: () => true, error: null, active: false };

/**
 * Substring (case-insensitive), a regular expression after `re:` (case-insensitive
 * too), or `host:NAME` in a fleet: the rows and events of that host (names are
 * `HOST/NAME` there, and an event with no daemon starts `HOST: `).
 */
export function compileFilter(text: string): TextMatcher {
  if (!text) return MATCH_ALL;
  if (text.startsWith('host:')) {
    const host = text.slice(5).trim().toLowerCase();
    if (!host) return MATCH_ALL;
    return {
      test: (s) => {
        const l = s.toLowerCase();
        return l.startsWith(`${host}/`) || l.startsWith(`${host}: `);
      },
      error: null,
      active: true,
    };
  }
  if (text.startsWith('re:')) {
    const src = text.slice(3);
    if (!src) return MATCH_ALL;
    try {
      const re = new RegExp(src, 'i');
      return { test: (s) => re.test(s), error: null, active: true };
    } catch (err) {
      return { test: () => false, error: (err as Error).message, active: true };
    }
  }
  const needle = text.toLowerCase();
  return { test: (s) => s.toLowerCase().includes(needle), error: null, active: true };
}

/** The filter in effect: the draft while typing, else the kept one. */
export function effectiveFilter(s: Pick<ViewState, 'draft' | 'filter'>): string {
  return s.draft ?? s.filter;
}

export function isProblem(d: Pick<DaemonSnapshot, 'status'>): boolean {
  return d.status !== 'up';
}

export function matchesStatus(d: Pick<DaemonSnapshot, 'status'>, f: StatusFilter): boolean {
  switch (f) {
    case 'all':
      return true;
    case 'problems':
      return isProblem(d);
    default:
      return d.status === f;
  }
}

function cmpNullable(a: number | null, b: number | null): number {
  // Unknown values go last whichever way the numbers sort.
  if (a == null) return b == null ? 0 : 1;
  if (b == null) return -1;
  return a - b;
}

function byName(a: DaemonSnapshot, b: DaemonSnapshot): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Comparators; numeric columns sort largest first (what an operator looks for). */
const COMPARATORS: Record<SortKey, (a: DaemonSnapshot, b: DaemonSnapshot) => number> = {
  status: compareByStatus,
  name: byName,
  age: (a, b) => cmpNullable(b.ageMs, a.ageMs) || byName(a, b),
  cpu: (a, b) => cmpNullable(b.cpuPct, a.cpuPct) || byName(a, b),
  mem: (a, b) => cmpNullable(b.memRssBytes, a.memRssBytes) || byName(a, b),
  restarts: (a, b) => b.restarts - a.restarts || byName(a, b),
};

/** Filter and sort the daemons for the table. Allocates one array of the matches. */
export function visibleDaemons(
  daemons: readonly DaemonSnapshot[],
  prefs: Pick<Prefs, 'statusFilter' | 'sort' | 'reverse'>,
  matcher: TextMatcher,
): DaemonSnapshot[] {
  const out: DaemonSnapshot[] = [];
  for (const d of daemons) {
    if (!matchesStatus(d, prefs.statusFilter)) continue;
    if (matcher.active && !matcher.test(d.name)) continue;
    out.push(d);
  }
  const cmp = COMPARATORS[prefs.sort];
  out.sort(prefs.reverse ? (a, b) => cmp(b, a) : cmp);
  return out;
}

/** An event as the pane keeps it: the local sequence number orders and anchors it. */
export interface PaneEvent {
  seq: number;
  event: HbEvent;
}

/** The pane's events after the clear mark whose daemon or message passes the filter. */
export function paneEventsKept(
  events: readonly PaneEvent[],
  clearedThrough: number,
  matcher: TextMatcher,
): PaneEvent[] {
  const filter: EventFilter = { text: matcher.active ? matcher : null };
  return events.filter((e) => e.seq > clearedThrough && matchesFilter(e.event, filter));
}

/**
 * The event lines to show: filtered, after the clear mark, ending at the
 * selected event (or the newest), at most `lines` of them, oldest first. The
 * window is a full pane whenever there are enough events, so selecting one
 * of the oldest does not empty the pane above it.
 */
export function visibleEvents(
  events: readonly PaneEvent[],
  state: Pick<ViewState, 'eventAnchor' | 'eventsClearedThrough'>,
  matcher: TextMatcher,
  lines: number,
): { shown: PaneEvent[]; above: number; below: number; selected: number | null } {
  const kept = paneEventsKept(events, state.eventsClearedThrough, matcher);
  const at = selectedIndex(kept, state.eventAnchor);
  const room = Math.max(0, lines);
  const end = Math.max(at + 1, Math.min(kept.length, room));
  const start = Math.max(0, end - room);
  return {
    shown: kept.slice(start, end),
    above: start,
    below: kept.length - end,
    selected: kept[at]?.seq ?? null,
  };
}

/** Index of the selected event: the first at or after the anchor, else the newest. */
function selectedIndex(kept: readonly PaneEvent[], anchor: number | null): number {
  if (anchor === null) return kept.length - 1;
  const i = kept.findIndex((e) => e.seq >= anchor);
  return i === -1 ? kept.length - 1 : i;
}

// ---------------------------------------------------------------------------
// Commands: what keys do, applied by a pure reducer
// ---------------------------------------------------------------------------

export type ViewCommand =
  | 'filter.start'
  | 'filter.keep'
  | 'filter.clear'
  | 'filter.backspace'
  | 'filter.deleteWord'
  | 'filter.deleteAll'
  | 'status.cycle'
  | 'sort.cycle'
  | 'sort.reverse'
  | `sort.by.${SortKey}`
  | 'move.up'
  | 'move.down'
  | 'page.up'
  | 'page.down'
  | 'move.top'
  | 'move.bottom'
  | 'detail.open'
  | 'detail.close'
  | 'events.focus'
  | 'events.blur'
  | 'events.clear'
  | 'events.unclear'
  | 'event.open'
  | 'event.close'
  | 'pause.toggle'
  | 'help.toggle'
  | 'poll.now'
  | 'mute.toggle'
  | 'quit';

export type ViewAction =
  { type: 'command'; command: ViewCommand } | { type: 'filter.input'; text: string };

/** What the reducer needs to know about the current data. */
export interface ViewContext {
  /** Names of the visible rows, in display order. */
  rows: readonly string[];
  /** Table rows that fit on screen. */
  pageSize: number;
  /** Visible (filtered, not cleared) pane events, oldest first. */
  events: readonly PaneEvent[];
  eventLines: number;
  /** How far the detail view or help can scroll (their lines beyond the screen). */
  scrollMax?: number;
}

function cycle<T>(list: readonly T[], current: T): T {
  const i = list.indexOf(current);
  return list[(i + 1) % list.length]!;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

/** Keep the cursor inside the rows and the window around the cursor. */
export function settleSelection(
  s: ViewState,
  ctx: Pick<ViewContext, 'rows' | 'pageSize'>,
): ViewState {
  const n = ctx.rows.length;
  let cursor = s.cursor;
  // Follow the selected daemon when the order changes under it.
  if (s.selectedName !== null) {
    const i = ctx.rows.indexOf(s.selectedName);
    if (i !== -1) cursor = i;
  }
  cursor = n === 0 ? 0 : clamp(cursor, 0, n - 1);
  const page = Math.max(1, ctx.pageSize);
  let top = s.top;
  if (cursor < top) top = cursor;
  if (cursor >= top + page) top = cursor - page + 1;
  top = clamp(top, 0, Math.max(0, n - page));
  const selectedName = n === 0 ? null : ctx.rows[cursor]!;
  if (cursor === s.cursor && top === s.top && selectedName === s.selectedName) return s;
  return { ...s, cursor, top, selectedName };
}

function moveTo(s: ViewState, ctx: ViewContext, cursor: number): ViewState {
  const n = ctx.rows.length;
  const c = n === 0 ? 0 : clamp(cursor, 0, n - 1);
  return settleSelection({ ...s, cursor: c, selectedName: ctx.rows[c] ?? null }, ctx);
}

function scrollEvents(s: ViewState, ctx: ViewContext, delta: number): ViewState {
  const ev = ctx.events;
  if (ev.length === 0) return { ...s, eventAnchor: null };
  const at = clamp(selectedIndex(ev, s.eventAnchor) + delta, 0, ev.length - 1);
  return { ...s, eventAnchor: at >= ev.length - 1 ? null : ev[at]!.seq };
}

/** Scroll the detail view or help; null when the command is not a scroll. */
function scrollPage(s: ViewState, command: ViewCommand, max: number): ViewState | null {
  const delta: Partial<Record<ViewCommand, number>> = {
    'move.up': -1,
    'move.down': 1,
    'page.up': -10,
    'page.down': 10,
    'move.top': -Infinity,
    'move.bottom': Infinity,
  };
  const d = delta[command];
  if (d === undefined) return null;
  const scrollTop = clamp(s.scrollTop + d, 0, Math.max(0, max));
  return scrollTop === s.scrollTop ? s : { ...s, scrollTop };
}

/** Apply one action. Side effects (quit, poll now, saving prefs) are the caller's. */
export function reduceView(s: ViewState, action: ViewAction, ctx: ViewContext): ViewState {
  if (action.type === 'filter.input') {
    if (s.mode !== 'filter') return s;
    return settleSelection({ ...s, draft: (s.draft ?? '') + action.text, top: 0 }, ctx);
  }
  const page = Math.max(1, ctx.pageSize);
  const events = s.mode === 'events';
  if (s.mode === 'detail' || s.mode === 'help' || s.mode === 'event') {
    const scrolled = scrollPage(s, action.command, ctx.scrollMax ?? 0);
    if (scrolled) return scrolled;
  }
  switch (action.command) {
    case 'filter.start':
      return { ...s, mode: 'filter', draft: s.filter };
    case 'filter.keep':
      return { ...s, mode: 'table', filter: s.draft ?? s.filter, draft: null };
    case 'filter.clear':
      return { ...s, mode: 'table', filter: '', draft: null };
    case 'filter.backspace':
      return s.draft ? { ...s, draft: [...s.draft].slice(0, -1).join('') } : s;
    case 'filter.deleteWord':
      // As in a shell: the spaces before the cursor, then the word before them.
      return s.draft ? { ...s, draft: s.draft.replace(/\S*\s*$/u, '') } : s;
    case 'filter.deleteAll':
      return s.draft ? { ...s, draft: '' } : s;
    case 'status.cycle':
      return { ...s, statusFilter: cycle(STATUS_FILTERS, s.statusFilter) };
    case 'sort.cycle':
      return { ...s, sort: cycle(SORT_KEYS, s.sort) };
    case 'sort.reverse':
      return { ...s, reverse: !s.reverse };
    case 'sort.by.status':
    case 'sort.by.name':
    case 'sort.by.age':
    case 'sort.by.cpu':
    case 'sort.by.mem':
    case 'sort.by.restarts': {
      // The key of the current sort again reverses it, as in htop.
      const sort = action.command.slice('sort.by.'.length) as SortKey;
      return sort === s.sort ? { ...s, reverse: !s.reverse } : { ...s, sort, reverse: false };
    }
    case 'move.up':
      return events ? scrollEvents(s, ctx, -1) : moveTo(s, ctx, s.cursor - 1);
    case 'move.down':
      return events ? scrollEvents(s, ctx, 1) : moveTo(s, ctx, s.cursor + 1);
    case 'page.up':
      return events ? scrollEvents(s, ctx, -ctx.eventLines) : moveTo(s, ctx, s.cursor - page);
    case 'page.down':
      return events ? scrollEvents(s, ctx, ctx.eventLines) : moveTo(s, ctx, s.cursor + page);
    case 'move.top':
      return events ? scrollEvents(s, ctx, -Infinity) : moveTo(s, ctx, 0);
    case 'move.bottom':
      return events ? { ...s, eventAnchor: null } : moveTo(s, ctx, ctx.rows.length - 1);
    case 'detail.open': {
      const name = ctx.rows[s.cursor];
      return name === undefined ? s : { ...s, mode: 'detail', detailName: name, scrollTop: 0 };
    }
    case 'detail.close':
      return { ...s, mode: 'table', detailName: null };
    case 'events.focus':
      return { ...s, mode: 'events' };
    case 'events.blur':
      return { ...s, mode: 'table' };
    case 'events.clear': {
      const last = ctx.events[ctx.events.length - 1];
      return last ? { ...s, eventsClearedThrough: last.seq, eventAnchor: null } : s;
    }
    case 'event.open': {
      const ev = ctx.events;
      const picked = ev.length ? ev[selectedIndex(ev, s.eventAnchor)]! : null;
      return picked ? { ...s, mode: 'event', eventSeq: picked.seq, scrollTop: 0 } : s;
    }
    case 'event.close':
      return { ...s, mode: 'events', eventSeq: null, scrollTop: 0 };
    case 'events.unclear':
      // Clearing only hides: the events are still in the feed.
      return { ...s, eventsClearedThrough: 0, eventAnchor: null };
    case 'pause.toggle':
      return { ...s, paused: !s.paused };
    case 'help.toggle':
      return s.mode === 'help'
        ? { ...s, mode: s.previousMode }
        : {
            ...s,
            mode: 'help',
            previousMode: s.mode === 'filter' ? 'table' : s.mode,
            scrollTop: 0,
          };
    case 'poll.now':
    case 'mute.toggle':
    case 'quit':
      return s;
  }
}
