// A coalesced repeat as every reader shows it, the pane reading the one
// event buffer (in-place updates, a handover to another buffer), and the
// event view's lines at small widths.
import { describe, expect, it } from '@jest/globals';
import { EventRing, eventNow, type EventBuffer } from '../../src/core/events/index.js';
import {
  feedAction,
  feedReducer,
  initialFeed,
  type FeedState,
} from '../../src/ui/hooks/usePoller.js';
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

/** A poll that put `r`'s events and updates into `ring` (as the monitor does), read by a feed that last read `from`. */
function poll(s: FeedState, ring: EventRing, r: Partial<PollResult>): FeedState {
  for (const e of r.events ?? []) ring.push(e);
  for (const e of r.updates ?? []) ring.update(e);
  const at = { wallMs: NOW, monoMs: 0 };
  const result = { snapshot: snapshot(fleet()), events: [], ...r };
  const update = { type: 'result', kind: 'poll', result, at, durationMs: 1 } as const;
  return feedReducer(s, feedAction(update, ring, s.buffer as EventBuffer | null));
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
  it('reads the ring: the log tail at once, then each poll, a repeat in place', () => {
    const ring = new EventRing(3);
    ring.push(event({ id: '40' }));
    let feed = initialFeed(ring);
    expect(feed.events.map((e) => [e.seq, e.event.id])).toEqual([[1, '40']]);
    feed = poll(feed, ring, { events: [restart(), event({ id: '43' })] });
    const before = feed.events;
    feed = poll(feed, ring, { updates: [repeated] });
    expect(feed.events.map((e) => [e.seq, e.event.id])).toEqual([
      [1, '40'],
      [2, '42'],
      [3, '43'],
    ]);
    expect(feed.events[1]!.event).toBe(repeated);
    // The previous state is not changed under React (a paused screen keeps it).
    expect(before[1]!.event.data?.count).toBeUndefined();
    // The ring's bound is the pane's: the oldest leave, the numbers go on.
    feed = poll(feed, ring, { events: [event({ id: '44' })] });
    expect(feed.events.map((e) => [e.seq, e.event.id])).toEqual([
      [2, '42'],
      [3, '43'],
      [4, '44'],
    ]);
    // A poll without events keeps the same list (nothing to redraw in the pane).
    expect(poll(feed, ring, {}).events).toBe(feed.events);
  });

  it('numbers a new buffer (a handover) on from the last event shown', () => {
    const agent = new EventRing();
    let feed = poll(initialFeed(agent), agent, {
      events: [event({ id: '1' }), event({ id: '2' })],
    });
    const local = new EventRing();
    local.push(event({ id: '1' }));
    feed = poll(feed, local, {});
    expect(feed.events.map((e) => [e.seq, e.event.id])).toEqual([[3, '1']]);
    feed = poll(feed, local, { events: [event({ id: '3' })] });
    expect(feed.events.map((e) => e.seq)).toEqual([3, 4]);
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
