import { afterEach, describe, expect, it } from '@jest/globals';
import {
  classifyFileName,
  MAX_HEARTBEAT_BYTES,
  parseHeartbeatFile,
  parsePid,
  parseTimestamp,
} from '../../src/core/heartbeatFile.js';
import { hasControlChars } from '../../src/core/format.js';
import type { HeartbeatFileObservation } from '../../src/core/types.js';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const limits = { nowMs: NOW, maxFutureMs: 2000 };

function obs(
  kind: HeartbeatFileObservation['kind'],
  content: string | null,
  extra: Partial<HeartbeatFileObservation> = {},
): HeartbeatFileObservation {
  return {
    name: 'relayCore',
    kind,
    path: `/hb/relayCore.${kind === 'touch' ? 'hb' : kind === 'pidfile' ? 'pid' : 'json'}`,
    mtimeMs: NOW - 1000,
    size: content === null ? 0 : Buffer.byteLength(content),
    content,
    truncated: false,
    fault: null,
    ...extra,
  };
}

describe('classifyFileName', () => {
  it.each([
    ['relayCore.json', { daemon: true, name: 'relayCore', kind: 'json' }],
    ['backup.hb', { daemon: true, name: 'backup', kind: 'touch' }],
    ['backup.heartbeat', { daemon: true, name: 'backup', kind: 'touch' }],
    ['nginx.pid', { daemon: true, name: 'nginx', kind: 'pidfile' }],
    ['my.svc.json', { daemon: true, name: 'my.svc', kind: 'json' }],
    ['evil\x1b[31m.json', { daemon: true, name: 'evil\x1b[31m', kind: 'json' }],
  ])('%j is a daemon file', (file, expected) => {
    expect(classifyFileName(file)).toEqual(expected);
  });

  it.each([
    ['.hidden.json', 'dotfile'],
    ['.relayCore.json.x', 'dotfile'],
    ['relayCore.json.tmp', 'backup or temp file'],
    ['relayCore.json.12345', 'not a heartbeat file name'],
    ['relayCore.json.1a2b3c4d', 'not a heartbeat file name'],
    ['relayCore.json~', 'backup or temp file'],
    ['relayCore.json.swp', 'backup or temp file'],
    ['relayCore.json.bak', 'backup or temp file'],
    ['relayCore.json.orig', 'backup or temp file'],
    ['README.md', 'not a heartbeat file name'],
    ['.json', 'dotfile'],
    ['notes.txt', 'not a heartbeat file name'],
  ])('%j is ignored (%s)', (file, reason) => {
    expect(classifyFileName(file)).toEqual({ daemon: false, reason });
  });
});

describe('parseTimestamp and parsePid', () => {
  it.each([
    ['2026-11-27T11:59:59Z', NOW - 1000],
    ['2026-11-27T11:59:59.500Z', NOW - 500],
    ['2026-11-27T13:59:59+02:00', NOW - 1000],
    [NOW - 1000, NOW - 1000],
    [String(NOW - 1000), NOW - 1000],
  ])('accepts %p', (value, ms) => {
    expect(parseTimestamp(value, limits)).toEqual({ ok: true, ms });
  });

  it.each([
    ['yesterday', /not ISO-8601/],
    [true, /must be an ISO-8601 string or epoch ms/],
    [null, /must be an ISO-8601 string or epoch ms/],
    [Math.floor(NOW / 1000), /absurd.*epoch seconds/],
    [0, /absurd/],
    [NOW + 60_000, /60s in the future/],
    ['2026-13-45T99:00:00Z', /not a date/],
  ])('rejects %p', (value, problem) => {
    const r = parseTimestamp(value, limits);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problem).toMatch(problem);
  });

  describe('date-times without a UTC offset', () => {
    const savedTz = process.env.TZ;
    afterEach(() => {
      if (savedTz === undefined) delete process.env.TZ;
      else process.env.TZ = savedTz;
    });

    it.each([['UTC'], ['Asia/Tokyo'], ['America/New_York']])(
      'are refused with the fix, the same way under TZ=%s',
      (tz) => {
        process.env.TZ = tz;
        for (const ts of [
          '2026-11-27 11:59:59',
          '2026-11-27T11:59:59',
          '2026-11-27T11:59:59.123456',
          '2026-11-27T11:59',
        ]) {
          const r = parseTimestamp(ts, limits);
          expect(r).toEqual({ ok: false, problem: expect.stringContaining('has no UTC offset') });
          expect(r.ok ? '' : r.problem).toContain('datetime.now(timezone.utc).isoformat()');
        }
        // With an offset it is one instant in every zone.
        expect(parseTimestamp('2026-11-27T20:59:59+09:00', limits)).toEqual({
          ok: true,
          ms: NOW - 1000,
        });
        expect(parseTimestamp('2026-11-27 11:59:59.5+00:00', limits)).toEqual({
          ok: true,
          ms: NOW - 500,
        });
      },
    );
  });

  it.each([
    [1234, { ok: true, pid: 1234 }],
    [' 42 ', { ok: true, pid: 42 }],
    [-5, { ok: false, problem: 'pid -5 is negative' }],
    ['-5', { ok: false, problem: 'pid -5 is negative' }],
    [0, { ok: false, problem: 'pid 0 is not a process' }],
    [1.5, { ok: false, problem: 'pid 1.5 is not an integer' }],
    ['abc', { ok: false, problem: 'pid is not a number: "abc"' }],
    [99_999_999, { ok: false, problem: 'pid 99999999 is above the pid limit 4194304' }],
  ])('parsePid(%p)', (value, expected) => {
    expect(parsePid(value)).toEqual(expected);
  });
});

describe('parseHeartbeatFile', () => {
  it('reads a full JSON heartbeat and keeps unknown fields untrusted in extra', () => {
    const doc = {
      name: 'relayCore',
      pid: 4242,
      ts: new Date(NOW - 1000).toISOString(),
      interval: 10,
      status: 'degraded',
      seq: 7,
      message: 'queue deep',
      uptime: 3600,
      ping: { target: 'db', ms: 3.2, ok: true },
      meta: { region: 'eu' },
      mystery: { nested: 1 },
    };
    const p = parseHeartbeatFile(obs('json', JSON.stringify(doc)), limits);
    expect(p.fault).toBeNull();
    expect(p.pid).toBe(4242);
    expect(p.heartbeat).toEqual({
      tsMs: NOW - 1000,
      pid: 4242,
      intervalSec: 10,
      status: 'degraded',
      seq: 7,
      message: 'queue deep',
      uptimeSec: 3600,
      ping: { target: 'db', ms: 3.2, ok: true },
      mtimeMs: NOW - 1000,
      extra: { mystery: { nested: 1 }, meta: { region: 'eu' } },
    });
    expect(p.payload).toEqual(doc);
  });

  it('accepts the minimal heartbeat {ts} with epoch ms', () => {
    const p = parseHeartbeatFile(obs('json', `{"ts": ${NOW}}`), limits);
    expect(p.fault).toBeNull();
    expect(p.heartbeat?.tsMs).toBe(NOW);
    expect(p.pid).toBeNull();
  });

  it('warns (without failing) when the name field disagrees with the file name', () => {
    const p = parseHeartbeatFile(obs('json', JSON.stringify({ ts: NOW, name: 'other' })), limits);
    expect(p.fault).toBeNull();
    expect(p.warnings).toEqual(['name field "other" differs from the file name']);
  });

  const ts = new Date(NOW - 1000).toISOString();
  it.each([
    ['empty file', obs('json', ''), /empty/],
    ['truncated JSON (mid-write)', obs('json', `{"ts": "${ts}", "pid": 12`), /truncated JSON/],
    ['malformed JSON', obs('json', `{ts: ${NOW}}`), /malformed JSON/],
    ['an array', obs('json', '[1,2]'), /must be a JSON object, got an array/],
    ['a string', obs('json', '"hello"'), /must be a JSON object, got a string/],
    ['no ts', obs('json', '{"pid": 12}'), /has no ts/],
    ['ts of the wrong type', obs('json', '{"ts": true}'), /ts must be/],
    ['ts in the future', obs('json', JSON.stringify({ ts: NOW + 3_600_000 })), /in the future/],
    ['absurd ts', obs('json', JSON.stringify({ ts: 12345 })), /absurd/],
    ['negative pid', obs('json', JSON.stringify({ ts, pid: -7 })), /pid -7 is negative/],
    ['non-numeric pid', obs('json', JSON.stringify({ ts, pid: 'abc' })), /pid is not a number/],
    [
      'pid as a numeric string',
      obs('json', JSON.stringify({ ts, pid: '12' })),
      /pid must be a number/,
    ],
    ['status out of range', obs('json', JSON.stringify({ ts, status: 'great' })), /field status/],
    [
      'interval of the wrong type',
      obs('json', JSON.stringify({ ts, interval: '5' })),
      /field interval/,
    ],
    ['negative interval', obs('json', JSON.stringify({ ts, interval: -1 })), /field interval/],
    ['seq not an integer', obs('json', JSON.stringify({ ts, seq: 1.5 })), /field seq/],
    [
      'ping without ok',
      obs('json', JSON.stringify({ ts, ping: { target: 'x', ms: 1 } })),
      /field ping\.ok/,
    ],
    ['meta not an object', obs('json', JSON.stringify({ ts, meta: 5 })), /field meta/],
    [
      'oversize file',
      obs('json', null, { size: MAX_HEARTBEAT_BYTES * 4, truncated: true }),
      /too large: 262144 bytes \(limit 65536\)/,
    ],
    [
      'binary content',
      obs('json', null, { fault: 'binary content (NUL bytes)' }),
      /binary content/,
    ],
    ['symlink', obs('json', null, { fault: 'is a symlink (not followed)' }), /symlink/],
    ['directory', obs('json', null, { fault: 'is a directory' }), /directory/],
    ['unreadable', obs('json', null, { fault: 'unreadable: EACCES' }), /unreadable: EACCES/],
    [
      'control characters in the name',
      obs('json', JSON.stringify({ ts }), { name: 'evil\x1b[2J' }),
      /control characters: "evil\\x1b\[2J"/,
    ],
    ['negative pid in a pidfile', obs('pidfile', '-12\n'), /pidfile pid -12 is negative/],
    ['garbage pidfile', obs('pidfile', 'hello\n'), /pidfile pid is not a number/],
    ['empty pidfile', obs('pidfile', ''), /pidfile is empty/],
  ])('reports %s as a fault, never throwing', (_label, observation, fault) => {
    const p = parseHeartbeatFile(observation, limits);
    expect(p.fault).toMatch(fault);
    expect(p.heartbeat).toBeNull();
    // Faults are shown on terminals: they carry no raw control characters.
    expect(hasControlChars(p.fault ?? '')).toBe(false);
  });

  it('takes a touch file mtime as the beat and keeps a timestamp body for display only', () => {
    const empty = parseHeartbeatFile(obs('touch', ''), limits);
    expect(empty.fault).toBeNull();
    expect(empty.heartbeat?.tsMs).toBe(NOW - 1000);
    const stamped = parseHeartbeatFile(obs('touch', `${NOW - 30_000}\n`), limits);
    expect(stamped.heartbeat?.tsMs).toBe(NOW - 1000);
    expect(stamped.heartbeat?.extra).toEqual({ contentTs: new Date(NOW - 30_000).toISOString() });
    const junk = parseHeartbeatFile(obs('touch', 'ok\n'), limits);
    expect(junk.heartbeat?.tsMs).toBe(NOW - 1000);
    expect(junk.warnings).toEqual(['touch file content is not a timestamp (ignored)']);
  });

  it('flags a touch file dated in the future', () => {
    const p = parseHeartbeatFile(obs('touch', '', { mtimeMs: NOW + 600_000 }), limits);
    expect(p.fault).toMatch(/600s in the future/);
  });

  it('reads a pid from the first line of a pidfile', () => {
    const p = parseHeartbeatFile(obs('pidfile', '4321\nextra\n'), limits);
    expect(p.fault).toBeNull();
    expect(p.pid).toBe(4321);
    expect(p.heartbeat).toBeNull();
  });
});
