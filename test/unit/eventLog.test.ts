import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { HbEvent } from '../../src/core/types.js';
import { AuditLog, fileSha256 } from '../../src/store/audit.js';
import { EventLog, followFile, logMark } from '../../src/store/eventLog.js';
import { STATE_FILES } from '../../src/store/paths.js';
import { loadState, saveState } from '../../src/store/stateStore.js';
import { DAY_MS, HOUR_MS, MAX_HELD_LINES, UptimeLog } from '../../src/store/uptimeLog.js';
import { until } from '../helpers/wait.js';
import { EVENT_T0, ev } from '../helpers/events.js';

const T = EVENT_T0;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-log-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('EventLog', () => {
  const opts = { rotateBytes: 10 * 1024 * 1024, keep: 5, retentionDays: 14 };

  it('appends sanitized JSON lines and reads them back, repeats merged by id', () => {
    const log = new EventLog(dir, opts);
    log.append([
      ev(1, { message: 'token=abcd1234secret \u001b[31mred', data: { password: 'hunter2' } }),
      ev(2),
    ]);
    log.append([ev(1, { data: { count: 3 } })]);
    log.flush();
    const text = fs.readFileSync(path.join(dir, STATE_FILES.events), 'utf8');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('abcd1234secret');
    expect(text).not.toContain('\u001b');
    expect(text.trim().split('\n')).toHaveLength(3);
    const all = log.query();
    expect(all.map((e) => e.id)).toEqual(['1', '2']);
    expect(all[0]!.data).toEqual({ count: 3 });
    expect(log.maxId()).toBe(2);
    log.close();
  });

  it.each([
    ['password key', { data: { password: 'pw-SECRET-1' } }, 'pw-SECRET-1'],
    ['nested api_key', { data: { deep: { a: [{ api_key: 'k-SECRET-2' }] } } }, 'k-SECRET-2'],
    ['Authorization key', { data: { Authorization: 'Basic SECRET3xyz' } }, 'SECRET3xyz'],
    ['cookie key', { data: { cookie: 'sid=SECRET4' } }, 'SECRET4'],
    ['private_key key', { data: { private_key: 'SECRET5' } }, 'SECRET5'],
    ['credential key', { data: { credential: 'SECRET6' } }, 'SECRET6'],
    ['Bearer token in text', { message: 'sent Bearer abcdefghSECRET7' }, 'abcdefghSECRET7'],
    [
      'JWT in text',
      { message: 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SECRET8sig' },
      'SECRET8sig',
    ],
    ['AWS key in text', { message: 'key AKIAIOSFODNN7EXAMPLE used' }, 'AKIAIOSFODNN7EXAMPLE'],
    [
      'PEM block in data',
      { data: { note: '-----BEGIN PRIVATE KEY-----\nMIISECRET9\n-----END PRIVATE KEY-----' } },
      'MIISECRET9',
    ],
    ['URL credentials', { message: 'connect postgres://app:SECRET10@db:5432/x' }, 'SECRET10'],
    ['ESC sequence', { message: 'clear \u001b[2J screen' }, '\u001b'],
    ['bidi override', { daemon: 'evil\u202eexe.sh' }, '\u202e'],
  ])('never writes a hostile payload raw: %s', (_name, over, forbidden) => {
    const log = new EventLog(dir, opts);
    log.append([ev(1, over as Partial<HbEvent>)]);
    log.close();
    const raw = fs.readFileSync(log.file, 'utf8');
    // JSON escapes control characters on its own; the decoded text must be clean too.
    const e = JSON.parse(raw) as HbEvent;
    expect(raw).not.toContain(forbidden);
    expect(`${e.daemon ?? ''} ${e.message} ${JSON.stringify(e.data ?? {})}`).not.toContain(
      forbidden,
    );
  });

  it('query filters by since, severity, daemon and limit', () => {
    const log = new EventLog(dir, opts);
    log.append([ev(1, { severity: 'info' }), ev(2, { severity: 'error', daemon: 'db' }), ev(3)]);
    expect(log.query({ severity: 'warn' }).map((e) => e.id)).toEqual(['2', '3']);
    expect(log.query({ daemon: 'db' }).map((e) => e.id)).toEqual(['2']);
    expect(log.query({ sinceMs: T + 2000 }).map((e) => e.id)).toEqual(['2', '3']);
    expect(log.query({ limit: 1 }).map((e) => e.id)).toEqual(['3']);
    log.close();
  });

  it('rotates by size, keeps `keep` files, and queries across rotations', () => {
    const log = new EventLog(dir, { ...opts, rotateBytes: 1000, keep: 2 });
    for (let i = 1; i <= 60; i++) log.append([ev(i)]);
    log.flush();
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.startsWith(STATE_FILES.events))
      .sort();
    expect(files).toEqual([
      STATE_FILES.events,
      `${STATE_FILES.events}.1`,
      `${STATE_FILES.events}.2`,
    ]);
    for (const f of files) expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(1000);
    const ids = log.query().map((e) => Number(e.id));
    // The oldest fell off with the third rotation; what remains is contiguous and ends at 60.
    expect(ids.at(-1)).toBe(60);
    expect(ids[0]).toBeGreaterThan(1);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => ids[0]! + i));
    expect(EventLog.readQuery(dir).map((e) => e.id)).toEqual(ids.map(String));
    log.close();
  });

  it('deletes rotated files older than the retention, never the current file', () => {
    const now = T + 30 * DAY_MS;
    const base = path.join(dir, STATE_FILES.events);
    fs.writeFileSync(base, `${JSON.stringify(ev(9))}\n`);
    fs.writeFileSync(`${base}.1`, `${JSON.stringify(ev(5))}\n`);
    fs.writeFileSync(`${base}.2`, `${JSON.stringify(ev(1))}\n`);
    const old = (now - 20 * DAY_MS) / 1000;
    const recent = (now - 2 * DAY_MS) / 1000;
    fs.utimesSync(base, old, old);
    fs.utimesSync(`${base}.1`, recent, recent);
    fs.utimesSync(`${base}.2`, old, old);
    const log = new EventLog(dir, { ...opts, now: () => now });
    expect(fs.existsSync(`${base}.2`)).toBe(false);
    expect(fs.existsSync(`${base}.1`)).toBe(true);
    expect(fs.existsSync(base)).toBe(true);
    expect(log.query().map((e) => e.id)).toEqual(['5', '9']);
    log.close();
  });

  it('deletes rotations numbered past keep (keep was lowered)', () => {
    const base = path.join(dir, STATE_FILES.events);
    for (const n of [1, 2, 3, 4]) fs.writeFileSync(`${base}.${n}`, `${JSON.stringify(ev(n))}\n`);
    const log = new EventLog(dir, { ...opts, keep: 2 });
    expect(log.files().map((f) => path.basename(f))).toEqual([
      `${STATE_FILES.events}.2`,
      `${STATE_FILES.events}.1`,
      STATE_FILES.events,
    ]);
    log.close();
  });

  it('skips a torn last line (writer killed mid-write)', () => {
    const base = path.join(dir, STATE_FILES.events);
    fs.writeFileSync(base, `${JSON.stringify(ev(1))}\n{"id":"2","at":"20`);
    expect(EventLog.readQuery(dir).map((e) => e.id)).toEqual(['1']);
  });

  it('follow sees new events, across a rotation', async () => {
    const log = new EventLog(dir, { ...opts, rotateBytes: 400, keep: 3 });
    log.append([ev(1)]);
    const seen: string[] = [];
    const stop = followFile(log.file, { severity: 'warn' }, (e) => seen.push(e.id), {
      intervalMs: 20,
    });
    try {
      log.append([ev(2), ev(3, { severity: 'info' })]);
      await until(() => seen.includes('2'), 'event 2 followed');
      for (let i = 4; i <= 8; i++) log.append([ev(i)]);
      await until(() => seen.includes('8'), 'event 8 followed');
      expect(seen).not.toContain('1');
      expect(seen).not.toContain('3');
    } finally {
      stop();
      log.close();
    }
  });

  it('follow from a mark: what was logged after it, but not what `skip` already printed', () => {
    const log = new EventLog(dir, opts);
    log.append([ev(1)]);
    log.flush();
    const mark = logMark(log.file);
    // Logged between the mark and the follow (a history read in between printed 2, not 3).
    log.append([ev(2), ev(3)]);
    log.flush();
    const seen: string[] = [];
    const stop = followFile(log.file, {}, (e) => seen.push(e.id), {
      from: mark,
      skip: (e) => e.id === '2',
    });
    stop();
    log.close();
    // Started from the file's end, the follow would have lost 3.
    expect(seen).toEqual(['3']);
  });

  it('follow from no mark (no log yet) reads the log from its start', () => {
    const file = path.join(dir, STATE_FILES.events);
    const mark = logMark(file);
    expect(mark).toBeNull();
    fs.writeFileSync(file, `${JSON.stringify(ev(1))}\n`);
    const seen: string[] = [];
    followFile(file, {}, (e) => seen.push(e.id), { from: mark })();
    expect(seen).toEqual(['1']);
  });
});

describe('EventLog queries read newest first', () => {
  /** A log of `n` events over three rotations, with repeat lines for earlier ids appended later. */
  function seed(n: number): void {
    const lines: string[] = [];
    for (let id = 1; id <= n; id++) {
      const e = ev(id, {
        daemon: `d${id % 7}`,
        severity: id % 5 === 0 ? 'error' : 'warn',
        message: `event ${id} ${'x'.repeat(id % 300)}`,
      });
      lines.push(JSON.stringify(e));
      // An open condition counted again much later: the same id, a higher count.
      if (id % 97 === 0 && id > 400) {
        const old = ev(id - 400, { daemon: `d${(id - 400) % 7}`, message: `event ${id - 400}` });
        old.severity = (id - 400) % 5 === 0 ? 'error' : 'warn';
        lines.push(JSON.stringify({ ...old, data: { count: id, lastAt: e.at } }));
      }
    }
    lines.splice(1200, 0, 'not json at all', JSON.stringify({ id: '7', at: 'x' }));
    const third = Math.floor(lines.length / 3);
    const parts = [lines.slice(0, third), lines.slice(third, 2 * third), lines.slice(2 * third)];
    const names = [`${STATE_FILES.events}.2`, `${STATE_FILES.events}.1`, STATE_FILES.events];
    parts.forEach((p, i) => fs.writeFileSync(path.join(dir, names[i]!), `${p.join('\n')}\n`));
  }

  /** The answer of a full read: every line, the last per id, then filtered, the newest `limit`. */
  function expected(q: Parameters<EventLog['query']>[0]): HbEvent[] {
    const all = EventLog.readQuery(dir, {});
    const hit = all.filter(
      (e) =>
        (!q?.daemon || e.daemon === q.daemon) &&
        (!q?.severity || e.severity === 'error' || q.severity === 'warn') &&
        (q?.sinceMs == null || Date.parse(e.at) >= q.sinceMs),
    );
    return q?.limit == null ? hit : hit.slice(Math.max(0, hit.length - q.limit));
  }

  it.each([
    ['limit 100', { limit: 100 }],
    ['limit 1', { limit: 1 }],
    ['daemon and limit', { daemon: 'd3', limit: 50 }],
    ['severity and limit, past repeat lines', { severity: 'error' as const, limit: 700 }],
    ['since, no limit', { sinceMs: T + 4000 * 1000 }],
    ['since and a daemon', { sinceMs: T + 1000 * 1000, daemon: 'd5', limit: 1000 }],
    ['a limit beyond the log', { limit: 100_000 }],
  ])('%s: the same answer as a full read', async (_label, q) => {
    seed(5000);
    const want = expected(q);
    expect(want.length).toBeGreaterThan(0);
    expect(EventLog.readQuery(dir, q)).toEqual(want);
    const log = new EventLog(dir, { rotateBytes: 100 * 1024 * 1024, keep: 5, retentionDays: 14 });
    expect(await log.queryAsync(q)).toEqual(want);
    log.close();
  });

  it('stops at the limit: the oldest rotation (with its two bad lines) is never read', () => {
    seed(5000);
    const r = EventLog.readQueryReport(dir, { limit: 100 });
    expect(r.events.map((e) => e.id)).toEqual(
      Array.from({ length: 100 }, (_, i) => String(4901 + i)),
    );
    expect(r.problems.invalid).toBe(0);
  });

  it('counts unreadable lines and skips a line too long to read', () => {
    seed(3000);
    const huge = JSON.stringify(ev(2999_999, { message: 'y'.repeat(1100 * 1024) }));
    fs.appendFileSync(path.join(dir, STATE_FILES.events), `${huge}\n${JSON.stringify(ev(3001))}`);
    const r = EventLog.readQueryReport(dir, { limit: 3000 });
    expect(r.events.at(-1)!.id).toBe('3001');
    expect(r.events.some((e) => e.id === '2999999')).toBe(false);
    expect(r.problems).toMatchObject({ invalid: 2, oversized: 1 });
  });
});

describe('UptimeLog and availability', () => {
  it('computes availability over a window, late counted as available', () => {
    const u = new UptimeLog(dir, T);
    u.record('relay', 'up', T);
    u.record('relay', 'down', T + 30 * 60_000);
    u.record('relay', 'late', T + 45 * 60_000);
    u.record('relay', 'up', T + 50 * 60_000);
    u.flush();
    expect(u.availability('relay', HOUR_MS, T + HOUR_MS)).toBeCloseTo(0.75, 6);
    expect(u.availability('nobody', HOUR_MS, T + HOUR_MS)).toBeNull();
    u.close();
  });

  it('survives a restart; time while the monitor was stopped counts for nothing', () => {
    const a = new UptimeLog(dir, T);
    a.markStart(T);
    a.record('relay', 'up', T);
    a.markStop(T + 10 * 60_000);
    a.close();
    const b = new UptimeLog(dir, T + 40 * 60_000);
    b.markStart(T + 40 * 60_000);
    b.record('relay', 'up', T + 40 * 60_000); // unchanged: not written again
    b.record('relay', 'down', T + 50 * 60_000);
    b.flush();
    // Over the hour: up 10 min before the stop, up 10 min after the start, down 10 min.
    expect(b.availability('relay', HOUR_MS, T + HOUR_MS)).toBeCloseTo(20 / 30, 6);
    const s = b.summary('relay', T + HOUR_MS);
    expect(s.h24).toBeCloseTo(20 / 30, 6);
    expect(s.d7).toBeCloseTo(20 / 30, 6);
    b.close();
    const lines = fs.readFileSync(path.join(dir, STATE_FILES.uptime), 'utf8').trim().split('\n');
    expect(lines.filter((l) => l.includes('"daemon"'))).toHaveLength(2);
  });
});

describe('UptimeLog while the disk refuses writes', () => {
  it('holds at most MAX_HELD_LINES records, then rewrites the file from memory, availability intact', () => {
    const log = new UptimeLog(dir, T);
    // Unflushed (as while every flush fails): 30 daemons flapping, 15,000 flips.
    for (let i = 0; i < 15_000; i++) {
      log.record(`d${i % 30}`, i % 60 < 30 ? 'up' : 'down', T + i * 1000);
    }
    expect(log.held).toBe(MAX_HELD_LINES);
    const before = log.summary('d7', T + 15_000 * 1000);
    log.flush(T + 15_000 * 1000);
    expect(log.held).toBe(0);
    log.record('d7', 'late', T + 15_001 * 1000);
    log.close();
    const lines = fs.readFileSync(path.join(dir, STATE_FILES.uptime), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(15_000 + 1);
    const again = new UptimeLog(dir, T + 15_000 * 1000);
    expect(again.summary('d7', T + 15_000 * 1000)).toEqual(before);
  });
});

describe('UptimeLog compaction', () => {
  it('drops flips older than the week, keeping the one in force, and availability is unchanged', () => {
    const file = path.join(dir, STATE_FILES.uptime);
    const lines: string[] = [];
    // 12,000 flips three weeks ago (a daemon that flapped), then steady for the last week.
    const old = T - 21 * DAY_MS;
    for (let i = 0; i < 12_000; i++) {
      lines.push(
        JSON.stringify({
          at: new Date(old + i * 1000).toISOString(),
          daemon: 'relay',
          status: i % 2 ? 'down' : 'up',
        }),
      );
    }
    lines.push(
      JSON.stringify({
        at: new Date(T - 3 * DAY_MS).toISOString(),
        daemon: 'relay',
        status: 'down',
      }),
    );
    lines.push(
      JSON.stringify({ at: new Date(T - 2 * DAY_MS).toISOString(), daemon: 'relay', status: 'up' }),
    );
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const u = new UptimeLog(dir, T);
    const after = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(after.length).toBeLessThan(10);
    // The week: 4 days "down" (the old flip still in force), 1 day down, 2 days up.
    expect(u.availability('relay', 7 * DAY_MS, T)).toBeCloseTo(2 / 7, 6);
    u.record('relay', 'down', T);
    u.close();
    expect(fs.readFileSync(file, 'utf8').trim().split('\n').at(-1)).toContain('"status":"down"');
  });
});

describe('state store', () => {
  it('saves atomically and loads back', () => {
    saveState(dir, { version: 1, savedAt: 'x', rules: { a: 1 }, engine: null });
    const r = loadState(dir, T);
    expect(r).toEqual({
      kind: 'loaded',
      state: { version: 1, savedAt: 'x', rules: { a: 1 }, engine: null },
    });
    expect(fs.readdirSync(dir)).toEqual([STATE_FILES.state]);
  });

  it.each([
    ['truncated JSON', '{"version":1,"rules":{"nextId'],
    ['not a state file', '{"hello":"world"}'],
    ['empty', ''],
  ])('moves a corrupt file aside (%s)', (_name, text) => {
    fs.writeFileSync(path.join(dir, STATE_FILES.state), text);
    const r = loadState(dir, T);
    expect(r.kind).toBe('corrupt');
    if (r.kind !== 'corrupt') return;
    expect(fs.existsSync(path.join(dir, STATE_FILES.state))).toBe(false);
    expect(fs.readFileSync(r.movedTo, 'utf8')).toBe(text);
  });

  it('a missing file is a fresh start', () => {
    expect(loadState(dir, T)).toEqual({ kind: 'fresh' });
  });
});

describe('AuditLog', () => {
  it('records start, stop, config errors and API access, sanitized', () => {
    const cfg = path.join(dir, '.heartbeatrc');
    fs.writeFileSync(cfg, 'pollInterval: 5\n');
    const audit = new AuditLog(dir, () => T);
    audit.recordStart({ configFile: cfg, command: 'watch' });
    audit.recordConfigError({ file: cfg, message: 'pollInterval: must be positive' });
    audit.record({
      kind: 'api',
      method: 'GET',
      path: '/api/status?token=s3cr3tvalue',
      status: 200,
      authorization: 'Bearer abc.def',
    });
    audit.recordStop({ reason: 'SIGTERM' });
    audit.close();
    const recs = audit.readAll();
    expect(recs.map((r) => r.kind)).toEqual(['start', 'config-error', 'api', 'stop']);
    expect(recs[0]).toMatchObject({
      pid: process.pid,
      configFile: cfg,
      configSha256: fileSha256(cfg),
    });
    expect(recs[0]!.configSha256).toMatch(/^[0-9a-f]{64}$/);
    const text = fs.readFileSync(audit.file, 'utf8');
    expect(text).not.toContain('s3cr3tvalue');
    expect(text).not.toContain('abc.def');
  });
});
