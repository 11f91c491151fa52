// A real Prometheus server (Debian's `prometheus`) for the tests: a temporary
// config and storage directory, a free loopback port, scraping and
// evaluating rules every second; ready once /-/ready answers.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from './proc.js';

export interface ScrapeTarget {
  address: string;
  /** A file holding the bearer token Prometheus sends; none without. */
  tokenFile?: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export class PrometheusServer {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly log: () => string,
  ) {}

  /**
   * Start a server scraping `targets` (job `ghost-hb`) with `rules` (YAML of rule
   * groups) loaded, sending its alerts to `alertmanagers` (host:port) if given.
   */
  static async start(
    targets: ScrapeTarget[],
    rules: string,
    opts: { alertmanagers?: string[] } = {},
  ): Promise<PrometheusServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghb-prom-'));
    fs.writeFileSync(path.join(dir, 'rules.yml'), rules);
    const alerting = opts.alertmanagers?.length
      ? [
          'alerting:',
          `  alertmanagers: [{ static_configs: [{ targets: [${opts.alertmanagers.map((a) => `'${a}'`).join(', ')}] }] }]`,
        ]
      : [];
    const config = [
      'global: { scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 900ms }',
      'rule_files: [rules.yml]',
      ...alerting,
      'scrape_configs:',
      scrapeConfigs(targets),
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), `${config}\n`);
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      let log = '';
      const child = spawn(
        'prometheus',
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
      const server = new PrometheusServer(`http://127.0.0.1:${port}`, child, dir, () => log);
      try {
        await waitFor(
          async () => {
            if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
            const res = await fetch(`${server.url}/-/ready`);
            return res.ok ? true : undefined;
          },
          'prometheus to be ready',
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

  /** Stop the server; remove its directory unless told not to (a retry reuses it). */
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

/** Scrape configs: one per distinct token file (the first named `ghost-hb`, as examples/prometheus.yml). */
function scrapeConfigs(targets: ScrapeTarget[]): string {
  const byToken = new Map<string, string[]>();
  for (const t of targets) {
    const key = t.tokenFile ?? '';
    byToken.set(key, [...(byToken.get(key) ?? []), t.address]);
  }
  return [...byToken]
    .map(([tokenFile, addresses], i) =>
      [
        `  - job_name: ghost-hb${i === 0 ? '' : `-${i}`}`,
        ...(tokenFile
          ? ['    authorization:', '      type: Bearer', `      credentials_file: ${tokenFile}`]
          : []),
        `    static_configs: [{ targets: [${addresses.map((a) => `'${a}'`).join(', ')}] }]`,
      ].join('\n'),
    )
    .join('\n');
}
