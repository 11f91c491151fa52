// The heartbeat directory under `ghost-hb watch --json`, with real beating
// daemons: replaced at the same path (moved away and recreated, or swapped
// for a symlink) it is watched again and no beat is judged late from an old
// read; gone for longer than the daemons' grace and then back, the daemons get
// one interval plus grace to beat again before anyone is called down.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { HbEvent } from '../../src/core/types.js';
import { STATE_FILES } from '../../src/store/paths.js';
import { faultsRig, until, type FaultsRig, type Watcher } from '../helpers/faults.js';

const DAEMONS = ['alpha', 'beta', 'gamma'];
let rig: FaultsRig;

afterEach(async () => {
  await rig.cleanup();
});

function seqOf(dir: string, name: string): number {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as { seq: number })
      .seq;
  } catch {
    return -1;
  }
}

async function allUp(): Promise<void> {
  const uptime = path.join(rig.stateDir, STATE_FILES.uptime);
  await until(() => {
    try {
      const text = fs.readFileSync(uptime, 'utf8');
      return DAEMONS.every((n) => text.includes(`"daemon":"${n}","status":"up"`));
    } catch {
      return false;
    }
  }, 'every daemon up in the uptime log');
}

/** Events about the daemons' health (a beat gap while the directory was swapped is fair: jitter). */
const verdicts = (events: HbEvent[]) =>
  events.filter((e) => e.daemon !== undefined && e.rule !== 'jitter');

describe('a heartbeat directory replaced while watched', () => {
  // Polls far apart, liveness checks in between: a read up to 2 s old would make
  // every daemon (interval 0.3 s, tolerance 0.3 s) late on each liveness check.
  const config = {
    pollInterval: 2,
    daemons: DAEMONS.map((name) => ({ name, interval: 0.3, tolerance: 0.3, grace: 8 })),
  };

  it.each([
    ['moved away and recreated (new inode)', 'recreate'],
    ['swapped for a symlink to another directory', 'symlink'],
  ])(
    '%s: no false late or flapping',
    async (_label, how) => {
      rig = faultsRig(DAEMONS);
      rig.writeConfig(config);
      for (const n of DAEMONS) rig.beater(n, 150);
      const w: Watcher = rig.watch();
      await allUp();
      const before = w.events.length;

      const fresh = path.join(rig.root, how === 'symlink' ? 'hb-target' : 'hb.new');
      fs.mkdirSync(fresh);
      fs.renameSync(rig.hbDir, path.join(rig.root, 'hb.old'));
      if (how === 'symlink') fs.symlinkSync(fresh, rig.hbDir);
      else fs.renameSync(fresh, rig.hbDir);

      // Three full polls' worth of beats into the new directory.
      await until(
        () => DAEMONS.every((n) => seqOf(rig.hbDir, n) >= 0),
        'beats in the new directory',
      );
      const start = seqOf(rig.hbDir, 'alpha');
      await until(() => seqOf(rig.hbDir, 'alpha') >= start + 45, 'beats for three polls');
      expect(verdicts(w.events.slice(before))).toEqual([]);
      expect(w.stderr()).toBe('');
    },
    120_000,
  );
});

describe('a heartbeat directory back after an outage', () => {
  it('gives the daemons one interval plus grace to beat again: no down, no recovered', async () => {
    rig = faultsRig(DAEMONS);
    // Down after 0.5 + 3 s without a beat; the directory stays away longer than that.
    rig.writeConfig({
      daemons: DAEMONS.map((name) => ({ name, interval: 0.5, tolerance: 0.5, grace: 3 })),
    });
    const hold = path.join(rig.root, 'hold');
    for (const n of DAEMONS) rig.beater(n, 100, { env: { ...process.env, BEATER_HOLD: hold } });
    const w = rig.watch();
    await allUp();
    const before = w.events.length;

    // The daemons keep running but hold their beats until the monitor has seen the
    // directory back, so the first read of it finds only beats from before the outage.
    fs.writeFileSync(hold, '');
    fs.rmSync(rig.hbDir, { recursive: true });
    await until(() => w.events.some((e) => e.rule === 'heartbeat-dir'), 'the outage reported');
    const goneAt = Date.now();
    await until(() => Date.now() - goneAt > 4_500, 'an outage longer than interval plus grace');
    fs.mkdirSync(rig.hbDir);
    await until(
      () => w.events.some((e) => e.rule === 'heartbeat-dir' && e.data?.cleared === true),
      'the directory seen back',
    );
    fs.rmSync(hold);
    await until(() => DAEMONS.every((n) => seqOf(rig.hbDir, n) >= 0), 'beats again');
    const start = seqOf(rig.hbDir, 'alpha');
    await until(() => seqOf(rig.hbDir, 'alpha') >= start + 20, 'a few polls of fresh beats');

    const after = w.events.slice(before);
    expect(after.filter((e) => e.rule === 'heartbeat-dir')).toHaveLength(2);
    expect(verdicts(after)).toEqual([]);
  }, 120_000);
});
