// `ghost-hb beat` (the light entry point): a missing directory is an error
// unless --mkdir, flags parse as declared (in-process), and --every keeps
// beating until SIGTERM (the built binary).
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { BIN, runCliInProcess } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/proc.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const read = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'));

describe('ghost-hb beat', () => {
  it('refuses a missing heartbeat directory and creates none', async () => {
    const typo = path.join(dir, 'typo');
    const r = await runCliInProcess(['beat', 'svc', '--dir', typo]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`heartbeat directory ${typo} does not exist`);
    expect(r.stderr).toContain('--mkdir');
    expect(fs.existsSync(typo)).toBe(false);
  });

  it('creates the directory with --mkdir', async () => {
    const fresh = path.join(dir, 'a', 'b');
    expect((await runCliInProcess(['beat', 'svc', '--dir', fresh, '--mkdir'])).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(fresh, 'svc.json'), 'utf8')).name).toBe('svc');
  });

  it('leaves no temp file beside the heartbeat', async () => {
    for (let i = 0; i < 3; i++)
      expect((await runCliInProcess(['beat', 'svc', '--dir', dir])).code).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(['svc.json']);
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--interval', 'soon'], /--interval needs a number, not "soon"/],
    [['--every', '0'], /--every must be a positive number of seconds/],
    [['--dir'], /argument missing|--dir/],
  ])('exit 3 for %j', async (extra, message) => {
    const r = await runCliInProcess([
      'beat',
      'svc',
      ...(extra[0] === '--dir' ? [] : ['--dir', dir]),
      ...extra,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(message);
  });

  it('prints its help and the version without writing', async () => {
    const h = await runCliInProcess(['beat', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('--every');
    expect((await runCliInProcess(['beat', '--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('reports a broken config as a configuration error (no --dir)', async () => {
    const cfg = path.join(dir, 'bad.json');
    fs.writeFileSync(cfg, JSON.stringify({ pollInterval: -1 }));
    const r = await runCliInProcess(['beat', 'svc', '--config', cfg]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/bad configuration: .*pollInterval/);
  });

  it('takes heartbeatDir from the config without --dir', async () => {
    const hb = path.join(dir, 'hb');
    fs.mkdirSync(hb);
    const cfg = path.join(dir, 'ok.json');
    fs.writeFileSync(cfg, JSON.stringify({ heartbeatDir: hb }));
    expect((await runCliInProcess(['beat', 'svc', '--config', cfg])).code).toBe(0);
    expect(fs.existsSync(path.join(hb, 'svc.json'))).toBe(true);
  });

  it('--every beats repeatedly with interval S and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'beat', 'loop', '--dir', dir, '--every', '0.2'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const seen = new Set<string>();
    await waitFor(
      () => {
        try {
          seen.add(read('loop').ts);
        } catch {
          // not written yet, or caught between rename and read
        }
        return seen.size >= 3 ? true : undefined;
      },
      'three beats from --every',
      30_000,
    );
    expect(read('loop').interval).toBe(0.2);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  }, 60_000);
});
