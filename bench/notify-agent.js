// Child process for bench/notify.bench.js: ghost-hb's monitor and poller over
// 100 beating daemons (polls every second, as `watch` runs them) with the
// notifier attached (src/notify: router, outbox, one webhook channel to the
// benchmark's receiver). Reports the spacing of its polls over IPC, and on
// request pushes a burst of events into the notifier beside the polls:
//   { burst: N, shape: 'grouped' }   one evaluation carrying N events (a storm
//                                    inside one poll: one message per channel
//                                    after groupWait)
//   { burst: N, shape: 'separate' }  N evaluations of one event each, on a
//                                    route with groupWait 0 (every event its own
//                                    message: the outbox's and the channel's
//                                    worst case), yielding to the event loop
//                                    between evaluations as polls would
// Usage: node notify-agent.js TMP_DIR WEBHOOK_URL GROUP_WAIT_S
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers';

const [tmp, webhook, groupWaitArg] = process.argv.slice(2);
const { resolveConfig } = await import('../dist/config/schema.js');
const { Monitor } = await import('../dist/runtime/monitor.js');
const { Poller } = await import('../dist/runtime/poller.js');
const { attachNotify } = await import('../dist/notify/index.js');

const DAEMONS = 100;
const hb = path.join(tmp, 'hb');
mkdirSync(hb, { recursive: true });
const names = Array.from({ length: DAEMONS }, (_, i) => `daemon${String(i).padStart(3, '0')}`);
const beat = () => {
  for (const name of names) {
    writeFileSync(path.join(hb, `${name}.json`), JSON.stringify({ ts: Date.now(), interval: 5 }));
  }
};
beat();
setInterval(beat, 2000).unref();

const config = resolveConfig(
  {
    heartbeatDir: hb,
    pollInterval: 1,
    daemons: names,
    discover: false,
    notify: {
      channels: [{ name: 'hook', type: 'webhook', url: webhook }],
      groupWait: Number(groupWaitArg),
      routes: [{ match: { rule: 'bench-separate' }, groupWait: 0 }],
    },
  },
  { baseDir: tmp, configFile: null },
);
const monitor = await Monitor.open({ config, stateDir: path.join(tmp, 'state'), command: 'bench' });
// No directory watcher: polls come from the timer alone, so their spacing is the interval's.
const poller = new Poller(monitor, { pollIntervalMs: 1000, watchDir: null });
const { notifier } = attachNotify(config, monitor, poller, process.env);

const polls = [];
let last = null;
poller.subscribe((u) => {
  if (u.type !== 'result') return;
  last = u.result;
  if (u.kind === 'poll') polls.push({ at: u.at.monoMs, ms: u.durationMs });
});
poller.start();

let seq = 0;
function burstEvent(rule, i) {
  return {
    id: `bench-${++seq}`,
    at: new Date().toISOString(),
    severity: 'error',
    rule,
    daemon: names[i % DAEMONS],
    message: `${names[i % DAEMONS]} bench event ${seq}`,
    data: { reason: 'bench' },
  };
}

async function burst(n, shape) {
  while (!last) await new Promise((r) => setTimeout(r, 50));
  if (shape === 'grouped') {
    const events = Array.from({ length: n }, (_, i) => burstEvent('bench-grouped', i));
    notifier.evaluated({ snapshot: last.snapshot, events }, [], Date.now());
    return;
  }
  for (let i = 0; i < n; i++) {
    notifier.evaluated(
      { snapshot: last.snapshot, events: [burstEvent('bench-separate', i)] },
      [],
      Date.now(),
    );
    await new Promise((r) => setImmediate(r));
  }
}

process.on('message', (m) => {
  if (m === 'polls') process.send({ polls: polls.splice(0) });
  else if (m === 'stats') process.send({ stats: notifier.stats() });
  else if (m === 'stop') {
    void poller
      .stop()
      .then(() => monitor.close())
      .then(() => process.exit(0));
  } else if (m && typeof m === 'object' && 'burst' in m) {
    const t0 = performance.now();
    void burst(m.burst, m.shape).then(() => process.send({ fed: performance.now() - t0 }));
  }
});
process.send({ ready: true });
