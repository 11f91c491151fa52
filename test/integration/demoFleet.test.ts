// The demo fleet's daemons never outlive it: each exits when its IPC channel
// to the fleet closes, including when the fleet's process is killed with
// SIGKILL while the daemons are still loading (before they listen for it).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ROOT } from '../helpers/cli.js';
import { isDemoDaemon, running, waitFor } from '../helpers/proc.js';

const hasProc = fs.existsSync('/proc/self/stat');
const describeProc = hasProc ? describe : describe.skip;

// A fleet owner that prints its fleet (root and pids), then waits for a line
// on stdin: "kill" to SIGKILL itself at that point.
const OWNER = `
const { DemoFleet } = await import(process.argv[1]);
const fleet = new DemoFleet();
fleet.start();
process.stdout.write(JSON.stringify({ root: fleet.root, pids: fleet.pids() }) + '\\n');
if (process.argv[2] === 'at-once') process.kill(process.pid, 'SIGKILL');
process.stdin.once('data', () => process.kill(process.pid, 'SIGKILL'));
`;

interface Owned {
  root: string;
  pids: number[];
  kill: () => void;
  gone: Promise<void>;
}

let owned: Owned | null = null;

function startOwner(mode: 'at-once' | 'on-request'): Promise<Owned> {
  const fleetModule = pathToFileURL(path.join(ROOT, 'dist', 'demo', 'fleet.js')).href;
  const owner = spawn(process.execPath, ['--input-type=module', '-e', OWNER, fleetModule, mode], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const gone = new Promise<void>((resolve) => owner.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    owner.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('\n')) return;
      const { root, pids } = JSON.parse(out) as { root: string; pids: number[] };
      owned = { root, pids, kill: () => owner.stdin.end('kill\n'), gone };
      resolve(owned);
    });
    owner.once('exit', () => {
      if (!out.includes('\n'))
        reject(new Error('the fleet owner exited before printing its fleet'));
    });
  });
}

afterEach(() => {
  if (!owned) return;
  // Whatever a failed run left behind: only the demo daemons it started.
  for (const pid of owned.pids.filter((p) => running(p) && isDemoDaemon(p))) {
    process.kill(pid, 'SIGKILL');
  }
  fs.rmSync(owned.root, { recursive: true, force: true });
  owned = null;
});

describeProc('demo daemons after their fleet is killed', () => {
  it('exit when the fleet dies while they are still starting up', async () => {
    const { pids, gone } = await startOwner('at-once');
    await gone;
    expect(pids).toHaveLength(8);
    await waitFor(
      () => (pids.every((p) => !running(p)) ? true : undefined),
      `demo daemons ${pids.filter(running).join(' ')} to exit`,
      10_000,
    );
  });

  it('exit when the fleet dies after they have all beaten', async () => {
    const { root, pids, kill, gone } = await startOwner('on-request');
    expect(pids).toHaveLength(8);
    const files = () =>
      fs.readdirSync(path.join(root, '_heartbeat')).filter((f) => f.endsWith('.json'));
    await waitFor(() => (files().length === 8 ? true : undefined), 'every daemon to beat', 15_000);
    kill();
    await gone;
    await waitFor(
      () => (pids.every((p) => !running(p)) ? true : undefined),
      `demo daemons ${pids.filter(running).join(' ')} to exit`,
      10_000,
    );
  });
});
