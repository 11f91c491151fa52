// Clock drift against its warning threshold, and the NTP sync state.
import React from 'react';
import { Text } from 'ink';
import type { ClockSnapshot } from '../../core/types.js';
import { Gauge } from './Gauge.js';
import { MUTED, tint } from '../theme.js';
import { escapeControl } from '../../core/sanitize.js';

export interface DriftGaugeProps {
  clock: ClockSnapshot | null;
  /** Offset at which drift is a warning (alerts.offsetWarnMs). */
  warnMs: number;
  color: boolean;
}

export function driftTone(offsetMs: number | null, warnMs: number): string {
  if (offsetMs == null) return MUTED;
  const a = Math.abs(offsetMs);
  return a >= warnMs * 10 ? 'red' : a >= warnMs ? 'yellow' : 'green';
}

/**
 * The short form of `clock.note` for the header: the words before any
 * parenthesis ("no clock source"); the help overlay shows the whole note.
 */
export function shortClockNote(note: string | null | undefined): string | null {
  const head = note?.split(' (')[0]?.trim();
  return head ? escapeControl(head) : null;
}

function syncWord(clock: ClockSnapshot | null): { text: string; tone: string } {
  if (!clock || clock.synced === null) {
    const why = shortClockNote(clock?.note);
    return { text: why ? `n/a (${why})` : 'n/a', tone: MUTED };
  }
  const via = [clock.source, clock.stratum != null ? `stratum ${clock.stratum}` : null]
    .filter(Boolean)
    .map((s) => escapeControl(String(s)))
    .join(', ');
  const word = clock.synced ? 'synced' : 'NOT synced';
  return { text: via ? `${word} (${via})` : word, tone: clock.synced ? 'green' : 'red' };
}

export function DriftGauge({ clock, warnMs, color }: DriftGaugeProps): React.ReactElement {
  const offset = clock?.offsetMs ?? null;
  const tone = driftTone(offset, warnMs);
  const sync = syncWord(clock);
  const drift =
    offset == null ? 'n/a' : `${offset >= 0 ? '+' : ''}${offset.toFixed(1)}ms / ${warnMs}ms`;
  return (
    <Text wrap="truncate-end">
      clock drift{' '}
      <Gauge
        fraction={offset == null ? null : Math.abs(offset) / warnMs}
        width={10}
        color={color}
        tone={tone}
      />{' '}
      <Text {...tint(color, tone)}>{drift}</Text> NTP{' '}
      <Text {...tint(color, sync.tone)}>{sync.text}</Text>
      {clock?.lastJumpMs != null
        ? `  last jump ${clock.lastJumpMs > 0 ? '+' : ''}${Math.round(clock.lastJumpMs)}ms`
        : ''}
    </Text>
  );
}
