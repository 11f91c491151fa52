// Notifications from the built binary (`ghost-hb watch`, npm run build first)
// watching real daemons, to real local receivers: eight daemons killed at once
// are one message per channel (and their recovery one more); a silenced
// daemon's crash is logged, marked, and not sent; kill -9 of ghost-hb with
// messages undelivered (or still waiting out groupWait) loses none of them.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { NotifyMessage } from '../../src/notify/message.js';
import { EventLog } from '../../src/store/eventLog.js';
import { STATE_FILES } from '../../src/store/paths.js';
import { BEATER, waitFor } from '../helpers/proc.js';
import { Receiver } from '../helpers/receiver.js';

const BIN = path.resolve('bin/ghost-hb.js');
const NAMES = [
  'relayCore',
  'watchdog',
  'executor',
  'healer',
  'validationEngine',
  'messageQueue',
  'healthAggregator',
  'decisionEngine',
];

const children = new Set<ChildProcess>();
const receivers: Receiver[] = [];
let root: string;
let hbDir: string;
let stateDir: string;
let configFile: string;

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-notify-watch-'));
  hbDir = path.join(root, 'hb');
  stateDir = path.join(root, 'state');
  fs.mkdirSync(hbDir);
  configFile = path.join(root, '.heartbeatrc');
});

afterEach(async () => {
  for (const c of [...children]) {
    c.kill('SIGKILL');
    await exited(c);
  }
  for (const r of receivers.splice(0)) await r.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function receiver(mode: Receiver['mode'] = 'ok'): Promise<Receiver> {
  const r = await Receiver.start(mode);
  receivers.push(r);
  return r;
}

function writeConfig(
  daemons: string[],
  channels: unknown[],
  notify: Record<string, unknown> = {},
): void {
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      heartbeatDir: hbDir,
      stateDir,
      pollInterval: 0.5,
      discover: false,
      daemons: daemons.map((name) => ({ name, interval: 0.2, tolerance: 0.5, grace: 2 })),
      alerts: { minUptimeSec: 0 },
      notify: { channels, groupWait: 2, retryInitial: 0.1, retryMax: 0.5, ...notify },
    }),
  );
}

/** A test daemon beating NAME every 100 ms. */
const startDaemon = (name: string, options: SpawnOptions = { stdio: 'ignore' }) =>
  track(spawn(process.execPath, [BEATER, hbDir, name, '100'], options));

function startDaemons(names: string[]): Map<string, ChildProcess> {
  return new Map(names.map((n) => [n, startDaemon(n)]));
}

/**
 * Daemons that all begin beating at one moment: each is held until every
 * one has started, so a loaded machine's slow starts cannot spread their
 * recoveries over several groupWait windows.
 */
async function startDaemonsTogether(names: string[]): Promise<void> {
  const hold = path.join(root, 'hold');
  fs.writeFileSync(hold, '');
  const ready = names.map((n) => {
    const child = startDaemon(n, {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, BEATER_HOLD: hold },
    });
    return new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  });
  await Promise.all(ready);
  fs.rmSync(hold);
}

async function startWatch(): Promise<ChildProcess> {
  const child = track(
    spawn(process.execPath, [BIN, 'watch', '--config', configFile], { cwd: root, stdio: 'ignore' }),
  );
  await waitFor(
    () => (fs.existsSync(path.join(stateDir, STATE_FILES.state)) ? true : undefined),
    'first poll',
    20_000,
  );
  return child;
}

const firing = (m: NotifyMessage) => m.alerts.filter((a) => a.status === 'firing');

describe('notifications from ghost-hb watch', () => {
  it('eight daemons killed at once: one grouped message per channel, then one for their recovery', async () => {
    const hook = await receiver();
    const chat = await receiver();
    writeConfig(NAMES, [
      { name: 'hook', type: 'webhook', url: hook.url() },
      { name: 'chat', type: 'slack', url: chat.url() },
    ]);
    const daemons = startDaemons(NAMES);
    await waitFor(
      () => (NAMES.every((n) => fs.existsSync(path.join(hbDir, `${n}.json`))) ? true : undefined),
      'beats',
    );
    await startWatch();
    for (const c of daemons.values()) c.kill('SIGKILL');

    const first = await waitFor(() => hook.json<NotifyMessage>()[0], 'the grouped message', 30_000);
    expect(
      firing(first)
        .map((a) => a.daemon)
        .sort(),
    ).toEqual([...NAMES].sort());
    expect(first.alerts.every((a) => a.rule === 'crashed' && a.since && a.reason)).toBe(true);
    expect(first.title).toContain('FIRING 8');
    await waitFor(() => chat.requests[0], 'the slack message');
    const text = chat.json<{ text: string }>()[0]!.text;
    for (const n of NAMES) expect(text).toContain(n);

    await startDaemonsTogether(NAMES);
    const second = await waitFor(
      () => hook.json<NotifyMessage>()[1],
      'the recovery message',
      30_000,
    );
    expect(second.status).toBe('resolved');
    expect(second.alerts.map((a) => a.daemon).sort()).toEqual([...NAMES].sort());
    expect(
      second.alerts.every((a) => a.status === 'resolved' && typeof a.durationMs === 'number'),
    ).toBe(true);
    await waitFor(() => chat.requests[1], 'the slack recovery');
    expect(hook.requests).toHaveLength(2);
    expect(chat.requests).toHaveLength(2);
  });

  it('a silenced daemon killed: logged and marked, not sent', async () => {
    const hook = await receiver();
    writeConfig(['quiet', 'loud'], [{ name: 'hook', type: 'webhook', url: hook.url() }], {
      groupWait: 0,
    });
    const daemons = startDaemons(['quiet', 'loud']);
    const add = spawnSync(
      process.execPath,
      [
        BIN,
        'silence',
        'add',
        'quiet',
        '--for',
        '1h',
        '--reason',
        'maintenance',
        '--state-dir',
        stateDir,
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(add.status).toBe(0);
    await startWatch();
    daemons.get('quiet')!.kill('SIGKILL');
    await waitFor(
      () => EventLog.readQuery(stateDir, { rule: 'crashed', daemon: 'quiet' })[0],
      'the logged crash',
      20_000,
    );
    daemons.get('loud')!.kill('SIGKILL');
    await waitFor(() => hook.requests[0], 'the message about loud', 20_000);

    const logged = EventLog.readQuery(stateDir, { rule: 'crashed', daemon: 'quiet' })[0]!;
    expect(logged.data?.silenced).toMatchObject({ id: expect.any(String) });
    const sent = hook.json<NotifyMessage>();
    expect(sent.flatMap((m) => m.alerts.map((a) => a.daemon))).toEqual(['loud']);
    const audit = fs.readFileSync(path.join(stateDir, STATE_FILES.audit), 'utf8');
    expect(audit).toContain('"kind":"silence"');
  });

  it('kill -9 with a message undelivered: after a restart it arrives, with the same idempotency key', async () => {
    const hook = await receiver('fail');
    writeConfig(['relayCore'], [{ name: 'hook', type: 'webhook', url: hook.url() }], {
      groupWait: 0,
    });
    const daemons = startDaemons(['relayCore']);
    const watch = await startWatch();
    daemons.get('relayCore')!.kill('SIGKILL');
    await waitFor(() => hook.requests[0], 'a failed attempt', 20_000);
    const key = hook.requests[0]!.headers['idempotency-key'];
    watch.kill('SIGKILL');
    await exited(watch);

    hook.mode = 'ok';
    const before = hook.requests.length;
    await startWatch();
    const delivered = await waitFor(() => hook.requests[before], 'the redelivery', 20_000);
    expect(delivered.headers['idempotency-key']).toBe(key);
    expect((JSON.parse(delivered.body) as NotifyMessage).alerts[0]).toMatchObject({
      daemon: 'relayCore',
      rule: 'crashed',
    });
  });

  it('kill -9 while alerts wait out groupWait: after a restart they are sent', async () => {
    const hook = await receiver();
    writeConfig(['relayCore'], [{ name: 'hook', type: 'webhook', url: hook.url() }], {
      groupWait: 3600,
    });
    const daemons = startDaemons(['relayCore']);
    const watch = await startWatch();
    daemons.get('relayCore')!.kill('SIGKILL');
    const stateFile = path.join(stateDir, STATE_FILES.notifyState);
    await waitFor(
      () =>
        fs.existsSync(stateFile) && fs.readFileSync(stateFile, 'utf8').includes('"crashed"')
          ? true
          : undefined,
      'the waiting group saved',
      20_000,
    );
    watch.kill('SIGKILL');
    await exited(watch);
    // A clean stop sends what waits; so does a start after kill -9, once the (restored) wait is over.
    const t = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as {
      pending: Array<{ dueMs: number }>;
    };
    t.pending[0]!.dueMs = Date.now();
    fs.writeFileSync(stateFile, JSON.stringify(t));
    await startWatch();
    const m = await waitFor(() => hook.json<NotifyMessage>()[0], 'the message', 20_000);
    expect(m.alerts[0]).toMatchObject({ daemon: 'relayCore', rule: 'crashed', status: 'firing' });
  });
});
