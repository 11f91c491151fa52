// One poll of the engine over 8, 1,000 and 10,000 daemons, beside a baseline
// that only lstats and reads the same files. Each size runs in its own process
// so peak RSS belongs to that size alone. Half the daemons name a live pid (a
// few real sleeping processes, reused across files: spawning 5,000 would
// measure the machine, not ghost-hb).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { measure, median, printTable, ratio } from './lib.js';

const SIZES = [8, 1000, 10000];
const here = fileURLToPath(import.meta.url);

async function runSize(n) {
  const { Engine } = await import('../dist/runtime/engine.js');
  const { systemInstant: nowInstant } = await import('../dist/runtime/poller.js');
  const { resolveConfig } = await import('../dist/config/schema.js');
  const sleepers = Array.from({ length: 8 }, () =>
    spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' }),
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-bench-'));
  try {
    // Let the sleepers start before their pids appear in beats (a beat older
    // than its process would be a recycled pid).
    await new Promise((r) => setTimeout(r, 300));
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const name = `daemon-${String(i).padStart(5, '0')}`;
      if (i % 2 === 0) {
        const pid = sleepers[i % sleepers.length].pid;
        const doc = {
          name,
          pid,
          ts: new Date(now).toISOString(),
          interval: 60,
          seq: i,
          status: 'ok',
        };
        fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(doc));
      } else if (i % 4 === 1) {
        fs.writeFileSync(path.join(dir, `${name}.hb`), '');
      } else {
        const doc = { name, ts: now, interval: 60, message: 'no pid', meta: { shard: i } };
        fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(doc));
      }
    }
    const config = resolveConfig(
      { heartbeatDir: dir, daemons: [], discover: true, defaults: { interval: 60 } },
      { baseDir: dir, configFile: null },
    );
    const iterations = n >= 10000 ? 10 : n >= 1000 ? 20 : 50;

    // Baseline: what any reader of the directory must do at least.
    const buf = Buffer.allocUnsafe(64 * 1024 + 1);
    const baseline = await measure(
      () => {
        for (const f of fs.readdirSync(dir)) {
          const p = path.join(dir, f);
          const st = fs.lstatSync(p);
          if (!st.isFile() || st.size === 0) continue;
          const fd = fs.openSync(p, 'r');
          fs.readSync(fd, buf, 0, buf.length, null);
          fs.closeSync(fd);
        }
      },
      { iterations },
    );
    // Cold: a new engine every time, so every file is read and parsed.
    const cold = await measure(() => new Engine(config).poll(nowInstant()), { iterations });
    // One engine; unchanged files come from its cache.
    const engine = new Engine(config);
    const warm = await measure(() => engine.poll(nowInstant()), { iterations });
    // Every daemon beat since the last poll: every file changed and is read
    // again, the realistic case when beats are as frequent as polls. The
    // rewrite is outside the timed part.
    const changed = [];
    const changedCpu = [];
    const names = fs.readdirSync(dir);
    for (let k = 0; k < iterations; k++) {
      const t = new Date(Date.now() + (k + 1) * 1000 - iterations * 1000);
      for (const f of names) fs.utimesSync(path.join(dir, f), t, t);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await engine.poll(nowInstant());
      changed.push(performance.now() - t0);
      const c1 = process.cpuUsage(c0);
      changedCpu.push((c1.user + c1.system) / 1000);
    }
    const rewritten = { wallMs: median(changed), cpuMs: median(changedCpu) };
    const check = await engine.poll(nowInstant());
    const up = check.summary.up;
    const live = check.daemons.filter((d) => d.processAlive === true).length;
    return {
      n,
      baseline,
      cold,
      warm,
      rewritten,
      up,
      live,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    for (const s of sleepers) s.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--size') {
  const result = await runSize(Number(process.argv[3]));
  process.stdout.write(JSON.stringify(result));
} else {
  const rows = [];
  let ok = true;
  for (const n of SIZES) {
    const r = spawnSync(process.execPath, ['--expose-gc', here, '--size', String(n)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.status !== 0) {
      console.error(`size ${n} failed with ${r.status ?? r.signal}`);
      process.exit(1);
    }
    const res = JSON.parse(r.stdout);
    if (res.up !== n || res.live !== n / 2) {
      console.error(
        `size ${n}: expected ${n} up and ${n / 2} live, got ${res.up} up, ${res.live} live`,
      );
      ok = false;
    }
    rows.push({ name: `${n} baseline (lstat+read)`, ...res.baseline, peakRssMiB: null, x: '' });
    rows.push({
      name: `${n} engine poll, cold`,
      ...res.cold,
      peakRssMiB: null,
      x: ratio(res.cold.cpuMs, res.baseline.cpuMs),
    });
    rows.push({
      name: `${n} engine poll, all files changed`,
      ...res.rewritten,
      peakRssMiB: null,
      x: ratio(res.rewritten.cpuMs, res.baseline.cpuMs),
    });
    rows.push({
      name: `${n} engine poll, unchanged files`,
      ...res.warm,
      peakRssMiB: res.peakRssMiB,
      x: ratio(res.warm.cpuMs, res.baseline.cpuMs),
    });
  }
  printTable('engine: one poll (median of runs; CPU ratio vs baseline of the same size)', rows, [
    { label: 'wall ms', key: 'wallMs' },
    { label: 'CPU ms', key: 'cpuMs' },
    { label: 'peak RSS MiB', key: 'peakRssMiB', digits: 1 },
    { label: 'CPU vs baseline', value: (r) => r.x },
  ]);
  console.log('\ntargets: 8 daemons < 5 ms CPU per poll; 10,000 daemons within 3x the baseline');
  if (!ok) process.exit(1);
}
