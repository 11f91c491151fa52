// The event pane: newest at the bottom, one line per event (local time,
// severity word and colour, daemon, message). It follows new events unless
// the operator has scrolled up.
import React from 'react';
import { Box, Text } from 'ink';
import type { PaneEvent } from '../model/view.js';
import { fit, localClock, safeText } from '../model/cells.js';
import { MUTED, SEVERITY_COLOR, SEVERITY_WORD, tint } from '../theme.js';

export interface EventPaneProps {
  shown: readonly PaneEvent[];
  above: number;
  below: number;
  lines: number;
  focused: boolean;
  following: boolean;
  color: boolean;
}

const EventLine = React.memo(function EventLine({
  item,
  color,
}: {
  item: PaneEvent;
  color: boolean;
}): React.ReactElement {
  const e = item.event;
  return (
    <Text wrap="truncate-end">
      <Text {...tint(color, MUTED)}>{localClock(e.at)}</Text>{' '}
      <Text {...tint(color, SEVERITY_COLOR[e.severity])} bold={e.severity === 'critical'}>
        {fit(SEVERITY_WORD[e.severity], 5)}
      </Text>{' '}
      {fit(safeText(e.daemon ?? '-'), 16)} {safeText(e.message)}
      {typeof e.data?.count === 'number' && e.data.count > 1 ? ` (x${e.data.count})` : ''}
    </Text>
  );
});

function EventPaneImpl(props: EventPaneProps): React.ReactElement {
  const { shown, above, below, lines, focused, following, color } = props;
  const title = `EVENTS${focused ? ' [focus: ↑↓ scroll, c clear, e back]' : ''}${
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
        <EventLine key={item.seq} item={item} color={color} />
      ))}
      {pad > 1 ? <Box height={pad - (shown.length === 0 ? 1 : 0)} /> : null}
    </Box>
  );
}

export const EventPane = React.memo(EventPaneImpl);
