// Child process for bench/http.bench.js: either a bare node:http server that
// returns a fixed body (the baseline), or ghost-hb's monitor + poller + API
// over 100 daemons. Reports its URL over IPC, and on request the spacing of
// its polls (so the benchmark can check the interval holds under load).
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [mode, tmp, daemonsArg = '100', intervalArg = '1'] = process.argv.slice(2);

if (mode === 'baseline') {
  const body = JSON.stringify({ ok: true, filler: 'x'.repeat(200) });
  const server = http.createServer((_req, res) => {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () =>
    process.send({ url: `http://127.0.0.1:${server.address().port}` }),
  );
} else {
  const { resolveConfig } = await import('../dist/config/schema.js');
  const { Monitor } = await import('../dist/runtime/monitor.js');
  const { Poller } = await import('../dist/runtime/poller.js');
  const { attachApi } = await import('../dist/server/attach.js');
  const n = Number(daemonsArg);
  const hb = path.join(tmp, 'hb');
  mkdirSync(hb, { recursive: true });
  const names = Array.from({ length: n }, (_, i) => `daemon${String(i).padStart(3, '0')}`);
  const beat = () => {
    for (const [i, name] of names.entries()) {
      const doc = { ts: Date.now(), interval: 5, ...(i % 2 === 0 ? { pid: process.pid } : {}) };
      writeFileSync(path.join(hb, `${name}.json`), JSON.stringify(doc));
    }
  };
  beat();
  setInterval(beat, 2000).unref();
  const config = resolveConfig(
    { heartbeatDir: hb, pollInterval: Number(intervalArg), daemons: names, discover: false },
    { baseDir: tmp, configFile: null },
  );
  const monitor = await Monitor.open({
    config,
    stateDir: path.join(tmp, 'state'),
    command: 'bench',
  });
  // The directory is rewritten every 2 s; no watcher, so polls come from the timer alone.
  const poller = new Poller(monitor, {
    pollIntervalMs: config.pollInterval * 1000,
    watchDir: null,
  });
  const polls = [];
  poller.subscribe((u) => {
    if (u.type === 'result' && u.kind === 'poll') polls.push({ at: u.at.monoMs, ms: u.durationMs });
  });
  const api = await attachApi({
    config,
    poller,
    monitor,
    listen: '127.0.0.1:0',
    env: { GHOST_HB_TOKEN: process.env.BENCH_TOKEN },
    // bench/pings.bench.js measures the writes themselves, past the per-name rate limit.
    ...(process.env.BENCH_PING_UNLIMITED ? { pingLimits: { burst: 1e9, perSecond: 1e9 } } : {}),
  });
  poller.start();
  process.on('message', (m) => {
    if (m === 'polls') process.send({ polls: polls.splice(0) });
    if (m === 'rss') process.send({ rss: process.memoryUsage().rss });
    if (m === 'stop') {
      void poller
        .stop()
        .then(() => api.close())
        .then(() => monitor.close())
        .then(() => process.exit(0));
    }
  });
  process.send({ url: api.server.url });
}
