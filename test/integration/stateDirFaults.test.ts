// Detection never depends on persistence: with the state directory full
// (a 256 KiB tmpfs filled up), read-only, or deleted while `ghost-hb watch`
// runs, a crash is still printed at once, the failure is reported once, and
// what could not be written is written when the disk allows.
// Mounting needs root (as in CI): elsewhere the tmpfs cases skip with a
// message, and under CI=true they fail instead.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { HbEvent } from '../../src/core/types.js';
import { STATE_FILES } from '../../src/store/paths.js';
import { runCli, runCliInProcess } from '../helpers/cli.js';
import { exited, faultsRig, until, type FaultsRig, type Watcher } from '../helpers/faults.js';

let rig: FaultsRig;
let mounted: string | null = null;

function mountTmpfs(dir: string, opts: string): boolean {
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status === 0) {
    mounted = dir;
    return true;
  }
  const msg = `cannot mount a tmpfs (${(r.stderr || String(r.error)).trim()}); these tests need root`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(msg);
  console.warn(`skipping: ${msg}`);
  return false;
}

/** Fill the file system holding `dir` until writes fail with ENOSPC. */
function fill(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) fs.writeSync(fd, block);
  } catch (err) {
    expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

beforeEach(() => {
  rig = faultsRig(['beta']);
});
afterEach(async () => {
  await rig.cleanup().catch(() => {});
  if (mounted) {
    spawnSync('umount', ['-l', mounted]);
    mounted = null;
  }
  fs.rmSync(rig.root, { recursive: true, force: true });
});

const byRule = (w: Watcher, rule: string) => w.events.filter((e) => e.rule === rule);

async function watchUntilBetaUp(): Promise<{ w: Watcher; beta: ReturnType<FaultsRig['beater']> }> {
  const beta = rig.beater('beta');
  const w = rig.watch();
  await until(() => {
    try {
      return fs
        .readFileSync(path.join(rig.stateDir, STATE_FILES.uptime), 'utf8')
        .includes('"status":"up"');
    } catch {
      return false;
    }
  }, 'beta up in the uptime log');
  return { w, beta };
}

async function logged(): Promise<HbEvent[]> {
  const r = await runCliInProcess(['events', '--json', '--state-dir', rig.stateDir]);
  expect(r.code).toBe(0);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as HbEvent);
}

/** Kill beta: the crash must reach stdout although the disk refuses it; then restart it. */
async function crashAndRestartBeta(w: Watcher, beta: ReturnType<FaultsRig['beater']>) {
  beta.kill('SIGKILL');
  await until(() => byRule(w, 'crashed').length === 1, 'beta crashed on stdout');
  await until(() => byRule(w, 'state-dir-unwritable').length > 0, 'state-dir-unwritable event');
  // More polls with more events while the disk still refuses: still one report.
  rig.beater('beta');
  await until(
    () => w.events.some((e) => e.rule === 'recovered' || e.rule === 'restarted'),
    'beta back on stdout',
  );
  expect(byRule(w, 'state-dir-unwritable')).toHaveLength(1);
  expect(w.stderr()).not.toMatch(/poll failed/);
}

async function expectAllWritten(w: Watcher): Promise<void> {
  await until(() => byRule(w, 'state-dir-writable').length === 1, 'state-dir-writable event');
  w.child.kill('SIGTERM');
  expect(await exited(w.child)).toBe(0);
  const ids = new Set((await logged()).map((e) => e.id));
  for (const e of w.events) expect(ids.has(e.id)).toBe(true);
  const audit = fs.readFileSync(path.join(rig.stateDir, STATE_FILES.audit), 'utf8');
  expect(audit.trim().split('\n').at(-1)).toMatch(/"kind":"stop"/);
}

describe('a full state directory (256 KiB tmpfs)', () => {
  it('still reports the crash at once, says so once, and writes everything once space is freed', async () => {
    if (!mountTmpfs(rig.stateDir, 'size=256k,mode=0700')) return;
    const { w, beta } = await watchUntilBetaUp();
    const filler = fill(rig.stateDir);
    await crashAndRestartBeta(w, beta);
    const report = byRule(w, 'state-dir-unwritable')[0]!;
    expect(report.message).toMatch(/^state directory unwritable: ENOSPC/);
    expect(report.severity).toBe('error');
    fs.rmSync(filler);
    await expectAllWritten(w);
  });
});

describe('a state directory made unwritable while running (chmod 555)', () => {
  it('carries on, says so once, and writes what it held once writable again', async () => {
    // Root writes through any mode bits: the monitor runs as nobody here.
    if (process.getuid?.() !== 0) {
      if (process.env.CI === 'true') throw new Error('this test needs root (to run as nobody)');
      console.warn('skipping: needs root to run the monitor as another user');
      return;
    }
    const nobody = { uid: 65534, gid: 65534 };
    fs.chmodSync(rig.root, 0o755);
    fs.mkdirSync(rig.stateDir, { mode: 0o700 });
    fs.chownSync(rig.stateDir, nobody.uid, nobody.gid);
    const beta = rig.beater('beta');
    const w = rig.watch([], nobody);
    await until(
      () =>
        fs.existsSync(path.join(rig.stateDir, STATE_FILES.uptime)) &&
        fs
          .readFileSync(path.join(rig.stateDir, STATE_FILES.uptime), 'utf8')
          .includes('"status":"up"'),
      'beta up in the uptime log',
    );
    fs.chmodSync(rig.stateDir, 0o555);
    await crashAndRestartBeta(w, beta);
    expect(byRule(w, 'state-dir-unwritable')[0]!.message).toMatch(
      /^state directory unwritable: EACCES/,
    );
    fs.chmodSync(rig.stateDir, 0o700);
    await expectAllWritten(w);
  });
});

describe('a state directory deleted while running', () => {
  it('is recreated: the crash, the state and the stop record land in the new one', async () => {
    const { w, beta } = await watchUntilBetaUp();
    fs.rmSync(rig.stateDir, { recursive: true, force: true });
    beta.kill('SIGKILL');
    await until(() => byRule(w, 'crashed').length === 1, 'beta crashed on stdout');
    const crashed = byRule(w, 'crashed')[0]!;
    await until(
      async () => (await logged()).some((e) => e.id === crashed.id),
      'the crash in the recreated events.jsonl',
    );
    expect(fs.existsSync(path.join(rig.stateDir, STATE_FILES.state))).toBe(true);
    const uptime = fs.readFileSync(path.join(rig.stateDir, STATE_FILES.uptime), 'utf8');
    expect(uptime).toMatch(/"daemon":"beta","status":"up"/);
    expect(uptime).toMatch(/"daemon":"beta","status":"down"/);
    w.child.kill('SIGTERM');
    expect(await exited(w.child)).toBe(0);
    const audit = fs.readFileSync(path.join(rig.stateDir, STATE_FILES.audit), 'utf8');
    expect(audit).toMatch(/"kind":"stop"/);
    expect(w.stderr()).not.toMatch(/failed/);
  });
});

describe('a read-only state directory at start', () => {
  it('is a one-line error, exit 3, no stack trace', () => {
    if (!mountTmpfs(rig.stateDir, 'size=64k,ro')) return;
    const r = runCli(['watch', '--config', rig.configFile]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      new RegExp(`^ghost-hb: state directory ${rig.stateDir} is not writable \\(EROFS`),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
