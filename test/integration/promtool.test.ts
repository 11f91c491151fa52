// Prometheus' own checker on what ghost-hb ships: the /metrics exposition of a
// running server, the example alert rules (with their unit tests) and the
// example scrape config.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startServer } from '../../src/server/server.js';
import { FakeFeed, daemon, event, snapshot } from '../helpers/server-fixtures.js';
import { requireTool } from '../helpers/tools.js';

const run = requireTool('promtool', 'prometheus') ? describe : describe.skip;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ghb-promtool-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function promtool(args: string[], input?: string) {
  const r = spawnSync('promtool', args, { input, encoding: 'utf8', cwd: tmp });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

run('promtool', () => {
  it('passes `promtool check metrics` on /metrics', async () => {
    const feed = new FakeFeed();
    const server = await startServer({
      feed,
      pollIntervalSec: 5,
      listen: '127.0.0.1:0',
      token: null,
    });
    try {
      feed.emit({
        snapshot: snapshot([
          daemon('relayCore'),
          daemon('watchdog', 'late'),
          daemon('executor', 'down', { restarts: 7 }),
          daemon('odd\u0007"name\\\n', 'unknown', {
            lastBeatAt: null,
            cpuPct: null,
            memRssBytes: null,
          }),
        ]),
        events: [
          event(),
          event({ severity: 'warn', rule: 'late' }),
          // Flapping is known from the rules' events, not from a snapshot field.
          event({ severity: 'warn', rule: 'flapping', daemon: 'watchdog' }),
          event({ rule: 'weird "rule"\n' }),
        ],
      });
      feed.fail();
      const res = await fetch(`${server.url}/metrics`);
      const text = await res.text();
      expect(text).toContain('ghosthb_daemon_flapping{daemon="watchdog"} 1');
      const r = promtool(['check', 'metrics'], text);
      expect(r.out.trim()).toBe('');
      expect(r.status).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('passes `promtool check rules` and `promtool test rules` on examples/alerts.rules.yml', () => {
    copyFileSync('examples/alerts.rules.yml', path.join(tmp, 'alerts.rules.yml'));
    copyFileSync('examples/alerts.test.yml', path.join(tmp, 'alerts.test.yml'));
    const check = promtool(['check', 'rules', 'alerts.rules.yml']);
    expect(check.out).toContain('SUCCESS');
    expect(check.status).toBe(0);
    const test = promtool(['test', 'rules', 'alerts.test.yml']);
    expect(test.out).toContain('SUCCESS');
    expect(test.status).toBe(0);
    // The list: down for 1 m, flapping, restarts, clock offset, unsynced, not scraped.
    const rules = readFileSync('examples/alerts.rules.yml', 'utf8');
    for (const expr of [
      'last_over_time(ghosthb_daemon_status{status="down"}[1h]) == 1',
      'ghosthb_daemon_down_reason',
      'last_over_time(ghosthb_daemon_flapping[1h]) == 1',
      'ghosthb_daemon_restarts_total',
      'ghosthb_clock_offset_seconds',
      'ghosthb_clock_synced == 0',
      'up{job="ghost-hb"} == 0',
      'absent(up{job="ghost-hb"})',
    ]) {
      expect(rules).toContain(expr);
    }
  });

  it('passes `promtool check config examples/prometheus.yml` as shipped', () => {
    const r = spawnSync('promtool', ['check', 'config', 'examples/prometheus.yml'], {
      encoding: 'utf8',
    });
    expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});

const runAm = requireTool('amtool', 'prometheus-alertmanager') ? describe : describe.skip;

runAm('amtool', () => {
  it('passes `amtool check-config` on examples/alertmanager.yml, with the inhibit rule', () => {
    const r = spawnSync('amtool', ['check-config', 'examples/alertmanager.yml'], {
      encoding: 'utf8',
    });
    expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
    expect(`${r.stdout}${r.stderr}`).toContain('1 inhibit rules');
    expect(r.status).toBe(0);
  });
});
