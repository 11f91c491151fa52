import fs, { readFileSync } from 'node:fs';
import os from 'node:os';
import dgram from 'node:dgram';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  parseChronyTracking,
  parseDurationMs,
  parseTimedatectlShow,
  parseTimesyncStatus,
} from '../../src/collectors/clock/parsers.js';
import {
  decodeSntpPacket,
  encodeSntpRequest,
  MODE_SERVER,
  readNtpTimestamp,
  writeNtpTimestamp,
} from '../../src/collectors/clock/sntp.js';
import {
  ClockCollector,
  findExecutable,
  parseServer,
  querySntp,
  querySntpBest,
  type CommandRunner,
} from '../../src/collectors/clock/collector.js';
import { defaultConfig } from '../../src/config/schema.js';

const fixture = (name: string) => readFileSync(path.resolve('test/fixtures/clock', name), 'utf8');

describe('chronyc -c tracking', () => {
  it('parses a synchronised host', () => {
    const s = parseChronyTracking(fixture('chronyc-tracking-synced.csv'))!;
    expect(s.synced).toBe(true);
    expect(s.offsetMs).toBeCloseTo(-0.000321, 9);
    expect(s.stratum).toBe(4);
    expect(s.source).toBe('chrony 169.254.169.123');
    // |offset| + dispersion + delay / 2
    expect(s.errorBoundMs).toBeCloseTo((0.000000321 + 0.000037767 + 0.000554427 / 2) * 1000, 9);
  });

  it('parses a large offset', () => {
    const s = parseChronyTracking(fixture('chronyc-tracking-offset.csv'))!;
    expect(s.offsetMs).toBeCloseTo(120.456789, 6);
    expect(s.errorBoundMs).toBeCloseTo(120.456789 + 10 + 20, 6);
  });

  it('reports "Not synchronised" as unsynced with no offset', () => {
    const s = parseChronyTracking(fixture('chronyc-tracking-unsynced.csv'))!;
    expect(s).toEqual({
      synced: false,
      offsetMs: null,
      errorBoundMs: null,
      source: 'chrony',
      stratum: null,
    });
  });

  it.each(['', '506 Cannot talk to daemon', 'a,b,c'])('returns null for %j', (text) => {
    expect(parseChronyTracking(text)).toBeNull();
  });
});

describe('timedatectl', () => {
  it('show: NTPSynchronized yes/no', () => {
    expect(parseTimedatectlShow(fixture('timedatectl-show-synced.txt')).synced).toBe(true);
    expect(parseTimedatectlShow(fixture('timedatectl-show-unsynced.txt')).synced).toBe(false);
    expect(parseTimedatectlShow('garbage').synced).toBeNull();
  });

  it('timesync-status: offset, stratum, root distance', () => {
    const s = parseTimesyncStatus(fixture('timesync-status-synced.txt'), true)!;
    expect(s.synced).toBe(true);
    expect(s.offsetMs).toBeCloseTo(-1.102, 6);
    expect(s.stratum).toBe(2);
    expect(s.errorBoundMs).toBeCloseTo(1.102 + 22.963, 6);
    expect(s.source).toBe('timedatectl 185.125.190.56 (ntp.ubuntu.com)');
  });

  it('timesync-status with no server contacted is unsynced', () => {
    const s = parseTimesyncStatus(fixture('timesync-status-unsynced.txt'), false)!;
    expect(s.synced).toBe(false);
    expect(s.offsetMs).toBeNull();
    expect(parseTimesyncStatus(fixture('timesync-status-unsynced.txt'))!.synced).toBe(false);
  });

  it.each([
    ['-1.102ms', -1.102],
    ['+345us', 0.345],
    ['1.5s', 1500],
    ['1min 4s', 64_000],
    ['nonsense', null],
  ])('duration %s', (text, ms) => {
    const got = parseDurationMs(text);
    if (ms === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(ms, 6);
  });
});

describe('SNTP packets', () => {
  it('round-trips NTP timestamps to within a microsecond', () => {
    const buf = Buffer.alloc(8);
    const ms = Date.UTC(2026, 10, 27, 12, 34, 56, 789) + 0.25;
    writeNtpTimestamp(buf, 0, ms);
    expect(Math.abs(readNtpTimestamp(buf, 0) - ms)).toBeLessThan(0.001);
  });

  it('a request is version 4, client mode, with the transmit timestamp set', () => {
    const req = encodeSntpRequest(1_700_000_000_000);
    expect(req).toHaveLength(48);
    expect(req[0]).toBe(0x23);
    expect(Math.round(readNtpTimestamp(req, 40))).toBe(1_700_000_000_000);
  });
});

/** A minimal SNTP server on loopback whose clock is `offsetMs` ahead of ours. */
function startSntpServer(
  offsetMs: number,
  opts: { stratum?: number; leap?: number; silent?: boolean } = {},
): Promise<{ port: number; close: () => void }> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    sock.on('message', (msg, rinfo) => {
      if (opts.silent) return;
      const received = Date.now() + offsetMs;
      const reply = Buffer.alloc(48);
      reply[0] = ((opts.leap ?? 0) << 6) | (4 << 3) | MODE_SERVER;
      reply[1] = opts.stratum ?? 2;
      msg.copy(reply, 24, 40, 48); // originate = client's transmit
      writeNtpTimestamp(reply, 32, received);
      writeNtpTimestamp(reply, 40, Date.now() + offsetMs);
      sock.send(reply, rinfo.port, rinfo.address);
    });
    sock.bind(0, '127.0.0.1', () =>
      resolve({ port: sock.address().port, close: () => sock.close() }),
    );
  });
}

describe('SNTP client against a loopback server', () => {
  const servers: Array<{ close: () => void }> = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });

  it.each([1234.5, -800, 0])('measures a %d ms offset within 5 ms', async (offset) => {
    const srv = await startSntpServer(offset);
    servers.push(srv);
    const m = await querySntpBest('127.0.0.1', srv.port, 2000);
    expect(Math.abs(m.offsetMs - offset)).toBeLessThan(5);
    expect(m.delayMs).toBeGreaterThanOrEqual(0);
    expect(m.stratum).toBe(2);
  });

  it('times out against a server that never answers', async () => {
    const srv = await startSntpServer(0, { silent: true });
    servers.push(srv);
    await expect(querySntp('127.0.0.1', srv.port, 200)).rejects.toThrow(/no answer within 200 ms/);
  });

  it('rejects kiss-o-death and unsynchronised servers', async () => {
    const kod = await startSntpServer(0, { stratum: 0 });
    const unsynced = await startSntpServer(0, { leap: 3 });
    servers.push(kod, unsynced);
    await expect(querySntp('127.0.0.1', kod.port, 1000)).rejects.toThrow(/kiss-o-death/);
    await expect(querySntp('127.0.0.1', unsynced.port, 1000)).rejects.toThrow(/not synchronised/);
  });

  it('decodes a server reply', async () => {
    const reply = Buffer.alloc(48);
    reply[0] = (4 << 3) | MODE_SERVER;
    reply[1] = 3;
    expect(decodeSntpPacket(reply)).toMatchObject({ mode: 4, stratum: 3, version: 4, leap: 0 });
    expect(() => decodeSntpPacket(Buffer.alloc(10))).toThrow(/too short/);
  });
});

describe('ClockCollector', () => {
  const enoent = () => Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' });
  const clockConfig = (over = {}) => ({ ...defaultConfig('/tmp').clock, ...over });

  it('prefers chronyc when it answers', async () => {
    const run: CommandRunner = async (file) => {
      if (file === 'chronyc') return fixture('chronyc-tracking-synced.csv');
      throw enoent();
    };
    const s = await new ClockCollector(clockConfig(), { run }).sample();
    expect(s.source).toMatch(/^chrony/);
  });

  it('falls back to timedatectl', async () => {
    const run: CommandRunner = async (file, args) => {
      if (file === 'timedatectl' && args[0] === 'show')
        return fixture('timedatectl-show-unsynced.txt');
      if (file === 'timedatectl') return fixture('timesync-status-unsynced.txt');
      throw enoent();
    };
    const s = await new ClockCollector(clockConfig(), { run }).sample();
    expect(s.synced).toBe(false);
    expect(s.source).toMatch(/^timedatectl/);
  });

  it('falls back to SNTP on loopback, and says "unavailable" when nothing exists', async () => {
    const run: CommandRunner = async () => {
      throw enoent();
    };
    const none = new ClockCollector(clockConfig(), { run });
    await expect(none.sample()).rejects.toThrow(/no clock source/);
    expect(none.current()).toMatchObject({ ok: false, unavailable: true });

    const srv = await startSntpServer(300);
    try {
      const c = new ClockCollector(clockConfig({ sntpServers: [`127.0.0.1:${srv.port}`] }), {
        run,
      });
      const s = await c.sample();
      expect(s.source).toBe(`sntp 127.0.0.1:${srv.port}`);
      expect(Math.abs(s.offsetMs! - 300)).toBeLessThan(5);
    } finally {
      srv.close();
    }
  });

  const noSystemd = () =>
    Object.assign(
      new Error(
        "Command failed: timedatectl show\nSystem has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down",
      ),
      { code: 1 },
    );
  const runner =
    (chronyc: () => string, timedatectl: () => string): CommandRunner =>
    async (file) =>
      file === 'chronyc' ? chronyc() : timedatectl();
  const clockCases: Array<{
    name: string;
    run: CommandRunner;
    servers?: string[];
    expected: { ok: boolean; unavailable?: boolean };
  }> = [
    {
      name: 'no chronyc, no timedatectl, no servers: unavailable (not a failure)',
      run: runner(
        () => {
          throw enoent();
        },
        () => {
          throw enoent();
        },
      ),
      expected: { ok: false, unavailable: true },
    },
    {
      name: 'timedatectl present on a host without systemd: unavailable (not a failure)',
      run: runner(
        () => {
          throw enoent();
        },
        () => {
          throw noSystemd();
        },
      ),
      expected: { ok: false, unavailable: true },
    },
    {
      name: 'chronyc present but its daemon not answering: a failure',
      run: runner(
        () => {
          throw Object.assign(new Error('506 Cannot talk to daemon'), { code: 1 });
        },
        () => {
          throw noSystemd();
        },
      ),
      expected: { ok: false, unavailable: false },
    },
    {
      name: 'configured SNTP servers that do not answer: a failure',
      run: runner(
        () => {
          throw enoent();
        },
        () => {
          throw enoent();
        },
      ),
      servers: ['192.0.2.1'],
      expected: { ok: false, unavailable: false },
    },
  ];
  it.each(clockCases)('$name', async ({ run, servers, expected }) => {
    const sntp = async () => {
      throw new Error('no answer within 2000 ms');
    };
    const c = new ClockCollector(clockConfig({ sntpServers: servers ?? [] }), { run, sntp });
    await c.sample().catch(() => undefined);
    expect(c.current()).toMatchObject(expected);
  });

  it.each([
    ['not booted with systemd: asked once (it holds until a reboot)', noSystemd, 1],
    [
      'no bus: asked again each time (the bus may come back)',
      () =>
        Object.assign(new Error('Failed to connect to bus: No such file or directory'), {
          code: 1,
        }),
      3,
    ],
  ])('timedatectl %s', async (_name, failure, expectedRuns) => {
    let runs = 0;
    const run = runner(
      () => {
        throw enoent();
      },
      () => {
        runs++;
        throw failure();
      },
    );
    const c = new ClockCollector(clockConfig(), { run });
    for (let i = 0; i < 3; i++) {
      await c.sample().catch(() => undefined);
      expect(c.current()).toMatchObject({ ok: false, unavailable: true });
    }
    expect(runs).toBe(expectedRuns);
  });

  it('a source that was answering and is gone is a failure, not "no source"', async () => {
    let present = true;
    const run: CommandRunner = async (file) => {
      if (file === 'chronyc' && present) return fixture('chronyc-tracking-synced.csv');
      throw enoent();
    };
    const c = new ClockCollector(clockConfig(), { run });
    await c.sample();
    present = false;
    await expect(c.sample()).rejects.toThrow(/no longer/);
    expect(c.current()).toMatchObject({ ok: false, unavailable: false });
  });

  it('refresh() samples in the background at most once per checkInterval', async () => {
    let calls = 0;
    let mono = 0;
    const run: CommandRunner = async (file) => {
      calls++;
      if (file === 'chronyc') return fixture('chronyc-tracking-synced.csv');
      throw enoent();
    };
    const c = new ClockCollector(clockConfig({ checkInterval: 60 }), { run, monoNow: () => mono });
    c.refresh();
    c.refresh();
    await c.settled();
    expect(calls).toBe(1);
    expect(c.current()).toMatchObject({ ok: true });
    mono += 61_000;
    c.refresh();
    await c.settled();
    expect(calls).toBe(2);
  });

  it.each([
    ['pool.ntp.org', { host: 'pool.ntp.org', port: 123 }],
    ['10.0.0.1:1123', { host: '10.0.0.1', port: 1123 }],
    ['[::1]:123', { host: '::1', port: 123 }],
    ['::1', { host: '::1', port: 123 }],
  ])('server spec %s', (spec, expected) => {
    expect(parseServer(spec)).toEqual(expected);
  });
});

describe('querySntpBest', () => {
  const reply = (delayMs: number, offsetMs = delayMs * 10) => ({
    offsetMs,
    delayMs,
    stratum: 2,
    errorBoundMs: delayMs / 2,
  });
  /** A fake query answering from a script: a number is a delay, an Error is thrown. */
  const scripted = (script: Array<number | Error>) => {
    let i = 0;
    const calls: number[] = [];
    const query = async (_h: string, _p: number, timeoutMs: number) => {
      calls.push(timeoutMs);
      const next = script[i++];
      if (next instanceof Error) throw next;
      return reply(next ?? 1);
    };
    return { query, calls };
  };

  it.each<[string, Array<number | Error>, number]>([
    ['keeps the least-delay reply', [9, 2, 5, 30], 2],
    ['survives a lost reply after a good one', [7, new Error('lost'), 3, 4], 3],
  ])('%s', async (_name, script, delay) => {
    const { query, calls } = scripted(script);
    const m = await querySntpBest('h', 123, 1000, 4, query);
    expect(m.delayMs).toBe(delay);
    expect(m.offsetMs).toBe(delay * 10);
    expect(calls).toHaveLength(4);
  });

  it('gives up at once when the first query fails (the server is silent)', async () => {
    const { query, calls } = scripted([new Error('no answer within 1000 ms'), 1, 1, 1]);
    await expect(querySntpBest('h', 123, 1000, 4, query)).rejects.toThrow(/no answer/);
    expect(calls).toHaveLength(1);
  });
});

describe('findExecutable (the clock tools on PATH)', () => {
  it('skips entries that cannot be used instead of failing the lookup', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-path-'));
    try {
      const notExec = path.join(root, 'a');
      const good = path.join(root, 'b');
      fs.mkdirSync(notExec);
      fs.mkdirSync(good);
      fs.writeFileSync(path.join(notExec, 'chronyc'), '', { mode: 0o644 });
      fs.mkdirSync(path.join(root, 'c', 'chronyc'), { recursive: true });
      const PATH = [path.join(root, 'missing'), notExec, path.join(root, 'c')].join(path.delimiter);
      expect(findExecutable('chronyc', PATH)).toBeNull();
      fs.writeFileSync(path.join(good, 'chronyc'), '#!/bin/sh\n', { mode: 0o755 });
      expect(findExecutable('chronyc', `${PATH}${path.delimiter}${good}`)).toBe(
        path.join(good, 'chronyc'),
      );
      expect(findExecutable('chronyc', undefined)).toBeNull();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
