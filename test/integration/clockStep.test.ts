// A wall-clock step back under a running monitor and running daemons (Debian's
// libfaketime, offset changed at run time through FAKETIME_TIMESTAMP_FILE):
// one clock-jump event, its own even after a step forward, and no daemon
// judged crashed or recycled once the grace has passed.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { requireTool } from '../helpers/tools.js';
import { faultsRig, until, type FaultsRig } from '../helpers/faults.js';

const LIB = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
].find((f) => fs.existsSync(f));

let rig: FaultsRig;
beforeEach(() => {
  rig = faultsRig(['beta', 'gamma']);
});
afterEach(async () => {
  await rig.cleanup();
});

describe('a wall-clock step back', () => {
  it('is one clock-jump event and no daemon is judged crashed for it', async () => {
    if (!requireTool('faketime', 'faketime')) return;
    if (!LIB) throw new Error('faketime is installed but libfaketime.so.1 was not found');
    const offsetFile = path.join(rig.root, 'faketime');
    fs.writeFileSync(offsetFile, '+0\n');
    const env = {
      ...process.env,
      LD_PRELOAD: LIB,
      FAKETIME_TIMESTAMP_FILE: offsetFile,
      FAKETIME_NO_CACHE: '1',
      // Monotonic time stays true: that is how a step is told from elapsed time.
      DONT_FAKE_MONOTONIC: '1',
    };
    rig.writeConfig({ clock: { jumpThreshold: 5 } });
    const step = (offset: string) => fs.writeFileSync(offsetFile, `${offset}\n`);
    rig.beater('beta', 100, { env });
    const gamma = rig.beater('gamma', 100, { env });
    const w = rig.watch([], { env });
    const uptime = path.join(rig.stateDir, 'uptime.jsonl');
    const upCount = () =>
      fs.existsSync(uptime) ? fs.readFileSync(uptime, 'utf8').split('"status":"up"').length - 1 : 0;
    await until(() => upCount() >= 2, 'beta and gamma up');

    step('+1h');
    await until(() => w.events.some((e) => e.rule === 'clock-jump'), 'the forward jump');
    step('-10m');
    await until(
      () => w.events.some((e) => e.rule === 'clock-jump' && Number(e.data?.jumpMs) < 0),
      'the backward jump, as its own event',
    );
    const jumps = w.events.filter((e) => e.rule === 'clock-jump');
    expect(jumps).toHaveLength(2);
    expect(jumps[1]!.message).toMatch(/jumped back by/);

    // Past the jump's grace (judged on monotonic time), the daemons are judged again.
    const since = performance.now();
    await until(() => performance.now() - since > 3000, 'the jump grace to pass');
    gamma.kill('SIGKILL');
    await until(
      () => w.events.some((e) => e.rule === 'crashed' && e.daemon === 'gamma'),
      'gamma crashed (polls go on after the step)',
    );
    // (clock-skew may fire: file mtimes are on the kernel's true clock, which faketime does not move.)
    const betaDown = w.events.filter(
      (e) => e.daemon === 'beta' && e.rule !== 'clock-skew' && e.severity !== 'info',
    );
    expect(betaDown).toEqual([]);
    expect(w.events.map((e) => e.message).join('\n')).not.toMatch(/recycled/);
  }, 90_000);
});
