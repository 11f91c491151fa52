// The heartbeat writers in examples/writers/ (Python, POSIX shell, Node) run
// for real, and the built engine (`ghost-hb status --json`) reads what they
// wrote as a valid, fresh beat. The Go writer is not run here (no Go toolchain
// is assumed); it is the same protocol.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { ROOT, runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/proc.js';
import { requireTool } from '../helpers/tools.js';

const WRITERS = path.join(ROOT, 'examples', 'writers');
let dir: string;
let cfgDir: string;
beforeEach(() => {
  dir = tempDir();
  cfgDir = tempDir('ghost-hb-config-');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(cfgDir, { recursive: true, force: true });
});

const cases: Array<[string, string, string[]]> = [
  ['python', 'python3', [path.join(WRITERS, 'heartbeat.py')]],
  ['shell', 'sh', [path.join(WRITERS, 'heartbeat.sh')]],
  ['node', process.execPath, [path.join(WRITERS, 'heartbeat.mjs')]],
];

it.each(cases)('the %s writer writes a beat the engine reads as up', async (_lang, cmd, args) => {
  if (cmd === 'python3' && !requireTool('python3', 'python3')) return;
  const r = spawnSync(cmd, [...args, dir, 'worker', '30'], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'Asia/Tokyo' },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  // Nothing but the heartbeat: the temp file was renamed, not left behind.
  expect(fs.readdirSync(dir)).toEqual(['worker.json']);
  const cfg = path.join(cfgDir, 'rc.json');
  fs.writeFileSync(cfg, JSON.stringify({ heartbeatDir: dir, daemons: ['worker'] }));
  const s = await runCliInProcess(['status', '--json', '--config', cfg]);
  const d = JSON.parse(s.stdout).daemons.find((x: { name: string }) => x.name === 'worker');
  expect(d).toMatchObject({
    status: 'up',
    reason: null,
    source: 'json',
    intervalSec: 30,
    problems: [],
  });
  // The pid is the caller's (this test process), which is alive.
  expect(d.pid).toBe(process.pid);
});

it('the shell writer refuses a bad name and a missing directory', () => {
  const sh = path.join(WRITERS, 'heartbeat.sh');
  expect(spawnSync('sh', [sh, dir, '../x']).status).toBe(3);
  expect(spawnSync('sh', [sh, path.join(dir, 'typo'), 'ok']).status).toBe(3);
  expect(fs.readdirSync(dir)).toEqual([]);
});
