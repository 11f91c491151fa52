// `ghost-hb watch` (the built binary) and `ghost-hb events`: kill -9 of the
// watcher must lose no event it had printed (it prints only after the poll
// that logged and synced them).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { EventLog } from '../../src/store/eventLog.js';
import { STATE_FILES } from '../../src/store/paths.js';
import { agentScene } from '../helpers/agents.js';
import { BIN, runCliInProcess } from '../helpers/cli.js';
import { spawnBeater } from '../helpers/proc.js';
import { until } from '../helpers/wait.js';

const scene = agentScene('ghost-hb-watch-', {
  pollInterval: 0.2,
  discover: false,
  daemons: [{ name: 'relay', interval: 0.2, tolerance: 0.2, grace: 0.6 }],
  alerts: { minUptimeSec: 0 },
});

const startWatch = () => scene.startAgent('watch', { extra: ['--json'] });
const firstPoll = () =>
  until(() => fs.existsSync(path.join(scene.stateDir, STATE_FILES.state)), 'first poll');

describe('ghost-hb watch', () => {
  it('prints events as JSON lines; after kill -9 every printed event is in the log', async () => {
    const beater = spawnBeater(scene.hbDir, 'relay', 100);
    const { child, events, exit } = startWatch();
    await firstPoll();
    beater.kill('SIGKILL');
    await until(
      () => events.some((e) => e.rule === 'crashed' && e.daemon === 'relay'),
      'crashed event',
    );
    child.kill('SIGKILL');
    await exit;

    const logged = EventLog.readQuery(scene.stateDir);
    const loggedIds = new Set(logged.map((e) => e.id));
    for (const e of events) expect(loggedIds.has(e.id)).toBe(true);
    const crashed = logged.find((e) => e.rule === 'crashed')!;
    expect(crashed).toMatchObject({ severity: 'error', daemon: 'relay' });
  });

  it('SIGTERM flushes, records the stop in the audit log and exits 0', async () => {
    const { child, exit } = startWatch();
    await firstPoll();
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const audit = fs
      .readFileSync(path.join(scene.stateDir, STATE_FILES.audit), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit.map((a) => a.kind)).toEqual(['start', 'stop']);
    expect(audit[0]).toMatchObject({
      command: 'watch',
      configFile: scene.configFile,
      pid: child.pid,
    });
    expect(audit[0].configSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(audit[1]).toMatchObject({ reason: 'SIGTERM' });
  });

  it('a bad config exits 3 and is recorded in the audit log', async () => {
    fs.writeFileSync(scene.configFile, JSON.stringify({ pollInterval: -1 }));
    const r = await runCliInProcess([
      'watch',
      '--config',
      scene.configFile,
      '--state-dir',
      scene.stateDir,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/pollInterval/);
    const audit = fs.readFileSync(path.join(scene.stateDir, STATE_FILES.audit), 'utf8');
    expect(JSON.parse(audit.trim()).kind).toBe('config-error');
  });

  it('the monitor and serve record a bad config in the default state directory too', async () => {
    fs.writeFileSync(scene.configFile, JSON.stringify({ pollInterval: -1 }));
    const xdg = path.join(scene.root, 'xdg');
    for (const args of [
      ['--config', scene.configFile],
      ['serve', '--config', scene.configFile],
    ]) {
      const r = await runCliInProcess(args, { env: { XDG_STATE_HOME: xdg } });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/pollInterval/);
    }
    const audit = fs.readFileSync(path.join(xdg, 'ghost-hb', STATE_FILES.audit), 'utf8');
    expect(
      audit
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).kind),
    ).toEqual(['config-error', 'config-error']);
  });
});

describe('ghost-hb events', () => {
  function seedLog(): void {
    const log = new EventLog(scene.stateDir, { rotateBytes: 1e7, keep: 5, retentionDays: 14 });
    const now = Date.now();
    log.append([
      {
        id: '1',
        at: new Date(now - 3 * 3600_000).toISOString(),
        severity: 'info',
        rule: 'new-daemon',
        daemon: 'x',
        message: 'old',
      },
      {
        id: '2',
        at: new Date(now - 60_000).toISOString(),
        severity: 'error',
        rule: 'crashed',
        daemon: 'relay',
        message: 'relay is down: crashed',
      },
      {
        id: '3',
        at: new Date(now - 30_000).toISOString(),
        severity: 'warn',
        rule: 'late',
        daemon: 'db',
        message: 'db is late',
      },
    ]);
    log.close();
  }
  const events = (...args: string[]) =>
    runCliInProcess(['events', '--state-dir', scene.stateDir, ...args]);
  const ids = async (...args: string[]) =>
    (await events('--json', ...args)).stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).id);

  it('filters by --since, --severity and --daemon, as JSON or text', async () => {
    seedLog();
    expect(await ids()).toEqual(['1', '2', '3']);
    expect(await ids('--since', '1h')).toEqual(['2', '3']);
    // The same grammar as the API's: decimals, a space, epoch milliseconds.
    expect(await ids('--since', '1.5 h')).toEqual(['2', '3']);
    expect(await ids('--since', String(Date.now() - 2 * 3600_000))).toEqual(['2', '3']);
    expect(await ids('--severity', 'error')).toEqual(['2']);
    expect(await ids('--daemon', 'db')).toEqual(['3']);
    const text = await events('--since', '1h');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/ERROR\s+crashed\s+relay\s+relay is down: crashed/);
    expect((await events('--severity', 'loud')).code).toBe(3);
    expect((await events('--since', 'yesterday-ish')).code).toBe(3);
  });

  it('--follow prints events appended by another process and exits 0 on SIGINT', async () => {
    seedLog();
    // A process of its own: it follows until a signal.
    const follow = ['--json', '--follow', '--severity', 'warn'];
    const child = spawn(
      process.execPath,
      [BIN, 'events', '--state-dir', scene.stateDir, ...follow],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    scene.agents.add(child);
    const exit = new Promise((resolve) => child.once('exit', resolve));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => out.includes('"id":"3"'), 'existing events');
    const log = new EventLog(scene.stateDir, { rotateBytes: 1e7, keep: 5, retentionDays: 14 });
    log.append([
      {
        id: '4',
        at: new Date().toISOString(),
        severity: 'info',
        rule: 'recovered',
        daemon: 'db',
        message: 'ok',
      },
      {
        id: '5',
        at: new Date().toISOString(),
        severity: 'critical',
        rule: 'crashed',
        daemon: 'db',
        message: 'down',
      },
    ]);
    log.close();
    await until(() => out.includes('"id":"5"'), 'followed event');
    expect(out).not.toContain('"id":"4"');
    child.kill('SIGINT');
    expect(await exit).toBe(0);
  });
});
