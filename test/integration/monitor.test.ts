// The Monitor driven through real child processes that beat into a temp
// directory: crash (kill -9), restart with a new pid, hang (SIGSTOP), flapping;
// then the persisted JSONL is checked. Waits poll with timeouts, never sleep.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { resolveConfig, type Config } from '../../src/config/schema.js';
import type { HbEvent, Instant } from '../../src/core/types.js';
import { EventLog } from '../../src/store/eventLog.js';
import { Monitor, type MonitorClock } from '../../src/runtime/monitor.js';
import { STATE_FILES } from '../../src/store/paths.js';
import { systemInstant } from '../../src/runtime/poller.js';
import { until } from '../helpers/wait.js';
import { BEATER } from '../helpers/proc.js';

const children = new Set<ChildProcess>();

function startBeater(dir: string, name: string): ChildProcess {
  const child = spawn(process.execPath, [BEATER, dir, name, '100'], { stdio: 'ignore' });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function readPid(file: string): number | null {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number }).pid ?? null;
  } catch {
    return null;
  }
}

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (signal !== 'SIGKILL') {
    child.kill(signal);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** No clock tool in tests: the clock collector answers "unavailable". */
const noClock: MonitorClock = {
  refresh() {},
  current: () => ({ ok: false, unavailable: true, error: 'none' }),
};

function config(dir: string, daemons: string[], alerts: Record<string, number> = {}): Config {
  return resolveConfig(
    {
      heartbeatDir: dir,
      // The tests poll by hand every 50 ms: that is their poll interval (see cadence()).
      pollInterval: 0.05,
      discover: false,
      daemons: daemons.map((name) => ({ name, interval: 0.2, tolerance: 0.2, grace: 0.6 })),
      alerts: { minUptimeSec: 0, ...alerts },
    },
    { baseDir: dir, configFile: null },
  );
}

/**
 * The time of a hand-driven poll: wall time is real; monotonic time advances
 * one poll interval (50 ms) per poll, so each poll is one flap check on the
 * rules' steady cadence, however long starting a child takes on a loaded machine.
 */
let cadenceMono = 0;
function cadence(): Instant {
  cadenceMono += 50;
  return { wallMs: Date.now(), monoMs: cadenceMono };
}

/** Poll every 50 ms until `done` holds for the events so far; fail after the timeout. */
async function pollUntil(
  monitor: Monitor,
  seen: HbEvent[],
  done: (events: HbEvent[]) => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  await until(
    async () => {
      if (done(seen)) return true;
      seen.push(...(await monitor.poll(cadence())).events);
      return done(seen);
    },
    'the events awaited',
    {
      timeoutMs,
      detail: () => `events so far: ${seen.map((e) => `${e.rule}:${e.daemon}`).join(', ')}`,
    },
  );
}

const waitForFile = (file: string) => until(() => fs.existsSync(file), file, 15_000);

const has = (rule: string, daemon: string) => (events: HbEvent[]) =>
  events.some((e) => e.rule === rule && e.daemon === daemon);

let root: string;
let hbDir: string;
let stateDir: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-mon-'));
  hbDir = path.join(root, 'hb');
  stateDir = path.join(root, 'state');
  fs.mkdirSync(hbDir);
});
afterEach(async () => {
  for (const c of [...children]) await kill(c, 'SIGKILL');
  fs.rmSync(root, { recursive: true, force: true });
});
afterAll(async () => {
  for (const c of [...children]) c.kill('SIGKILL');
});

describe('Monitor with real processes', () => {
  it('crash, restart, hang and recovery are logged once each, and persisted', async () => {
    const monitor = await Monitor.open({
      config: config(hbDir, ['relay']),
      stateDir,
      clock: noClock,
    });
    const seen: HbEvent[] = [];
    let child = startBeater(hbDir, 'relay');
    // A child slow to start under load would otherwise be "never seen" first.
    await waitForFile(path.join(hbDir, 'relay.json'));
    await pollUntil(monitor, seen, () => monitor.latest?.daemons[0]?.status === 'up');

    await kill(child, 'SIGKILL');
    await pollUntil(monitor, seen, has('crashed', 'relay'));

    child = startBeater(hbDir, 'relay');
    await pollUntil(
      monitor,
      seen,
      (e) => has('recovered', 'relay')(e) && has('restarted', 'relay')(e),
    );

    await kill(child, 'SIGSTOP');
    await pollUntil(monitor, seen, has('hung', 'relay'));
    await kill(child, 'SIGCONT');
    await pollUntil(monitor, seen, (e) => e.filter((x) => x.rule === 'recovered').length === 2);
    await monitor.close();

    const rules = seen.map((e) => e.rule).filter((r) => r !== 'late');
    expect(rules).toEqual(['crashed', 'recovered', 'restarted', 'hung', 'recovered']);
    const crashed = seen.find((e) => e.rule === 'crashed')!;
    expect(crashed.severity).toBe('error');

    // Everything returned by poll() is in the JSONL on disk, in order.
    const logged = EventLog.readQuery(stateDir);
    expect(logged.map((e) => e.id)).toEqual(seen.map((e) => e.id));
    const raw = fs.readFileSync(path.join(stateDir, STATE_FILES.events), 'utf8');
    expect(raw.trim().split('\n').length).toBeGreaterThanOrEqual(seen.length);

    // Availability has data, and the uptime log recorded the flips.
    const uptime = fs.readFileSync(path.join(stateDir, STATE_FILES.uptime), 'utf8');
    expect(uptime).toContain('"status":"down"');
  });

  it('a daemon killed and restarted over and over raises one flapping event', async () => {
    const monitor = await Monitor.open({
      config: config(hbDir, ['flappy']),
      stateDir,
      clock: noClock,
    });
    const seen: HbEvent[] = [];
    const status = () => monitor.latest?.daemons[0]?.status;
    // Each cycle: the new child's first beat (awaited without polling, so a slow
    // start does not stretch the down period over many checks), then the kill.
    const beating = async (child: ChildProcess) => {
      const file = path.join(hbDir, 'flappy.json');
      await until(() => readPid(file) === child.pid, 'the child to beat', {
        timeoutMs: 15_000,
        everyMs: 20,
      });
    };
    for (let cycle = 0; cycle < 9 && !has('flapping', 'flappy')(seen); cycle++) {
      const child = startBeater(hbDir, 'flappy');
      await beating(child);
      await pollUntil(monitor, seen, () => status() === 'up');
      await kill(child, 'SIGKILL');
      await pollUntil(monitor, seen, () => status() === 'down');
    }
    // A few more cycles: they fold into the flapping event.
    for (let cycle = 0; cycle < 3; cycle++) {
      const child = startBeater(hbDir, 'flappy');
      await beating(child);
      await pollUntil(monitor, seen, () => status() === 'up');
      await kill(child, 'SIGKILL');
      await pollUntil(monitor, seen, () => status() === 'down');
    }
    await monitor.close();
    const flapping = seen.filter((e) => e.rule === 'flapping');
    expect(flapping).toHaveLength(1);
    const persisted = EventLog.readQuery(stateDir, { rule: 'flapping' });
    expect(persisted).toHaveLength(1);
    // The folded transitions raised its count on disk.
    expect(persisted[0]!.data?.count as number).toBeGreaterThanOrEqual(6);
    // Fewer events overall than transitions: no storm.
    expect(seen.length).toBeLessThan(24);
  });

  it('reloads state and recent events after a restart; ids continue; nothing re-announced', async () => {
    const cfg = config(hbDir, ['relay']);
    const first = await Monitor.open({ config: cfg, stateDir, clock: noClock });
    const seen: HbEvent[] = [];
    const child = startBeater(hbDir, 'relay');
    await pollUntil(first, seen, () => first.latest?.daemons[0]?.status === 'up');
    await kill(child, 'SIGKILL');
    await pollUntil(first, seen, has('crashed', 'relay'));
    await first.close();

    const second = await Monitor.open({ config: cfg, stateDir, clock: noClock });
    expect(second.recentEvents().map((e) => e.id)).toEqual(seen.map((e) => e.id));
    const r = await second.poll(systemInstant());
    // Still down: the outage is remembered, not announced again.
    expect(r.events.filter((e) => e.rule === 'crashed')).toEqual([]);
    const avail = second.availability('relay');
    expect(avail.h1).not.toBeNull();
    expect(avail.h1!).toBeLessThan(1);
    await second.close();
    const audit = fs
      .readFileSync(path.join(stateDir, STATE_FILES.audit), 'utf8')
      .trim()
      .split('\n');
    expect(audit.map((l) => JSON.parse(l).kind)).toEqual(['start', 'stop', 'start', 'stop']);
  });

  it('moves a corrupt state file aside with a warn event and starts afresh', async () => {
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(path.join(stateDir, STATE_FILES.state), '{"version":1,"rules":{"nextI');
    const monitor = await Monitor.open({
      config: config(hbDir, ['relay']),
      stateDir,
      clock: noClock,
    });
    const r = await monitor.poll(systemInstant());
    await monitor.close();
    const warn = r.events.find((e) => e.rule === 'state-corrupt');
    expect(warn?.severity).toBe('warn');
    const aside = fs
      .readdirSync(stateDir)
      .filter((f) => f.startsWith(`${STATE_FILES.state}.corrupt-`));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(stateDir, aside[0]!), 'utf8')).toBe(
      '{"version":1,"rules":{"nextI',
    );
    // A fresh, valid state file was written by the poll.
    expect(
      JSON.parse(fs.readFileSync(path.join(stateDir, STATE_FILES.state), 'utf8')).version,
    ).toBe(1);
  });
});
