// One event, whole: what the event view (Enter in the event pane) draws, as
// lines already wrapped to the width, so the view can scroll them and the
// reducer can know how far. Every text is escaped; the data is pretty JSON.
import type { HbEvent } from '../../core/types.js';
import { eventNow } from '../../core/events/repeat.js';
import { localClock, wrapWords } from './cells.js';
import { escapeControl } from '../../core/sanitize.js';

export interface EventViewLine {
  /** The field name (padded) on a field's first line, spaces on the lines it wraps to; empty for data. */
  label: string;
  text: string;
}

/** Width of the field names ("message  "). */
export const EVENT_LABEL_WIDTH = 9;

/** A timestamp as local time with its date: "10:00:03 (2026-01-02T10:00:03.000Z)". */
function when(iso: string): string {
  return `${localClock(iso)} (${escapeControl(iso)})`;
}

/** The event's fields as lines of at most `width` columns (the title line first). */
export function eventViewLines(e: HbEvent, width: number): EventViewLine[] {
  const now = eventNow(e);
  const textWidth = Math.max(8, width - EVENT_LABEL_WIDTH);
  const lines: EventViewLine[] = [];
  const field = (label: string, text: string) => {
    wrapWords(text, textWidth).forEach((t, i) =>
      lines.push({ label: (i === 0 ? label : '').padEnd(EVENT_LABEL_WIDTH), text: t }),
    );
  };
  field('daemon', escapeControl(e.daemon ?? '-'));
  field('rule', escapeControl(e.rule));
  field('id', escapeControl(e.id));
  if (now.count > 1) {
    field('repeats', `x${now.count}, first ${when(now.firstAt)}`);
    field('latest', when(now.at));
  } else {
    field('at', when(e.at));
  }
  field('message', escapeControl(now.message));
  if (now.message !== e.message) field('first', escapeControl(e.message));
  const data = e.data && Object.keys(e.data).length > 0 ? e.data : null;
  if (!data) {
    field('data', '-');
    return lines;
  }
  lines.push({ label: 'data'.padEnd(EVENT_LABEL_WIDTH), text: '' });
  // Pretty JSON keeps its indentation; a long value wraps under itself.
  for (const raw of JSON.stringify(data, null, 2).split('\n')) {
    const indent = raw.length - raw.trimStart().length;
    const pad = ' '.repeat(Math.min(indent, Math.floor(width / 2)));
    for (const t of wrapWords(escapeControl(raw.trimStart()), Math.max(8, width - pad.length))) {
      lines.push({ label: '', text: pad + t });
    }
  }
  return lines;
}
