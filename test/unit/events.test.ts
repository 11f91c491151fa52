// core/events: the one severity order, `since` grammar, filter, newest-N and ring.
import { describe, expect, it } from '@jest/globals';
import {
  atLeast,
  EventRing,
  isSeverity,
  matchesFilter,
  newest,
  parseSince,
  queryEvents,
  severityRank,
  type EventFilter,
} from '../../src/core/events/index.js';
import { SEVERITIES, type HbEvent } from '../../src/core/types.js';
import { EVENT_T0, ev } from '../helpers/events.js';

const T = EVENT_T0;
const ids = (events: readonly HbEvent[]) => events.map((e) => e.id);

describe('severity', () => {
  it('ranks in the order of SEVERITIES', () => {
    expect(SEVERITIES.map(severityRank)).toEqual([0, 1, 2, 3]);
  });
  it.each([
    ['info', 'info', true],
    ['warn', 'info', true],
    ['info', 'warn', false],
    ['critical', 'error', true],
    ['error', 'critical', false],
  ] as const)('%s at least %s: %s', (s, min, want) => {
    expect(atLeast(s, min)).toBe(want);
  });
  it.each([
    ['warn', true],
    ['critical', true],
    ['WARN', false],
    ['toString', false],
    ['__proto__', false],
    [3, false],
    [null, false],
  ])('isSeverity(%p) is %p', (v, want) => {
    expect(isSeverity(v)).toBe(want);
  });
});

describe('the since grammar', () => {
  const NOW = Date.UTC(2026, 0, 31, 12, 0, 0);
  it.each([
    ['90s', NOW - 90_000],
    ['15m', NOW - 15 * 60_000],
    ['15 m', NOW - 15 * 60_000],
    [' 1h ', NOW - 3_600_000],
    ['1.5h', NOW - 5_400_000],
    ['2d', NOW - 2 * 86_400_000],
    ['1w', NOW - 7 * 86_400_000],
    ['0s', NOW],
    ['1700000000000', 1_700_000_000_000],
    ['1700000000', 1_700_000_000],
    ['2026-01-31T08:00:00Z', Date.UTC(2026, 0, 31, 8)],
    ['2026-01-31T08:00Z', Date.UTC(2026, 0, 31, 8)],
    ['2026-01-31 08:00:00.250+01:00', Date.UTC(2026, 0, 31, 7, 0, 0, 250)],
    ['2026-01-31T08:00:00+0100', Date.UTC(2026, 0, 31, 7)],
    ['2026-01-31', Date.UTC(2026, 0, 31)],
  ])('%p is %p', (text, want) => {
    expect(parseSince(text, NOW)).toBe(want);
  });
  it.each([
    [''],
    ['yesterday'],
    ['1'],
    ['15'],
    ['1y'],
    ['-1h'],
    ['1.h'],
    ['h'],
    ['123456789'],
    ['99999999999999'],
    ['2026-13-45'],
    ['2026-01-31T25:00Z'],
    ['Jan 31 2026'],
    ['9'.repeat(100)],
  ])('%p is refused', (text) => {
    expect(parseSince(text, NOW)).toBeNull();
  });
});

describe('the filter', () => {
  const events = [
    ev(1, { severity: 'info' }),
    ev(2, { severity: 'error', daemon: 'db', rule: 'down' }),
    ev(3, { severity: 'critical', daemon: undefined, message: 'clock stepped' }),
    ev(4, { at: 'not a time' }),
  ];
  const text = (needle: string) => ({ test: (s: string) => s.includes(needle) });
  it.each<[string, EventFilter, string[]]>([
    ['nothing', {}, ['1', '2', '3', '4']],
    [
      'nulls',
      { sinceMs: null, severity: null, daemon: null, rule: null, text: null },
      ['1', '2', '3', '4'],
    ],
    ['severity at or above', { severity: 'error' }, ['2', '3']],
    ['daemon', { daemon: 'db' }, ['2']],
    ['rule', { rule: 'down' }, ['2']],
    ['since (an unreadable time never matches)', { sinceMs: T + 2000 }, ['2', '3']],
    ['text on the daemon', { text: text('db') }, ['2']],
    ['text on the message', { text: text('clock') }, ['3']],
    ['all at once', { severity: 'warn', sinceMs: T, daemon: 'db', rule: 'down' }, ['2']],
  ])('%s', (_name, filter, want) => {
    expect(ids(events.filter((e) => matchesFilter(e, filter)))).toEqual(want);
  });

  it.each([
    [null, [1, 2, 3]],
    [undefined, [1, 2, 3]],
    [0, []],
    [2, [2, 3]],
    [5, [1, 2, 3]],
  ])('newest(%p)', (n, want) => {
    expect(newest([1, 2, 3], n)).toEqual(want);
  });

  it('queries: filter, then the newest `limit`', () => {
    expect(ids(queryEvents(events, { severity: 'warn', limit: 2 }))).toEqual(['3', '4']);
  });
});

describe('EventRing', () => {
  it('keeps the newest N, oldest first', () => {
    const ring = new EventRing(3);
    for (let i = 1; i <= 5; i++) ring.push(ev(i));
    expect(ids(ring.toArray())).toEqual(['3', '4', '5']);
    expect([ring.size, ring.capacity, ring.has('2'), ring.has('3')]).toEqual([3, 3, false, true]);
  });

  it('updates an event in place by id, and not once it has left the ring', () => {
    const ring = new EventRing(3);
    for (let i = 1; i <= 4; i++) ring.push(ev(i));
    expect(ring.update(ev(3, { data: { count: 2 } }))).toBe(true);
    expect(ring.toArray()[1]!.data).toEqual({ count: 2 });
    ring.push(ev(4, { data: { count: 3 } }));
    expect(ring.toArray()[2]!.data).toEqual({ count: 3 });
    expect(ring.update(ev(1, { data: { count: 2 } }))).toBe(false);
    expect(ids(ring.toArray())).toEqual(['2', '3', '4']);
  });

  it('adds only events it does not hold, and says which', () => {
    const ring = new EventRing(5);
    expect(ids(ring.add([ev(1), ev(2)]))).toEqual(['1', '2']);
    expect(ids(ring.add([ev(2), ev(3)]))).toEqual(['3']);
    expect(ids(ring.toArray())).toEqual(['1', '2', '3']);
  });

  it.each([
    ['the oldest held', '3', ['4', '5', '6', '7']],
    ['the newest', '7', []],
    ['one in the middle', '5', ['6', '7']],
    ['one that left the ring', '2', null],
    ['one never seen', 'x', null],
  ])('after(%s)', (_name, id, want) => {
    const ring = new EventRing(5);
    for (let i = 1; i <= 7; i++) ring.push(ev(i));
    const got = ring.after(id);
    expect(got === null ? null : ids(got)).toEqual(want);
  });

  it('queries with the shared filter', () => {
    const ring = new EventRing(10);
    ring.push(ev(1, { severity: 'info' }));
    ring.push(ev(2, { severity: 'error', daemon: 'db' }));
    ring.push(ev(3, { severity: 'critical' }));
    expect(ids(ring.query({ severity: 'error' }))).toEqual(['2', '3']);
    expect(ids(ring.query({ limit: 1 }))).toEqual(['3']);
  });

  it.each([0, -1, 1.5, NaN])('refuses a capacity of %p', (n) => {
    expect(() => new EventRing(n)).toThrow(RangeError);
  });
});
