// Real beating daemons for the end-to-end tests: a temporary directory with a
// `.heartbeatrc.json` and `_heartbeat/`, and one child per daemon that beats
// through the built library (test/fixtures/libBeater.js).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { until } from './wait.js';

const repo = path.resolve(import.meta.dirname, '../..');
const dist = path.join(repo, 'dist');
const beater = path.join(repo, 'test', 'fixtures', 'libBeater.js');

export class BeatingFleet {
  readonly children = new Map<string, ChildProcess>();
  readonly heartbeatDir: string;

  private constructor(readonly root: string) {
    this.heartbeatDir = path.join(root, '_heartbeat');
  }

  /**
   * The directory, its config (1 s beats, state in ./state) and a beating child
   * per daemon; resolves once every daemon has beaten, so a first frame is all up.
   */
  static async start(
    prefix: string,
    daemons: string[],
    pollInterval: number,
  ): Promise<BeatingFleet> {
    const fleet = new BeatingFleet(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
    fs.mkdirSync(fleet.heartbeatDir);
    fs.writeFileSync(
      path.join(fleet.root, '.heartbeatrc.json'),
      JSON.stringify({
        heartbeatDir: './_heartbeat',
        pollInterval,
        stateDir: './state',
        daemons,
        defaults: { interval: 1, tolerance: 1, grace: 4 },
      }),
    );
    for (const name of daemons) fleet.startDaemon(name);
    await until(
      () => daemons.every((n) => fs.existsSync(path.join(fleet.heartbeatDir, `${n}.json`))),
      'every daemon to beat',
    );
    return fleet;
  }

  startDaemon(name: string): ChildProcess {
    const child = spawn(process.execPath, [beater, dist, this.heartbeatDir, name], {
      stdio: 'ignore',
    });
    this.children.set(name, child);
    return child;
  }

  /** Kill every daemon and remove the directory. */
  close(): void {
    for (const c of this.children.values()) c.kill('SIGKILL');
    fs.rmSync(this.root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}
