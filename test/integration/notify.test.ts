// Notification channels and delivery against real local receivers: each
// channel's payload in its service's documented shape, receivers that fail,
// stall, refuse and recover, a real SMTP server (aiosmtpd), and the self-ping.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { configSchema } from '../../src/config/schema.js';
import type { HbEvent, PollResult } from '../../src/core/types.js';
import { createChannel } from '../../src/notify/channels/index.js';
import type { NotifyMessage } from '../../src/notify/message.js';
import { Notifier } from '../../src/notify/notifier.js';
import type { OpenConditionView } from '../../src/notify/router.js';
import { SelfPing } from '../../src/notify/selfPing.js';
import { buildDaemon, buildSnapshot } from '../helpers/snapshotBuilders.js';
import { tempDir, waitFor } from '../helpers/proc.js';
import { Receiver } from '../helpers/receiver.js';
import { freePort } from '../helpers/readyProcess.js';

const receivers: Receiver[] = [];
const closers: Array<() => void> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  for (const r of receivers.splice(0)) await r.close();
});

async function receiver(mode: Receiver['mode'] = 'ok'): Promise<Receiver> {
  const r = await Receiver.start(mode);
  receivers.push(r);
  return r;
}

function notifyConfig(raw: unknown) {
  return configSchema.shape.notify.parse(raw);
}

const T0 = Date.UTC(2026, 11, 2, 1, 0, 0);

function downEvent(id: number, daemon: string, over: Partial<HbEvent> = {}): HbEvent {
  return {
    id: String(id),
    at: new Date(T0).toISOString(),
    severity: 'error',
    rule: 'crashed',
    daemon,
    message: `${daemon} is down: process exited`,
    data: { reason: 'process exited' },
    ...over,
  };
}

function result(events: HbEvent[]): PollResult {
  return { snapshot: buildSnapshot([buildDaemon('relayCore')], T0), events };
}

function outage(e: HbEvent): OpenConditionView {
  return { key: `${e.daemon}/outage`, kind: 'level', event: e };
}

function notifier(raw: unknown, extra: Partial<ConstructorParameters<typeof Notifier>[1]> = {}) {
  const dir = tempDir('ghost-hb-notify-');
  const n = new Notifier(notifyConfig(raw), { stateDir: dir, random: () => 0.5, ...extra });
  closers.push(() => n.close());
  return { n, dir };
}

const message: NotifyMessage = {
  version: 1,
  id: '0b7d7c1e-4f7e-4c1a-9c36-5d2e8f0e9a11',
  host: 'box',
  status: 'firing',
  createdAt: new Date(T0 + 10_000).toISOString(),
  title: '[box] FIRING: relayCore is down: process exited',
  alerts: [
    {
      status: 'firing',
      reminder: false,
      severity: 'critical',
      rule: 'crashed',
      daemon: 'relayCore',
      message: 'relayCore is down: process exited',
      reason: 'process exited',
      since: new Date(T0).toISOString(),
      durationMs: null,
      eventId: '42',
    },
  ],
};

async function sendOnce(raw: Record<string, unknown>): Promise<void> {
  const [cfg] = notifyConfig({ channels: [raw] }).channels;
  await createChannel(cfg!, process.env).send(message, AbortSignal.timeout(10_000));
}

describe('channel payloads', () => {
  it('webhook: the documented JSON with an Idempotency-Key header', async () => {
    const r = await receiver();
    await sendOnce({ name: 'hook', type: 'webhook', url: r.url(), headers: { 'x-team': 'ops' } });
    const [req] = r.requests;
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['idempotency-key']).toBe(message.id);
    expect(req!.headers['x-team']).toBe('ops');
    expect(JSON.parse(req!.body)).toEqual(message);
  });

  it('slack: an incoming-webhook payload whose text names host, daemon, reason and since', async () => {
    const r = await receiver();
    await sendOnce({ name: 'chat', type: 'slack', url: r.url() });
    const body = r.json<{ text: string }>()[0]!;
    expect(Object.keys(body)).toEqual(['text']);
    expect(body.text).toContain('relayCore is down: process exited');
    expect(body.text).toContain('host: box');
    expect(body.text).toContain(`since ${new Date(T0).toISOString()}`);
  });

  it('discord: content within 2,000 characters, no mentions', async () => {
    const r = await receiver();
    const long = { ...message, alerts: Array.from({ length: 100 }, () => message.alerts[0]!) };
    const [cfg] = notifyConfig({
      channels: [{ name: 'd', type: 'discord', url: r.url() }],
    }).channels;
    await createChannel(cfg!, process.env).send(long, AbortSignal.timeout(10_000));
    const body = r.json<{ content: string; allowed_mentions: unknown }>()[0]!;
    expect(body.content.length).toBeLessThanOrEqual(2000);
    expect(body.content).toContain('relayCore');
    expect(body.allowed_mentions).toEqual({ parse: [] });
  });

  it('ntfy: text body, title, priority from severity, token from the environment', async () => {
    const r = await receiver();
    process.env.GHOST_HB_TEST_NTFY = 'tk_secret';
    await sendOnce({
      name: 'phone',
      type: 'ntfy',
      url: r.url('/alerts'),
      tokenEnv: 'GHOST_HB_TEST_NTFY',
    });
    delete process.env.GHOST_HB_TEST_NTFY;
    const [req] = r.requests;
    expect(req!.path).toBe('/alerts');
    expect(req!.headers.priority).toBe('5');
    expect(req!.headers.title).toBe(message.title);
    expect(req!.headers.authorization).toBe('Bearer tk_secret');
    expect(req!.body).toContain('relayCore is down');
  });

  it('exec: the message as JSON on stdin, no shell; a failing command is an error', async () => {
    const dir = tempDir('ghost-hb-exec-');
    const out = path.join(dir, 'out.json');
    const script = `require('fs').writeFileSync(process.argv[1], require('fs').readFileSync(0))`;
    await sendOnce({ name: 'x', type: 'exec', command: [process.execPath, '-e', script, out] });
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(message);
    // "$(...)" in an argument is not run: no shell.
    await sendOnce({
      name: 'x',
      type: 'exec',
      command: [process.execPath, '-e', script, path.join(dir, '$(touch pwned)')],
    });
    expect(fs.existsSync(path.join(dir, 'pwned'))).toBe(false);
    await expect(
      sendOnce({ name: 'x', type: 'exec', command: 'exit 3', shell: true }),
    ).rejects.toThrow('exit 3');
  });
});

describe('delivery', () => {
  it('retries a failing receiver with the same idempotency key until it recovers', async () => {
    const r = await receiver('fail');
    const { n, dir } = notifier({
      channels: [{ name: 'hook', type: 'webhook', url: r.url() }],
      groupWait: 0,
      retryInitial: 0.05,
      retryMax: 0.2,
    });
    const e = downEvent(1, 'relayCore');
    n.evaluated(result([e]), [outage(e)], T0);
    await waitFor(
      () => (n.stats().channels.hook!.retried >= 2 ? true : undefined),
      'two failed attempts',
    );
    expect(n.stats().outbox).toBe(1);
    expect(fs.readFileSync(path.join(dir, 'notify-outbox.jsonl'), 'utf8')).toContain(
      r.requests[0]!.headers['idempotency-key'] as string,
    );
    r.mode = 'ok';
    await waitFor(() => (n.stats().channels.hook!.delivered === 1 ? true : undefined), 'delivery');
    const keys = new Set(r.requests.map((q) => q.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect(n.stats().outbox).toBe(0);
  });

  it('a stalled channel times out and never delays another channel', async () => {
    const stalled = await receiver('stall');
    const ok = await receiver();
    const { n } = notifier({
      channels: [
        { name: 'slow', type: 'webhook', url: stalled.url(), timeoutMs: 300 },
        { name: 'fast', type: 'webhook', url: ok.url() },
      ],
      groupWait: 0,
      retryInitial: 0.05,
      retryMax: 0.1,
    });
    for (let i = 1; i <= 3; i++) {
      const e = downEvent(i, `d${i}`);
      n.evaluated(result([e]), [outage(e)], T0);
    }
    await waitFor(() => (ok.requests.length === 3 ? true : undefined), 'the fast channel');
    expect(n.stats().channels.slow!.delivered).toBe(0);
    await waitFor(
      () => (n.stats().channels.slow!.retried >= 1 ? true : undefined),
      'a timed-out attempt',
    );
    stalled.mode = 'ok';
    await waitFor(
      () => (n.stats().channels.slow!.delivered === 3 ? true : undefined),
      'the slow channel recovering',
    );
  });

  it('a refused message is dropped, counted and raised as an event', async () => {
    const r = await receiver('refuse');
    const raised: Array<Omit<HbEvent, 'id' | 'at'>> = [];
    const { n } = notifier(
      { channels: [{ name: 'hook', type: 'webhook', url: r.url() }], groupWait: 0 },
      { raise: (e) => raised.push(e) },
    );
    const e = downEvent(1, 'relayCore');
    n.evaluated(result([e]), [outage(e)], T0);
    await waitFor(() => (raised.length === 1 ? true : undefined), 'the drop event');
    expect(raised[0]!.rule).toBe('notify-dropped');
    expect(raised[0]!.message).toContain('HTTP 400');
    expect(raised[0]!.message).not.toContain(r.url());
    expect(n.stats().channels.hook).toEqual({ delivered: 0, retried: 0, dropped: 1 });
    expect(n.stats().outbox).toBe(0);
  });

  it('messages older than maxAge are dropped', async () => {
    const r = await receiver('fail');
    let now = T0;
    const { n } = notifier(
      {
        channels: [{ name: 'hook', type: 'webhook', url: r.url() }],
        groupWait: 0,
        maxAge: 60,
        retryInitial: 0.02,
        retryMax: 0.05,
      },
      { now: () => now },
    );
    const e = downEvent(1, 'relayCore');
    n.evaluated(result([e]), [outage(e)], T0);
    await waitFor(() => (r.requests.length >= 1 ? true : undefined), 'an attempt');
    now = T0 + 61_000;
    await waitFor(() => (n.stats().channels.hook!.dropped === 1 ? true : undefined), 'the drop');
  });

  it('rewrites its state only when it changed: one-off events sent at once leave it alone', async () => {
    const r = await receiver();
    const { n, dir } = notifier({
      channels: [{ name: 'hook', type: 'webhook', url: r.url() }],
      groupWait: 0,
    });
    const file = path.join(dir, 'notify-state.json');
    const restart = (id: number) =>
      downEvent(id, 'relayCore', { rule: 'restarted', severity: 'warn', data: {} });
    n.evaluated(result([restart(1)]), [], T0);
    const first = fs.statSync(file).ino;
    for (let i = 2; i <= 5; i++) n.evaluated(result([restart(i)]), [], T0 + i);
    await waitFor(() => (r.requests.length === 5 ? true : undefined), 'five messages');
    // The same file: not replaced by an atomic rewrite of the same state.
    expect(fs.statSync(file).ino).toBe(first);
    // An announced outage is new state, written at once.
    const e = downEvent(9, 'healer');
    n.evaluated(result([e]), [outage(e)], T0 + 10);
    expect(fs.statSync(file).ino).not.toBe(first);
    expect(fs.readFileSync(file, 'utf8')).toContain('healer/outage');
  });

  it('what a previous run left in the outbox is sent first, with its key', async () => {
    const r = await receiver('fail');
    const dir = tempDir('ghost-hb-notify-');
    const raw = {
      channels: [{ name: 'hook', type: 'webhook', url: r.url() }],
      groupWait: 0,
      retryInitial: 0.05,
    };
    const first = new Notifier(notifyConfig(raw), { stateDir: dir });
    const e = downEvent(1, 'relayCore');
    first.evaluated(result([e]), [outage(e)], T0);
    await waitFor(() => (r.requests.length >= 1 ? true : undefined), 'an attempt');
    const key = r.requests[0]!.headers['idempotency-key'];
    first.close();
    r.mode = 'ok';
    const second = new Notifier(notifyConfig(raw), { stateDir: dir });
    closers.push(() => second.close());
    await waitFor(
      () => (second.stats().channels.hook!.delivered === 1 ? true : undefined),
      'redelivery',
    );
    expect(r.requests.at(-1)!.headers['idempotency-key']).toBe(key);
  });
});

function aiosmtpdAvailable(): boolean {
  const ok =
    spawnSync('/usr/bin/python3', ['-c', 'import aiosmtpd'], { stdio: 'ignore' }).status === 0;
  if (ok) return true;
  const msg =
    'python3 aiosmtpd not found; install the Debian package "python3-aiosmtpd" (.ci/run does)';
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(msg);
  console.warn(`skipping: ${msg}`);
  return false;
}

describe('email', () => {
  let smtp: ChildProcess | null = null;
  afterEach(() => {
    smtp?.kill('SIGKILL');
    smtp = null;
  });

  it('a real SMTP server receives the mail with the subject and body', async () => {
    if (!aiosmtpdAvailable()) return;
    const port = await freePort();
    let out = '';
    smtp = spawn(
      '/usr/bin/python3',
      [
        '-u',
        '-m',
        'aiosmtpd',
        '-n',
        '-c',
        'aiosmtpd.handlers.Debugging',
        '-l',
        `127.0.0.1:${port}`,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    smtp.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const raw = {
      name: 'mail',
      type: 'email',
      host: '127.0.0.1',
      port,
      security: 'none',
      from: 'ghost-hb@box.example',
      to: ['ops@example.com'],
      timeoutMs: 5000,
    };
    await waitFor(
      async () => {
        try {
          await sendOnce(raw);
          return true;
        } catch {
          return undefined;
        }
      },
      'the SMTP server to accept the mail',
      20_000,
      200,
    );
    await waitFor(
      () => (out.includes('END MESSAGE') ? true : undefined),
      'the message printed by aiosmtpd',
    );
    expect(out).toContain(`Subject: ${message.title}`);
    expect(out).toContain('To: ops@example.com');
    expect(out).toContain('relayCore is down: process exited');
    expect(out).toContain(`Message-ID: <${message.id}@ghost-hb>`);
  });
});

describe('self-ping', () => {
  it('pings after successful polls (at most once per interval) and URL/fail when polls fail', async () => {
    const r = await receiver();
    let now = T0;
    const ping = new SelfPing({ url: r.url('/ping/abc'), intervalMs: 60_000, now: () => now });
    closers.push(() => ping.close());
    const at = { wallMs: now, monoMs: 0 };
    const ok = { type: 'result', kind: 'poll', result: result([]), at, durationMs: 1 } as const;
    const bad = {
      type: 'error',
      kind: 'poll',
      error: new Error('x'),
      at,
      consecutiveFailures: 1,
    } as const;
    ping.onUpdate(ok);
    ping.onUpdate(ok);
    await waitFor(() => (ping.counts.ok === 1 ? true : undefined), 'the first ping');
    now += 61_000;
    ping.onUpdate(bad);
    await waitFor(() => (ping.counts.fail === 1 ? true : undefined), 'the fail ping');
    ping.onUpdate(ok);
    await waitFor(() => (ping.counts.ok === 2 ? true : undefined), 'the ping after recovery');
    expect(r.requests.map((q) => q.path)).toEqual(['/ping/abc', '/ping/abc/fail', '/ping/abc']);
  });
});
