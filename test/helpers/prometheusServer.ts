// A real Prometheus server (Debian's `prometheus`) for the tests: a temporary
// config and storage directory, a free loopback port, scraping and
// evaluating rules every second; ready once /-/ready answers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReadyProcess } from './readyProcess.js';

export interface ScrapeTarget {
  address: string;
  /** A file holding the bearer token Prometheus sends; none without. */
  tokenFile?: string;
}

export class PrometheusServer {
  private constructor(
    private readonly proc: ReadyProcess,
    private readonly dir: string,
  ) {}

  get url(): string {
    return this.proc.url;
  }

  log(): string {
    return this.proc.log();
  }

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
    try {
      const proc = await ReadyProcess.start(
        'prometheus',
        (port) => [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        dir,
      );
      return new PrometheusServer(proc, dir);
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Stop the server and remove its directory. */
  async stop(): Promise<void> {
    await this.proc.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
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
