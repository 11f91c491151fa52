// The router, pure: grouping, resolutions, reminders, routes and silences.
import { describe, expect, it } from '@jest/globals';
import type { HbEvent } from '../../src/core/types.js';
import { titleFor } from '../../src/notify/message.js';
import { Router, type OpenConditionView, type RouteSpec } from '../../src/notify/router.js';

const T0 = Date.UTC(2026, 11, 2, 1, 0, 0);
const never = () => false;

function route(over: Partial<RouteSpec> = {}): RouteSpec {
  return {
    match: { severity: 'warn' },
    channels: ['hook'],
    groupWaitMs: 10_000,
    repeatIntervalMs: 4 * 3600_000,
    continue: false,
    ...over,
  };
}

let nextId = 1;
function ev(daemon: string | undefined, rule: string, over: Partial<HbEvent> = {}): HbEvent {
  return {
    id: String(nextId++),
    at: new Date(T0).toISOString(),
    severity: 'error',
    rule,
    ...(daemon ? { daemon } : {}),
    message: `${daemon ?? rule} ${rule}`,
    ...over,
  };
}

function open(e: HbEvent, name = 'outage', kind: 'level' | 'edge' = 'level'): OpenConditionView {
  return { key: `${e.daemon ?? e.rule}/${name}`, kind, event: e };
}

describe('Router', () => {
  it('groups events within groupWait into one message, due only after the wait', () => {
    const r = new Router([route()]);
    const downs = ['a', 'b', 'c'].map((d) => ev(d, 'crashed'));
    r.ingest(
      downs.slice(0, 2),
      downs.slice(0, 2).map((e) => open(e)),
      T0,
      never,
    );
    r.ingest(
      [downs[2]!],
      downs.map((e) => open(e)),
      T0 + 5000,
      never,
    );
    expect(r.takeDue(T0 + 9999)).toEqual([]);
    expect(r.nextDueMs()).toBe(T0 + 10_000);
    const [g] = r.takeDue(T0 + 10_000);
    expect(g!.alerts.map((a) => a.daemon)).toEqual(['a', 'b', 'c']);
    expect(g!.channels).toEqual(['hook']);
    expect(r.takeDue(T0 + 60_000)).toEqual([]);
  });

  it('announces a resolution when the condition closes, with the recovery text and outage length', () => {
    const r = new Router([route({ groupWaitMs: 0 })]);
    const down = ev('a', 'crashed', { data: { reason: 'process exited' } });
    r.ingest([down], [open(down)], T0, never);
    expect(r.takeDue(T0)[0]!.alerts[0]).toMatchObject({
      status: 'firing',
      reason: 'process exited',
    });
    const rec = ev('a', 'recovered', {
      severity: 'info',
      message: 'a recovered after 1m down',
      data: { outageMs: 60_000 },
    });
    const restarted = ev('a', 'restarted', { severity: 'warn' });
    r.ingest([rec, restarted], [open(restarted, 'restarted', 'edge')], T0 + 60_000, never);
    const alerts = r.takeDue(T0 + 60_000)[0]!.alerts;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      status: 'resolved',
      message: 'a recovered after 1m down',
      durationMs: 60_000,
    });
  });

  it('a condition closed without an event of its own still resolves (late cleared)', () => {
    const r = new Router([route({ groupWaitMs: 0 })]);
    const late = ev('a', 'late', { severity: 'warn' });
    r.ingest([late], [open(late, 'late')], T0, never);
    r.takeDue(T0);
    r.ingest([], [], T0 + 30_000, never);
    expect(r.takeDue(T0 + 30_000)[0]!.alerts[0]).toMatchObject({
      status: 'resolved',
      message: 'no longer: a late',
      durationMs: 30_000,
    });
  });

  it('reminds about a condition still open every repeatInterval, not when silenced', () => {
    const r = new Router([route({ groupWaitMs: 0, repeatIntervalMs: 3600_000 })]);
    const down = ev('a', 'crashed');
    r.ingest([down], [open(down)], T0, never);
    r.takeDue(T0);
    r.ingest([], [open(down)], T0 + 3599_000, never);
    expect(r.takeDue(T0 + 3599_000)).toEqual([]);
    r.ingest([], [open(down)], T0 + 3600_000, never);
    expect(r.takeDue(T0 + 3600_000)[0]!.alerts[0]).toMatchObject({
      status: 'firing',
      reminder: true,
    });
    r.ingest([], [open(down)], T0 + 7200_000, () => true);
    expect(r.takeDue(T0 + 7200_000)).toEqual([]);
  });

  it('routes: first match wins, continue goes on, severity is a minimum, the rest falls to the default', () => {
    const r = new Router([
      route({ match: { daemon: 'db' }, channels: ['pager'], continue: true }),
      route({ match: { severity: 'critical' }, channels: ['phone'] }),
      route(),
    ]);
    expect(r.routesFor({ severity: 'error', daemon: 'db', rule: 'crashed' })).toEqual([0, 2]);
    expect(r.routesFor({ severity: 'critical', daemon: 'web', rule: 'crashed' })).toEqual([1]);
    expect(r.routesFor({ severity: 'info', daemon: 'web', rule: 'new-daemon' })).toEqual([]);
  });

  it('silenced events are not sent, and their resolution is not either', () => {
    const r = new Router([route({ groupWaitMs: 0 })]);
    const down = ev('a', 'crashed', { data: { silenced: { id: 'x' } } });
    r.ingest([down], [open(down)], T0, never);
    r.ingest([ev('a', 'recovered', { severity: 'info' })], [], T0 + 1000, never);
    expect(r.takeDue(T0 + 1000)).toEqual([]);
  });

  it('a flapping daemon is announced once, its silently opened outage not at all, until it settles', () => {
    const r = new Router([route({ groupWaitMs: 0 })]);
    const flap = ev('a', 'flapping', { severity: 'warn' });
    const silentOutage: HbEvent = { ...ev('a', 'crashed'), id: '' };
    r.ingest([flap], [open(flap, 'flapping'), open(silentOutage)], T0, never);
    expect(r.takeDue(T0)[0]!.alerts.map((a) => a.rule)).toEqual(['flapping']);
    r.ingest([], [open(flap, 'flapping'), open(silentOutage)], T0 + 1000, never);
    expect(r.takeDue(T0 + 1000)).toEqual([]);
    const stopped = ev('a', 'flapping', {
      severity: 'info',
      message: 'a stopped flapping',
      data: { stopped: true },
    });
    r.ingest([stopped], [], T0 + 2000, never);
    expect(r.takeDue(T0 + 2000)[0]!.alerts[0]).toMatchObject({
      status: 'resolved',
      message: 'a stopped flapping',
    });
  });

  it('a whole-host problem is one alert; its state (announced, waiting) survives a restart', () => {
    const r = new Router([route()]);
    const dir = ev(undefined, 'heartbeat-dir');
    r.ingest([dir], [{ key: 'heartbeat-dir/heartbeat-dir', kind: 'level', event: dir }], T0, never);
    const saved = JSON.parse(JSON.stringify(r.takeDirtyState()));
    const again = new Router([route()], saved);
    expect(again.takeDue(T0 + 10_000)[0]!.alerts.map((a) => a.rule)).toEqual(['heartbeat-dir']);
    again.ingest([], [], T0 + 20_000, never);
    expect(again.takeDue(T0 + 30_000)[0]!.alerts[0]!.status).toBe('resolved');
  });

  it('titles say what fires, how many, on which host', () => {
    const a = {
      status: 'firing',
      reminder: false,
      severity: 'error',
      rule: 'crashed',
      reason: null,
      since: '',
      durationMs: null,
      eventId: '1',
    } as const;
    expect(titleFor('box', [{ ...a, daemon: 'a', message: 'a is down' }])).toBe(
      '[box] FIRING: a is down',
    );
    const many = 'abcdef'.split('').map((d) => ({ ...a, daemon: d, message: `${d} is down` }));
    expect(titleFor('box', many)).toBe('[box] FIRING 6: a, b, c, d +2');
  });
});
