// `ghost-hb run` with real children: exit 0, exit 4, a segfault, a child
// stopped with SIGSTOP (hung), one that ignores SIGTERM, one behind a probe
// that stalls. The monitor (`status --json`) must name how each one ended.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { BIN, runCliInProcess } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/proc.js';

let dir: string;
let cfgDir: string;
beforeEach(() => {
  dir = tempDir();
  cfgDir = tempDir('ghost-hb-config-');
});
const wrappers = new Set<ChildProcess>();
afterEach(async () => {
  // SIGTERM, so each wrapper takes its child down with it (SIGKILL would orphan the child).
  await Promise.all(
    [...wrappers].map((w) => {
      if (w.exitCode !== null || w.signalCode !== null) return undefined;
      const gone = new Promise((r) => w.once('exit', r));
      w.kill('SIGTERM');
      return gone;
    }),
  );
  wrappers.clear();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(cfgDir, { recursive: true, force: true });
});

const NODE = process.execPath;
const read = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'));

/**
 * The daemon as `ghost-hb status --json` judges it: late past the beat's
 * interval + 3 s, down past interval + 4 s (slack for a loaded test machine).
 */
async function judged(
  name: string,
): Promise<{ status: string; reason: string | null; pid: number | null }> {
  const cfg = path.join(cfgDir, 'rc.json');
  fs.writeFileSync(
    cfg,
    JSON.stringify({ heartbeatDir: dir, daemons: [{ name, tolerance: 3, grace: 4 }] }),
  );
  const r = await runCliInProcess(['status', '--json', '--config', cfg]);
  return JSON.parse(r.stdout).daemons.find((d: { name: string }) => d.name === name);
}

/** Wait until the monitor's rules judge `name` so (and for that reason, when given). */
function judgedAs(name: string, status: string, reason?: string) {
  return waitFor(
    async () => {
      const d = await judged(name);
      return d.status === status && (reason === undefined || d.reason === reason) ? d : undefined;
    },
    `${name} judged ${status}${reason ? ` (${reason})` : ''}`,
    30_000,
  );
}

function runWrapper(args: string[]): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(NODE, [BIN, 'run', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  wrappers.add(child);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited };
}

describe('ghost-hb run', () => {
  it('exit 0: beats with the child pid, then a final beat; exits 0', async () => {
    const { exited } = runWrapper([
      'job',
      '--dir',
      dir,
      '--interval',
      '0.2',
      '--',
      NODE,
      '-e',
      'setTimeout(() => {}, 600)',
    ]);
    const beat = await waitFor(() => {
      try {
        const d = read('job');
        return d.pid ? d : undefined;
      } catch {
        return undefined;
      }
    }, 'a beat with the child pid');
    expect(beat).toMatchObject({ status: 'ok', source: 'run', interval: 0.2 });
    expect(beat.pid).not.toBe(process.pid);
    expect(await exited).toBe(0);
    const last = read('job');
    expect(last.pid).toBeUndefined();
    expect(last.exit).toMatchObject({ code: 0, signal: null });
    expect(last.exit.durationMs).toBeGreaterThan(0);
    // A clean end is not a failure: up while its interval lasts.
    const again = runWrapper(['once', '--dir', dir, '--interval', '600', '--', 'true']);
    expect(await again.exited).toBe(0);
    expect(await judged('once')).toMatchObject({ status: 'up', reason: null });
  }, 60_000);

  it('exit 4: exits 4 and the monitor says "exited (code 4)"', async () => {
    const { exited } = runWrapper(['job', '--dir', dir, '--', 'sh', '-c', 'exit 4']);
    expect(await exited).toBe(4);
    expect(read('job')).toMatchObject({ status: 'failing', exit: { code: 4, signal: null } });
    expect(await judged('job')).toMatchObject({ status: 'down', reason: 'exited (code 4)' });
  }, 60_000);

  it('segfault: exits 139 and the monitor says "killed (SIGSEGV)"', async () => {
    const { exited } = runWrapper([
      'job',
      '--dir',
      dir,
      '--',
      'sh',
      '-c',
      'ulimit -c 0; kill -SEGV $$',
    ]);
    expect(await exited).toBe(139);
    expect(read('job').exit).toMatchObject({ code: null, signal: 'SIGSEGV' });
    expect(await judged('job')).toMatchObject({ status: 'down', reason: 'killed (SIGSEGV)' });
  }, 60_000);

  it('a command that cannot run: exit 127, recorded', async () => {
    const { exited } = runWrapper(['job', '--dir', dir, '--', path.join(dir, 'no-such-program')]);
    expect(await exited).toBe(127);
    expect(await judged('job')).toMatchObject({ status: 'down', reason: 'exited (code 127)' });
  }, 60_000);

  it('a stopped child (SIGSTOP) gets no beats: hung; SIGTERM is forwarded with SIGCONT', async () => {
    const { child, exited } = runWrapper([
      'job',
      '--dir',
      dir,
      '--interval',
      '0.2',
      '--',
      'sh',
      '-c',
      'until [ -e job.json ]; do sleep 0.05; done; kill -STOP $$; sleep 60',
    ]);
    await judgedAs('job', 'down', 'hung');
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(read('job').exit).toMatchObject({ signal: 'SIGTERM' });
  }, 60_000);

  it('forwards SIGTERM to a child that handles it and exits with its code', async () => {
    const script =
      "process.on('SIGTERM', () => process.exit(7)); process.send ?? 0; setInterval(() => {}, 1e6); console.log('ready')";
    const { child, exited } = runWrapper(['job', '--dir', dir, '--', NODE, '-e', script]);
    await waitFor(() => (read('job').pid ? true : undefined), 'the first beat');
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    await waitFor(() => (out.includes('ready') ? true : undefined), 'the child to be ready');
    child.kill('SIGTERM');
    expect(await exited).toBe(7);
    expect(await judged('job')).toMatchObject({ status: 'down', reason: 'exited (code 7)' });
  }, 60_000);

  it('kills a child that ignores SIGTERM after --kill-timeout', async () => {
    const script =
      "process.on('SIGTERM', () => {}); setInterval(() => {}, 1e6); console.log('ready')";
    const { child, exited } = runWrapper([
      'job',
      '--dir',
      dir,
      '--kill-timeout',
      '0.5',
      '--',
      NODE,
      '-e',
      script,
    ]);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    await waitFor(() => (out.includes('ready') ? true : undefined), 'the child to be ready');
    child.kill('SIGTERM');
    expect(await exited).toBe(137);
    expect(err).toContain('sending SIGKILL');
    expect(await judged('job')).toMatchObject({ status: 'down', reason: 'killed (SIGKILL)' });
  }, 60_000);

  it('with --probe, beats only while the probe passes', async () => {
    // The health server runs in its own process, made to stall and recover by signals.
    const script = `
      let healthy = true;
      process.on('SIGUSR1', () => (healthy = false));
      process.on('SIGUSR2', () => (healthy = true));
      const s = require('http').createServer((_q, r) => { if (healthy) r.end('ok'); });
      s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
    const server = spawn(NODE, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let out = '';
      server.stdout!.on('data', (d) => (out += d));
      const port = await waitFor(() => /^\d+\n/.exec(out)?.[0].trim(), 'the health server');
      const { child, exited } = runWrapper([
        'api',
        '--dir',
        dir,
        '--interval',
        '0.5',
        '--probe-timeout',
        '1',
        '--probe',
        `http://127.0.0.1:${port}/health`,
        '--',
        NODE,
        '-e',
        'setInterval(() => {}, 1e6)',
      ]);
      await judgedAs('api', 'up');
      server.kill('SIGUSR1'); // stall: the probe times out, beats stop
      await judgedAs('api', 'down', 'hung'); // once the probe stalls
      server.kill('SIGUSR2');
      await judgedAs('api', 'up'); // again
      child.kill('SIGTERM');
      expect(await exited).toBe(143);
    } finally {
      server.kill('SIGKILL');
    }
  }, 120_000);

  it.each([
    [['job', '--dir'], /argument missing/],
    [['job', '--dir', '.'], /give a NAME, then --/],
    [['../x', '--dir', '.', '--', 'true'], /bad daemon name/],
    [['job', '--probe', 'ftp://x', '--dir', '.', '--', 'true'], /must be http/],
    [['job', '--dir', 'typo', '--', 'true'], /does not exist/],
  ])('exit 3 for %j, before anything runs', async (args, message) => {
    const r = await runCliInProcess(['run', ...args.map((a) => (a === '.' ? dir : a))], {
      cwd: dir,
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(message);
  });
});
