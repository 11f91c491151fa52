// The event pane: newest at the bottom, one line per event (local time,
// severity word and colour, daemon, message; a repeat as it is now, with its
// count). It follows new events unless the operator has selected an older one.
import React from 'react';
import { Box, Text } from 'ink';
import type { PaneEvent } from '../model/view.js';
import { fit, localClock } from '../model/cells.js';
import { MUTED, SEVERITY_COLOR, SEVERITY_WORD, tint } from '../theme.js';
import { eventNow } from '../../core/events/repeat.js';
import { escapeControl } from '../../core/sanitize.js';

export interface EventPaneProps {
  shown: readonly PaneEvent[];
  /** Sequence number of the selected event (shown only while the pane has focus). */
  selected?: number | null;
  above: number;
  below: number;
  lines: number;
  focused: boolean;
  following: boolean;
  color: boolean;
}

/** One event as it is now: a repeat shows its newest time and message, and its count. */
const EventLine = React.memo(function EventLine({
  item,
  selected,
  marker,
  color,
}: {
  item: PaneEvent;
  /** Without colour, a focused pane marks the selection in a column of its own. */
  marker: boolean;
  /** The event Enter opens (focused pane only); marked without colour too. */
  selected: boolean;
  color: boolean;
}): React.ReactElement {
  const e = item.event;
  const now = eventNow(e);
  return (
    <Text wrap="truncate-end" inverse={selected && color}>
      {marker ? (selected ? '>' : ' ') : ''}
      <Text {...tint(color, MUTED)}>{localClock(now.at)}</Text>{' '}
      <Text {...tint(color, SEVERITY_COLOR[e.severity])} bold={e.severity === 'critical'}>
        {fit(SEVERITY_WORD[e.severity], 5)}
      </Text>{' '}
      {fit(escapeControl(e.daemon ?? '-'), 16)} {escapeControl(now.message)}
      {now.count > 1 ? ` (x${now.count})` : ''}
    </Text>
  );
});

function EventPaneImpl(props: EventPaneProps): React.ReactElement {
  const { shown, above, below, lines, focused, following, color } = props;
  const title = `EVENTS${focused ? ' [focus: ↑↓ select, ↵ open, c clear, e back]' : ''}${
    above ? `  ↑ ${above} older` : ''
  }${!following ? `  ↓ ${below} newer (paused scrolling)` : ''}`;
  const pad = Math.max(0, lines - shown.length);
  return (
    <Box flexDirection="column">
      <Text bold={focused} {...tint(color, focused ? 'cyan' : undefined)} wrap="truncate-end">
        {title}
      </Text>
      {shown.length === 0 && lines > 0 ? <Text {...tint(color, MUTED)}> no events</Text> : null}
      {shown.map((item) => (
        <EventLine
          key={item.seq}
          item={item}
          selected={focused && item.seq === props.selected}
          marker={focused && !color}
          color={color}
        />
      ))}
      {pad > 1 ? <Box height={pad - (shown.length === 0 ? 1 : 0)} /> : null}
    </Box>
  );
}

export const EventPane = React.memo(EventPaneImpl);
