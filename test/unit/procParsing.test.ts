import { describe, expect, it } from '@jest/globals';
import { isLauncher, parseProcStat } from '../../src/collectors/processes.js';
import { parseMeminfo } from '../../src/collectors/system.js';

describe('/proc parsing', () => {
  // Field layout of /proc/<pid>/stat: pid (comm) state ppid ... utime(14) stime(15) ... starttime(22) vsize(23) rss(24)
  const fields = (comm: string, state = 'S') =>
    `1234 (${comm}) ${state} 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 98765 1000000 321 18446744073709551615`;

  it('reads state, CPU ticks, start ticks and RSS pages', () => {
    expect(parseProcStat(fields('node'))).toEqual({
      comm: 'node',
      ppid: 1,
      state: 'S',
      cpuTicks: 300,
      startTicks: 98765,
      rssPages: 321,
    });
  });

  it('copes with a command name holding spaces and parentheses', () => {
    expect(parseProcStat(fields('evil) Z 1 (x'))).toMatchObject({
      comm: 'evil) Z 1 (x',
      state: 'S',
      startTicks: 98765,
    });
  });

  it('returns null for garbage', () => {
    expect(parseProcStat('')).toBeNull();
    expect(parseProcStat('1234 no parens')).toBeNull();
  });

  it('computes used memory as total minus available', () => {
    const text = 'MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    400 kB\n';
    expect(parseMeminfo(text)).toEqual({ total: 1000 * 1024, used: 600 * 1024 });
  });

  it('falls back to free + buffers + cached on kernels without MemAvailable', () => {
    const text = 'MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n';
    expect(parseMeminfo(text)).toEqual({ total: 1000 * 1024, used: 600 * 1024 });
    expect(parseMeminfo('nothing here')).toBeNull();
  });
});

describe('isLauncher (skipped when beat looks for its caller)', () => {
  it.each([
    ['npm exec ghost-hb beat x\0\0\0', true],
    ['npx\0ghost-hb\0beat\0x\0', true],
    ['/usr/bin/node\0/usr/lib/node_modules/npm/bin/npx-cli.js\0ghost-hb\0', true],
    ["sh\0-c\0'ghost-hb' beat x\0", true],
    ['sh\0-c\0ghost-hb beat x\0', true],
    ['/bin/sh\0-c\0/usr/local/bin/ghost-hb beat x\0', true],
    ['bash\0-c\0while true; do npx ghost-hb beat x; sleep 5; done\0', false],
    ['bash\0/srv/backup.sh\0', false],
    ['node\0/srv/app/server.js\0', false],
    ['-bash\0', false],
  ])('%j -> %p', (cmdline, expected) => {
    expect(isLauncher(cmdline)).toBe(expected);
  });
});
