// The help overlay: every binding from the keymap, then where the monitor's
// settings come from and why the clock has no sync state when it has none.
// Texts wrap under their key at any width; taller than the screen, it scrolls.
import React from 'react';
import { Box, Text } from 'ink';
import { fit, wrapWords } from '../model/cells.js';

export { wrapWords };
import { KEYMAP, keyLabel, whereText } from '../keymap.js';
import { tint } from '../theme.js';
import { escapeControl } from '../../core/sanitize.js';

export interface HelpOverlayProps {
  width: number;
  height: number;
  color: boolean;
  /** `clock.note` (why the clock has no sync state), shown in full under the keys. */
  clockNote?: string | null;
  /** Where the settings and heartbeats come from, shown under the keys. */
  context?: readonly string[];
  scrollTop?: number;
}

export function helpLines(): Array<{ keys: string; text: string }> {
  return KEYMAP.map((b) => ({
    keys: b.keys.map(keyLabel).join(' '),
    text: `${b.help} (${whereText(b.modes)})`,
  }));
}

interface HelpRow {
  keys: string;
  text: string;
}

/** Every line of the help at `width`: key column, wrapped text, then notes. */
export function helpRows(width: number, notes: readonly string[] = []): HelpRow[] {
  const keyWidth = Math.min(14, Math.max(6, Math.floor(width / 4)));
  const textWidth = Math.max(8, width - keyWidth);
  const rows: HelpRow[] = [];
  for (const l of helpLines()) {
    wrapWords(l.text, textWidth).forEach((t, i) => {
      rows.push({ keys: i === 0 ? fit(l.keys, keyWidth) : ' '.repeat(keyWidth), text: t });
    });
  }
  for (const n of notes) for (const t of wrapWords(n, width)) rows.push({ keys: '', text: t });
  return rows;
}

/** Lines of the help besides its title, for how far it scrolls. */
export function helpLineCount(width: number, notes: readonly string[] = []): number {
  return helpRows(width, notes).length;
}

export function helpNotes(context: readonly string[] = [], clockNote?: string | null): string[] {
  return [
    ...context.map((c) => escapeControl(c)),
    ...(clockNote ? [`Clock: ${escapeControl(clockNote)}`] : []),
  ];
}

export function HelpOverlay({
  width,
  height,
  color,
  clockNote,
  context = [],
  scrollTop = 0,
}: HelpOverlayProps): React.ReactElement {
  const rows = helpRows(width, helpNotes(context, clockNote));
  const room = Math.max(1, height - 1);
  const top = Math.max(0, Math.min(scrollTop, rows.length - room));
  const more = rows.length - top - room;
  const shown = rows.slice(top, top + room - (more > 0 ? 1 : 0));
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        Keys (? or Esc closes{rows.length > room ? '; ↑↓ scroll' : ''})
      </Text>
      {shown.map((r, i) => (
        <Text key={i} wrap="truncate-end">
          <Text bold {...tint(color, 'cyan')}>
            {r.keys}
          </Text>
          {r.text}
        </Text>
      ))}
      {more > 0 ? <Text wrap="truncate-end">{`↓ ${more + 1} more`}</Text> : null}
    </Box>
  );
}
