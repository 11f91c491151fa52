// The demo fleet: eight real child processes named after the default daemons,
// each beating into a temporary _heartbeat/ directory. A planned crash is
// restarted (new pid) after a few seconds; stop() ends every child.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DAEMONS } from '../config/schema.js';
import { CRASH_EXIT_CODE } from './script.js';

const RESTART_DELAY_MS = 5000;

export class DemoFleet {
  readonly root: string;
  readonly heartbeatDir: string;
  readonly startedAt = Date.now();
  private readonly children = new Map<string, ChildProcess>();
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private stopping = false;

  constructor(
    readonly names: readonly string[] = DEFAULT_DAEMONS,
    root?: string,
  ) {
    this.root = root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-demo-'));
    this.heartbeatDir = path.join(this.root, '_heartbeat');
    fs.mkdirSync(this.heartbeatDir, { recursive: true });
  }

  start(): void {
    for (const name of this.names) this.spawn(name);
  }

  pids(): number[] {
    return [...this.children.values()].map((c) => c.pid!).filter(Boolean);
  }

  private spawn(name: string): void {
    if (this.stopping) return;
    const script = fileURLToPath(new URL('./child.js', import.meta.url));
    const child = fork(script, [this.heartbeatDir, name, String(this.startedAt)], {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      execArgv: [],
    });
    this.children.set(name, child);
    child.on('exit', (code) => {
      if (this.children.get(name) === child) this.children.delete(name);
      if (!this.stopping && code === CRASH_EXIT_CODE) {
        const t = setTimeout(() => {
          this.restartTimers.delete(t);
          this.spawn(name);
        }, RESTART_DELAY_MS);
        this.restartTimers.add(t);
      }
    });
  }

  /** Stop every child (SIGTERM, then SIGKILL after a second) and remove the temp directory. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.restartTimers) clearTimeout(t);
    this.restartTimers.clear();
    const exits = [...this.children.values()].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const kill = setTimeout(() => c.kill('SIGKILL'), 1000);
          c.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
    this.children.clear();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
