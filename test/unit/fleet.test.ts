// The fleet's pure parts: rows and events qualified by host, an unreachable
// host's daemons `unknown` (never down), the header's per-host line, the
// `host:` filter, the HOST column, and the remotes from flags and config.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { fleetEvent, HOST_UNREACHABLE, mergeFleet } from '../../src/agent/fleet.js';
import { SseParser, type SseFrame } from '../../src/agent/stream.js';
import { RemoteError, resolveRemotes } from '../../src/cli/remotes.js';
import { connectionText, hostBadges } from '../../src/ui/model/fleet.js';
import { displayName, hostColumnWidth, tableLayout } from '../../src/ui/model/layout.js';
import { compileFilter, visibleDaemons } from '../../src/ui/model/view.js';
import { buildDaemon, buildSnapshot } from '../helpers/snapshotBuilders.js';

const two = buildSnapshot([buildDaemon('relay'), buildDaemon('beta', { status: 'down' })], 0);

describe('mergeFleet', () => {
  it('qualifies names by host, sets HOST and counts over all hosts', () => {
    const s = mergeFleet(
      [
        { name: 'web1', snapshot: two, unreachable: false },
        { name: 'web2', snapshot: two, unreachable: false },
        { name: 'web3', snapshot: null, unreachable: false },
      ],
      0,
    );
    expect(s.daemons.map((d) => [d.host, d.name])).toEqual([
      ['web1', 'web1/relay'],
      ['web1', 'web1/beta'],
      ['web2', 'web2/relay'],
      ['web2', 'web2/beta'],
    ]);
    expect(s.summary).toMatchObject({ up: 2, down: 2 });
    expect(s.system.hostname).toBe('3 hosts');
  });

  it("turns an unreachable host's daemons unknown with the reason, never down", () => {
    const s = mergeFleet([{ name: 'web1', snapshot: two, unreachable: true }], 0);
    expect(s.daemons.map((d) => [d.status, d.reason])).toEqual([
      ['unknown', HOST_UNREACHABLE],
      ['unknown', HOST_UNREACHABLE],
    ]);
    expect(s.summary).toMatchObject({ down: 0, unknown: 2 });
  });

  it('qualifies event ids and daemons; names the host of a host event', () => {
    const e = { id: '7', at: 'x', severity: 'error' as const, rule: 'crashed', message: 'm' };
    expect(fleetEvent('web1', { ...e, daemon: 'relay' })).toMatchObject({
      id: 'web1/7',
      daemon: 'web1/relay',
      message: 'm',
    });
    expect(fleetEvent('web1', e)).toMatchObject({ id: 'web1/7', message: 'web1: m' });
  });
});

describe('the fleet on screen', () => {
  const merged = mergeFleet(
    [
      { name: 'web1', snapshot: two, unreachable: false },
      { name: 'web2', snapshot: two, unreachable: true },
    ],
    0,
  );

  it('host:NAME keeps that host’s rows and events', () => {
    const m = compileFilter('host:WEB2');
    const rows = visibleDaemons(
      merged.daemons,
      { statusFilter: 'all', sort: 'name', reverse: false },
      m,
    );
    expect(rows.map((d) => d.name)).toEqual(['web2/beta', 'web2/relay']);
    expect(m.test('web2: host unreachable')).toBe(true);
    expect(m.test('web22/relay')).toBe(false);
  });

  it('shows the HOST column only in a fleet, and names without the host', () => {
    expect(tableLayout(100, 8, 4).columns.map((c) => c.key)).toContain('host');
    expect(tableLayout(100, 8).columns.map((c) => c.key)).not.toContain('host');
    expect(displayName(merged.daemons[0]!)).toBe('relay');
  });

  it.each([
    { hosts: [], width: 0 },
    { hosts: [undefined, undefined], width: 0 },
    { hosts: ['a', 'b'], width: 4 },
    { hosts: ['web1', '127.0.0.1:39123'], width: 15 },
    { hosts: ['a-very-long-instance.example.com:9464'], width: 24 },
  ])('sizes the HOST column to its hosts: $hosts', ({ hosts, width }) => {
    expect(hostColumnWidth(hosts)).toBe(width);
    const host = tableLayout(120, 8, width).columns.find((c) => c.key === 'host');
    expect(host?.width).toBe(width || undefined);
  });

  it("says each host's counts and connection state", () => {
    const now = 100_000;
    const badges = hostBadges(
      [
        {
          name: 'web1',
          state: { state: 'connected', detail: null, retryAt: null, downSince: null },
        },
        {
          name: 'web2',
          state: { state: 'reconnecting', detail: 'x', retryAt: now + 4000, downSince: now },
        },
        {
          name: 'web3',
          state: { state: 'auth failed', detail: 'x', retryAt: now + 1500, downSince: now },
        },
      ],
      merged.daemons,
      now,
    );
    expect(badges.map((b) => [b.name, b.counts, b.connection])).toEqual([
      ['web1', '1✔ 1✖', 'connected'],
      ['web2', '2?', 'reconnecting in 4s'],
      ['web3', '', 'auth failed, retry in 2s'],
    ]);
    expect(
      connectionText(
        { state: 'incompatible version', detail: null, retryAt: null, downSince: 0 },
        0,
      ),
    ).toBe('incompatible version');
  });
});

describe('SseParser', () => {
  it('parses frames across chunk boundaries, skips comments, caps a frame', () => {
    const frames: SseFrame[] = [];
    const p = new SseParser(64, (f) => frames.push(f));
    expect(p.push('retry: 3000\n\n: keepalive\n\nid: 4\nevent: anom')).toBe(true);
    expect(p.push('aly\r\ndata: {"a":1}\n\nevent: snapshot\ndata: {}\n\n')).toBe(true);
    expect(frames).toEqual([
      { event: 'anomaly', data: '{"a":1}', id: '4' },
      { event: 'snapshot', data: '{}', id: null },
    ]);
    expect(p.push(`data: ${'x'.repeat(100)}`)).toBe(false);
  });
});

describe('resolveRemotes', () => {
  const config = (remotes: unknown[]) => ({ remotes }) as Parameters<typeof resolveRemotes>[1];

  it('takes NAME=URL flags, a configured token by name, and NAME= for this host', () => {
    const r = resolveRemotes(
      ['web1=http://127.0.0.1:9464', 'local='],
      config([
        { name: 'web1', url: 'http://other', token: 'a-token-of-sixteen-chars', tokenFile: null },
      ]),
      {},
    );
    expect(r.map((x) => [x.name, x.url?.href ?? null, x.token])).toEqual([
      ['web1', 'http://127.0.0.1:9464/', 'a-token-of-sixteen-chars'],
      ['local', null, null],
    ]);
  });

  it.each([
    [['nope'], /expected NAME=URL/],
    [['a=ftp://x'], /only http/],
    [['a=http://u:secretpass@x'], /no credentials in the URL/],
    [['a=http://x', 'a=http://y'], /given twice/],
    [['bad name=http://x'], /a name is letters/],
    [['a=', 'b='], /only one remote can be this host/],
  ])('refuses %j', (flags, why) => {
    expect(() => resolveRemotes(flags, config([]), {})).toThrow(why);
    try {
      resolveRemotes(flags, config([]), {});
    } catch (err) {
      expect(err).toBeInstanceOf(RemoteError);
      expect((err as Error).message).not.toContain('secretpass');
    }
  });

  it('refuses a token file that others can read, as the API does', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-remotes-'));
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, 'a-token-of-sixteen-chars\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const c = config([{ name: 'web1', url: 'http://x', token: null, tokenFile: file }]);
    expect(() => resolveRemotes([], c, {})).toThrow(/readable or writable by group or others/);
    fs.chmodSync(file, 0o600);
    expect(resolveRemotes([], c, {})[0]!.token).toBe('a-token-of-sixteen-chars');
    // The same check as the API's own token file (one readTokenFile), messages naming the remote.
    const refused = (tokenFile: string) =>
      config([{ name: 'web1', url: 'http://x', token: null, tokenFile }]);
    expect(() => resolveRemotes([], refused(path.join(dir, 'missing')), {})).toThrow(
      /^remote web1: tokenFile .*missing cannot be read \(ENOENT\)/,
    );
    expect(() => resolveRemotes([], refused(dir), {})).toThrow(RemoteError);
    fs.writeFileSync(path.join(dir, 'empty'), '\n', { mode: 0o600 });
    expect(() => resolveRemotes([], refused(path.join(dir, 'empty')), {})).toThrow(/is empty/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
