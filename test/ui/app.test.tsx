import { afterEach, describe, expect, it, jest } from '@jest/globals';
import React from 'react';
import { render, cleanup } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { EventRing } from '../../src/core/events/index.js';
import { Poller, type PollSource } from '../../src/runtime/poller.js';
import type { PollResult, Snapshot, HbEvent } from '../../src/core/types.js';
import type { Prefs } from '../../src/ui/model/view.js';
import { daemon, event, fleet, many, snapshot } from '../helpers/uiFixtures.js';
import { KEY, press, tableNames, waitForFrame } from '../helpers/ink.js';

/** A source whose next result the test sets; like the monitor, it keeps its events in a ring. */
class FakeSource implements PollSource {
  constructor(
    public snap: Snapshot,
    public pending: HbEvent[] = [],
  ) {}
  polls = 0;
  readonly ring = new EventRing();
  /** Earlier events whose repeat count grew, delivered with the next poll. */
  updates: HbEvent[] = [];
  async poll(): Promise<PollResult> {
    this.polls++;
    const events = this.pending;
    const updates = this.updates;
    this.pending = [];
    this.updates = [];
    for (const e of events) this.ring.push(e);
    for (const e of updates) this.ring.update(e);
    return { snapshot: this.snap, events, updates };
  }
}

function setup(
  snap: Snapshot = snapshot(fleet()),
  opts: {
    events?: HbEvent[];
    width?: number;
    height?: number;
    prefs?: Partial<Prefs>;
    onMute?: (daemon: string) => Promise<void>;
  } = {},
) {
  const source = new FakeSource(snap, opts.events ?? []);
  const poller = new Poller(source, {
    pollIntervalMs: 3_600_000,
    livenessIntervalMs: 0,
    watchDir: null,
    keepAlive: false,
  });
  const onQuit = jest.fn();
  const onPrefs = jest.fn<(p: Prefs) => void>();
  const app = render(
    <App
      feed={{
        subscribe: (l) => poller.subscribe(l),
        pollNow: () => poller.pollNow(),
        events: source.ring,
      }}
      width={opts.width ?? 80}
      height={opts.height ?? 24}
      color={false}
      intervalSec={5}
      offsetWarnMs={50}
      initialPrefs={opts.prefs}
      onQuit={onQuit}
      onPrefs={onPrefs}
      onMute={opts.onMute}
    />,
  );
  poller.start();
  return { app, source, poller, onQuit, onPrefs };
}

async function ready(app: ReturnType<typeof render>) {
  return waitForFrame(app.lastFrame, (f) => f.includes('last poll'));
}

afterEach(() => cleanup());

describe('monitor app', () => {
  it('draws every daemon, problems first, with events and the footer', async () => {
    const { app } = setup(snapshot(fleet()), {
      events: [event({ message: 'relayCore up -> late' })],
    });
    const frame = await ready(app);
    const names = tableNames(frame);
    expect(names).toHaveLength(8);
    expect(names.slice(0, 2).sort()).toEqual(['executor', 'healer']);
    expect(names[names.length - 1]).toBe('relayCore');
    expect(frame).toContain('relayCore up -> late');
    expect(frame).toContain('q quit');
    expect(frame.split('\n').length).toBeLessThanOrEqual(24);
    // No colour requested: no escape sequences at all.
    expect(frame.includes('\u001b[')).toBe(false);
  });

  it('filters as you type, keeps the filter on Enter and clears it on Esc', async () => {
    const { app, onPrefs } = setup(snapshot(fleet()), {
      events: [
        event({ daemon: 'healer', message: 'healer hung' }),
        event({ message: 'relay late' }),
      ],
    });
    await ready(app);
    await press(app, '/', (f) => f.includes('Enter keep') || f.includes('↵ keep'));
    let f = await press(app, 'relay', (fr) => tableNames(fr).length === 1);
    expect(tableNames(f)).toEqual(['relayCore']);
    // The event pane narrows too.
    expect(f).toContain('relay late');
    expect(f).not.toContain('healer hung');
    f = await press(app, KEY.enter, (fr) => fr.includes('f status'));
    expect(f).toContain('FILTER "relay"');
    expect(onPrefs).toHaveBeenLastCalledWith(expect.objectContaining({ filter: 'relay' }));
    f = await press(app, KEY.escape, (fr) => tableNames(fr).length === 8);
    expect(f).not.toContain('FILTER');
  });

  it('accepts a re: regular expression and reports a bad one', async () => {
    const { app } = setup();
    await ready(app);
    await press(app, '/');
    let f = await press(app, 're:^(exec|heale)', (fr) => tableNames(fr).length === 2);
    expect(tableNames(f).sort()).toEqual(['executor', 'healer']);
    f = await press(app, '(', (fr) => fr.includes('bad regex'));
    expect(tableNames(f)).toEqual([]);
    f = await press(app, KEY.backspace, (fr) => tableNames(fr).length === 2);
    expect(f).not.toContain('bad regex');
  });

  it('cycles the status filter', async () => {
    const { app, onPrefs } = setup();
    await ready(app);
    let f = await press(app, 'f', (fr) => fr.includes('[problems]'));
    expect(tableNames(f)).not.toContain('relayCore');
    expect(tableNames(f)).toHaveLength(5);
    f = await press(app, 'f', (fr) => fr.includes('[up]'));
    expect(tableNames(f).sort()).toEqual(['decisionEngine', 'relayCore', 'watchdog']);
    f = await press(app, 'f', (fr) => fr.includes('[late]'));
    expect(tableNames(f).sort()).toEqual(['messageQueue', 'validationEngine']);
    f = await press(app, 'f', (fr) => fr.includes('[down]'));
    expect(tableNames(f).sort()).toEqual(['executor', 'healer']);
    f = await press(app, 'f', (fr) => !fr.includes('FILTER'));
    expect(tableNames(f)).toHaveLength(8);
    expect(onPrefs).toHaveBeenLastCalledWith(expect.objectContaining({ statusFilter: 'all' }));
  });

  it('cycles the sort and reverses it', async () => {
    const { app, onPrefs } = setup();
    await ready(app);
    let f = await press(app, 's', (fr) => fr.includes('sort name'));
    expect(tableNames(f)[0]).toBe('decisionEngine');
    f = await press(app, 'S', (fr) => fr.includes('sort name↑'));
    expect(tableNames(f)[0]).toBe('watchdog');
    f = await press(app, 'S', (fr) => fr.includes('sort name↓'));
    f = await press(app, 's', (fr) => fr.includes('sort age'));
    expect(tableNames(f)[0]).toBe('healer');
    f = await press(app, 's', (fr) => fr.includes('sort cpu'));
    expect(tableNames(f)[0]).toBe('decisionEngine');
    f = await press(app, 's', (fr) => fr.includes('sort mem'));
    expect(tableNames(f)[0]).toBe('decisionEngine');
    f = await press(app, 's', (fr) => fr.includes('sort restarts'));
    expect(tableNames(f)[0]).toBe('executor');
    await press(app, 's', (fr) => fr.includes('sort status'));
    expect(onPrefs).toHaveBeenLastCalledWith(
      expect.objectContaining({ sort: 'status', reverse: false }),
    );
  });

  it('moves the selection, scrolls with it and shows how many more', async () => {
    const { app } = setup(snapshot(many(40)), {});
    let f = await ready(app);
    expect(f).toMatch(/↓ \d+ more/);
    const selected = (fr: string) => fr.split('\n').find((l) => l.startsWith('>')) ?? '';
    expect(selected(f)).toContain('daemon-00004'); // down daemons first
    f = await press(app, 'j');
    f = await press(app, KEY.down);
    expect(selected(f)).toContain('daemon-00014');
    f = await press(app, 'k');
    expect(selected(f)).toContain('daemon-00009');
    f = await press(app, 'G');
    expect(selected(f)).toContain('daemon-00037'); // the last of the up ones
    expect(f).toMatch(/↑ \d+ above/);
    f = await press(app, 'g');
    expect(selected(f)).toContain('daemon-00004');
    f = await press(app, KEY.pageDown);
    expect(f).toMatch(/↑ \d+ above/);
    f = await press(app, KEY.pageUp);
    expect(selected(f)).toContain('daemon-00004');
  });

  it('opens the detail view on Enter and closes it on Esc', async () => {
    const { app } = setup(snapshot(fleet()), {
      events: [event({ daemon: 'executor', severity: 'error', message: 'executor crashed' })],
    });
    await ready(app);
    let f = await press(app, KEY.enter, (fr) => fr.includes('heartbeat'));
    expect(f).toContain('/srv/_heartbeat/executor.json (json)');
    expect(f).toContain('node executor.js');
    expect(f).toContain('executor crashed');
    expect(f).toContain('restarts');
    f = await press(app, KEY.escape, (fr) => tableNames(fr).length === 8);
    expect(f).toContain('EVENTS');
  });

  it('pauses the screen while data is still collected', async () => {
    const { app, source, poller } = setup();
    await ready(app);
    let f = await press(app, 'p', (fr) => fr.includes('PAUSED'));
    source.snap = snapshot([daemon('newcomer')]);
    await poller.pollNow();
    // A key drawn after the poll: its frame is rendered from the state the poll left.
    f = await press(app, KEY.down);
    expect(f).toContain('PAUSED');
    expect(f).not.toContain('newcomer');
    f = await press(app, 'p', (fr) => fr.includes('newcomer'));
    expect(f).not.toContain('PAUSED');
  });

  it('polls now on r', async () => {
    const { app, source } = setup();
    await ready(app);
    const before = source.polls;
    source.snap = snapshot([...fleet(), daemon('latecomer')]);
    const f = await press(app, 'r', (fr) => fr.includes('latecomer'));
    expect(source.polls).toBeGreaterThan(before);
    expect(f).toContain('latecomer');
  });

  it('mutes the selected daemon on m, shows its mark from the next poll, and a failure', async () => {
    const muted: string[] = [];
    let fail = false;
    const holder: { source?: FakeSource } = {};
    const onMute = async (name: string) => {
      if (fail) throw new Error('the agent did not answer');
      muted.push(name);
      const snap = holder.source!.snap;
      holder.source!.snap = {
        ...snap,
        daemons: snap.daemons.map((d) =>
          d.name === name ? { ...d, silencedUntil: '2026-01-02T11:00:00.000Z' } : d,
        ),
      };
    };
    const { app, source } = setup(snapshot(fleet()), { onMute, width: 160 });
    holder.source = source;
    const first = await ready(app);
    const selected = first.split('\n').find((l) => l.startsWith('>'))!;
    const name = tableNames(first)[0]!;
    expect(selected).toContain(name);
    const f = await press(app, 'm', (fr) => fr.includes(`⊘ ${name}`));
    expect(muted).toEqual([name]);
    expect(f.split('\n').filter((l) => l.includes('⊘'))).toHaveLength(1);
    fail = true;
    const failed = await press(app, 'm', (fr) =>
      fr.includes(`! mute ${name} failed: the agent did not answer`),
    );
    // A notice, not staleness: the header's markers and poll line stay as they were.
    expect(failed).not.toContain('STALE');
    expect(failed.split('\n')[2]).toBe(`! mute ${name} failed: the agent did not answer`);
  });

  it('shows a failed mute on the compact status line too', async () => {
    const onMute = () => Promise.reject(new Error('state directory is read-only'));
    const { app } = setup(snapshot(fleet()), { onMute, width: 60, height: 10 });
    await waitForFrame(app.lastFrame, (f) => f.includes('polled'));
    const f = await press(app, 'm', (fr) => fr.includes('! mute'));
    expect(f.split('\n')[0]).toMatch(/^! mute \w+ failed: state directory is read-only$/);
    expect(f).not.toContain('STALE');
  });

  it('shows and hides the help overlay', async () => {
    const { app } = setup();
    await ready(app);
    let f = await press(app, '?', (fr) => fr.includes('Keys (? or Esc closes'));
    expect(f).toContain('status filter');
    // Taller than the screen, it scrolls to its last line.
    f = await press(app, 'G', (fr) => fr.includes('quit (everywhere)'));
    f = await press(app, KEY.escape, (fr) => fr.includes('EVENTS'));
    f = await press(app, '?', (fr) => fr.includes('Keys'));
    f = await press(app, '?', (fr) => fr.includes('EVENTS'));
    expect(tableNames(f)).toHaveLength(8);
  });

  it('focuses the event pane, scrolls it and clears it', async () => {
    const events = Array.from({ length: 30 }, (_, i) => event({ message: `message ${i}` }));
    const { app } = setup(snapshot(fleet()), { events });
    let f = await ready(app);
    expect(f).toContain('message 29');
    f = await press(app, 'e', (fr) => fr.includes('[focus'));
    f = await press(app, KEY.up, (fr) => !fr.includes('message 29'));
    expect(f).toContain('1 newer');
    f = await press(app, 'g', (fr) => fr.includes('message 0'));
    f = await press(app, 'G', (fr) => fr.includes('message 29'));
    f = await press(app, 'c', (fr) => fr.includes('no events'));
    expect(f).not.toContain('message 29');
    f = await press(app, KEY.escape, (fr) => !fr.includes('[focus'));
  });

  it('opens the selected event whole on Enter, wrapped and scrollable, at 60x15 and 40x10', async () => {
    const long = `${'a long tail of words '.repeat(10)}THE-END`;
    for (const [width, height] of [
      [80, 24],
      [60, 15],
      [40, 10],
    ] as const) {
      const events = [
        event({ message: `first ${long}`, data: { pid: 7, detail: 'value-at-the-bottom' } }),
        event({ message: 'newest' }),
      ];
      const { app } = setup(snapshot(fleet().slice(0, 2)), { events, width, height });
      await waitForFrame(app.lastFrame, (f) => f.includes('newest'));
      await press(app, 'e');
      await press(app, KEY.up);
      let f = await press(app, KEY.enter, (fr) => fr.includes('event (Esc closes'));
      for (const line of f.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
      expect(f).toMatch(/message +first a long tail/);
      // Scrolled to its end, the view shows the rest of the message and the data.
      f = await press(app, 'G', (fr) => fr.includes('value-at-the-bottom'));
      expect(f.replace(/\s+/g, ' ')).toMatch(/"detail": "value-at-the-bottom"/);
      f = await press(app, KEY.escape, (fr) => fr.includes('EVENTS'));
      expect(f).toContain('newest');
      cleanup();
    }
  });

  it('updates a repeated event in place with its count and newest message', async () => {
    const first = event({ id: '900', message: 'executor restarted (pid 17393)' });
    const { app, source, poller } = setup(snapshot(fleet()), {
      events: [first, event({ message: 'something after' })],
    });
    await waitForFrame(app.lastFrame, (fr) => fr.includes('pid 17393'));
    source.updates = [
      {
        ...first,
        data: {
          count: 3,
          lastAt: first.at,
          latestMessage: 'executor restarted (pid 17455)',
          latest: { pid: 17455 },
        },
      },
    ];
    await poller.pollNow();
    const f = await waitForFrame(app.lastFrame, (fr) => fr.includes('pid 17455) (x3)'));
    expect(f).not.toContain('pid 17393');
    // In place: still above the event that came after it, and listed once.
    const lines = f.split('\n');
    const at = lines.findIndex((l) => l.includes('pid 17455'));
    expect(lines.findIndex((l) => l.includes('something after'))).toBeGreaterThan(at);
    expect(lines.filter((l) => l.includes('executor restarted'))).toHaveLength(1);
  });

  it('keeps following new events at the bottom, but not while scrolled up', async () => {
    const events = Array.from({ length: 20 }, (_, i) => event({ message: `old ${i}` }));
    const { app, source, poller } = setup(snapshot(fleet()), { events });
    await ready(app);
    source.pending = [event({ message: 'fresh one' })];
    await poller.pollNow();
    await waitForFrame(app.lastFrame, (fr) => fr.includes('fresh one'));
    await press(app, 'e');
    await press(app, 'k', (fr) => !fr.includes('fresh one'));
    source.pending = [event({ message: 'fresher' })];
    await poller.pollNow();
    const f = await waitForFrame(app.lastFrame, (fr) => fr.includes('2 newer'));
    expect(f).not.toContain('fresher');
  });

  // Ctrl-C is Ink's under ink-testing-library (exitOnCtrlC); the e2e test presses it for real.
  it('quits on q, but not while typing a filter', async () => {
    const { app, onQuit } = setup();
    await ready(app);
    app.stdin.write('q');
    await waitForFrame(app.lastFrame, () => onQuit.mock.calls.length === 1);
    await press(app, '/');
    app.stdin.write('q'); // typed, not quit
    await waitForFrame(app.lastFrame, (fr) => fr.includes('/q'));
    expect(onQuit).toHaveBeenCalledTimes(1);
  });

  it('starts with remembered prefs and a --filter', async () => {
    const { app } = setup(snapshot(fleet()), { prefs: { filter: 'engine', sort: 'name' } });
    const f = await ready(app);
    expect(tableNames(f)).toEqual(['decisionEngine', 'validationEngine']);
  });

  it('shows a hostile daemon name escaped', async () => {
    const { app } = setup(snapshot([daemon('evil\u001b[2Jname'), daemon('bidi\u202eeman')]));
    const f = await ready(app);
    expect(f).toContain('evil\\x1b[2Jname');
    expect(f).toContain('bidi\\u202eeman');
    expect(f).not.toContain('\u001b[2J');
  });

  it('switches to the compact layout on a small terminal', async () => {
    const { app } = setup(snapshot(fleet()), { width: 60, height: 15 });
    const f = await waitForFrame(app.lastFrame, (fr) => tableNames(fr).length === 8);
    // One status line: counts, when the data was polled (frozen data shows), the help key.
    expect(f.split('\n')[0]).toMatch(/^✔3 ▲2 ✖2 \?1 {2}polled \d\d:\d\d:\d\d {2}\? help/);
    // Rows the table leaves are the newest events.
    expect(f).toContain('EVENTS');
    expect(tableNames(f)).toHaveLength(8);
    for (const line of f.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
  });
});
