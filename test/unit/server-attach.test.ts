// The glue between the monitor and the API: /api/events from the ring when
// the ring holds every match, from the log otherwise; API access records
// batched into the audit log, a flood summarised.
import { describe, expect, it } from '@jest/globals';
import type { HbEvent } from '../../src/core/types.js';
import type { AuditEntry } from '../../src/runtime/audit.js';
import { monitorEventStore, type MonitorLike } from '../../src/server/attach.js';
import { AccessAuditBuffer } from '../../src/server/auditSink.js';
import { parseEventQuery } from '../../src/server/query.js';
import { event } from '../helpers/server-fixtures.js';

function fakeMonitor(ring: HbEvent[], log: HbEvent[]) {
  const calls: unknown[] = [];
  const m: MonitorLike = {
    recentEvents: () => ring,
    eventLog: {
      query: (q) => {
        calls.push(q);
        return log.slice(-(q.limit ?? log.length));
      },
      append: () => {},
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
    const { m, calls } = fakeMonitor(log.slice(), log);
    expect(await monitorEventStore(m, 100).query(q('limit=3'))).toEqual(log.slice(-3));
    expect(calls).toEqual([]);
  });

  it('answers from the ring when it has enough matches, from the log when not', async () => {
    const ring = log.slice(-4);
    const { m, calls } = fakeMonitor(ring, log);
    const store = monitorEventStore(m, 4);
    expect(await store.query(q('limit=2'))).toEqual(log.slice(-2));
    expect(calls).toEqual([]);
    expect(await store.query(q('limit=8'))).toEqual(log.slice(-8));
    expect(calls).toEqual([{ since: null, severity: null, daemon: null, rule: null, limit: 8 }]);
    // A `since` inside the ring's time span is complete from the ring.
    expect(await store.query(q('since=150s'))).toEqual(log.slice(-2));
    expect(calls).toHaveLength(1);
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
