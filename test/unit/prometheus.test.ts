// The pure side of `ghost-hb --prometheus`: Prometheus HTTP API answers
// checked and turned into one snapshot per scraped ghost-hb, and firing
// alerts into events.
import { describe, expect, it } from '@jest/globals';
import {
  alertEvents,
  alertKey,
  alertSeverity,
  fleetFromAnswers,
  parseAlerts,
  parseVector,
  UNREACHABLE_REASON,
  type PromAlert,
  type PromSample,
} from '../../src/core/prometheus.js';

const AT = Date.parse('2026-12-01T10:00:00Z');
const A = '10.0.0.1:9464';
const B = '10.0.0.2:9464';

function vector(result: { metric: Record<string, string>; value: [number, string] }[]) {
  return { status: 'success', data: { resultType: 'vector', result } };
}

function s(
  name: string,
  instance: string,
  labels: Record<string, string>,
  value: number,
): PromSample {
  return { labels: { __name__: name, instance, job: 'ghost-hb', ...labels }, value };
}

/** The status series of one daemon: 1 for `status`, 0 for the others. */
function statusSeries(instance: string, daemon: string, status: string): PromSample[] {
  return ['up', 'late', 'down', 'unknown'].map((st) =>
    s('ghosthb_daemon_status', instance, { daemon, status: st }, st === status ? 1 : 0),
  );
}

const up = (instance: string, v: number) => s('up', instance, {}, v);

describe('parseVector', () => {
  const cases: { name: string; body: unknown; ok: boolean; expect?: unknown }[] = [
    {
      name: 'a vector with special floats',
      body: vector([
        { metric: { __name__: 'x', instance: A }, value: [1, '3.5'] },
        { metric: { __name__: 'x', instance: B }, value: [1, '+Inf'] },
        { metric: { __name__: 'x', instance: 'c' }, value: [1, 'NaN'] },
      ]),
      ok: true,
      expect: [3.5, Infinity, NaN],
    },
    { name: 'an empty vector', body: vector([]), ok: true, expect: [] },
    { name: 'garbage', body: 'hello', ok: false, expect: 'not a Prometheus instant-vector answer' },
    { name: 'null', body: null, ok: false, expect: 'not a Prometheus instant-vector answer' },
    {
      name: 'a matrix instead of a vector',
      body: { status: 'success', data: { resultType: 'matrix', result: [] } },
      ok: false,
      expect: 'not a Prometheus instant-vector answer',
    },
    {
      name: 'a sample without a value pair',
      body: vector([{ metric: {}, value: ['x' as unknown as number, '1'] }]),
      ok: false,
      expect: 'not a Prometheus instant-vector answer',
    },
    {
      name: "Prometheus's own error, escaped",
      body: { status: 'error', errorType: 'bad_data', error: 'parse error\u001b[2J' },
      ok: false,
      expect: 'Prometheus refused the query: bad_data: parse error\\x1b[2J',
    },
  ];
  it.each(cases)('$name', ({ body, ok, expect: want }) => {
    const r = parseVector(body);
    expect(r.ok).toBe(ok);
    if (r.ok) expect(r.value.map((x) => x.value)).toEqual(want);
    else expect(r.error).toBe(want);
  });

  it('escapes and bounds label values (remote input)', () => {
    const r = parseVector(
      vector([{ metric: { daemon: `e\u001b[31m${'x'.repeat(500)}` }, value: [1, '1'] }]),
    );
    expect(r.ok).toBe(true);
    const daemon = r.ok ? r.value[0]!.labels.daemon! : '';
    expect(daemon.startsWith('e\\x1b[31m')).toBe(true);
    expect(daemon).toMatch(/…\[\d+ more chars\]$/);
    expect(daemon.length).toBeLessThan(200);
  });
});

describe('parseAlerts', () => {
  it('reads labels, annotations, state and activeAt', () => {
    const r = parseAlerts({
      status: 'success',
      data: {
        alerts: [
          {
            labels: { alertname: 'GhostHbDaemonDown', daemon: 'db', instance: A },
            annotations: { summary: 'db is down' },
            state: 'firing',
            activeAt: '2026-12-01T09:59:00.5Z',
            value: '1e+00',
          },
          { labels: { alertname: 'X' }, state: 'pending' },
        ],
      },
    });
    expect(r).toEqual({
      ok: true,
      value: [
        {
          labels: { alertname: 'GhostHbDaemonDown', daemon: 'db', instance: A },
          annotations: { summary: 'db is down' },
          state: 'firing',
          activeAtMs: Date.parse('2026-12-01T09:59:00.5Z'),
        },
        { labels: { alertname: 'X' }, annotations: {}, state: 'pending', activeAtMs: null },
      ],
    });
  });

  it.each([
    ['garbage'],
    [{ status: 'success', data: {} }],
    [{ status: 'success', data: { alerts: [{}] } }],
  ])('refuses %j', (body) => {
    expect(parseAlerts(body)).toEqual({ ok: false, error: 'not a Prometheus alerts answer' });
  });
});

describe('fleetFromAnswers', () => {
  it('makes one snapshot per instance from the fresh series', () => {
    const hosts = fleetFromAnswers({
      atMs: AT,
      up: [up(B, 1), up(A, 1)],
      lastStatus: [],
      series: [
        ...statusSeries(A, 'relayCore', 'up'),
        s(
          'ghosthb_daemon_last_beat_timestamp_seconds',
          A,
          { daemon: 'relayCore' },
          AT / 1000 - 2.5,
        ),
        s('ghosthb_daemon_restarts_total', A, { daemon: 'relayCore' }, 3),
        s('ghosthb_daemon_cpu_ratio', A, { daemon: 'relayCore' }, 0.125),
        s('ghosthb_daemon_memory_rss_bytes', A, { daemon: 'relayCore' }, 48e6),
        s('ghosthb_daemon_flapping', A, { daemon: 'relayCore' }, 1),
        ...statusSeries(A, 'executor', 'down'),
        s(
          'ghosthb_daemon_down_reason',
          A,
          { daemon: 'executor', reason: 'crashed' },
          AT / 1000 - 9,
        ),
        ...statusSeries(B, 'watchdog', 'late'),
        s('ghosthb_clock_offset_seconds', B, {}, -0.012),
        s('ghosthb_clock_synced', B, {}, 1),
      ],
    });
    expect(hosts.map((h) => [h.instance, h.reachable, h.problem])).toEqual([
      [A, true, null],
      [B, true, null],
    ]);
    const [a, b] = hosts.map((h) => h.snapshot);
    expect(a!.daemons.map((d) => [d.name, d.status, d.reason])).toEqual([
      ['executor', 'down', 'crashed'],
      ['relayCore', 'up', null],
    ]);
    expect(a!.daemons[1]).toMatchObject({
      lastBeatAt: new Date(AT - 2500).toISOString(),
      ageMs: 2500,
      restarts: 3,
      cpuPct: 12.5,
      memRssBytes: 48e6,
      problems: ['flapping'],
    });
    expect(a!.summary).toEqual({ up: 1, late: 0, down: 1, unknown: 0 });
    expect(a!.system.hostname).toBe(A);
    expect(a!.at).toBe(new Date(AT).toISOString());
    expect(b!.clock).toMatchObject({ offsetMs: -12, synced: true });
    expect(a!.clock).toMatchObject({ offsetMs: null, synced: null });
  });

  it("shows an unreachable host's last known daemons as unknown, never down", () => {
    const [host] = fleetFromAnswers({
      atMs: AT,
      up: [up(A, 0)],
      series: [],
      lastStatus: [
        s('ghosthb_daemon_status', A, { daemon: 'db', status: 'down' }, 1),
        s('ghosthb_daemon_status', A, { daemon: 'api', status: 'up' }, 1),
      ],
    });
    expect(host!.reachable).toBe(false);
    expect(host!.problem).toBe(`${UNREACHABLE_REASON}: Prometheus cannot scrape it`);
    expect(host!.snapshot.daemons.map((d) => [d.name, d.status, d.reason, d.problems])).toEqual([
      ['api', 'unknown', UNREACHABLE_REASON, ['last known status: up']],
      ['db', 'unknown', UNREACHABLE_REASON, ['last known status: down']],
    ]);
    expect(host!.snapshot.summary).toEqual({ up: 0, late: 0, down: 0, unknown: 2 });
    expect(host!.snapshot.sources).toEqual({ heartbeats: false, processes: false, system: false });
  });

  const odd: { name: string; series: PromSample[]; want: unknown }[] = [
    {
      name: 'a series without an instance is ignored',
      series: [
        { labels: { __name__: 'ghosthb_daemon_status', daemon: 'x', status: 'up' }, value: 1 },
      ],
      want: [],
    },
    {
      name: 'a status label outside the four is ignored (the row stays unknown)',
      series: [s('ghosthb_daemon_status', A, { daemon: 'x', status: 'exploded' }, 1)],
      want: [['x', 'unknown', 'no status series']],
    },
    {
      name: 'an unknown status from the series has no reason (the metrics do not carry it)',
      series: statusSeries(A, 'x', 'unknown'),
      want: [['x', 'unknown', null]],
    },
    {
      name: 'non-finite values are dropped',
      series: [
        ...statusSeries(A, 'x', 'up'),
        s('ghosthb_daemon_last_beat_timestamp_seconds', A, { daemon: 'x' }, NaN),
        s('ghosthb_daemon_cpu_ratio', A, { daemon: 'x' }, Infinity),
      ],
      want: [['x', 'up', null]],
    },
  ];
  it.each(odd)('$name', ({ series, want }) => {
    const hosts = fleetFromAnswers({ atMs: AT, up: [], lastStatus: [], series });
    const rows = hosts.flatMap((h) => h.snapshot.daemons.map((d) => [d.name, d.status, d.reason]));
    expect(rows).toEqual(want);
    for (const d of hosts.flatMap((h) => h.snapshot.daemons)) {
      expect(d.lastBeatAt).toBeNull();
      expect(d.cpuPct).toBeNull();
    }
  });

  it('says so when a scraped target has no ghost-hb daemons', () => {
    const [host] = fleetFromAnswers({ atMs: AT, up: [up(A, 1)], series: [], lastStatus: [] });
    expect(host!.problem).toMatch(/no ghosthb_daemon_\* series/);
    expect(host!.snapshot.daemons).toEqual([]);
  });
});

describe('alertEvents', () => {
  const alert = (
    labels: Record<string, string>,
    state = 'firing',
    summary?: string,
  ): PromAlert => ({
    labels: { alertname: 'GhostHbDaemonDown', instance: A, ...labels },
    annotations: summary ? { summary } : {},
    state,
    activeAtMs: AT - 60_000,
  });

  it.each([
    ['critical', 'critical'],
    ['page', 'critical'],
    ['error', 'error'],
    ['warning', 'warn'],
    ['info', 'info'],
    [undefined, 'warn'],
  ])('maps severity %s to %s', (label, want) => {
    expect(alertSeverity(label)).toBe(want);
  });

  it('raises each firing alert once, a resolution when it stops, and nothing for pending ones', () => {
    const db = alert({ daemon: 'db', severity: 'critical' }, 'firing', 'db on app-1 is down');
    const pending = alert({ daemon: 'api' }, 'pending');
    const first = alertEvents([db, pending], new Map(), AT);
    expect(first.events).toEqual([
      {
        id: alertKey(db),
        at: new Date(AT - 60_000).toISOString(),
        severity: 'critical',
        rule: 'GhostHbDaemonDown',
        daemon: 'db',
        message: 'db on app-1 is down',
        data: { source: 'prometheus', host: A, labels: db.labels },
      },
    ]);
    expect(alertEvents([db, pending], first.firing, AT + 5000).events).toEqual([]);
    const gone = alertEvents([], first.firing, AT + 10_000);
    expect(gone.events).toMatchObject([
      {
        id: `${alertKey(db)}-resolved`,
        at: new Date(AT + 10_000).toISOString(),
        severity: 'info',
        message: 'resolved: db on app-1 is down',
      },
    ]);
    expect(gone.firing.size).toBe(0);
  });

  it('keys an alert by its label set and start, whatever the label order', () => {
    const x = alert({ daemon: 'db', severity: 'critical' });
    const y = {
      ...x,
      labels: { severity: 'critical', daemon: 'db', instance: A, alertname: 'GhostHbDaemonDown' },
    };
    expect(alertKey(x)).toBe(alertKey(y));
    expect(alertKey(x)).not.toBe(alertKey({ ...x, activeAtMs: AT }));
    expect(alertKey(x)).not.toBe(alertKey(alert({ daemon: 'dc', severity: 'critical' })));
  });
});
