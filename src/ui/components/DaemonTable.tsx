// One line per daemon, never wrapped: the visible window of the filtered and
// sorted list, with a "n more" line when the list does not fit. Rows are
// memoised on their text, so a poll that changes one daemon redraws one row.
import React from 'react';
import { Box, Text } from 'ink';
import type { DaemonSnapshot, DaemonStatus } from '../../core/types.js';
import { headerCells, rowCells, type RowHistory, type TableLayout } from '../model/layout.js';
import { MUTED, STATUS_COLOR, tint } from '../theme.js';

export interface DaemonRowProps {
  status: DaemonStatus;
  statusCell: string;
  rest: string;
  spark: string;
  selected: boolean;
  color: boolean;
}

function DaemonRowImpl({
  status,
  statusCell,
  rest,
  spark,
  selected,
  color,
}: DaemonRowProps): React.ReactElement {
  // Without colour the selection still shows, as a marker column.
  // Three Texts, not one: Ink measures every text each frame, and the glyph
  // and the sparkline are the row's only non-ASCII text (see rowCells); kept
  // apart, the long middle takes string-width's ASCII fast path.
  const inverse = selected && color;
  return (
    <Box>
      <Box flexShrink={0}>
        <Text inverse={inverse}>
          {color ? '' : selected ? '>' : ' '}
          <Text {...tint(color, STATUS_COLOR[status])}>{statusCell}</Text>
        </Text>
      </Box>
      <Text wrap="truncate-end" inverse={inverse}>
        {rest}
      </Text>
      {spark ? (
        <Box flexShrink={0}>
          <Text inverse={inverse}>{spark}</Text>
        </Box>
      ) : null}
    </Box>
  );
}

export const DaemonRow = React.memo(DaemonRowImpl);

export interface DaemonTableProps {
  /** The whole filtered, sorted list; only the window [top, top + rows) is drawn. */
  daemons: readonly DaemonSnapshot[];
  layout: TableLayout;
  history: ReadonlyMap<string, RowHistory>;
  cursor: number;
  top: number;
  rows: number;
  /** What an empty table says instead (why it is empty, how to undo it). */
  emptyReason: string | null;
  focused: boolean;
  color: boolean;
}

function DaemonTableImpl(props: DaemonTableProps): React.ReactElement {
  const { daemons, layout, history, cursor, top, rows, color } = props;
  const end = Math.min(daemons.length, top + rows);
  const lines: React.ReactElement[] = [];
  for (let i = top; i < end; i++) {
    const d = daemons[i]!;
    const cells = rowCells(d, layout, history.get(d.name));
    lines.push(
      <DaemonRow
        key={d.name}
        status={d.status}
        statusCell={cells.status}
        rest={cells.rest}
        spark={cells.spark}
        selected={props.focused && i === cursor}
        color={color}
      />,
    );
  }
  const above = top;
  const below = daemons.length - end;
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Text bold wrap="truncate-end">
        {color ? '' : ' '}
        {headerCells(layout)}
      </Text>
      {lines}
      {daemons.length === 0 ? (
        <Text wrap="truncate-end">{`  ${props.emptyReason ?? 'no daemons'}`}</Text>
      ) : null}
      {above + below > 0 ? (
        <Text {...tint(color, MUTED)} wrap="truncate-end">
          {`  ${below > 0 ? `↓ ${below} more` : ''}${above > 0 ? `${below > 0 ? ', ' : ''}↑ ${above} above` : ''}`}
        </Text>
      ) : null}
    </Box>
  );
}

export const DaemonTable = React.memo(DaemonTableImpl);
