// The monitor's costs: one frame rendered for 8, 1,000 and 10,000 daemons;
// keypress-to-new-frame with 1,000 daemons; the CPU a poll's frame costs at
// 120x40 through the terminal layer; and, in real tmux panes side by
// side, ghost-hb watching beating daemons against a minimal Ink app
// (bench/baseline-app.js) for CPU seconds, RSS, first-frame time, bytes written
// to the terminal per minute and full clears (pipe-pane), with 8 and 1,000
// daemons (BENCH_WATCH_COUNTS=8 for one).
// With 8 daemons the watch is measured twice: in the first minutes (start-up
// work still running: V8 compiles code as it turns hot, which at a few frames
// a minute takes about ten minutes) and in the steady state a pane left open
// for weeks lives in (BENCH_STEADY_MIN, default 10; 0 skips it).
// `--quick` (or BENCH_QUICK=1) shortens the 60 s watch for local iteration.
import { spawn, execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { benchDaemon, benchEvents, benchSnapshot, median, printTable, ratio } from './lib.js';
import { BenchPanes, procStat, until } from './panes.js';

// Frames are measured with React's production build, as ghost-hb runs it.
process.env.NODE_ENV = 'production';
const { default: React } = await import('react');
const { render, renderToString } = await import('ink');

const h = React.createElement;
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const WATCH_SEC = quick ? 15 : 60;
/** Seconds the programs run before the watch is measured. */
const SETTLE_SEC = quick ? 3 : 30;
/** Minutes the programs run before the steady-state window (8 daemons only). */
const STEADY_MIN = Number(process.env.BENCH_STEADY_MIN ?? (quick ? 0 : 10));

const { deriveScreen } = await import('../dist/ui/model/screen.js');
const { initialViewState } = await import('../dist/ui/model/view.js');
const { EMPTY_HISTORY, recordPoll } = await import('../dist/ui/model/history.js');
const { MonitorScreen } = await import('../dist/ui/components/MonitorScreen.js');
const { App } = await import('../dist/ui/App.js');
const { DEFAULT_DAEMONS } = await import('../dist/config/schema.js');
const { Poller } = await import('../dist/runtime/poller.js');
const { EventRing } = await import('../dist/core/events/index.js');
const { FrameTerminal } = await import('../dist/ui/output/frameTerminal.js');

// ---------------------------------------------------------------------------
// Synthetic snapshots
// ---------------------------------------------------------------------------

/** A daemon of every status in turn, with ages, restarts and critical flags varied. */
function daemon(i) {
  const statuses = ['up', 'up', 'up', 'up', 'late', 'down', 'unknown'];
  const name = `daemon-${String(i).padStart(5, '0')}`;
  return benchDaemon(name, i, {
    status: statuses[i % statuses.length],
    ageMs: (i % 30) * 1000,
    restarts: i % 4,
    critical: i % 10 === 0,
    payload: { name },
    selfStatus: 'ok',
  });
}

function snapshot(n) {
  return benchSnapshot(
    'bench',
    Array.from({ length: n }, (_, i) => daemon(i)),
  );
}

function events(n) {
  return benchEvents(n, (i) => `daemon-${String(i).padStart(5, '0')}`);
}

// ---------------------------------------------------------------------------
// 1. One frame: derive (filter, sort, layout) + render to a string
// ---------------------------------------------------------------------------

function frameBench(n) {
  const snap = snapshot(n);
  const data = { snapshot: snap, events: events(200), history: recordPoll(EMPTY_HISTORY, snap) };
  const state = initialViewState();
  const frame = () => {
    const model = deriveScreen(data, state, 80, 24);
    return renderToString(
      h(MonitorScreen, {
        data,
        model,
        width: 80,
        height: 24,
        color: true,
        intervalSec: 5,
        lastPollAt: Date.now(),
        lastPollMs: 3,
        stale: null,
        offsetWarnMs: 50,
      }),
      { columns: 80 },
    );
  };
  const iterations = n >= 10000 ? 15 : 40;
  for (let i = 0; i < 3; i++) frame();
  const times = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    frame();
    times.push(performance.now() - t0);
  }
  return { name: `${n} daemons`, ms: median(times), iterations };
}

// ---------------------------------------------------------------------------
// 2. Keypress to new frame, through the real App, Ink and its throttle
// ---------------------------------------------------------------------------

class FakeStdin extends EventEmitter {
  isTTY = true;
  data = null;
  write(d) {
    this.data = d;
    this.emit('readable');
    this.emit('data', d);
  }
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    const d = this.data;
    this.data = null;
    return d;
  }
}

class FakeStdout extends EventEmitter {
  columns = 80;
  rows = 24;
  isTTY = true;
  writes = 0;
  onWrite = null;
  write(s) {
    this.writes++;
    this.onWrite?.(s);
    return true;
  }
}

async function keypressBench(n) {
  const snap = snapshot(n);
  const poller = new Poller(
    { poll: async () => ({ snapshot: snap, events: [] }) },
    { pollIntervalMs: 3_600_000, livenessIntervalMs: 0, watchDir: null, keepAlive: false },
  );
  const stdin = new FakeStdin();
  const stdout = new FakeStdout();
  // A feed is a poller and the process's one event ring, as the screen's sources are.
  const events = new EventRing();
  const feed = { subscribe: (fn) => poller.subscribe(fn), events };
  const inst = render(
    h(App, {
      feed,
      width: 80,
      height: 24,
      color: true,
      intervalSec: 5,
      offsetWarnMs: 50,
      onQuit: () => {},
    }),
    { stdin, stdout, stderr: stdout, exitOnCtrlC: false, patchConsole: false, maxFps: 20 },
  );
  poller.start();
  await new Promise((r) => setTimeout(r, 300));
  const times = [];
  for (let i = 0; i < 30; i++) {
    // Idle between presses, as a person types: the throttle is then on its leading edge.
    await new Promise((r) => setTimeout(r, 80));
    // A press that draws nothing fails the bench loudly (an await that never
    // settles would end the process without a word).
    let noFrame;
    const frame = new Promise((resolve, reject) => {
      stdout.onWrite = () => resolve(performance.now());
      noFrame = setTimeout(() => reject(new Error('no frame 10 s after a key press')), 10_000);
    }).finally(() => clearTimeout(noFrame));
    const t0 = performance.now();
    stdin.write(i % 10 < 5 ? 'j' : 'k');
    times.push((await frame) - t0);
    stdout.onWrite = null;
  }
  inst.unmount();
  await poller.stop();
  return { name: `${n} daemons, j/k`, ms: median(times), max: Math.max(...times) };
}

// ---------------------------------------------------------------------------
// 2b. A poll's frame as the screen draws it: App, Ink, the terminal layer
// ---------------------------------------------------------------------------

/**
 * CPU per frame for 8 daemons at 120x40, each poll moving ages, CPU and
 * uptimes as a live fleet does: from the poll to the bytes for the terminal.
 * Back to back (warm code) and 1 s apart, nearer what a pane sees every 5 s.
 */
async function pollFrameBench(gapMs, count) {
  let tick = 0;
  const snap = () =>
    benchSnapshot(
      'bench-host',
      DEFAULT_DAEMONS.map((n, i) =>
        benchDaemon(n, i, {
          ageMs: ((tick + i) % 5) * 1000 + tick,
          cpuPct: (tick * 3 + i) % 7,
          uptimeSec: 3600 + tick * 5,
        }),
      ),
    );
  const poller = new Poller(
    { poll: async () => ({ snapshot: (tick++, snap()), events: [] }) },
    { pollIntervalMs: 3_600_000, livenessIntervalMs: 0, watchDir: null, keepAlive: false },
  );
  const events = new EventRing();
  for (const e of benchEvents(30, (i) => DEFAULT_DAEMONS[i % 8])) events.push(e.event);
  const feed = { subscribe: (fn) => poller.subscribe(fn), events, pollNow: () => poller.pollNow() };
  const stdout = new FakeStdout();
  stdout.columns = 120;
  stdout.rows = 40;
  let bytes = 0;
  stdout.onWrite = (s) => (bytes += s.length);
  const terminal = new FrameTerminal(stdout);
  const inst = render(
    h(App, {
      feed,
      width: 120,
      height: 40,
      color: true,
      intervalSec: 5,
      offsetWarnMs: 50,
      onQuit: () => {},
    }),
    {
      stdout: terminal.inkStdout,
      stdin: new FakeStdin(),
      stderr: stdout,
      exitOnCtrlC: false,
      debug: true,
      patchConsole: false,
    },
  );
  const pause = (ms) => new Promise((r) => setTimeout(r, ms));
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  for (let i = 0; i < 10; i++) {
    await poller.pollNow();
    await pause(5);
  }
  const frames0 = terminal.stats.frames;
  const bytes0 = bytes;
  const times = [];
  for (let i = 0; i < count; i++) {
    await pause(gapMs);
    const c0 = cpuMs();
    await poller.pollNow();
    await pause(5); // the commit and the frame follow the poll's update
    times.push(cpuMs() - c0);
  }
  const drawn = terminal.stats.frames - frames0;
  inst.unmount();
  await poller.stop();
  return {
    name: gapMs < 100 ? '8 daemons, back to back' : `8 daemons, ${gapMs / 1000} s apart`,
    ms: median(times),
    meanMs: times.reduce((a, b) => a + b, 0) / times.length,
    frames: drawn,
    bytes: (bytes - bytes0) / count,
  };
}

// ---------------------------------------------------------------------------
// 3. ghost-hb vs the baseline in tmux: CPU, RSS, first frame
// ---------------------------------------------------------------------------

const panes = new BenchPanes('ghost-hb-bench');
const tmux = (...args) => panes.run(...args);
const startInPane = (name, cmd, cwd, marker) => panes.start(name, cmd, cwd, marker);
const stopPane = (name) => panes.stop(name);

/** Bytes a pane's program wrote, and its full clears (ESC[2J), from a pipe-pane log. */
function terminalOutput(file) {
  const raw = fs.existsSync(file) ? fs.readFileSync(file, 'latin1') : '';
  return { bytes: raw.length, clears: raw.split('\u001b[2J').length - 1 };
}

/** CPU seconds each process uses over the next WATCH_SEC, and its RSS at the end. */
async function cpuWindow(procs) {
  const before = procs.map((p) => procStat(p.pid));
  await new Promise((r) => setTimeout(r, WATCH_SEC * 1000));
  return procs.map((p, i) => {
    const after = procStat(p.pid);
    return { cpuSec: after.cpuSec - before[i].cpuSec, rssMiB: after.rssMiB, hwmMiB: after.hwmMiB };
  });
}

/**
 * The monitor and the baseline side by side in 120x40 windows for WATCH_SEC:
 * CPU, RSS, bytes written to the terminal and full clears, with `count`
 * daemons beating every 5 s (eight real processes, or one process writing
 * `count` files).
 */
async function watchBench(count) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-bench-ui-'));
  const hb = path.join(tmp, '_heartbeat');
  fs.mkdirSync(hb);
  fs.writeFileSync(
    path.join(tmp, '.heartbeatrc.json'),
    JSON.stringify({ heartbeatDir: './_heartbeat', stateDir: './state' }),
  );
  const env = { ...process.env, BEAT_MS: '5000' };
  const beaters =
    count === DEFAULT_DAEMONS.length
      ? DEFAULT_DAEMONS.map((n) =>
          spawn(
            process.execPath,
            [path.join(repo, 'test', 'fixtures', 'libBeater.js'), path.join(repo, 'dist'), hb, n],
            { stdio: 'ignore', env },
          ),
        )
      : [
          spawn(
            process.execPath,
            [path.join(here, 'manyBeater.js'), path.join(repo, 'dist'), hb, String(count)],
            { stdio: 'ignore', env },
          ),
        ];
  const node = process.execPath;
  // Run as an installed ghost-hb runs: the launcher itself, with its shebang's Node flags.
  const ghost = path.join(repo, 'bin', 'ghost-hb.js');
  const baseline = `${node} ${path.join(here, 'baseline-app.js')}`;
  panes.open(tmp, 120, 40);
  try {
    await until(() => fs.readdirSync(hb).length >= count, 30000, 'first beats');
    // First frame: alternate runs, median of five each (one run with 1,000 daemons).
    const firstFrames = { ghost: [], base: [] };
    for (let i = 0; i < (count > 8 ? 1 : 5); i++) {
      const g = await startInPane('g', ghost, tmp, 'EVENTS');
      stopPane('g');
      const b = await startInPane('b', baseline, tmp, 'item 9');
      stopPane('b');
      firstFrames.ghost.push(g.firstFrameMs);
      firstFrames.base.push(b.firstFrameMs);
    }
    // Watch: both running at once, measured over the same window.
    const g = await startInPane('g', ghost, tmp, 'EVENTS');
    const b = await startInPane('b', baseline, tmp, 'item 9');
    // The same polling without a screen, to show what the engine and logs cost on their own.
    // Its own state directory: the screen holds the lock on ./state (one writer per directory).
    const w = await startInPane('w', `${ghost} watch --state-dir ./state-watch`, tmp, 'watching');
    // Settle first: startup is the first-frame figure, and the first seconds
    // still carry start-up work (compiling hot code, collecting the heap the
    // module loading left), which a pane left open for weeks pays once.
    await new Promise((r) => setTimeout(r, SETTLE_SEC * 1000));
    // From here on, everything each program writes to its terminal.
    const log = (name) => path.join(tmp, `${name}.raw`);
    for (const name of ['g', 'b']) tmux('pipe-pane', '-o', '-t', name, `cat >> ${log(name)}`);
    const started = Date.now() - SETTLE_SEC * 1000;
    const first = await cpuWindow([g, b, w]);
    for (const name of ['g', 'b']) tmux('pipe-pane', '-t', name);
    let steady = null;
    if (STEADY_MIN > 0 && count <= DEFAULT_DAEMONS.length) {
      const wait = started + STEADY_MIN * 60_000 - Date.now();
      await new Promise((r) => setTimeout(r, Math.max(0, wait)));
      steady = await cpuWindow([g, b, w]);
    }
    stopPane('w');
    const pane = tmux('capture-pane', '-p', '-t', 'g');
    stopPane('g');
    stopPane('b');
    const perMin = (o) => ({ kbPerMin: o.bytes / 1024 / (WATCH_SEC / 60), clears: o.clears });
    const [gs, bs, ws] = first;
    return {
      ghost: { ...gs, firstMs: median(firstFrames.ghost), ...perMin(terminalOutput(log('g'))) },
      base: { ...bs, firstMs: median(firstFrames.base), ...perMin(terminalOutput(log('b'))) },
      headless: { ...ws, firstMs: null },
      steady: steady && { ghost: steady[0], base: steady[1], headless: steady[2] },
      upRows: pane.split('\n').filter((l) => /✔ up /.test(l)).length,
    };
  } finally {
    panes.close();
    for (const c of beaters) c.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function printWatch(count, w) {
  const pct = (cpu) => ((cpu / WATCH_SEC) * 100).toFixed(2);
  const cpuColumns = [
    { label: 'CPU s', value: (r) => r.ratioCpu ?? r.cpuSec.toFixed(2) },
    { label: '% core', value: (r) => (r.ratioCpu ? '' : pct(r.cpuSec)) },
  ];
  printTable(
    `watching ${count} daemons beating every 5 s in tmux at 120x40 for ${WATCH_SEC} s ` +
      '(targets: CPU <= 1.5x, RSS <= 1.2x, < 15 KB/min, 0 clears after the first frame)',
    [
      { name: 'baseline Ink app', ...w.base },
      { name: 'ghost-hb', ...w.ghost },
      { name: '(ghost-hb watch, no screen)', ...w.headless, firstMs: null },
      {
        name: 'ratio',
        ratioCpu: ratio(w.ghost.cpuSec, w.base.cpuSec),
        ratioRss: ratio(w.ghost.rssMiB, w.base.rssMiB),
        ratioFirst: ratio(w.ghost.firstMs, w.base.firstMs),
      },
    ],
    [
      ...cpuColumns,
      { label: 'RSS MiB', value: (r) => r.ratioRss ?? r.rssMiB.toFixed(1) },
      { label: 'peak MiB', value: (r) => (r.ratioRss ? '' : r.hwmMiB.toFixed(1)) },
      {
        label: 'first frame ms',
        value: (r) => r.ratioFirst ?? (r.firstMs == null ? '-' : r.firstMs.toFixed(0)),
      },
      { label: 'KB/min', value: (r) => (r.kbPerMin == null ? '' : r.kbPerMin.toFixed(1)) },
      { label: 'clears', value: (r) => (r.clears == null ? '' : String(r.clears)) },
    ],
  );
  console.log(`(ghost-hb showed ${w.upRows} daemons up at the end)`);
  if (!w.steady) return;
  const { ghost, base, headless } = w.steady;
  printTable(
    `the same, steady state: ${WATCH_SEC} s from minute ${STEADY_MIN} after start (target: CPU <= 1.5x)`,
    [
      { name: 'baseline Ink app', ...base },
      { name: 'ghost-hb', ...ghost },
      { name: '(ghost-hb watch, no screen)', ...headless },
      { name: 'ratio', ratioCpu: ratio(ghost.cpuSec, base.cpuSec) },
    ],
    [...cpuColumns, { label: 'RSS MiB', value: (r) => (r.ratioCpu ? '' : r.rssMiB.toFixed(1)) }],
  );
}

// ---------------------------------------------------------------------------

console.log('\n# monitor (render.bench.js)');
const watchOnly = process.env.BENCH_WATCH_ONLY === '1';
const frames = watchOnly ? [] : [8, 1000, 10000].map(frameBench);
if (!watchOnly)
  printTable('one frame (derive + render, 80x24), median', frames, [
    { label: 'ms', key: 'ms' },
    { label: 'runs', value: (r) => String(r.iterations) },
  ]);

const key = watchOnly ? null : await keypressBench(1000);
if (key)
  printTable(
    'keypress to new frame (target < 50 ms)',
    [key],
    [
      { label: 'median ms', key: 'ms' },
      { label: 'max ms', key: 'max' },
    ],
  );

if (!watchOnly)
  printTable(
    "a poll's frame at 120x40 (App, Ink, terminal layer), CPU ms",
    [await pollFrameBench(0, 200), await pollFrameBench(1000, quick ? 8 : 20)],
    [
      { label: 'median', key: 'ms' },
      { label: 'mean (GC included)', key: 'meanMs' },
      { label: 'frames', value: (r) => String(r.frames) },
      { label: 'bytes/frame', value: (r) => r.bytes.toFixed(0) },
    ],
  );

let hasTmux = true;
try {
  execFileSync('tmux', ['-V'], { stdio: 'ignore' });
} catch {
  hasTmux = false;
}
if (!hasTmux) {
  console.log('\n(tmux not installed: watch benchmark skipped)');
} else {
  const only = process.env.BENCH_WATCH_COUNTS?.split(',').map(Number);
  for (const count of only ?? [DEFAULT_DAEMONS.length, 1000])
    printWatch(count, await watchBench(count));
}
process.exit(0);
