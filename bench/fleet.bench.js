// The fleet screen's costs, against the single-host screen in the same run:
// 1. one frame (derive + render, 120x40) of a fleet of AGENTS x DAEMONS rows
//    with its HOST column and hosts line, against one host's DAEMONS rows;
// 2. real processes: AGENTS `ghost-hb serve` agents on loopback, each over
//    DAEMONS beating daemons (bench/manyBeater.js, plus one real `victim`
//    process), and in tmux panes at 120x40 the fleet screen over all of them
//    beside the single-host screen over DAEMONS daemons of its own; idle CPU
//    and RSS of both over the same window, and the bytes each agent sends the
//    fleet screen (through a counting loopback proxy), per host per minute;
// 3. the time from a daemon's death (SIGKILL of the victim) to its row
//    showing down in each screen, alternating, median of DEATHS.
// Targets: fleet CPU <= 2x, RSS <= 1.5x the single-host screen; death to
// row down < 2 s. Knobs: BENCH_FLEET_AGENTS (20), BENCH_FLEET_DAEMONS (50),
// BENCH_FLEET_SEC (the idle window, 30 s), BENCH_FLEET_DEATHS (3).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { benchDaemon, benchEvents, benchSnapshot, median, printTable, ratio } from './lib.js';
import { BenchPanes, procStat, until } from './panes.js';

process.env.NODE_ENV = 'production';
const { default: React } = await import('react');
const { renderToString } = await import('ink');
const h = React.createElement;

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const dist = path.join(repo, 'dist');
const bin = path.join(repo, 'bin', 'ghost-hb.js');
const knob = (name, fallback) => Number(process.env[name] || fallback);
const AGENTS = knob('BENCH_FLEET_AGENTS', 20);
const DAEMONS = knob('BENCH_FLEET_DAEMONS', 50);
const IDLE_SEC = knob('BENCH_FLEET_SEC', 30);
const DEATHS = knob('BENCH_FLEET_DEATHS', 3);
const WIDTH = 120;
const HEIGHT = 40;
const TOKEN = 'fleet-bench-token-0123456789abcdef';

const { deriveScreen } = await import('../dist/ui/model/screen.js');
const { initialViewState } = await import('../dist/ui/model/view.js');
const { EMPTY_HISTORY, recordPoll } = await import('../dist/ui/model/history.js');
const { hostBadges } = await import('../dist/ui/model/fleet.js');
const { MonitorScreen } = await import('../dist/ui/components/MonitorScreen.js');
const { mergeFleet, fleetEvent } = await import('../dist/agent/fleet.js');

const hostName = (i) => `h${String(i).padStart(2, '0')}`;
const daemonNames = (n) => [
  ...Array.from({ length: n - 1 }, (_, i) => `d${String(i).padStart(4, '0')}`),
  'victim',
];

// ---------------------------------------------------------------------------
// 1. One frame
// ---------------------------------------------------------------------------

function hostSnapshot(host) {
  return benchSnapshot(
    host,
    daemonNames(DAEMONS).map((n, i) => benchDaemon(n, i)),
  );
}

function paneEvents(host, n) {
  const events = benchEvents(n, (i) => `d${String(i % DAEMONS).padStart(4, '0')}`);
  return host ? events.map((x) => ({ ...x, event: fleetEvent(host, x.event) })) : events;
}

function frameBench(name, snapshot, events, hosts) {
  const data = { snapshot, events, history: recordPoll(EMPTY_HISTORY, snapshot) };
  const state = initialViewState();
  const badges = hosts ? hostBadges(hosts, snapshot.daemons, Date.now()) : null;
  const frame = () =>
    renderToString(
      h(MonitorScreen, {
        data,
        model: deriveScreen(data, state, WIDTH, HEIGHT),
        width: WIDTH,
        height: HEIGHT,
        color: true,
        intervalSec: 5,
        lastPollAt: Date.now(),
        lastPollMs: 3,
        stale: null,
        offsetWarnMs: 50,
        hosts: badges,
      }),
      { columns: WIDTH },
    );
  for (let i = 0; i < 3; i++) frame();
  const times = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    frame();
    times.push(performance.now() - t0);
  }
  return { name, ms: median(times), rows: snapshot.daemons.length };
}

function frames() {
  const single = frameBench(
    `single host, ${DAEMONS} rows`,
    hostSnapshot('bench'),
    paneEvents(null, 200),
  );
  const hosts = Array.from({ length: AGENTS }, (_, i) => hostName(i));
  const fleet = mergeFleet(
    hosts.map((name) => ({ name, snapshot: hostSnapshot(name), unreachable: false })),
    Date.now(),
  );
  const states = hosts.map((name) => ({
    name,
    state: { state: 'connected', detail: null, retryAt: null, downSince: null },
  }));
  const many = frameBench(
    `fleet, ${AGENTS} hosts x ${DAEMONS} rows`,
    fleet,
    hosts.flatMap((host) => paneEvents(host, Math.ceil(200 / AGENTS))),
    states,
  );
  printTable(
    `one frame (derive + render, ${WIDTH}x${HEIGHT}), median of 30`,
    [single, many, { name: 'ratio', ratio: ratio(many.ms, single.ms) }],
    [
      { label: 'rows', value: (r) => (r.rows == null ? '' : String(r.rows)) },
      { label: 'ms', value: (r) => r.ratio ?? r.ms.toFixed(2) },
    ],
  );
}

// ---------------------------------------------------------------------------
// 2 and 3. Real agents, both screens in tmux
// ---------------------------------------------------------------------------

const panes = new BenchPanes('ghost-hb-bench-fleet');
const capture = (win) => panes.capture(win);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = [];

function start(args, opts = {}) {
  const child = spawn(process.execPath, args, { stdio: 'ignore', ...opts });
  children.push(child);
  return child;
}

const beaterEnv = { ...process.env, BEAT_MS: '5000' };
const startVictim = (hb) =>
  start([path.join(repo, 'test', 'fixtures', 'libBeater.js'), dist, hb, 'victim'], {
    env: beaterEnv,
  });

/** A host's directory: config, heartbeats from manyBeater and the victim. */
function hostDir(root, name, extra = {}) {
  const dir = path.join(root, name);
  const hb = path.join(dir, 'hb');
  fs.mkdirSync(hb, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'rc.json'),
    JSON.stringify({
      heartbeatDir: hb,
      stateDir: path.join(dir, 'state'),
      pollInterval: 5,
      discover: false,
      daemons: daemonNames(DAEMONS),
      defaults: { interval: 5, tolerance: 2, grace: 10 },
      ...extra,
    }),
  );
  start([path.join(here, 'manyBeater.js'), dist, hb, String(DAEMONS - 1)], { env: beaterEnv });
  return { dir, hb, victim: startVictim(hb) };
}

/** `ghost-hb serve` for a host; resolves with its port. */
async function serve(host) {
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--config', path.join(host.dir, 'rc.json'), '--listen', '127.0.0.1:0'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  return Number(
    await until(() => /serving http:\/\/127\.0\.0\.1:(\d+)/.exec(err)?.[1], 180_000, 'an agent'),
  );
}

/** A loopback proxy to `port` counting the bytes each way; the fleet screen talks to it. */
async function countingProxy(port) {
  const counts = { down: 0, up: 0 };
  const server = net.createServer((client) => {
    const agent = net.connect(port, '127.0.0.1');
    client.on('data', (c) => (counts.up += c.length));
    agent.on('data', (c) => (counts.down += c.length));
    client.pipe(agent).on('error', () => {});
    agent.pipe(client).on('error', () => {});
    const end = () => {
      client.destroy();
      agent.destroy();
    };
    client.on('error', end).on('close', end);
    agent.on('error', end).on('close', end);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, counts, port: server.address().port };
}

/** The screen with `cwd`'s ./rc.json in window `win`, once it shows `marker`; its pid. */
async function startInPane(win, cwd, marker) {
  const cmd = `${process.execPath} ${bin} --config ./rc.json`;
  const { pid } = await panes.start(win, cmd, cwd, marker, { timeoutMs: 180_000, everyMs: 200 });
  return pid;
}

/** SIGKILL the victim; ms until the screen's row says down; then a new victim, until none is down. */
async function deathToDown(win, host, rowPattern) {
  await until(() => /✖ 0 down/.test(capture(win)), 60_000, `${win}: nothing down`, 100);
  const victim = host.victim;
  const exited = new Promise((r) => victim.once('exit', r));
  const t0 = performance.now();
  victim.kill('SIGKILL');
  await until(() => rowPattern.test(capture(win)), 30_000, `${win}: victim down`, 10);
  const ms = performance.now() - t0;
  await exited;
  host.victim = startVictim(host.hb);
  return ms;
}

async function live() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-bench-fleet-'));
  const proxies = [];
  panes.open(root, WIDTH, HEIGHT);
  try {
    const hosts = Array.from({ length: AGENTS }, (_, i) =>
      hostDir(root, hostName(i), { api: { token: TOKEN } }),
    );
    const single = hostDir(root, 'single');
    const ports = await Promise.all(hosts.map(serve));
    for (const port of ports) proxies.push(await countingProxy(port));
    const fleetDir = path.join(root, 'fleet');
    fs.mkdirSync(fleetDir);
    fs.writeFileSync(
      path.join(fleetDir, 'rc.json'),
      JSON.stringify({
        heartbeatDir: path.join(fleetDir, 'none'),
        stateDir: path.join(fleetDir, 'state'),
        pollInterval: 5,
        discover: false,
        daemons: [],
        remotes: proxies.map((p, i) => ({
          name: hostName(i),
          url: `http://127.0.0.1:${p.port}`,
          token: TOKEN,
        })),
      }),
    );
    const all = AGENTS * DAEMONS;
    const fleetPid = await startInPane('fleet', fleetDir, `✔ ${all} up`);
    const singlePid = await startInPane('single', single.dir, `✔ ${DAEMONS} up`);
    await sleep(3000); // settle: startup and the first fetches are not idle
    const f0 = procStat(fleetPid);
    const s0 = procStat(singlePid);
    const bytes0 = proxies.map((p) => ({ ...p.counts }));
    await sleep(IDLE_SEC * 1000);
    const f1 = procStat(fleetPid);
    const s1 = procStat(singlePid);
    const perMin = (n) => n / (IDLE_SEC / 60) / 1024;
    const down = proxies.map((p, i) => perMin(p.counts.down - bytes0[i].down));
    const up = proxies.map((p, i) => perMin(p.counts.up - bytes0[i].up));

    const deaths = { fleet: [], single: [] };
    for (let k = 0; k < DEATHS; k++) {
      deaths.fleet.push(await deathToDown('fleet', hosts[k % AGENTS], /✖ down\s+h\d\d\s+victim/));
      deaths.single.push(await deathToDown('single', single, /✖ down\s+victim/));
    }
    return {
      idle: {
        fleet: { cpuSec: f1.cpuSec - f0.cpuSec, rssMiB: f1.rssMiB, hwmMiB: f1.hwmMiB },
        single: { cpuSec: s1.cpuSec - s0.cpuSec, rssMiB: s1.rssMiB, hwmMiB: s1.hwmMiB },
      },
      wire: { down, up },
      deaths,
    };
  } finally {
    panes.close();
    for (const c of children) c.kill('SIGKILL');
    for (const p of proxies) p.server.close();
    await sleep(500);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function report(r) {
  const pct = (cpu) => ((cpu / IDLE_SEC) * 100).toFixed(2);
  printTable(
    `idle for ${IDLE_SEC} s in tmux at ${WIDTH}x${HEIGHT}, daemons beating every 5 s, polls every 5 s ` +
      '(targets: CPU <= 2x, RSS <= 1.5x)',
    [
      { name: `single-host screen (${DAEMONS} daemons, own monitor)`, ...r.idle.single },
      { name: `fleet screen (${AGENTS} agents x ${DAEMONS})`, ...r.idle.fleet },
      {
        name: 'ratio',
        rCpu: ratio(r.idle.fleet.cpuSec, r.idle.single.cpuSec),
        rRss: ratio(r.idle.fleet.rssMiB, r.idle.single.rssMiB),
      },
    ],
    [
      { label: 'CPU s', value: (x) => x.rCpu ?? x.cpuSec.toFixed(2) },
      { label: '% core', value: (x) => (x.rCpu ? '' : pct(x.cpuSec)) },
      { label: 'RSS MiB', value: (x) => x.rRss ?? x.rssMiB.toFixed(1) },
      { label: 'peak MiB', value: (x) => (x.rRss ? '' : x.hwmMiB.toFixed(1)) },
    ],
  );
  const row = (name, xs) => ({ name, med: median(xs), max: Math.max(...xs), min: Math.min(...xs) });
  printTable(
    `bytes over the wire per host per minute, idle (${AGENTS} hosts)`,
    [row('agent -> screen (KiB/min)', r.wire.down), row('screen -> agent (KiB/min)', r.wire.up)],
    [
      { label: 'median', key: 'med' },
      { label: 'min', key: 'min' },
      { label: 'max', key: 'max' },
    ],
  );
  const d = (name, xs) => ({ name, med: median(xs), max: Math.max(...xs), n: xs.length });
  const fleet = d('fleet screen (agent -> SSE -> screen)', r.deaths.fleet);
  const single = d('single-host screen (own monitor)', r.deaths.single);
  printTable(
    "a daemon's death (SIGKILL) to its row down (target: fleet < 2000 ms)",
    [single, fleet, { name: 'ratio', ratio: ratio(fleet.med, single.med) }],
    [
      { label: 'median ms', value: (x) => x.ratio ?? x.med.toFixed(0) },
      { label: 'max ms', value: (x) => (x.ratio ? '' : x.max.toFixed(0)) },
      { label: 'runs', value: (x) => (x.ratio ? '' : String(x.n)) },
    ],
  );
}

console.log('\n# fleet screen (fleet.bench.js)');
frames();
let hasTmux = true;
try {
  execFileSync('tmux', ['-V'], { stdio: 'ignore' });
} catch {
  hasTmux = false;
}
if (hasTmux) report(await live());
else console.log('\n(tmux not installed: the live fleet benchmark is skipped)');
process.exit(0);
