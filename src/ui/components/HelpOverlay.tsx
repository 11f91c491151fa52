// The help overlay: every binding from the keymap, in two columns when the
// terminal is short, and why the clock has no sync state when it has none.
import React from 'react';
import { Box, Text } from 'ink';
import { fit, safeText } from '../model/cells.js';
import { KEYMAP, keyLabel, whereText } from '../keymap.js';
import { tint } from '../theme.js';

export interface HelpOverlayProps {
  width: number;
  height: number;
  color: boolean;
  /** `clock.note` (why the clock has no sync state), shown in full under the keys. */
  clockNote?: string | null;
}

export function helpLines(): Array<{ keys: string; text: string }> {
  return KEYMAP.map((b) => ({
    keys: b.keys.map(keyLabel).join(' '),
    text: `${b.help} (${whereText(b.modes)})`,
  }));
}

export function HelpOverlay({
  width,
  height,
  color,
  clockNote,
}: HelpOverlayProps): React.ReactElement {
  const lines = helpLines();
  const note = clockNote ? `Clock: ${safeText(clockNote)}` : null;
  const room = Math.max(1, height - 1 - (note ? 1 : 0));
  const columns = lines.length > room ? 2 : 1;
  const perColumn = Math.ceil(lines.length / columns);
  const colWidth = Math.floor((width - (columns - 1) * 2) / columns);
  const keyWidth = 14;
  const render = (slice: typeof lines) =>
    slice.map((l) => (
      <Text key={l.keys + l.text} wrap="truncate-end">
        <Text bold {...tint(color, 'cyan')}>
          {fit(l.keys, keyWidth)}
        </Text>
        {fit(l.text, Math.max(1, colWidth - keyWidth))}
      </Text>
    ));
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        Keys (? or Esc closes)
      </Text>
      <Box flexDirection="row">
        {Array.from({ length: columns }, (_, c) => (
          <Box
            key={c}
            flexDirection="column"
            width={colWidth}
            marginRight={c < columns - 1 ? 2 : 0}
          >
            {render(lines.slice(c * perColumn, (c + 1) * perColumn).slice(0, room))}
          </Box>
        ))}
      </Box>
      {note ? <Text wrap="truncate-end">{fit(note, width)}</Text> : null}
    </Box>
  );
}
