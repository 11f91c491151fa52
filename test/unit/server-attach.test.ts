// The glue between the monitor and the API: /api/events from the ring when
// the ring holds every match, from the log otherwise; API access records
// batched into the audit log, a flood summarised.
import { describe, expect, it } from '@jest/globals';
import { EventRing } from '../../src/core/events/index.js';
import type { HbEvent } from '../../src/core/types.js';
import type { AuditEntry } from '../../src/store/audit.js';
import { defaultConfig } from '../../src/config/schema.js';
import {
  attachApi,
  dropEvent,
  monitorEventStore,
  type MonitorLike,
} from '../../src/server/attach.js';
import { AccessAuditBuffer } from '../../src/server/auditSink.js';
import { parseEventQuery } from '../../src/server/query.js';
import { event, FakeFeed, snapshot } from '../helpers/server-fixtures.js';

function ringOf(events: readonly HbEvent[], capacity: number): EventRing {
  const ring = new EventRing(capacity);
  for (const e of events) ring.push(e);
  return ring;
}

function fakeMonitor(ring: EventRing, log: HbEvent[]) {
  const calls: unknown[] = [];
  const m: MonitorLike = {
    events: ring,
    raise: (e) => ({ ...e, id: '1', at: new Date().toISOString() }),
    eventLog: {
      query: (q) => {
        calls.push(q);
        return log.slice(-(q.limit ?? log.length));
      },
    },
    audit: { recordMany: () => {}, record: () => ({}) },
  };
  return { m, calls };
}

const q = (s: string) => parseEventQuery(new URLSearchParams(s), Date.now());

describe('monitorEventStore', () => {
  const log = Array.from({ length: 10 }, (_, i) =>
    event({ at: new Date(Date.now() - (10 - i) * 60_000).toISOString() }),
  );

  it('answers from the ring while it is not full (it then holds the whole log)', async () => {
    const { m, calls } = fakeMonitor(ringOf(log, 100), log);
    expect(await monitorEventStore(m).query(q('limit=3'))).toEqual(log.slice(-3));
    expect(calls).toEqual([]);
  });

  it('answers from the ring when it has enough matches, from the log when not', async () => {
    const { m, calls } = fakeMonitor(ringOf(log, 4), log);
    const store = monitorEventStore(m);
    expect(await store.query(q('limit=2'))).toEqual(log.slice(-2));
    expect(calls).toEqual([]);
    expect(await store.query(q('limit=8'))).toEqual(log.slice(-8));
    expect(calls).toEqual([{ sinceMs: null, severity: null, daemon: null, rule: null, limit: 8 }]);
    // A `since` inside the ring's time span is complete from the ring.
    expect(await store.query(q('since=150s'))).toEqual(log.slice(-2));
    expect(calls).toHaveLength(1);
  });
});

describe('dashboard push drops', () => {
  it('are raised through the monitor (its ids, its log, its stream), not appended on the side', async () => {
    const raised: Array<Omit<HbEvent, 'id' | 'at'>> = [];
    const appended: HbEvent[][] = [];
    const monitor: MonitorLike & { eventLog: { append(e: HbEvent[]): void } } = {
      events: new EventRing(10),
      raise: (e) => {
        raised.push(e);
        return { ...e, id: String(raised.length), at: new Date().toISOString() };
      },
      eventLog: { query: () => [], append: (e) => void appended.push(e) },
      audit: { recordMany: () => {}, record: () => ({}) },
    };
    const base = defaultConfig('/tmp');
    const config = {
      ...base,
      api: { ...base.api, listen: '127.0.0.1:0' },
      // Nothing listens on the discard port: the push fails at once and is dropped.
      dashboard: { ...base.dashboard, url: 'http://127.0.0.1:9/hb', retries: 0, timeoutMs: 1000 },
    };
    const feed = new FakeFeed();
    const api = await attachApi({ config, poller: feed, monitor });
    try {
      feed.emit({ snapshot: snapshot([]), events: [] });
      await api.pusher!.flushed();
      expect(raised).toHaveLength(1);
      expect(raised[0]).toMatchObject({ severity: 'warn', rule: 'dashboard-push-dropped' });
      expect(raised[0]).not.toHaveProperty('id');
      expect(appended).toEqual([]);
    } finally {
      await api.close();
    }
  });

  it('read as one summary with the reasons', () => {
    const e = dropEvent({
      dropped: { queue_full: 3, retries_exhausted: 1, rejected: 0 },
      totalDropped: 9,
      lastError: 'ECONNREFUSED',
    });
    expect(e.message).toBe(
      'dashboard push dropped 4 updates (queue full 3, retries exhausted 1, rejected 0); last error: ECONNREFUSED',
    );
    expect(e).not.toHaveProperty('id');
  });
});

describe('AccessAuditBuffer', () => {
  const rec = (i: number) => ({
    type: 'api-access' as const,
    at: new Date().toISOString(),
    remote: '127.0.0.1',
    method: 'GET',
    path: `/api/status?n=${i}`,
    status: 200,
    auth: 'ok' as const,
    durationMs: 1,
  });

  it('writes batches with one call, and summarises a flood', () => {
    const batches: AuditEntry[][] = [];
    const buf = new AccessAuditBuffer(
      { recordMany: (e) => void batches.push([...e]) },
      { maxPending: 3 },
    );
    for (let i = 0; i < 5; i++) buf.push(rec(i));
    expect(batches).toEqual([]);
    buf.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.slice(0, 3).map((e) => [e.kind, e.path])).toEqual([
      ['api', '/api/status?n=0'],
      ['api', '/api/status?n=1'],
      ['api', '/api/status?n=2'],
    ]);
    expect(batches[0]![3]).toMatchObject({ kind: 'api', dropped: 2 });
    expect(batches[0]![0]).not.toHaveProperty('type');
  });

  it('survives a failing audit log', () => {
    const buf = new AccessAuditBuffer({
      recordMany: () => {
        throw new Error('ENOSPC');
      },
    });
    buf.push(rec(1));
    expect(() => buf.close()).not.toThrow();
    expect(buf.failures).toBe(1);
  });
});
