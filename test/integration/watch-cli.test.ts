// `ghost-hb watch` and `ghost-hb events` run as the built binary (npm run
// build first; .ci/run does). kill -9 of the watcher must lose no event it
// had printed (it prints only after the poll that logged and synced them).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { HbEvent } from '../../src/core/types.js';
import { EventLog } from '../../src/store/eventLog.js';
import { STATE_FILES } from '../../src/store/paths.js';
import { until } from '../helpers/wait.js';
import { BEATER } from '../helpers/proc.js';

const BIN = path.resolve('bin/ghost-hb.js');
const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

let root: string;
let hbDir: string;
let stateDir: string;
let configFile: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-watch-'));
  hbDir = path.join(root, 'hb');
  stateDir = path.join(root, 'state');
  fs.mkdirSync(hbDir);
  configFile = path.join(root, '.heartbeatrc');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      heartbeatDir: hbDir,
      stateDir,
      pollInterval: 0.2,
      discover: false,
      daemons: [{ name: 'relay', interval: 0.2, tolerance: 0.2, grace: 0.6 }],
      alerts: { minUptimeSec: 0 },
    }),
  );
});
afterEach(async () => {
  for (const c of [...children]) {
    c.kill('SIGKILL');
    await exited(c);
  }
  fs.rmSync(root, { recursive: true, force: true });
});

function startWatch(): { child: ChildProcess; events: HbEvent[] } {
  const child = track(
    spawn(process.execPath, [BIN, 'watch', '--config', configFile, '--json'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const events: HbEvent[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) if (l) events.push(JSON.parse(l) as HbEvent);
  });
  return { child, events };
}

describe('ghost-hb watch', () => {
  it('prints events as JSON lines; after kill -9 every printed event is in the log', async () => {
    const beater = track(
      spawn(process.execPath, [BEATER, hbDir, 'relay', '100'], { stdio: 'ignore' }),
    );
    const { child, events } = startWatch();
    await until(() => fs.existsSync(path.join(stateDir, STATE_FILES.state)), 'first poll');
    beater.kill('SIGKILL');
    await until(
      () => events.some((e) => e.rule === 'crashed' && e.daemon === 'relay'),
      'crashed event',
    );
    child.kill('SIGKILL');
    await exited(child);

    const logged = EventLog.readQuery(stateDir);
    const loggedIds = new Set(logged.map((e) => e.id));
    for (const e of events) expect(loggedIds.has(e.id)).toBe(true);
    const crashed = logged.find((e) => e.rule === 'crashed')!;
    expect(crashed).toMatchObject({ severity: 'error', daemon: 'relay' });
  });

  it('SIGTERM flushes, records the stop in the audit log and exits 0', async () => {
    const { child } = startWatch();
    await until(() => fs.existsSync(path.join(stateDir, STATE_FILES.state)), 'first poll');
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    const audit = fs
      .readFileSync(path.join(stateDir, STATE_FILES.audit), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit.map((a) => a.kind)).toEqual(['start', 'stop']);
    expect(audit[0]).toMatchObject({ command: 'watch', configFile, pid: child.pid });
    expect(audit[0].configSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(audit[1]).toMatchObject({ reason: 'SIGTERM' });
  });

  it('a bad config exits 3 and is recorded in the audit log', () => {
    fs.writeFileSync(configFile, JSON.stringify({ pollInterval: -1 }));
    const r = spawnSync(
      process.execPath,
      [BIN, 'watch', '--config', configFile, '--state-dir', stateDir],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/pollInterval/);
    const audit = fs.readFileSync(path.join(stateDir, STATE_FILES.audit), 'utf8');
    expect(JSON.parse(audit.trim()).kind).toBe('config-error');
  });

  it('the monitor and serve record a bad config in the default state directory too', () => {
    fs.writeFileSync(configFile, JSON.stringify({ pollInterval: -1 }));
    const xdg = path.join(root, 'xdg');
    for (const args of [
      ['--config', configFile],
      ['serve', '--config', configFile],
    ]) {
      const r = spawnSync(process.execPath, [BIN, ...args], {
        encoding: 'utf8',
        env: { ...process.env, XDG_STATE_HOME: xdg },
      });
      expect(r.status).toBe(3);
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
    const log = new EventLog(stateDir, { rotateBytes: 1e7, keep: 5, retentionDays: 14 });
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
    spawnSync(process.execPath, [BIN, 'events', '--state-dir', stateDir, ...args], {
      encoding: 'utf8',
    });

  it('filters by --since, --severity and --daemon, as JSON or text', () => {
    seedLog();
    const ids = (r: ReturnType<typeof events>) =>
      r.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).id);
    expect(ids(events('--json'))).toEqual(['1', '2', '3']);
    expect(ids(events('--json', '--since', '1h'))).toEqual(['2', '3']);
    // The same grammar as the API's: decimals, a space, epoch milliseconds.
    expect(ids(events('--json', '--since', '1.5 h'))).toEqual(['2', '3']);
    expect(ids(events('--json', '--since', String(Date.now() - 2 * 3600_000)))).toEqual(['2', '3']);
    expect(ids(events('--json', '--severity', 'error'))).toEqual(['2']);
    expect(ids(events('--json', '--daemon', 'db'))).toEqual(['3']);
    const text = events('--since', '1h');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/ERROR\s+crashed\s+relay\s+relay is down: crashed/);
    expect(events('--severity', 'loud').status).toBe(3);
    expect(events('--since', 'yesterday-ish').status).toBe(3);
  });

  it('--follow prints events appended by another process and exits 0 on SIGINT', async () => {
    seedLog();
    const child = track(
      spawn(
        process.execPath,
        [BIN, 'events', '--state-dir', stateDir, '--json', '--follow', '--severity', 'warn'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => out.includes('"id":"3"'), 'existing events');
    const log = new EventLog(stateDir, { rotateBytes: 1e7, keep: 5, retentionDays: 14 });
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
    expect(await exited(child)).toBe(0);
  });
});
