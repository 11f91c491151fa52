// One event, whole (Enter in the event pane): its daemon, rule, times,
// repeat count, full message and data, wrapped to the width. Taller than the
// screen, it scrolls like the detail view and the help.
import React from 'react';
import { Box, Text } from 'ink';
import type { HbEvent } from '../../core/types.js';
import { eventViewLines } from '../model/eventView.js';
import { SEVERITY_COLOR, SEVERITY_WORD, tint } from '../theme.js';

export interface EventViewProps {
  /** Null when the event has left the pane's buffer since it was opened. */
  event: HbEvent | null;
  width: number;
  height: number;
  scrollTop: number;
  color: boolean;
}

/** Lines of the view besides its title, for how far it scrolls. */
export function eventViewLineCount(event: HbEvent | null, width: number): number {
  return event ? eventViewLines(event, width).length : 1;
}

function EventViewImpl({
  event,
  width,
  height,
  scrollTop,
  color,
}: EventViewProps): React.ReactElement {
  if (!event) {
    return (
      <Box flexDirection="column">
        <Text bold>event</Text>
        <Text wrap="truncate-end">
          no longer in the pane (older events are in `ghost-hb events`)
        </Text>
      </Box>
    );
  }
  const lines = eventViewLines(event, width);
  const room = Math.max(1, height - 1);
  const top = Math.max(0, Math.min(scrollTop, lines.length - room));
  const more = lines.length - top - room;
  const shown = lines.slice(top, top + room - (more > 0 ? 1 : 0));
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold {...tint(color, SEVERITY_COLOR[event.severity])}>
          {SEVERITY_WORD[event.severity]}
        </Text>
        <Text bold>{' event'}</Text>
        {` (Esc closes${lines.length > room ? '; ↑↓ scroll' : ''}${top > 0 ? `; ↑ ${top} above` : ''})`}
      </Text>
      {shown.map((l, i) => (
        <Text key={top + i} wrap="truncate-end">
          <Text bold>{l.label}</Text>
          {l.text}
        </Text>
      ))}
      {more > 0 ? <Text wrap="truncate-end">{`↓ ${more + 1} more`}</Text> : null}
    </Box>
  );
}

export const EventView = React.memo(EventViewImpl);
