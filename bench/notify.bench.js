// Notifications: how much an alert storm costs and how fast a death reaches a
// person. A local webhook receiver (node:http, in this process) records what
// arrives.
//
// 1. Bursts of events through the
//    notifier of a running monitor (bench/notify-agent.js: 100 daemons polled
//    every second): the router, the durable outbox (appended and fdatasynced
//    before any attempt) and the webhook channel. Two shapes: a storm of
//    BENCH_NOTIFY_EVENTS (default 10,000) inside one poll (grouped: one message
//    after groupWait) and BENCH_NOTIFY_SEPARATE (default 2,000) each its own
//    message (groupWait 0, one evaluation each: the outbox's and channel's
//    worst case, an fdatasync per message). Printed: messages and alerts received, time from the burst
//    to the last message, and the spacing of the monitor's polls during the
//    burst beside the same agent idle (the baseline).
// 2. A daemon's death to the webhook: `ghost-hb serve` (the built binary,
//    default 5 s polls) watching BENCH_NOTIFY_DEATHS (default 5) real beating
//    processes, killed with -9 one at a time. Printed beside the baseline of the
//    same death seen on /api/status (detection alone): the median delay to
//    the webhook, what is left after groupWait (target: under groupWait + 2 s).
//
// Knobs: BENCH_NOTIFY_EVENTS, BENCH_NOTIFY_SEPARATE, BENCH_NOTIFY_DEATHS, BENCH_NOTIFY_GROUP_WAIT
// (seconds, default 2; ghost-hb's default is 10).
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median, printTable, ratio } from './lib.js';
import { SPACING_COLUMNS, sleep, spacingOf } from './serverProcess.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const EVENTS = Number(process.env.BENCH_NOTIFY_EVENTS ?? 10_000);
// Every event its own message costs an fdatasync each: fewer by default, so the run stays short.
const SEPARATE = Number(process.env.BENCH_NOTIFY_SEPARATE ?? 2_000);
const DEATHS = Number(process.env.BENCH_NOTIFY_DEATHS ?? 5);
const GROUP_WAIT_S = Number(process.env.BENCH_NOTIFY_GROUP_WAIT ?? 2);
const IDLE_MS = 5000;

/** The webhook: every POST recorded with its arrival time, path, size and alerts. */
function startReceiver() {
  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let alerts = [];
      try {
        alerts = JSON.parse(body).alerts ?? [];
      } catch {
        // Counted as a message with no alerts.
      }
      received.push({ at: performance.now(), path: req.url, bytes: body.length, alerts });
      res.end('ok');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ received, server, base: `http://127.0.0.1:${server.address().port}` }),
    ),
  );
}

/** Resolve with the first value `probe` returns that is not undefined (a bound, not a timing). */
async function waitFor(probe, what, timeoutMs = 120_000, everyMs = 20) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** One IPC answer of the agent, picked by the key it carries. */
function reply(child, key, send) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m && typeof m === 'object' && key in m) {
        child.off('message', on);
        resolve(m[key]);
      }
    };
    child.on('message', on);
    if (send !== undefined) child.send(send);
  });
}

async function bursts(tmp, hook) {
  const child = fork(
    path.join(here, 'notify-agent.js'),
    [path.join(tmp, 'agent'), `${hook.base}/burst`, String(GROUP_WAIT_S)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  await reply(child, 'ready');
  await sleep(1500);
  await reply(child, 'polls', 'polls');
  await sleep(IDLE_MS);
  const idle = spacingOf(await reply(child, 'polls', 'polls'));
  const rows = [];
  for (const [shape, count] of [
    ['grouped', EVENTS],
    ['separate', SEPARATE],
  ]) {
    const before = hook.received.length;
    const arrived = () => hook.received.slice(before);
    const alerts = () => arrived().reduce((n, m) => n + m.alerts.length, 0);
    await reply(child, 'polls', 'polls');
    const t0 = performance.now();
    const fed = reply(child, 'fed', { burst: count, shape });
    await waitFor(() => (alerts() >= count ? true : undefined), `${shape}: every alert`, 1_800_000);
    const feedMs = await fed;
    const last = arrived().at(-1);
    // The spacing over at least as long as the idle baseline, the burst inside it.
    await sleep(Math.max(0, IDLE_MS - (performance.now() - t0)));
    const polls = await reply(child, 'polls', 'polls');
    const msgs = arrived().length;
    const seconds = (last.at - t0) / 1000;
    rows.push({
      name: `${count} events, ${shape === 'grouped' ? 'one poll, grouped' : 'each its own message'}`,
      messages: msgs,
      alerts: alerts(),
      seconds,
      feedSeconds: feedMs / 1000,
      perSecond: msgs / seconds,
      kb: arrived().reduce((n, m) => n + m.bytes, 0) / 1024,
      ...spacingOf(polls),
    });
    // Let the polls settle before the next shape.
    await sleep(1000);
  }
  const stats = await reply(child, 'stats', 'stats');
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
  return { idle, rows, stats };
}

/** A real daemon: its own process, beating every second through the built library until killed. */
function startDaemon(hb, name) {
  const beat = `
    const { writeHeartbeat } = await import(${JSON.stringify(path.join(repo, 'dist', 'beat.js'))});
    let seq = 0;
    const beat = () => writeHeartbeat(process.argv[1], process.argv[2], { interval: 1, seq: seq++ }).catch(() => {});
    await beat();
    setInterval(beat, 1000);`;
  return spawn(process.execPath, ['--input-type=module', '-e', beat, hb, name], {
    stdio: 'ignore',
  });
}

/**
 * `ghost-hb serve` over DEATHS real daemons, killed -9 one after the other
 * (each once: a daemon killed again and again is a restart loop, then
 * flapping, and is rightly announced as that instead).
 */
async function deaths(tmp, hook) {
  const dir = path.join(tmp, 'serve');
  const hb = path.join(dir, 'hb');
  mkdirSync(hb, { recursive: true });
  const names = Array.from({ length: DEATHS }, (_, i) => `victim${i}`);
  writeFileSync(
    path.join(dir, '.heartbeatrc.json'),
    JSON.stringify({
      heartbeatDir: './hb',
      stateDir: './state',
      daemons: names,
      notify: {
        channels: [{ name: 'hook', type: 'webhook', url: `${hook.base}/death` }],
        groupWait: GROUP_WAIT_S,
      },
    }),
  );
  const daemons = names.map((n) => startDaemon(hb, n));
  await waitFor(
    () => (names.every((n) => existsSync(path.join(hb, `${n}.json`))) ? true : undefined),
    'every daemon to beat',
  );
  const serve = spawn(
    process.execPath,
    [path.join(repo, 'bin', 'ghost-hb.js'), 'serve', '--listen', '127.0.0.1:0'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  serve.stderr.on('data', (c) => (stderr += c));
  const trials = [];
  try {
    const api = await waitFor(() => /serving (http:\/\/\S+)/.exec(stderr)?.[1], 'serve');
    const statuses = async () => {
      const res = await globalThis.fetch(`${api}/api/status`).catch(() => null);
      if (!res?.ok) return undefined;
      return new Map((await res.json()).daemons.map((d) => [d.name, d.status]));
    };
    await waitFor(
      async () =>
        (await statuses())?.size === DEATHS &&
        [...(await statuses()).values()].every((s) => s === 'up')
          ? true
          : undefined,
      'every daemon up',
    );
    const messagesAbout = (name) =>
      hook.received.filter((m) => m.path === '/death' && m.alerts.some((a) => a.daemon === name));
    for (const [i, name] of names.entries()) {
      const t0 = performance.now();
      daemons[i].kill('SIGKILL');
      await waitFor(
        async () => ((await statuses())?.get(name) === 'down' ? true : undefined),
        `${name} down on /api/status`,
        120_000,
        10,
      );
      const detected = performance.now() - t0;
      await waitFor(
        () => (messagesAbout(name).length > 0 ? true : undefined),
        `${name} at the webhook`,
        120_000,
        5,
      );
      trials.push({ detected, hooked: messagesAbout(name)[0].at - t0 });
    }
  } finally {
    for (const d of daemons) d.kill('SIGKILL');
    serve.kill('SIGTERM');
    await new Promise((r) => serve.once('exit', r));
  }
  return trials;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ghb-bench-notify-'));
const hook = await startReceiver();
try {
  const { idle, rows, stats } = await bursts(tmp, hook);
  printTable(
    `Notification bursts through router, outbox and a webhook (groupWait ${GROUP_WAIT_S} s when grouped)`,
    rows,
    [
      { key: 'messages', label: 'messages', digits: 0 },
      { key: 'alerts', label: 'alerts', digits: 0 },
      { key: 'kb', label: 'KB sent', digits: 0 },
      { key: 'feedSeconds', label: 'fed in s', digits: 2 },
      { key: 'seconds', label: 'burst to last s', digits: 2 },
      {
        label: 'messages/s',
        value: (r) => (r.messages > 1 ? r.perSecond.toFixed(0) : '-'),
      },
    ],
  );
  printTable(
    'Poll spacing (interval 1000 ms, 100 daemons), idle vs during each burst',
    [{ name: 'idle (baseline)', ...idle }, ...rows],
    [
      ...SPACING_COLUMNS,
      { label: 'gap median vs idle', value: (r) => ratio(r.gapMedian, idle.gapMedian) },
    ],
  );
  const counts = stats.channels.hook;
  console.log(
    `webhook channel: ${counts.delivered} delivered, ${counts.retried} retried, ${counts.dropped} dropped; outbox now ${stats.outbox}`,
  );

  const trials = await deaths(tmp, hook);
  const detect = median(trials.map((t) => t.detected));
  const hooked = median(trials.map((t) => t.hooked));
  const target = GROUP_WAIT_S * 1000 + 2000;
  printTable(
    `A daemon killed -9 to the webhook, ghost-hb serve (5 s polls), groupWait ${GROUP_WAIT_S} s, ${trials.length} deaths (medians)`,
    [
      {
        name: 'baseline: death seen on /api/status',
        ms: detect,
        max: Math.max(...trials.map((t) => t.detected)),
      },
      {
        name: 'death to webhook',
        ms: hooked,
        max: Math.max(...trials.map((t) => t.hooked)),
        afterWait: hooked - GROUP_WAIT_S * 1000,
        target,
      },
    ],
    [
      { key: 'ms', label: 'median ms', digits: 0 },
      { key: 'max', label: 'max ms', digits: 0 },
      { key: 'afterWait', label: 'less groupWait ms', digits: 0 },
      { key: 'target', label: 'target ms', digits: 0 },
      { label: 'vs target', value: (r) => (r.target ? ratio(r.ms, r.target) : '-') },
    ],
  );
} finally {
  hook.server.closeAllConnections();
  hook.server.close();
  rmSync(tmp, { recursive: true, force: true });
}
