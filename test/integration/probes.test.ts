// Probes against real local servers and commands: answering, stalling,
// refusing, failing. A probe never throws and never outlives its timeout.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseProbe, runProbe, type ProbeSpec } from '../../src/collectors/probes.js';
import { running, waitFor } from '../helpers/proc.js';

let httpServer: http.Server;
let tcpServer: net.Server;
let httpPort: number;
let tcpPort: number;
let closedPort: number;

const listen = (s: net.Server) =>
  new Promise<number>((r) =>
    s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)),
  );

beforeAll(async () => {
  httpServer = http.createServer((req, res) => {
    if (req.url === '/health') res.end('ok');
    else if (req.url === '/down') {
      res.statusCode = 503;
      res.end('down');
    } else if (req.url === '/redirect') {
      res.statusCode = 302;
      res.setHeader('location', '/health');
      res.end();
    }
    // /stall: never answered
  });
  httpPort = await listen(httpServer);
  tcpServer = net.createServer((s) => s.end());
  tcpPort = await listen(tcpServer);
  // A port that was just free: nothing listens there.
  const probe = net.createServer();
  closedPort = await listen(probe);
  await new Promise((r) => probe.close(r));
});
afterAll(() => {
  httpServer.closeAllConnections();
  httpServer.close();
  tcpServer.close();
});

const spec = (text: string): ProbeSpec => {
  const s = parseProbe(text);
  if (typeof s === 'string') throw new Error(s);
  return s;
};

describe('parseProbe', () => {
  it.each([
    ['http://127.0.0.1:8080/health', { kind: 'http', url: 'http://127.0.0.1:8080/health' }],
    ['tcp:127.0.0.1:5432', { kind: 'tcp', host: '127.0.0.1', port: 5432 }],
    ['tcp:[::1]:5432', { kind: 'tcp', host: '::1', port: 5432 }],
    [
      'exec:/usr/local/bin/check --quick',
      { kind: 'exec', command: '/usr/local/bin/check --quick' },
    ],
  ])('%s', (text, expected) => {
    expect(parseProbe(text)).toEqual(expected);
  });

  it.each([['ftp://x'], ['tcp:host'], ['tcp:host:70000'], ['exec:'], ['http://']])(
    'refuses %s with a reason',
    (text) => {
      expect(typeof parseProbe(text)).toBe('string');
    },
  );
});

describe('runProbe', () => {
  it.each([
    ['/health', null, true, 'HTTP 200'],
    ['/redirect', null, true, 'HTTP 302'],
    ['/down', null, false, 'HTTP 503'],
    ['/health', 204, false, 'HTTP 200 (expected 204)'],
    ['/down', 503, true, 'HTTP 503'],
  ])('HTTP %s (expect %p): ok=%p, %s', async (p, expectStatus, ok, detail) => {
    const r = await runProbe(spec(`http://127.0.0.1:${httpPort}${p}`), {
      timeoutMs: 10_000,
      expectStatus,
    });
    expect(r).toMatchObject({ ok, detail });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('HTTP that stalls is cut at its timeout', async () => {
    const r = await runProbe(spec(`http://127.0.0.1:${httpPort}/stall`), { timeoutMs: 300 });
    expect(r).toMatchObject({ ok: false, detail: 'timed out after 300 ms' });
  });

  it('HTTP and TCP to a closed port: connection refused', async () => {
    for (const text of [`http://127.0.0.1:${closedPort}/`, `tcp:127.0.0.1:${closedPort}`]) {
      expect(await runProbe(spec(text), { timeoutMs: 10_000 })).toMatchObject({
        ok: false,
        detail: 'connection refused',
      });
    }
  });

  it('TCP that accepts passes', async () => {
    expect(await runProbe(spec(`tcp:127.0.0.1:${tcpPort}`), { timeoutMs: 10_000 })).toMatchObject({
      ok: true,
      detail: 'connected',
    });
  });

  it('exec: exit 0 passes, exit 1 fails with its first line of output', async () => {
    expect(await runProbe(spec('exec:echo fine'), { timeoutMs: 10_000 })).toMatchObject({
      ok: true,
      detail: 'fine',
    });
    expect(
      await runProbe(spec('exec:echo "disk full" >&2; exit 1'), { timeoutMs: 10_000 }),
    ).toMatchObject({ ok: false, detail: 'exit 1: disk full' });
    expect(await runProbe(spec('exec:/nonexistent/check'), { timeoutMs: 10_000 })).toMatchObject({
      ok: false,
    });
  });

  it('exec that hangs is cut at its timeout, with everything it started', async () => {
    const r = await runProbe(spec('exec:sleep 300 & echo $! ; wait'), { timeoutMs: 500 });
    expect(r).toMatchObject({ ok: false, detail: 'timed out after 500 ms' });
  });

  it('exec: the process group is killed at the timeout', async () => {
    // A sleep with a duration no other process has, started by a child shell.
    const marker = `987654.${process.pid}`;
    await runProbe(spec(`exec:sleep ${marker}; true`), { timeoutMs: 300 });
    // pgrep-free: scan /proc for the marker's process.
    const fs = await import('node:fs');
    await waitFor(() => {
      const alive = fs
        .readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .some((p) => {
          try {
            return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker) && running(+p);
          } catch {
            return false;
          }
        });
      return alive ? undefined : true;
    }, 'the probe process to be gone');
  });
});
