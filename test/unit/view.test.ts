import { describe, expect, it } from '@jest/globals';
import {
  compileFilter,
  effectiveFilter,
  initialViewState,
  reduceView,
  settleSelection,
  visibleDaemons,
  visibleEvents,
  type ViewCommand,
  type ViewContext,
  type ViewState,
} from '../../src/ui/model/view.js';
import { screenLayout, tableLayout } from '../../src/ui/model/layout.js';
import { recordPoll, EMPTY_HISTORY, beatGaps } from '../../src/ui/model/history.js';
import { availableShare, countedStatus, nextExpectation } from '../../src/core/availability.js';
import { truncate, fit, textWidth } from '../../src/ui/model/cells.js';
import { deriveScreen, emptyTableReason } from '../../src/ui/model/screen.js';
import type { DaemonSnapshot, Snapshot } from '../../src/core/types.js';
import { daemon, event, fleet, many, snapshot } from '../helpers/uiFixtures.js';

const names = (ds: { name: string }[]) => ds.map((d) => d.name);

describe('filters', () => {
  it('matches substrings case-insensitively', () => {
    const m = compileFilter('RELAY');
    expect(m.test('relayCore')).toBe(true);
    expect(m.test('watchdog')).toBe(false);
  });
  it('matches re: regular expressions and reports bad ones', () => {
    expect(compileFilter('re:^(exec|heal)er').test('healer')).toBe(true);
    expect(compileFilter('re:^(exec|heal)er').test('executor')).toBe(false);
    const bad = compileFilter('re:(');
    expect(bad.error).toBeTruthy();
    expect(bad.test('anything')).toBe(false);
    expect(compileFilter('').active).toBe(false);
    expect(compileFilter('re:').active).toBe(false);
  });
});

describe('visibleDaemons', () => {
  const all = fleet();
  const none = compileFilter('');
  it('puts problems first by default: down, unknown, late, then up (critical first)', () => {
    const out = names(
      visibleDaemons(all, { statusFilter: 'all', sort: 'status', reverse: false }, none),
    );
    expect(out.slice(0, 2)).toEqual(['executor', 'healer']);
    expect(out[2]).toBe('healthAggregator');
    expect(out.slice(3, 5)).toEqual(['messageQueue', 'validationEngine']);
    expect(out[5]).toBe('watchdog'); // critical
  });
  it('filters by status', () => {
    const f = (statusFilter: 'problems' | 'up' | 'late' | 'down') =>
      names(visibleDaemons(all, { statusFilter, sort: 'name', reverse: false }, none));
    expect(f('problems')).toHaveLength(5);
    expect(f('up')).toEqual(['decisionEngine', 'relayCore', 'watchdog']);
    expect(f('late')).toEqual(['messageQueue', 'validationEngine']);
    expect(f('down')).toEqual(['executor', 'healer']);
  });
  it('sorts by each key, largest first for numbers, and reverses', () => {
    const s = (sort: 'age' | 'cpu' | 'mem' | 'restarts' | 'name', reverse = false) =>
      names(visibleDaemons(all, { statusFilter: 'all', sort, reverse }, none))[0];
    expect(s('name')).toBe('decisionEngine');
    expect(s('name', true)).toBe('watchdog');
    expect(s('age')).toBe('healer');
    expect(s('cpu')).toBe('decisionEngine');
    expect(s('mem')).toBe('decisionEngine');
    expect(s('restarts')).toBe('executor');
  });
});

describe('reduceView', () => {
  const ctx = (over: Partial<ViewContext> = {}): ViewContext => ({
    rows: names(many(30)),
    pageSize: 10,
    events: [],
    eventLines: 6,
    ...over,
  });
  const run = (cmds: ViewCommand[], c = ctx(), s: ViewState = initialViewState()) =>
    cmds.reduce((st, command) => reduceView(st, { type: 'command', command }, c), s);

  it('moves, pages and jumps, keeping the window around the cursor', () => {
    let s = run(['move.down', 'move.down']);
    expect(s.cursor).toBe(2);
    s = run(['page.down', 'page.down'], ctx(), s);
    expect(s.cursor).toBe(22);
    expect(s.top).toBe(13);
    s = run(['move.bottom'], ctx(), s);
    expect(s.cursor).toBe(29);
    expect(s.top).toBe(20);
    s = run(['move.top'], ctx(), s);
    expect([s.cursor, s.top]).toEqual([0, 0]);
    s = run(['move.up'], ctx(), s);
    expect(s.cursor).toBe(0);
  });
  it('types, keeps and clears a filter', () => {
    let s = run(['filter.start']);
    expect(s.mode).toBe('filter');
    s = reduceView(s, { type: 'filter.input', text: 'rel' }, ctx());
    s = run(['filter.backspace', 'filter.keep'], ctx(), s);
    expect([s.mode, s.filter, s.draft]).toEqual(['table', 're', null]);
    s = run(['filter.clear'], ctx(), s);
    expect(s.filter).toBe('');
  });
  it('cycles the status filter and the sort', () => {
    const s = run(['status.cycle', 'status.cycle', 'sort.cycle', 'sort.reverse']);
    expect([s.statusFilter, s.sort, s.reverse]).toEqual(['up', 'name', true]);
    expect(run(Array(5).fill('status.cycle')).statusFilter).toBe('all');
    expect(run(Array(6).fill('sort.cycle')).sort).toBe('status');
  });
  it('opens and closes the detail of the selected daemon, and toggles help back', () => {
    let s = run(['move.down', 'detail.open']);
    expect([s.mode, s.detailName]).toEqual(['detail', 'daemon-00001']);
    s = run(['help.toggle'], ctx(), s);
    expect(s.mode).toBe('help');
    s = run(['help.toggle'], ctx(), s);
    expect(s.mode).toBe('detail');
    s = run(['detail.close'], ctx(), s);
    expect(s.mode).toBe('table');
    expect(run(['detail.open'], ctx({ rows: [] })).mode).toBe('table');
  });
  it('follows the selected daemon when the order changes', () => {
    let s = run(['move.down', 'move.down']);
    expect(s.selectedName).toBe('daemon-00002');
    const reordered = ctx({ rows: ['x', 'y', ...names(many(30))] });
    s = settleSelection(s, reordered);
    expect(s.cursor).toBe(4);
  });
  it('selects events in the pane, follows the newest at the bottom, and clears', () => {
    const events = Array.from({ length: 20 }, (_, i) => ({ seq: i + 1, event: event() }));
    const c = ctx({ events });
    let s = run(['events.focus', 'move.up'], c);
    expect(s.eventAnchor).toBe(19);
    s = run(['move.top'], c, s);
    expect(s.eventAnchor).toBe(1); // the oldest is selectable, in a full window
    const top = visibleEvents(events, s, compileFilter(''), 6);
    expect(top.shown.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(top.selected).toBe(1);
    s = run(['move.bottom'], c, s);
    expect(s.eventAnchor).toBeNull();
    s = run(['move.up', 'move.down'], c, s);
    expect(s.eventAnchor).toBeNull();
    s = run(['events.clear'], c, s);
    expect(s.eventsClearedThrough).toBe(20);
    const v = visibleEvents(events, s, compileFilter(''), 6);
    expect(v.shown).toHaveLength(0);
  });
  it('opens the selected event whole and closes back to the pane', () => {
    const events = Array.from({ length: 5 }, (_, i) => ({ seq: i + 10, event: event() }));
    const c = ctx({ events });
    let s = run(['events.focus', 'event.open'], c);
    expect([s.mode, s.eventSeq]).toEqual(['event', 14]); // the newest by default
    s = run(['move.down'], { ...c, scrollMax: 3 }, s);
    expect([s.mode, s.scrollTop]).toEqual(['event', 1]); // arrows scroll the view
    s = run(['event.close'], c, s);
    expect([s.mode, s.eventSeq, s.scrollTop]).toEqual(['events', null, 0]);
    s = run(['move.up', 'move.up', 'event.open'], c, s);
    expect(s.eventSeq).toBe(12);
    expect(run(['events.focus', 'event.open'], ctx({ events: [] })).mode).toBe('events');
  });
  it('pauses and quits without changing the view', () => {
    expect(run(['pause.toggle']).paused).toBe(true);
    const s0 = initialViewState();
    expect(run(['quit'], ctx(), s0)).toBe(s0);
  });
});

describe('visibleEvents', () => {
  const events = Array.from({ length: 10 }, (_, i) => ({
    seq: i + 1,
    event: event({ daemon: i % 2 ? 'relayCore' : 'healer', message: `m${i}` }),
  }));
  it('shows the newest lines, or the lines ending at the anchor', () => {
    const none = compileFilter('');
    const base = { eventAnchor: null, eventsClearedThrough: 0 };
    expect(visibleEvents(events, base, none, 3).shown.map((e) => e.seq)).toEqual([8, 9, 10]);
    const up = visibleEvents(events, { ...base, eventAnchor: 5 }, none, 3);
    expect(up.shown.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect([up.above, up.below]).toEqual([2, 5]);
  });
  it('narrows by the filter on daemon or message', () => {
    const v = visibleEvents(
      events,
      { eventAnchor: null, eventsClearedThrough: 0 },
      compileFilter('healer'),
      10,
    );
    expect(v.shown).toHaveLength(5);
  });
});

describe('layout', () => {
  it('fits 80x24 with eight daemons and at least six event lines', () => {
    const l = screenLayout(80, 24, 8);
    expect(l.compact).toBe(false);
    expect(l.tableRows).toBe(8);
    expect(l.eventLines).toBeGreaterThanOrEqual(6);
  });
  it('keeps six event lines and scrolls the table when daemons are many', () => {
    const l = screenLayout(80, 24, 1000);
    expect(l.eventLines).toBeGreaterThanOrEqual(6);
    expect(l.tableRows + 1 + l.eventLines + 6).toBeLessThanOrEqual(24);
  });
  it('goes compact below about 60x15', () => {
    expect(screenLayout(60, 15, 8).compact).toBe(true);
    expect(screenLayout(100, 12, 8).compact).toBe(true);
    expect(screenLayout(50, 40, 8).compact).toBe(true);
    expect(screenLayout(70, 20, 8).compact).toBe(false);
  });
  it('drops columns by priority as the width shrinks, keeping status and name', () => {
    const keys = (w: number) => tableLayout(w, 16).columns.map((c) => c.key);
    expect(keys(120)).toContain('spark');
    expect(keys(80)).not.toContain('spark');
    expect(keys(80)).toContain('restarts');
    expect(keys(20)).toEqual(['status', 'name']);
    expect(tableLayout(80, 16).nameWidth).toBe(16);
  });
});

describe('cells', () => {
  it('truncates by display width with an ellipsis', () => {
    expect(truncate('relayCore', 5)).toBe('rela…');
    expect(truncate('relay', 5)).toBe('relay');
    expect(textWidth('日本語')).toBe(6);
    expect(textWidth(truncate('日本語テキスト', 7))).toBeLessThanOrEqual(7);
    expect(fit('42', 5, 'right')).toBe('   42');
  });
});

describe('history', () => {
  it('records availability, a sparkline and beat gaps per daemon', () => {
    const t = Date.parse('2026-01-02T10:00:00Z');
    let h = EMPTY_HISTORY;
    for (let i = 0; i < 12; i++) {
      h = recordPoll(
        h,
        snapshot(
          [
            daemon('a', {
              status: i % 4 === 3 ? 'down' : 'up',
              lastBeatAt: new Date(t + Math.floor(i / 2) * 5000).toISOString(),
            }),
          ],
          { at: new Date(t + i * 5000).toISOString() },
        ),
      );
    }
    const a = h.get('a')!;
    expect(a.polls).toBe(12);
    // 11 intervals of 5 s, each in the status of the poll that began it: 2 down (polls 3 and 7).
    expect(a.availability).toBeCloseTo(9 / 11);
    expect(a.spark).toHaveLength(10);
    expect(a.spark.endsWith('▁')).toBe(true);
    expect(beatGaps(a).every((g) => g === 5000)).toBe(true);
  });
});

describe('deriveScreen', () => {
  it('derives rows, layout and events in one step, proportional to what is visible', () => {
    const data = { snapshot: snapshot(many(10_000)), events: [], history: EMPTY_HISTORY };
    const m = deriveScreen(data, initialViewState({ statusFilter: 'down' }), 80, 24);
    expect(m.rows).toHaveLength(2000);
    expect(m.screen.tableRows).toBeLessThan(20);
  });
});

describe('emptyTableReason', () => {
  const snap = (n: number) =>
    ({
      heartbeatDir: '/srv/_heartbeat',
      daemons: Array.from({ length: n }, (_, i) => ({ name: `d${i}` })),
    }) as unknown as Snapshot;
  const state = (filter: string, extra: Partial<ViewState> = {}) => ({
    ...initialViewState({ filter }),
    ...extra,
  });
  it.each([
    ['before the first poll', null, state(''), 'waiting for the first poll…'],
    [
      'with no daemon at all',
      snap(0),
      state(''),
      'no daemons yet: no heartbeat in /srv/_heartbeat',
    ],
    ['for a filter', snap(8), state('zzz'), 'no daemon matches /zzz, 8 hidden; Esc clears'],
    [
      'for a status filter',
      snap(8),
      state('', { statusFilter: 'down' }),
      'no daemon matches status down, 8 hidden; s cycles the status filter',
    ],
    [
      'while typing',
      snap(8),
      state('', { mode: 'filter', draft: 'zz' }),
      'no daemon matches /zz, 8 hidden; Esc cancels',
    ],
  ])('%s', (_what, snapshot, s, text) => {
    expect(emptyTableReason(snapshot, s, compileFilter(effectiveFilter(s)))).toBe(text);
  });
  it('shows a bad regex and its error', () => {
    const s = state('re:([');
    expect(emptyTableReason(snap(8), s, compileFilter('re:(['))).toMatch(
      /^bad regex \/re:\(\[: .+; Esc clears$/,
    );
  });
});

describe('one availability for every display', () => {
  const t = Date.parse('2026-01-02T10:00:00Z');
  const polls = (statuses: DaemonSnapshot['status'][]) => {
    let h = EMPTY_HISTORY;
    statuses.forEach((status, i) => {
      h = recordPoll(
        h,
        snapshot([daemon('a', { status, intervalSec: 5, graceSec: 15 })], {
          at: new Date(t + i * 5000).toISOString(),
        }),
      );
    });
    return h.get('a')!.availability;
  };

  it.each<[string, DaemonSnapshot['status'][], number | null]>([
    ['up all along: exactly 100%', ['up', 'up', 'up', 'up'], 1],
    ['late counts as available', ['late', 'late', 'late'], 1],
    ['late beside up', ['up', 'late', 'up', 'late'], 1],
    ['unknown is not counted: no figure', ['unknown', 'unknown', 'unknown'], null],
    ['never seen, then up: 100%', ['unknown', 'unknown', 'up', 'up'], 1],
    [
      'down at start until it first beats (within interval + grace): 100%',
      ['down', 'down', 'up', 'up'],
      1,
    ],
    [
      'down past the allowance (20 s) is down from then',
      ['down', 'down', 'down', 'down', 'down', 'down', 'down', 'down', 'up', 'up'],
      0.25,
    ],
    ['up, then down: downtime', ['up', 'down', 'up'], 0.5],
  ])('%s', (_name, statuses, expected) => {
    const a = polls(statuses);
    if (expected === null) expect(a).toBeNull();
    else expect(a).toBeCloseTo(expected, 6);
  });

  it('the core counts time: up and late available, down not, unknown not counted', () => {
    expect(availableShare({ up: 30, late: 10, down: 10, unknown: 50 })).toBeCloseTo(0.8);
    expect(availableShare({ up: 0, late: 0, down: 0, unknown: 5 })).toBeNull();
    const e = nextExpectation(null, 'down', t);
    expect(countedStatus('down', e, t + 20_000, 20_000)).toBe('unknown');
    expect(countedStatus('down', e, t + 20_001, 20_000)).toBe('down');
    expect(countedStatus('down', nextExpectation(e, 'up', t + 1), t + 2, 20_000)).toBe('down');
  });
});
