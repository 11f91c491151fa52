// A real Alertmanager (Debian's `prometheus-alertmanager`) for the tests: a
// given configuration in a temporary directory, a free loopback port, no
// cluster gossip; ready once /-/ready answers. Its API says which alerts it
// holds and whether an inhibit rule suppresses them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReadyProcess } from './readyProcess.js';

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
    private readonly proc: ReadyProcess,
    private readonly dir: string,
  ) {}

  get url(): string {
    return this.proc.url;
  }

  /** host:port, for Prometheus' `alerting.alertmanagers`. */
  get address(): string {
    return this.proc.address;
  }

  log(): string {
    return this.proc.log();
  }

  static async start(config: string): Promise<AlertmanagerServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghb-am-'));
    fs.writeFileSync(path.join(dir, 'alertmanager.yml'), config);
    try {
      const proc = await ReadyProcess.start(
        'prometheus-alertmanager',
        (port) => [
          `--config.file=${path.join(dir, 'alertmanager.yml')}`,
          `--storage.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          // A single instance: no gossip port to find free, no peers to wait for.
          '--cluster.listen-address=',
          '--log.level=warn',
        ],
        dir,
      );
      return new AlertmanagerServer(proc, dir);
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The alerts it holds now (active, suppressed or unprocessed; resolved ones are not listed). */
  async alerts(): Promise<AmAlert[]> {
    const res = await fetch(`${this.url}/api/v2/alerts`);
    if (!res.ok) throw new Error(`alertmanager /api/v2/alerts: HTTP ${res.status}`);
    return (await res.json()) as AmAlert[];
  }

  async stop(): Promise<void> {
    await this.proc.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
