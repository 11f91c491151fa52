// Torn and corrupt state files under the built binary: a torn last line must
// not swallow the next event; hostile lines in events.jsonl, uptime.jsonl and
// state.json are skipped and reported once, never a crash; ids stay unique.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { HbEvent } from '../../src/core/types.js';
import { STATE_FILES } from '../../src/store/paths.js';
import { runCliInProcess } from '../helpers/cli.js';
import { exited, faultsRig, until, type FaultsRig } from '../helpers/faults.js';

let rig: FaultsRig;
beforeEach(() => {
  rig = faultsRig(['beta']);
  fs.mkdirSync(rig.stateDir, { recursive: true });
});
afterEach(async () => {
  await rig.cleanup();
});

const iso = (ago: number) => new Date(Date.now() - ago).toISOString();
const line = (o: unknown) => `${JSON.stringify(o)}\n`;

async function loggedEvents(): Promise<{ events: HbEvent[]; code: number | null; stderr: string }> {
  const r = await runCliInProcess(['events', '--json', '--state-dir', rig.stateDir]);
  const events = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as HbEvent);
  return { events, code: r.code, stderr: r.stderr };
}

/** Start beta and the watcher, wait until beta is up, kill beta, wait for the crash event. */
async function crashBeta(): Promise<ReturnType<FaultsRig['watch']>> {
  const beta = rig.beater('beta');
  const w = rig.watch();
  await until(() => fs.existsSync(path.join(rig.stateDir, STATE_FILES.state)), 'first poll');
  // beta must have been up before it can crash.
  await until(
    () => fs.readFileSync(path.join(rig.stateDir, STATE_FILES.uptime), 'utf8').includes('"up"'),
    'beta up in the uptime log',
  );
  beta.kill('SIGKILL');
  await until(
    () => w.events.some((e) => e.rule === 'crashed' && e.daemon === 'beta'),
    'beta crashed on stdout',
  );
  return w;
}

describe('a torn last line', () => {
  it('does not swallow the next event: it is appended on a fresh line', async () => {
    const events = path.join(rig.stateDir, STATE_FILES.events);
    fs.writeFileSync(
      events,
      line({ id: '1', at: iso(60_000), severity: 'info', rule: 'start', message: 'earlier' }) +
        `{"id":"2","at":"${iso(30_000)}","severity":"error","rule":"crashed","daemon":"beta","message":"beta is do`,
    );
    const w = await crashBeta();
    const crashed = w.events.find((e) => e.rule === 'crashed')!;
    w.child.kill('SIGTERM');
    expect(await exited(w.child)).toBe(0);

    const logged = await loggedEvents();
    expect(logged.code).toBe(0);
    expect(logged.events.map((e) => e.id)).toContain(crashed.id);
    expect(logged.events.find((e) => e.id === crashed.id)).toMatchObject({
      rule: 'crashed',
      daemon: 'beta',
    });
    expect(logged.stderr).toMatch(/events\.jsonl: 1 line skipped/);
  });
});

describe('corrupt lines', () => {
  it('are skipped and reported once; ids stay unique; a 50 MB line is never read', async () => {
    const ok = (id: string, over: Partial<HbEvent> = {}) =>
      line({ id, at: iso(50_000), severity: 'warn', rule: 'late', message: 'ok', ...over });
    const fd = fs.openSync(path.join(rig.stateDir, STATE_FILES.events), 'w');
    fs.writeSync(fd, ok('1'));
    for (const bad of [
      { severity: 'bogus' },
      { message: { nested: true } },
      { daemon: ['d'] },
      { rule: 7 },
    ]) {
      fs.writeSync(fd, ok('3', bad as Partial<HbEvent>));
    }
    fs.writeSync(fd, '5\nnull\n[]\n');
    fs.writeSync(fd, ok('9007199254740991'));
    // A 50 MB message: over the line cap, skipped without being held.
    fs.writeSync(fd, `{"id":"4","at":"${iso(40_000)}","severity":"info","rule":"x","message":"`);
    const mb = Buffer.alloc(1024 * 1024, 'x');
    for (let i = 0; i < 50; i++) fs.writeSync(fd, mb);
    fs.writeSync(fd, '"}\n');
    fs.writeSync(fd, ok('2'));
    fs.closeSync(fd);
    fs.writeFileSync(
      path.join(rig.stateDir, STATE_FILES.uptime),
      'null\n' +
        line({ at: iso(10_000), daemon: 'beta', status: 'sideways' }) +
        line({ at: iso(10_000), monitor: 'start' }),
    );
    // A state file whose next id is at the edge of exact integers.
    fs.writeFileSync(
      path.join(rig.stateDir, STATE_FILES.state),
      JSON.stringify({
        version: 1,
        savedAt: iso(5000),
        rules: { version: 1, nextId: 9007199254740990, conditions: {}, daemons: {} },
        engine: null,
      }),
    );

    const w = await crashBeta();
    // One warning per corrupt file, on the first poll only.
    const warnings = w.events.filter((e) => e.rule === 'log-corrupt');
    expect(warnings.map((e) => e.data?.file).sort()).toEqual([
      STATE_FILES.events,
      STATE_FILES.uptime,
    ]);
    expect(warnings.find((e) => e.data?.file === STATE_FILES.events)).toMatchObject({
      data: { invalid: 8, oversized: 1 },
    });
    const ids = w.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(Number.isSafeInteger(Number(id) + 1)).toBe(true);
    w.child.kill('SIGTERM');
    expect(await exited(w.child)).toBe(0);

    const logged = await loggedEvents();
    expect(logged.code).toBe(0);
    expect(logged.stderr).toMatch(/warning: events\.jsonl: 9 lines skipped/);
    const loggedIds = logged.events.map((e) => e.id);
    expect(new Set(loggedIds).size).toBe(loggedIds.length);
    expect(loggedIds.slice(0, 2)).toEqual(['1', '2']);
    expect(logged.events.some((e) => e.rule === 'crashed' && e.daemon === 'beta')).toBe(true);
  });
});
