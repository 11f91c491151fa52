// The CLI: exit codes (Nagios style), the --json contract, text output and
// colour rules, and `ghost-hb beat`; in-process, with the built binary where
// only a process shows it (its exit status, colour from its environment, the
// beat's parent pid, another user).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { BIN, runCli, runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/proc.js';

let dir: string;
let configDir: string;
let configFile: string;

beforeEach(() => {
  dir = tempDir();
  // Outside the heartbeat directory, or the config file would be a daemon file itself.
  configDir = tempDir('ghost-hb-config-');
  configFile = path.join(configDir, 'ghb.json');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(configDir, { recursive: true, force: true });
});

function config(daemons: unknown[]): void {
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      heartbeatDir: dir,
      defaults: { interval: 5, tolerance: 1, grace: 15 },
      daemons,
    }),
  );
}

// pid 1 by default: ghost-hb does not trust a beat naming pid 1 (the
// namespace's init), so the beat's age alone decides.
function beatFile(name: string, ageMs: number, extra: Record<string, unknown> = {}): void {
  fs.writeFileSync(
    path.join(dir, `${name}.json`),
    JSON.stringify({ ts: new Date(Date.now() - ageMs).toISOString(), pid: 1, ...extra }),
  );
}

const statusJson = (...extra: string[]) =>
  runCliInProcess(['status', '--json', '--config', configFile, ...extra]);

describe('ghost-hb status', () => {
  it('exit 0 when all are up, and the JSON follows the documented contract', async () => {
    config(['alpha']);
    beatFile('alpha', 500, { status: 'ok', seq: 3, pid: process.pid });
    const r = await statusJson();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      version: 1,
      heartbeatDir: dir,
      heartbeatDirError: null,
      summary: { up: 1, late: 0, down: 0, unknown: 0 },
    });
    expect(new Date(doc.at).toISOString()).toBe(doc.at);
    expect(Object.keys(doc.system).sort()).toEqual(
      ['hostname', 'load1', 'memTotalBytes', 'memUsedBytes', 'uptimeSec'].sort(),
    );
    expect(typeof doc.system.hostname).toBe('string');
    const d = doc.daemons[0];
    // Every v1 field, with its type.
    expect(d).toMatchObject({
      name: 'alpha',
      status: 'up',
      reason: null,
      pid: process.pid,
      lastBeatAt: expect.any(String),
      ageMs: expect.any(Number),
      intervalSec: 5,
      processAlive: true,
      uptimeSec: expect.any(Number),
      memRssBytes: expect.any(Number),
      restarts: 0,
      source: 'json',
      problems: [],
      seq: 3,
      selfStatus: 'ok',
    });
    // Two samples 150 ms apart give a CPU figure for live processes.
    expect(typeof d.cpuPct).toBe('number');
  });

  it.each([
    ['late', 10_000, {}, 1, 'late'],
    ['degraded', 500, { status: 'degraded' }, 1, 'late'],
    ['down (hung)', 60_000, {}, 2, 'down'],
    ['down (failing)', 500, { status: 'failing' }, 2, 'down'],
  ])('exit code for a %s daemon', async (_label, age, extra, code, status) => {
    config(['alpha', 'beta']);
    beatFile('alpha', 500);
    beatFile('beta', age, extra);
    const r = await statusJson();
    expect(r.code).toBe(code);
    expect(JSON.parse(r.stdout).daemons[1].status).toBe(status);
  });

  it('exit 1 when an expected daemon was never seen', async () => {
    config(['alpha', 'ghost']);
    beatFile('alpha', 500);
    const r = await statusJson();
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).daemons[1]).toMatchObject({
      name: 'ghost',
      status: 'unknown',
      reason: 'never seen',
    });
  });

  it('exit 2 for a crashed daemon (pid gone)', async () => {
    config(['alpha']);
    beatFile('alpha', 500, { pid: 4_000_000 });
    const r = await statusJson();
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).daemons[0]).toMatchObject({ status: 'down', reason: 'crashed' });
  });

  it('exit 3 with a clear message when the directory is missing', async () => {
    const missing = path.join(dir, 'nope');
    config(['a']);
    const r = await runCliInProcess(['status', '--dir', missing, '--config', configFile]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot read heartbeat directory ${missing}: does not exist`);
    const j = await statusJson('--dir', missing);
    expect(j.code).toBe(3);
    expect(JSON.parse(j.stdout).heartbeatDirError).toBe('does not exist');
  });

  it.each([
    [['status', '--bogus'], /unknown option --bogus; see "ghost-hb status --help"/],
    [['status', '--jsn', '-z'], /unknown options --jsn, -z/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('exit 3 (not 2, which means critical) for a usage error: %j', async (args, message) => {
    const r = await runCliInProcess(args);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(message);
  });

  it('exit 3 naming the file and key for a bad config', async () => {
    fs.writeFileSync(configFile, JSON.stringify({ defaults: { intervall: 5 } }));
    const r = await statusJson();
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(configFile);
    expect(r.stderr).toContain('defaults.intervall');
    expect(r.stdout).toBe('');
  });

  it('prints a plain table when not a terminal, with a glyph per status and escaped names', async () => {
    config(['alpha', 'gone']);
    beatFile('alpha', 500);
    fs.writeFileSync(path.join(dir, 'evil\x1b[2J.json'), JSON.stringify({ ts: Date.now() }));
    const r = await runCliInProcess(['status', '--config', configFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('\x1b');
    expect(r.stdout).toMatch(/✔ up\s+alpha/);
    expect(r.stdout).toMatch(/\? unknown\s+gone\s+never seen/);
    expect(r.stdout).toContain('evil\\x1b[2J');
    expect(r.stdout).toMatch(/1 up, 0 late, 0 down, 2 unknown/);
  });

  it('colours only when asked, and never with NO_COLOR or --no-color', async () => {
    config(['alpha']);
    beatFile('alpha', 500);
    const status = (extra: string[], env: NodeJS.ProcessEnv) =>
      runCliInProcess(['status', '--config', configFile, ...extra], { env });
    expect((await status([], { FORCE_COLOR: '1' })).stdout).toContain('\x1b[');
    expect((await status([], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).not.toContain('\x1b');
    expect((await status(['--no-color'], { FORCE_COLOR: '1' })).stdout).not.toContain('\x1b');
  });
});

describe('the built binary', () => {
  it('exits with the status code, prints plain text to a pipe, colours when its environment asks', () => {
    config(['alpha']);
    beatFile('alpha', 500, { pid: 4_000_000 });
    const plain = runCli(['status', '--config', configFile]);
    expect(plain.code).toBe(2);
    expect(plain.stdout).toMatch(/✖ down\s+alpha\s+crashed/);
    expect(plain.stdout).not.toContain('\x1b');
    const coloured = runCli(['status', '--config', configFile], { env: { FORCE_COLOR: '1' } });
    expect(coloured.code).toBe(2);
    expect(coloured.stdout).toContain('\x1b[');
  });

  it('exits 3 for a usage error', () => {
    const r = runCli(['status', '--bogus']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/unknown option --bogus/);
  });

  // chmod 000 does not stop root, so as root the CLI runs as "nobody" instead;
  // that needs node and the checkout to be reachable by nobody (not so under /root).
  const isRoot = process.getuid?.() === 0;
  const asNobody = { uid: 65534, gid: 65534 };
  const nobodyCanRun =
    !isRoot ||
    spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(BIN)}, 4)`], {
      ...asNobody,
      cwd: '/',
    }).status === 0;
  (nobodyCanRun ? it : it.skip)('reports an unreadable file (chmod 000)', () => {
    config(['secret']);
    fs.writeFileSync(path.join(dir, 'secret.json'), JSON.stringify({ ts: Date.now() }));
    fs.chmodSync(path.join(dir, 'secret.json'), 0o000);
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(configDir, 0o755);
    fs.chmodSync(configFile, 0o644);
    const r = runCli(['status', '--json', '--config', configFile], isRoot ? asNobody : {});
    expect(r.stderr).toBe('');
    const d = JSON.parse(r.stdout).daemons[0];
    expect(d).toMatchObject({ status: 'unknown', reason: 'heartbeat unreadable: EACCES' });
    expect(r.code).toBe(1);
  });
});

describe('ghost-hb beat', () => {
  it('writes NAME.json atomically with the parent process as pid (the built binary)', async () => {
    const r = runCli(['beat', 'backup', '--dir', dir, '--interval', '60', '--message', 'nightly']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    const doc = JSON.parse(fs.readFileSync(path.join(dir, 'backup.json'), 'utf8'));
    // The CLI's parent is this test process.
    expect(doc).toMatchObject({
      name: 'backup',
      pid: process.pid,
      status: 'ok',
      interval: 60,
      message: 'nightly',
    });
    expect(Math.abs(Date.parse(doc.ts) - Date.now())).toBeLessThan(10_000);
    // No temp files left behind.
    expect(fs.readdirSync(dir).sort()).toEqual(['backup.json']);

    config(['backup']);
    const s = await statusJson();
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout).daemons[0]).toMatchObject({
      name: 'backup',
      status: 'up',
      intervalSec: 60,
      message: 'nightly',
    });
  });

  it('passes --status and --pid through', async () => {
    const r = await runCliInProcess([
      'beat',
      'q',
      '--dir',
      dir,
      '--status',
      'degraded',
      '--pid',
      '1',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'q.json'), 'utf8'))).toMatchObject({
      status: 'degraded',
      pid: 1,
    });
  });

  it.each([
    [['beat', 'bad name', '--dir'], /bad daemon name/],
    [['beat', '../escape', '--dir'], /bad daemon name/],
    [['beat', 'ok', '--status', 'great', '--dir'], /--status must be ok, degraded or failing/],
    [['beat', '--dir'], /exactly one daemon NAME/],
  ])('exit 3 for %j', async (args, message) => {
    const r = await runCliInProcess([...args, dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(message);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses to write through a symlink planted at NAME.json', async () => {
    const target = path.join(dir, 'target.txt');
    fs.writeFileSync(target, 'keep me');
    fs.symlinkSync(target, path.join(dir, 'svc.json'));
    const r = await runCliInProcess(['beat', 'svc', '--dir', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/symlink/);
    expect(fs.readFileSync(target, 'utf8')).toBe('keep me');
  });
});
