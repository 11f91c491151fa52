// state.json forgets: 10,000 discovered daemons appear (real heartbeat files)
// and leave; the rule memory of absent daemons is bounded at once, emptied
// after `forgetAfter`, and an idle monitor does not rewrite the file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../src/config/schema.js';
import { MAX_ABSENT_DAEMONS } from '../../src/core/retention.js';
import type { Instant } from '../../src/core/types.js';
import { Monitor, type MonitorClock } from '../../src/runtime/monitor.js';
import { systemInstant } from '../../src/runtime/poller.js';
import { STATE_FILES } from '../../src/store/paths.js';

const noClock: MonitorClock = {
  refresh() {},
  current: () => ({ ok: false, unavailable: true, error: 'none' }),
};

let root: string;
let hbDir: string;
let stateDir: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-retention-'));
  hbDir = path.join(root, 'hb');
  stateDir = path.join(root, 'state');
  fs.mkdirSync(hbDir);
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const NAMES = Array.from({ length: 10_000 }, (_, i) => `churn${String(i).padStart(5, '0')}`);

interface SavedState {
  rules: { daemons: Record<string, unknown>; conditions: Record<string, unknown> };
}
const stateFile = () => path.join(stateDir, STATE_FILES.state);
const saved = () => JSON.parse(fs.readFileSync(stateFile(), 'utf8')) as SavedState;

describe('state.json retention', () => {
  it('bounds absent daemons, forgets them after forgetAfter, and is not rewritten when idle', async () => {
    const config = resolveConfig(
      {
        heartbeatDir: hbDir,
        stateDir,
        discover: true,
        daemons: [{ name: 'keeper', interval: 1 }],
        forgetAfter: 3600,
        alerts: { minUptimeSec: 0 },
      },
      { baseDir: root, configFile: null },
    );
    const monitor = await Monitor.open({ config, clock: noClock, command: 'test' });
    const ts = new Date().toISOString();
    for (const name of NAMES) {
      fs.writeFileSync(path.join(hbDir, `${name}.json`), JSON.stringify({ name, ts }));
    }
    const start = systemInstant();
    const at = (ms: number): Instant => ({ wallMs: start.wallMs + ms, monoMs: start.monoMs + ms });
    await monitor.poll(at(0));
    expect(Object.keys(saved().rules.daemons)).toHaveLength(NAMES.length + 1);

    // They leave: at most MAX_ABSENT_DAEMONS are remembered (plus the declared one).
    for (const name of NAMES) fs.rmSync(path.join(hbDir, `${name}.json`));
    await monitor.poll(at(1000));
    const bounded = saved().rules;
    expect(Object.keys(bounded.daemons).length).toBeLessThanOrEqual(MAX_ABSENT_DAEMONS + 1);
    expect(Object.keys(bounded.conditions).length).toBeLessThanOrEqual(MAX_ABSENT_DAEMONS + 5);

    // After forgetAfter, only the declared daemon is left.
    await monitor.poll(at(3_700_000));
    const after = saved().rules;
    expect(Object.keys(after.daemons)).toEqual(['keeper']);
    expect(Object.keys(after.conditions).filter((s) => s.startsWith('churn'))).toEqual([]);
    expect(fs.statSync(stateFile()).size).toBeLessThan(20_000);
    expect(monitor.availability('churn00001').h1).toBeNull();

    // Idle: nothing changes, nothing is rewritten (an atomic write replaces the inode).
    await monitor.poll(at(3_701_000));
    const ino = fs.statSync(stateFile()).ino;
    for (let i = 2; i < 6; i++) await monitor.poll(at(3_700_000 + i * 1000));
    expect(fs.statSync(stateFile()).ino).toBe(ino);
    await monitor.close('test');
  }, 120_000);
});
