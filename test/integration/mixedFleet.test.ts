// A mixed fleet of real daemons under `ghost-hb watch --json` (the built
// binary): one steady, one killed, one killed and restarted, one SIGSTOPped,
// one that beats once and goes stale, and one that flaps between ok and
// failing every 2 s. The neighbours' beats trigger early polls; the flapping
// verdict must not depend on them.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { HbEvent } from '../../src/core/types.js';
import { BEATER, waitFor } from '../helpers/proc.js';

const BIN = path.resolve('bin/ghost-hb.js');
const children = new Set<ChildProcess>();
let root: string;
let hbDir: string;

function start(name: string, mode = 'steady'): ChildProcess {
  const child = spawn(process.execPath, [BEATER, hbDir, name, '1000', mode, '-'], {
    stdio: 'ignore',
  });
  children.add(child);
  return child;
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-fleet-'));
  hbDir = path.join(root, '_heartbeat');
  fs.mkdirSync(hbDir);
});

afterAll(() => {
  for (const c of children) {
    c.kill('SIGCONT');
    c.kill('SIGKILL');
  }
  fs.rmSync(root, { recursive: true, force: true });
});

describe('a flapping daemon among busy neighbours', () => {
  it('is judged flapping although the neighbours trigger early polls', async () => {
    const names = ['steady', 'crashy', 'resty', 'hangy', 'secrety', 'flappy'];
    fs.writeFileSync(
      path.join(root, '.heartbeatrc.json'),
      JSON.stringify({
        heartbeatDir: hbDir,
        stateDir: path.join(root, 'state'),
        pollInterval: 1,
        discover: false,
        daemons: names,
        defaults: { interval: 1, grace: 3 },
      }),
    );
    const steady = start('steady');
    const crashy = start('crashy');
    let resty = start('resty');
    const hangy = start('hangy');
    start('secrety', 'once');
    start('flappy', 'flappy');
    await waitFor(
      () => (names.every((n) => fs.existsSync(path.join(hbDir, `${n}.json`))) ? true : undefined),
      'every daemon to beat',
    );
    const watch = spawn(process.execPath, [BIN, 'watch', '--json'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(watch);
    const events: HbEvent[] = [];
    let buf = '';
    watch.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l.startsWith('{')) events.push(JSON.parse(l) as HbEvent);
    });
    await waitFor(() => (fs.existsSync(path.join(root, 'state')) ? true : undefined), 'watch');
    crashy.kill('SIGKILL');
    hangy.kill('SIGSTOP');
    resty.kill('SIGKILL');
    resty = start('resty');
    expect(steady.pid).toBeDefined();

    const flapping = await waitFor(
      () => events.find((e) => e.rule === 'flapping' && e.daemon === 'flappy'),
      'flappy to be judged flapping',
      60_000,
      200,
    );
    expect(flapping.severity).toBe('warn');
    // The neighbours are judged on their own: none of them is flapping.
    expect(
      events.filter((e) => e.rule === 'flapping' && e.daemon !== 'flappy').map((e) => e.daemon),
    ).toEqual([]);
  }, 90_000);
});
