// Everything the monitor draws, derived from the data and the view state in
// one pure step: the filtered and sorted rows, the layout for the terminal
// size, the selection window and the visible events.
import type { DaemonSnapshot, Snapshot } from '../../core/types.js';
import type { History } from './history.js';
import {
  nameCell,
  screenLayout,
  hostColumnWidth,
  tableLayout,
  type ScreenLayout,
  type TableLayout,
} from './layout.js';
import { textWidth } from './cells.js';
import {
  compileFilter,
  effectiveFilter,
  settleSelection,
  visibleDaemons,
  visibleEvents,
  paneEventsKept,
  type PaneEvent,
  type TextMatcher,
  type ViewContext,
  type ViewState,
} from './view.js';
import { escapeControl } from '../../core/sanitize.js';

export interface ScreenData {
  snapshot: Snapshot | null;
  events: readonly PaneEvent[];
  history: History;
}

export interface ScreenModel {
  matcher: TextMatcher;
  rows: DaemonSnapshot[];
  names: string[];
  screen: ScreenLayout;
  table: TableLayout;
  view: ViewState;
  events: ReturnType<typeof visibleEvents>;
  /** Every pane event that passes the filter and the clear mark (for scrolling). */
  paneEvents: PaneEvent[];
  ctx: ViewContext;
  /** Why the table shows no daemon (null when it shows some). */
  emptyReason: string | null;
}

/** The line an empty table shows instead of rows: what hides them and how to undo it. */
export function emptyTableReason(
  snapshot: Snapshot | null,
  state: Pick<ViewState, 'draft' | 'filter' | 'statusFilter' | 'mode'>,
  matcher: TextMatcher,
): string {
  if (!snapshot) return 'waiting for the first poll…';
  const total = snapshot.daemons.length;
  if (total === 0) return `no daemons yet: no heartbeat in ${escapeControl(snapshot.heartbeatDir)}`;
  const filter = effectiveFilter(state);
  const undo = state.mode === 'filter' ? 'Esc cancels' : 'Esc clears';
  if (matcher.error)
    return `bad regex /${escapeControl(filter)}: ${escapeControl(matcher.error)}; ${undo}`;
  const what = [
    filter ? `/${escapeControl(filter)}` : '',
    state.statusFilter !== 'all' ? `status ${state.statusFilter}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const how = filter ? undo : 's cycles the status filter';
  return `no daemon matches ${what}, ${total} hidden; ${how}`;
}

/** Longest displayed name, from the rows that will be drawn (not all of them). */
function longestName(rows: readonly DaemonSnapshot[], from: number, count: number): number {
  let w = 4;
  for (let i = from; i < Math.min(rows.length, from + count); i++) {
    w = Math.max(w, textWidth(nameCell(rows[i]!)));
  }
  return w;
}

/**
 * Derive the screen. The filter and sort cost O(n log n) over all daemons; the
 * rest is proportional to what is visible.
 */
export function deriveScreen(
  data: ScreenData,
  state: ViewState,
  width: number,
  height: number,
  /** Columns before each row for the selection marker (drawn only without colour). */
  markerWidth = 0,
): ScreenModel {
  const matcher = compileFilter(effectiveFilter(state));
  const all = data.snapshot?.daemons ?? [];
  const rows = visibleDaemons(all, state, matcher);
  const names = rows.map((d) => d.name);
  const screen = screenLayout(width, height, rows.length);
  const paneEvents = paneEventsKept(data.events, state.eventsClearedThrough, matcher);
  const ctx: ViewContext = {
    rows: names,
    pageSize: screen.tableRows,
    events: paneEvents,
    eventLines: screen.eventLines,
  };
  const view = settleSelection(state, ctx);
  const table = tableLayout(
    width - markerWidth,
    longestName(rows, view.top, screen.tableRows),
    hostColumnWidth(all.map((d) => d.host)),
  );
  const events = visibleEvents(paneEvents, view, matcher, screen.eventLines);
  const emptyReason = rows.length ? null : emptyTableReason(data.snapshot, state, matcher);
  return { matcher, rows, names, screen, table, view, events, paneEvents, ctx, emptyReason };
}
