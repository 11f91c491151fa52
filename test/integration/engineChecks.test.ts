// Checks the engine runs itself within its poll: probes against real local
// servers (answering, stalling, refusing) and commands (passing, hanging),
// systemd units through a `systemctl` stand-in on PATH (answering, hanging,
// printing garbage), and a scheduled job judged on the engine's clock.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProbeRunner } from '../../src/collectors/probes.js';
import { SystemctlCollector } from '../../src/collectors/systemd.js';
import { Engine } from '../../src/runtime/engine.js';
import type { RawConfig } from '../../src/config/schema.js';
import type { DaemonSnapshot, Snapshot } from '../../src/core/types.js';
import { config, FakeClock, FakeDir, FakeProcesses, FakeSystem, T0 } from '../helpers/fakes.js';
import { tempDir, waitFor } from '../helpers/proc.js';

let server: http.Server;
let port: number;
let closedPort: number;
let stallHits = 0;

const listen = (s: net.Server) =>
  new Promise<number>((r) =>
    s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)),
  );

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/health') res.end('ok');
    else if (req.url === '/broken') {
      res.statusCode = 500;
      res.end();
    } else if (req.url === '/stall') stallHits++;
    // /stall is never answered
  });
  port = await listen(server);
  const probe = net.createServer();
  closedPort = await listen(probe);
  await new Promise((r) => probe.close(r));
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const byName = (s: Snapshot, name: string): DaemonSnapshot =>
  s.daemons.find((d) => d.name === name)!;

function engineFor(raw: RawConfig, extra: Partial<ConstructorParameters<typeof Engine>[1]> = {}) {
  return new Engine(config({ discover: false, ...raw }), {
    heartbeats: new FakeDir(),
    processes: new FakeProcesses(),
    system: new FakeSystem(),
    ...extra,
  });
}

describe('probes in the poll', () => {
  it('judges each daemon from its probe: answering, failing, refusing, stalling, hanging', async () => {
    const engine = engineFor({
      pollInterval: 5,
      daemons: [
        { name: 'api', probe: `http://127.0.0.1:${port}/health` },
        { name: 'broken', probe: `http://127.0.0.1:${port}/broken` },
        { name: 'refused', probe: `tcp:127.0.0.1:${closedPort}` },
        { name: 'stalled', probe: `http://127.0.0.1:${port}/stall`, timeout: 0.3 },
        { name: 'hung', probe: 'exec:sleep 300', timeout: 0.3 },
        { name: 'check', probe: 'exec:echo all good' },
      ],
    });
    const s = await engine.poll(new FakeClock().now());
    const got = Object.fromEntries(
      s.daemons.map((d) => [d.name, [d.status, d.reason, d.source, d.probe?.ok]]),
    );
    expect(got).toEqual({
      api: ['up', null, 'probe', true],
      broken: ['down', 'probe failed: HTTP 500', 'probe', false],
      refused: ['down', 'probe failed: connection refused', 'probe', false],
      stalled: ['down', 'probe failed: timed out after 300 ms', 'probe', false],
      hung: ['down', 'probe failed: timed out after 300 ms', 'probe', false],
      check: ['up', null, 'probe', true],
    });
    expect(byName(s, 'api').probe).toMatchObject({
      target: `http://127.0.0.1:${port}/health`,
      detail: 'HTTP 200',
      timeoutMs: 5000,
      slowMs: 2500,
    });
    expect(byName(s, 'api').probe!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(byName(s, 'check').probe!.detail).toBe('all good');
  });

  it('never runs two probes of one daemon at once: a slow probe lands in a later poll', async () => {
    stallHits = 0;
    const engine = engineFor({
      // The poll waits for probes at most 0.8 x 0.5 s; this probe takes 2 s.
      pollInterval: 0.5,
      daemons: [{ name: 'slow', probe: `http://127.0.0.1:${port}/stall`, timeout: 2 }],
    });
    const clock = new FakeClock();
    const first = await engine.poll(clock.now());
    expect([byName(first, 'slow').status, byName(first, 'slow').reason]).toEqual([
      'unknown',
      'not probed yet',
    ]);
    await engine.poll(clock.advance(500));
    expect(stallHits).toBe(1);
    const done = await waitFor(async () => {
      const s = await engine.poll(clock.advance(500));
      return byName(s, 'slow').probe!.ok === false ? s : undefined;
    }, 'the stalled probe to time out');
    expect(byName(done, 'slow').reason).toBe('probe failed: timed out after 2000 ms');
    expect(stallHits).toBeLessThanOrEqual(2);
  });

  it('a heartbeat and a probe: the worse one decides', async () => {
    const dir = new FakeDir();
    const clock = new FakeClock();
    dir.json('web', { ts: T0, status: 'ok' }, T0);
    const engine = engineFor(
      { daemons: [{ name: 'web', probe: `tcp:127.0.0.1:${closedPort}` }] },
      { heartbeats: dir },
    );
    const s = await engine.poll(clock.now());
    expect([byName(s, 'web').status, byName(s, 'web').reason, byName(s, 'web').source]).toEqual([
      'down',
      'probe failed: connection refused',
      'json',
    ]);
  });

  it('a passing probe slower than slowAfter makes the daemon late', async () => {
    const runner = new ProbeRunner(4, async () => ({
      ok: true,
      latencyMs: 900,
      detail: 'HTTP 200',
    }));
    const engine = engineFor(
      { daemons: [{ name: 'sluggish', probe: 'http://127.0.0.1:1/', slowAfter: 0.5 }] },
      { probes: runner },
    );
    const s = await engine.poll(new FakeClock().now());
    expect([byName(s, 'sluggish').status, byName(s, 'sluggish').reason]).toEqual([
      'late',
      'probe slow (over 500 ms)',
    ]);
  });
});

/** A `systemctl` stand-in on PATH that prints, hangs or babbles as `mode` says. */
function standIn(mode: 'ok' | 'hang' | 'garbage' | 'fail'): SystemctlCollector {
  const bin = tempDir('ghost-hb-systemctl-');
  const script = {
    ok: `#!/bin/sh
case "$*" in *"--property=Id,LoadState,ActiveState,SubState,MainPID,NRestarts,Result,ExecMainStatus,WatchdogTimestamp -- nginx.service app.service"*) ;; *) echo "unexpected: $*" >&2; exit 1;; esac
printf 'Id=nginx.service\\nLoadState=loaded\\nActiveState=active\\nSubState=running\\nMainPID=%s\\nNRestarts=0\\nResult=success\\nExecMainStatus=0\\n\\n' "$NGINX_PID"
printf 'Id=app.service\\nLoadState=loaded\\nActiveState=failed\\nSubState=failed\\nMainPID=0\\nNRestarts=2\\nResult=watchdog\\nExecMainStatus=6\\nWatchdogTimestamp=Wed 2026-12-02 03:12:00 UTC\\n'
`,
    hang: '#!/bin/sh\nsleep 300\n',
    garbage:
      '#!/bin/sh\nprintf "Segmentation fault\\033[31m (core dumped)\\n"\nhead -c 200 /dev/urandom | od\n',
    fail: '#!/bin/sh\necho "System has not been booted with systemd as init system (PID 1)." >&2\nexit 1\n',
  }[mode];
  fs.writeFileSync(path.join(bin, 'systemctl'), script, { mode: 0o755 });
  return new SystemctlCollector({
    timeoutMs: 500,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NGINX_PID: String(process.pid) },
  });
}

describe('systemd units in the poll', () => {
  const daemons = [
    { name: 'nginx', systemd: 'nginx.service' },
    { name: 'app', systemd: 'app.service' },
  ];
  const procs = new FakeProcesses();
  procs.procs.set(process.pid, { startTimeMs: T0 - 60_000, rssBytes: 5_000_000 });

  it('reads every unit in one call; a watchdog timeout is named; the main pid is sampled', async () => {
    const engine = engineFor({ daemons }, { systemd: standIn('ok'), processes: procs });
    const s = await engine.poll(new FakeClock().now());
    expect(s.sources.systemd).toBe(true);
    const nginx = byName(s, 'nginx');
    expect([nginx.status, nginx.reason, nginx.source, nginx.pid, nginx.memRssBytes]).toEqual([
      'up',
      null,
      'systemd',
      process.pid,
      5_000_000,
    ]);
    const app = byName(s, 'app');
    expect([app.status, app.reason]).toEqual(['down', 'failed: watchdog timeout']);
    expect(app.systemd).toMatchObject({
      activeState: 'failed',
      result: 'watchdog',
      restarts: 2,
      watchdogAt: '2026-12-02T03:12:00.000Z',
    });
    expect(app.problems).toContain('systemd restarted the unit 2 times');
  });

  it.each([
    ['hang', 'systemctl timed out after 500 ms'],
    ['garbage', 'systemctl show'],
    ['fail', 'systemctl failed (exit 1): System has not been booted with systemd'],
  ] as const)(
    'a systemctl that %s marks the source failing, not every unit down',
    async (mode, why) => {
      const engine = engineFor({ daemons }, { systemd: standIn(mode) });
      const s = await engine.poll(new FakeClock().now());
      expect(s.sources.systemd).toBe(false);
      expect(s.sourceErrors?.systemd).toContain(why);
      for (const d of s.daemons) {
        expect([d.status, d.reason]).toEqual(['unknown', 'systemd source failing']);
        expect(d.problems.join('; ')).toContain(why);
      }
    },
  );
});

describe('scheduled jobs in the poll', () => {
  it('judges a nightly job by its due run, and shows its last run', async () => {
    const dir = new FakeDir();
    const clock = new FakeClock(); // 2026-11-27 12:00 UTC
    const engine = engineFor(
      { daemons: [{ name: 'backup', schedule: '0 3 * * *', timezone: 'UTC', grace: 600 }] },
      { heartbeats: dir },
    );
    // Last night's run: 03:00:04 to 03:20:04, exit 0 (a `ghost-hb run` final beat).
    const end = Date.parse('2026-11-27T03:20:04Z');
    dir.json(
      'backup',
      {
        ts: end,
        status: 'ok',
        startedAt: '2026-11-27T03:00:04Z',
        exit: { code: 0, signal: null, durationMs: 1_200_000 },
      },
      end,
    );
    let s = await engine.poll(clock.now());
    let d = byName(s, 'backup');
    expect([d.status, d.reason]).toEqual(['up', null]);
    expect(d.schedule).toMatchObject({ nextRunAt: '2026-11-28T03:00:00.000Z', running: false });
    expect(d.lastRun).toMatchObject({ exitCode: 0, durationMs: 1_200_000, ok: true });
    // The next night passes without a run.
    s = await engine.poll(clock.advance(15 * 3600_000 + 11 * 60_000));
    d = byName(s, 'backup');
    expect([d.status, d.reason]).toEqual(['late', 'missed run due 2026-11-28T03:00:00.000Z']);
  });
});
