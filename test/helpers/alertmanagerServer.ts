// A real Alertmanager (Debian's `prometheus-alertmanager`) for the tests: a
// given configuration in a temporary directory, a free loopback port, no
// cluster gossip; ready once /-/ready answers. Its API says which alerts it
// holds and whether an inhibit rule suppresses them.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from './proc.js';
import { freePort } from './prometheusServer.js';

/** An alert as Alertmanager's v2 API lists it (the fields the tests read). */
export interface AmAlert {
  labels: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: {
    state: 'active' | 'suppressed' | 'unprocessed';
    inhibitedBy: string[];
    silencedBy: string[];
  };
  fingerprint: string;
}

export class AlertmanagerServer {
  private constructor(
    readonly url: string,
    /** host:port, for Prometheus' `alerting.alertmanagers`. */
    readonly address: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly log: () => string,
  ) {}

  static async start(config: string): Promise<AlertmanagerServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghb-am-'));
    fs.writeFileSync(path.join(dir, 'alertmanager.yml'), config);
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      let log = '';
      const child = spawn(
        'prometheus-alertmanager',
        [
          `--config.file=${path.join(dir, 'alertmanager.yml')}`,
          `--storage.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          // A single instance: no gossip port to find free, no peers to wait for.
          '--cluster.listen-address=',
          '--log.level=warn',
        ],
        { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
      const address = `127.0.0.1:${port}`;
      const server = new AlertmanagerServer(`http://${address}`, address, child, dir, () => log);
      try {
        await waitFor(
          async () => {
            if (child.exitCode !== null) throw new Error(`alertmanager exited: ${log}`);
            const res = await fetch(`${server.url}/-/ready`);
            return res.ok ? true : undefined;
          },
          'alertmanager to be ready',
          60_000,
          200,
        );
        return server;
      } catch (err) {
        lastError = err;
        await server.stop(false);
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    throw lastError;
  }

  /** The alerts it holds now (active, suppressed or unprocessed; resolved ones are not listed). */
  async alerts(): Promise<AmAlert[]> {
    const res = await fetch(`${this.url}/api/v2/alerts`);
    if (!res.ok) throw new Error(`alertmanager /api/v2/alerts: HTTP ${res.status}`);
    return (await res.json()) as AmAlert[];
  }

  async stop(remove = true): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (remove) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
