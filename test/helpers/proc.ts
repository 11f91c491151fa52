// Real child processes for integration tests (waits live in wait.ts; waitFor is re-exported here).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export { waitFor };

/** The tests' fake daemon (see the fixture for its modes and signals). */
export const BEATER = fileURLToPath(new URL('../fixtures/beater.js', import.meta.url));

const children = new Set<ChildProcess>();

/**
 * A daemon that beats NAME.json every `everyMs`, declaring no interval, until
 * SIGUSR1, after which it stays alive without beating: a hung daemon.
 */
export function spawnBeater(dir: string, name: string, everyMs = 100): ChildProcess {
  const child = spawn(process.execPath, [BEATER, dir, name, String(everyMs), 'steady', '-'], {
    stdio: 'ignore',
  });
  children.add(child);
  return child;
}

/** A process that only sleeps; extra args end up in its command line (for `match`). */
export function spawnSleeper(...args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)', ...args], {
    stdio: 'ignore',
  });
  children.add(child);
  return child;
}

/** SIGKILL and wait until the kernel has reaped it. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

export async function killAll(): Promise<void> {
  await Promise.all([...children].map((c) => killHard(c)));
  children.clear();
}

/** Wait until /proc shows the child (so its start time is readable). */
export async function started(child: ChildProcess): Promise<number> {
  return waitFor(
    () => (child.pid && fs.existsSync(`/proc/${child.pid}/stat`) ? child.pid : undefined),
    `process ${child.pid} to start`,
  );
}

export function tempDir(prefix = 'ghost-hb-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Running, as opposed to gone or a zombie (an orphan's exit is reaped by whatever init the host has). */
export function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Whether `pid` is a demo daemon (dist/demo/child.js), from its command line. */
export function isDemoDaemon(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('demo/child.js');
  } catch {
    return false;
  }
}

/** Child pids of `pid`, from /proc. */
export function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}
