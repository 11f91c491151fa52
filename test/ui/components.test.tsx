import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import chalk from 'chalk';
import React from 'react';
import { render } from 'ink-testing-library';
import { Header } from '../../src/ui/components/Header.js';
import { DriftGauge } from '../../src/ui/components/DriftGauge.js';
import { Gauge, gaugeText } from '../../src/ui/components/Gauge.js';
import { DaemonTable } from '../../src/ui/components/DaemonTable.js';
import { EventPane } from '../../src/ui/components/EventPane.js';
import { Footer } from '../../src/ui/components/Footer.js';
import { DetailView } from '../../src/ui/components/DetailView.js';
import { HelpOverlay } from '../../src/ui/components/HelpOverlay.js';
import { tableLayout } from '../../src/ui/model/layout.js';
import { renderStatusText } from '../../src/cli/statusText.js';
import { recordPoll, EMPTY_HISTORY } from '../../src/ui/model/history.js';
import type { ClockSnapshot } from '../../src/core/types.js';
import { daemon, event, fleet, many, NOW, snapshot } from '../helpers/uiFixtures.js';

const frameOf = (el: React.ReactElement) => render(el).lastFrame() ?? '';

const headerProps = {
  snapshot: snapshot(fleet()),
  intervalSec: 5,
  lastPollAt: Date.parse('2026-01-02T10:00:00Z'),
  lastPollMs: 12,
  stale: null,
  paused: false,
  filter: '',
  filterError: null,
  statusFilter: 'all' as const,
  sort: 'status' as const,
  reverse: false,
  offsetWarnMs: 50,
  color: false,
};

describe('Header', () => {
  it('shows host figures, counts per status, interval and last poll', () => {
    const f = frameOf(<Header {...headerProps} />);
    expect(f).toContain('box1');
    expect(f).toContain('up 3d');
    expect(f).toContain('load 0.42');
    expect(f).toContain('mem 3.0G/8.0G');
    expect(f).toContain('✔ 3 up');
    expect(f).toContain('▲ 2 late');
    expect(f).toContain('✖ 2 down');
    expect(f).toContain('? 1 unknown');
    expect(f).toContain('every 5s');
    expect(f).toMatch(/last poll \d\d:\d\d:\d\d \(12ms\)/);
    expect(f).toContain('drift');
    expect(f).toContain('NTP n/a');
    expect(f).not.toContain('PAUSED');
    expect(f).not.toContain('FILTER');
  });

  it('says when the heartbeat directory is polled because it cannot be watched', () => {
    expect(frameOf(<Header {...headerProps} />)).not.toContain('polling');
    const polled = {
      ...headerProps.snapshot,
      watch: { mode: 'polling' as const, problem: 'ENOSPC: inotify watch limit reached' },
    };
    expect(frameOf(<Header {...headerProps} snapshot={polled} />)).toContain('every 5s polling');
  });

  it('marks PAUSED, FILTER, a bad regex and staleness', () => {
    const f = frameOf(
      <Header
        {...headerProps}
        paused
        filter="re:("
        filterError="bad"
        statusFilter="problems"
        stale="STALE: poll failed: EIO"
      />,
    );
    expect(frameOf(<Header {...headerProps} filter="re:(" filterError="bad" />)).toContain(
      '(bad regex)',
    );
    expect(f).toContain('PAUSED');
    expect(f).toContain('FILTER "re:(" [problems]');
    expect(f).toContain('STALE: poll failed');
  });

  it('shows a notice on its own line, whole and escaped, without calling the data stale', () => {
    const notice =
      'mute relayCore failed: EROFS: read-only file system, open \u001b[2Jsilences.json';
    const lines = frameOf(<Header {...headerProps} notice={notice} />).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe(
      '! mute relayCore failed: EROFS: read-only file system, open \\x1b[2Jsilences.json',
    );
    // The clock gauge gives the line back afterwards; the markers never say STALE.
    expect(lines.join('\n')).not.toContain('STALE');
    expect(lines.join('\n')).not.toContain('drift');
    expect(frameOf(<Header {...headerProps} notice={null} />)).toContain('drift');
    // A notice and staleness at once: each in its own place.
    const both = frameOf(
      <Header {...headerProps} notice={notice} stale="STALE: poll failed: EIO" />,
    );
    expect(both.split('\n')[0]).toMatch(/^STALE ghost-hb/);
    expect(both.split('\n')[1]).toContain('STALE: poll failed');
    expect(both.split('\n')[2]).toMatch(/^! mute relayCore failed/);
  });

  it('shows memory as `ghost-hb status` does (one formatter)', () => {
    const snap = snapshot(fleet());
    snap.system = { ...snap.system, memUsedBytes: 1.3 * 2 ** 30, memTotalBytes: 23.5 * 2 ** 30 };
    const status = renderStatusText(snap, { color: false });
    expect(status).toContain('mem 1.3G/23.5G');
    expect(frameOf(<Header {...headerProps} snapshot={snap} />)).toContain('mem 1.3G/23.5G');
  });
  it('waits for the first poll without data', () => {
    const f = frameOf(<Header {...headerProps} snapshot={null} lastPollAt={null} />);
    expect(f).toContain('waiting for first poll');
  });
});

describe('DriftGauge and Gauge', () => {
  const clock: ClockSnapshot = {
    synced: true,
    offsetMs: 25,
    errorBoundMs: 30,
    source: 'chrony',
    stratum: 2,
    lastJumpAt: null,
    lastJumpMs: null,
  };
  it('fills the bar in proportion to the threshold', () => {
    expect(gaugeText(0.5, 10)).toBe('■■■■■·····');
    expect(gaugeText(3, 4)).toBe('■■■■');
    expect(gaugeText(null, 3)).toBe('···');
    expect(frameOf(<Gauge fraction={0.25} width={4} color={false} />)).toBe('[■···]');
  });
  it('shows the offset against the threshold and the sync source', () => {
    const f = frameOf(<DriftGauge clock={clock} warnMs={50} color={false} />);
    expect(f).toContain('[■■■■■·····]');
    expect(f).toContain('+25.0ms / 50ms');
    expect(f).toContain('NTP synced (chrony, stratum 2)');
  });
  it('says n/a until the clock is known, and NOT synced when it is not', () => {
    expect(frameOf(<DriftGauge clock={null} warnMs={50} color={false} />)).toContain('n/a NTP n/a');
    const f = frameOf(
      <DriftGauge
        clock={{ ...clock, synced: false, lastJumpMs: 3000 }}
        warnMs={50}
        color={false}
      />,
    );
    expect(f).toContain('NOT synced');
    expect(f).toContain('last jump +3000ms');
  });
  it('says why when the host has no clock source, within 80 columns', () => {
    const none: ClockSnapshot = {
      ...clock,
      synced: null,
      offsetMs: null,
      errorBoundMs: null,
      source: null,
      stratum: null,
      lastJumpMs: -1234,
      note: 'no clock source (install chrony or set clock.sntpServers)',
    };
    const f = frameOf(<DriftGauge clock={none} warnMs={50} color={false} />);
    expect(f).toContain('n/a NTP n/a (no clock source)  last jump -1234ms');
    const header = render(
      <Header {...headerProps} snapshot={{ ...snapshot(fleet()), clock: none }} />,
    );
    const lines = (header.lastFrame() ?? '').split('\n');
    expect(lines[2]).toContain('NTP n/a (no clock source)');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(
      frameOf(
        <DriftGauge clock={{ ...none, note: 'odd\u001b[2J (x)' }} warnMs={50} color={false} />,
      ),
    ).toContain('NTP n/a (odd\\x1b[2J)');
  });
});

describe('DaemonTable', () => {
  const table = (width: number, extra: Partial<React.ComponentProps<typeof DaemonTable>> = {}) => {
    const daemons = extra.daemons ?? fleet();
    return frameOf(
      <DaemonTable
        daemons={daemons}
        layout={tableLayout(width - 1, 16)}
        history={EMPTY_HISTORY}
        cursor={0}
        top={0}
        rows={daemons.length}
        emptyReason={null}
        focused
        color={false}
        {...extra}
      />,
    );
  };
  it('draws one line per daemon with every column at 120 wide', () => {
    const f = table(120);
    expect(f.split('\n')[0]).toMatch(
      /STATUS +NAME +REASON +PID +AGE +UPTIME +CPU +MEM +RST +AVAIL +RECENT/,
    );
    expect(f).toMatch(/^ ✖ down +executor +crashed +1008 +2s +1h +1\.5% +40M +2 +-/m);
    // The status cell holds the whole word at every width.
    for (const width of [120, 80, 60, 40]) expect(table(width)).toMatch(/^ \? unknown /m);
  });
  it('drops the least important columns first and never wraps', () => {
    for (const width of [100, 80, 60, 40, 30]) {
      const f = table(width);
      for (const line of f.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
    }
    expect(table(80).split('\n')[0]).not.toContain('RECENT');
    // 80 columns hold every column but RECENT and UPTIME (the detail view has both).
    expect(tableLayout(80, 16).columns.map((c) => c.key)).toEqual([
      'status',
      'name',
      'reason',
      'pid',
      'age',
      'cpu',
      'mem',
      'restarts',
      'avail',
    ]);
    expect(table(80).split('\n')[0]).toContain('RST');
    const narrow = table(40).split('\n')[0]!;
    expect(narrow).toContain('NAME');
    expect(narrow).not.toContain('UPTIME');
  });
  it('truncates long names with an ellipsis', () => {
    const long = daemon('a-very-long-daemon-name-that-goes-on-and-on-forever');
    const f = table(60, { daemons: [long], layout: tableLayout(59, long.name.length) });
    expect(f).toContain('…');
    expect(f).not.toContain('forever');
  });
  it('shows the window around the selection and how many more', () => {
    const daemons = many(50);
    const f = table(80, { daemons, cursor: 12, top: 10, rows: 5 });
    expect(f).toContain('↓ 35 more');
    expect(f).toContain('↑ 10 above');
    expect(f.split('\n').filter((l) => l.startsWith('>'))).toHaveLength(1);
    expect(f).toMatch(/^>✔ up +daemon-00012/m);
  });
  it('says why it is empty', () => {
    const reason = 'no daemon matches /zzz, 8 hidden; Esc clears';
    expect(table(80, { daemons: [], emptyReason: reason })).toContain(reason);
  });
  it('shows availability and the sparkline from the history', () => {
    const at = (s: number) => ({ at: new Date(NOW + s * 1000).toISOString() });
    let h = recordPoll(EMPTY_HISTORY, snapshot([daemon('relayCore')], at(0)));
    h = recordPoll(h, snapshot([daemon('relayCore', { status: 'down' })], at(5)));
    h = recordPoll(h, snapshot([daemon('relayCore')], at(10)));
    const f = table(120, { daemons: [daemon('relayCore')], history: h });
    expect(f).toContain('50%');
    expect(f).toContain('█▁█');
  });
});

describe('EventPane', () => {
  const items = [
    { seq: 1, event: event({ severity: 'info', message: 'relayCore recovered' }) },
    {
      seq: 2,
      event: event({ severity: 'critical', daemon: 'watchdog', message: 'watchdog is down' }),
    },
    {
      seq: 3,
      event: event({ severity: 'warn', daemon: undefined, message: 'clock jumped\u001b[2J' }),
    },
  ];
  it('draws time, severity word, daemon and message, newest last', () => {
    const f = frameOf(
      <EventPane
        shown={items}
        above={0}
        below={0}
        lines={6}
        focused={false}
        following
        color={false}
      />,
    );
    const lines = f.split('\n');
    // The title starts in the first column: no marker column without colour.
    expect(lines[0]).toMatch(/^EVENTS/);
    expect(lines[1]).toMatch(/\d\d:\d\d:\d\d INFO +relayCore +relayCore recovered/);
    expect(lines[2]).toMatch(/CRIT +watchdog +watchdog is down/);
    expect(lines[3]).toContain('clock jumped\\x1b[2J');
  });
  it('says when it has focus, is scrolled up, or is empty', () => {
    const f = frameOf(
      <EventPane
        shown={items}
        above={4}
        below={2}
        lines={3}
        focused
        following={false}
        color={false}
      />,
    );
    expect(f).toContain('[focus');
    expect(f).toContain('↑ 4 older');
    expect(f).toContain('↓ 2 newer');
    expect(
      frameOf(
        <EventPane
          shown={[]}
          above={0}
          below={0}
          lines={3}
          focused={false}
          following
          color={false}
        />,
      ),
    ).toContain('no events');
  });
});

describe('Footer', () => {
  it('lists the keys of the current mode', () => {
    expect(
      frameOf(<Footer mode="table" draft={null} filterError={null} color={false} />),
    ).toContain('/ filter f status s sort S rev ↵ detail e events p pause r poll ? help q quit');
    expect(
      frameOf(<Footer mode="events" draft={null} filterError={null} color={false} />),
    ).toContain('c clear');
    expect(
      frameOf(<Footer mode="detail" draft={null} filterError={null} color={false} />),
    ).toContain('Esc/↵ close');
  });
  it('shows the filter being typed and a bad regex', () => {
    const f = frameOf(
      <Footer mode="filter" draft="re:(" filterError="Unterminated group" color={false} />,
    );
    expect(f).toContain('/re:(');
    expect(f).toContain('bad regex: Unterminated group');
    expect(f).toContain('↵ keep');
  });
});

describe('DetailView', () => {
  it('shows everything known about the daemon, sanitized', () => {
    const d = daemon('relayCore', {
      payload: { token: '[REDACTED]', note: 'x\u001b[31my' },
      message: 'all good',
      problems: ['skewed by 3s'],
    });
    let h = recordPoll(EMPTY_HISTORY, snapshot([d]));
    h = recordPoll(
      h,
      snapshot([{ ...d, lastBeatAt: new Date(Date.parse(d.lastBeatAt!) + 5000).toISOString() }]),
    );
    const f = frameOf(
      <DetailView
        daemon={d}
        name="relayCore"
        history={h.get('relayCore')}
        events={[event({ message: 'relayCore up -> late' })]}
        longAvailability={{ h1: 0.99, h24: null, d7: null }}
        height={30}
        color={false}
      />,
    );
    expect(f).toContain('/srv/_heartbeat/relayCore.json (json)');
    expect(f).toContain('interval 5s  grace 15s');
    expect(f).toContain('all good');
    expect(f).toContain('skewed by 3s');
    expect(f).toContain('node relayCore.js');
    expect(f).toContain('[REDACTED]');
    expect(f).toContain('x\\u001b[31my'); // JSON-escaped, never raw
    expect(f).toContain('gaps 5.0s');
    expect(f).toContain('1h 99.0%');
    expect(f).toContain('relayCore up -> late');
    expect(f).toMatch(/pid.*started.*uptime/);
  });
  it('says when the daemon has gone from the poll', () => {
    expect(
      frameOf(
        <DetailView
          daemon={null}
          name="gone"
          history={undefined}
          events={[]}
          height={20}
          color={false}
        />,
      ),
    ).toContain('no longer in the latest poll');
  });
});

describe('HelpOverlay', () => {
  it('lists every binding, wrapped to the width, and scrolls when taller than the screen', () => {
    const tall = frameOf(<HelpOverlay width={120} height={80} color={false} />);
    expect(tall).toContain('status filter: all / problems / up / late / down');
    expect(tall).not.toContain('more');
    for (const [w, h] of [
      [80, 24],
      [60, 15],
      [40, 10],
    ] as const) {
      const f = frameOf(<HelpOverlay width={w} height={h - 1} color={false} />);
      expect(f.split('\n').length).toBeLessThanOrEqual(h - 1);
      for (const line of f.split('\n')) expect(line.length).toBeLessThanOrEqual(w);
      expect(f).toMatch(/↓ \d+ more$/);
      // Scrolled to the end, the last binding shows.
      const end = frameOf(<HelpOverlay width={w} height={h - 1} color={false} scrollTop={1000} />);
      expect(end).toContain('quit');
      expect(end).not.toContain('more');
    }
  });
  it('shows the whole clock note and the context under the keys', () => {
    const note = 'no clock source (install chrony or set clock.sntpServers)';
    const f = frameOf(
      <HelpOverlay
        width={80}
        height={20}
        color={false}
        clockNote={note}
        context={['config: /etc/ghost-hb/.heartbeatrc', 'heartbeats: /srv/_heartbeat']}
        scrollTop={1000}
      />,
    );
    const lines = f.split('\n');
    expect(lines.slice(-3)).toEqual([
      'config: /etc/ghost-hb/.heartbeatrc',
      'heartbeats: /srv/_heartbeat',
      `Clock: ${note}`,
    ]);
    expect(frameOf(<HelpOverlay width={80} height={20} color={false} />)).not.toContain('Clock:');
  });
});

describe('colours', () => {
  // Ink colours through chalk, which sees no terminal under Jest: force 256 colours.
  let level: typeof chalk.level;
  beforeAll(() => {
    level = chalk.level;
    chalk.level = 2;
  });
  afterAll(() => {
    chalk.level = level;
  });

  it('never draws information in bright black (SGR 90), which some themes hide', () => {
    const unknown = daemon('healthAggregator', { status: 'unknown', reason: 'malformed' });
    const frames = [
      frameOf(<Header {...headerProps} color />),
      frameOf(<DriftGauge clock={null} warnMs={50} color />),
      frameOf(
        <DaemonTable
          daemons={[...many(12), unknown]}
          layout={tableLayout(80, 16)}
          history={EMPTY_HISTORY}
          cursor={0}
          top={0}
          rows={4}
          emptyReason={null}
          focused
          color
        />,
      ),
      frameOf(
        <EventPane
          shown={[{ seq: 1, event: event({ severity: 'info' }) }]}
          above={0}
          below={0}
          lines={4}
          focused={false}
          following
          color
        />,
      ),
      frameOf(
        <EventPane shown={[]} above={0} below={0} lines={4} focused={false} following color />,
      ),
    ];
    for (const f of frames) {
      expect(f).toContain('\u001b[');
      expect(f).not.toContain('\u001b[90m');
    }
    // Times, "n/a" and the empty gauge cells are dim instead.
    expect(frames[1]).toContain('\u001b[2m');
  });
});
