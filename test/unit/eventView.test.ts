// A coalesced repeat as every reader shows it, the pane's in-place updates,
// and the event view's lines at small widths.
import { describe, expect, it } from '@jest/globals';
import { eventNow } from '../../src/core/events/index.js';
import { feedReducer, EMPTY_FEED, PANE_EVENTS_MAX } from '../../src/ui/hooks/usePoller.js';
import { eventViewLines } from '../../src/ui/model/eventView.js';
import type { HbEvent, PollResult } from '../../src/core/types.js';
import { event, fleet, NOW, snapshot } from '../helpers/uiFixtures.js';

const restart = (over: Partial<HbEvent> = {}) =>
  event({
    id: '42',
    severity: 'error',
    rule: 'restart',
    daemon: 'executor',
    message: 'executor restarted (pid 17393)',
    data: { pid: 17393 },
    ...over,
  });
const repeated = restart({
  data: {
    pid: 17393,
    count: 15,
    lastAt: new Date(NOW + 60_000).toISOString(),
    latestMessage: 'executor restarted (pid 17455)',
    latest: { pid: 17455 },
  },
});

function result(r: Partial<PollResult>): Parameters<typeof feedReducer>[1] {
  const at = { wallMs: NOW, monoMs: 0 };
  const full = { snapshot: snapshot(fleet()), events: [], ...r };
  return { type: 'result', kind: 'poll', result: full, at, durationMs: 1 };
}

describe('eventNow', () => {
  it('shows a repeat with its newest time, message and data, and its count', () => {
    expect(eventNow(repeated)).toEqual({
      count: 15,
      at: new Date(NOW + 60_000).toISOString(),
      firstAt: new Date(NOW).toISOString(),
      message: 'executor restarted (pid 17455)',
      latest: { pid: 17455 },
    });
    expect(eventNow(restart())).toMatchObject({
      count: 1,
      message: 'executor restarted (pid 17393)',
    });
  });
});

describe('the pane feed', () => {
  it('replaces a repeated event in place, keeping its line', () => {
    let feed = feedReducer(EMPTY_FEED, result({ events: [restart(), event({ id: '43' })] }));
    const before = feed.events;
    feed = feedReducer(feed, result({ updates: [repeated] }));
    expect(feed.events.map((e) => [e.seq, e.event.id])).toEqual([
      [1, '42'],
      [2, '43'],
    ]);
    expect(feed.events[0]!.event).toBe(repeated);
    // The previous state is not changed under React.
    expect(before[0]!.event.data?.count).toBeUndefined();
    // An update of an event the pane no longer holds changes nothing.
    const same = feedReducer(feed, result({ updates: [restart({ id: '7' })] }));
    expect(same.events).toBe(feed.events);
  });
});

describe('the pane bound', () => {
  it('keeps the newest PANE_EVENTS_MAX, also of a single poll that brings more', () => {
    const many = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => event({ id: String(from + i) }));
    let feed = feedReducer(EMPTY_FEED, result({ events: many(10, 1) }));
    feed = feedReducer(feed, result({ events: many(PANE_EVENTS_MAX + 500, 11) }));
    expect(feed.events).toHaveLength(PANE_EVENTS_MAX);
    expect(feed.events[0]!.event.id).toBe(String(11 + 500));
    expect(feed.events.at(-1)!.event.id).toBe(String(10 + PANE_EVENTS_MAX + 500));
  });
});

describe('the event view', () => {
  it('shows the whole message, the repeats and the data, escaped', () => {
    const hostile = restart({
      message: `executor restarted \u001b[2J${'and a long tail '.repeat(8)}end`,
      data: { pid: 1, note: 'x\u001b]0;pwn\u0007' },
    });
    for (const width of [80, 60, 40]) {
      const lines = eventViewLines(hostile, width);
      const text = lines.map((l) => l.label + l.text);
      for (const l of text) expect(l.length).toBeLessThanOrEqual(width);
      expect(text.join('\n')).not.toContain('\u001b');
      expect(text.join(' ')).toContain('end');
      // JSON's own escapes: the control characters arrive as text.
      expect(text.some((l) => l.includes('"note": "x\\u001b]0;pwn\\u0007"'))).toBe(true);
    }
    const text = eventViewLines(repeated, 60).map((l) => l.label + l.text);
    expect(text).toContain(
      'repeats  x15, first 10:00:00 (2026-01-02T10:00:00.000Z)'.replace(
        '10:00:00 (',
        `${new Date(NOW).toTimeString().slice(0, 8)} (`,
      ),
    );
    expect(text).toContain('message  executor restarted (pid 17455)');
    expect(text).toContain('first    executor restarted (pid 17393)');
    expect(text.some((l) => /"latest": \{/.test(l))).toBe(true);
  });
});
