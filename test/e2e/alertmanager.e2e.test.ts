// The shipped Prometheus path, end to end with the real servers (Debian's
// `prometheus` and `prometheus-alertmanager`): `ghost-hb serve` watching real
// beating daemons, Prometheus scraping it with examples/alerts.rules.yml, and
// Alertmanager with examples/alertmanager.yml (its routes and inhibit rule)
// sending to a webhook receiver started here.
//
// The test copies shorten only timings: every `for:` of the rules (1m, 2m,
// 5m, 10m -> 3s), Prometheus' scrape and evaluation intervals (1 s, in
// test/helpers/prometheusServer.ts) and Alertmanager's group_wait and
// group_interval (1 s); the expressions, labels, routes and inhibit rules are
// the shipped ones, and the receivers' URLs point at the local webhook.
//
// What it shows: a daemon killed reaches the webhook as GhostHbDaemonDown with
// its status and reason labels; ghost-hb itself killed pages GhostHbNotScraped,
// which inhibits the daemon's alert, and the dead daemon is never announced
// "resolved", neither during the gap nor when ghost-hb is back.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlertmanagerServer, type AmAlert } from '../helpers/alertmanagerServer.js';
import { BeatingFleet } from '../helpers/beatingFleet.js';
import { BIN } from '../helpers/cli.js';
import { waitFor } from '../helpers/proc.js';
import { PrometheusServer } from '../helpers/prometheusServer.js';
import { Receiver } from '../helpers/receiver.js';
import { requireTool } from '../helpers/tools.js';

const repo = path.resolve(import.meta.dirname, '../..');
const DAEMONS = ['relayCore', 'executor'];
const VICTIM = 'executor';
/** Deadline of every wait: generous, the machine is shared. */
const WAIT_MS = 90_000;

/** examples/alerts.rules.yml with every `for:` shortened to 3 s. */
function testRules(): string {
  const shipped = fs.readFileSync(path.join(repo, 'examples/alerts.rules.yml'), 'utf8');
  const rules = shipped.replace(/^(\s+)for: \d+[smh]$/gm, '$1for: 3s');
  expect(rules).not.toBe(shipped);
  return rules;
}

/** examples/alertmanager.yml with its receivers at `base` and 1 s grouping timers. */
function testAlertmanagerConfig(base: string): string {
  let config = fs.readFileSync(path.join(repo, 'examples/alertmanager.yml'), 'utf8');
  for (const [from, to] of [
    [/http:\/\/127\.0\.0\.1:9095/g, base],
    [/group_wait: \w+/, 'group_wait: 1s'],
    [/group_interval: \w+/, 'group_interval: 1s'],
  ] as const) {
    expect(config).toMatch(from);
    config = config.replace(from, to);
  }
  return config;
}

/** Alertmanager's webhook payload (the fields read here). */
interface Notification {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: Array<{
    status: 'firing' | 'resolved';
    labels: Record<string, string>;
    startsAt: string;
  }>;
}

interface Agent {
  child: ChildProcess;
  address: string;
}

/** `ghost-hb serve` in the fleet's directory, on `listen`; resolves with its address. */
async function serve(fleet: BeatingFleet, listen = '127.0.0.1:0'): Promise<Agent> {
  const child = spawn(process.execPath, [BIN, 'serve', '--listen', listen], {
    cwd: fleet.root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const address = await waitFor(
    () => /serving http:\/\/(127\.0\.0\.1:\d+) /.exec(stderr)?.[1],
    `ghost-hb serve in ${fleet.root}`,
    { timeoutMs: WAIT_MS, detail: () => stderr },
  );
  return { child, address };
}

function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGKILL');
  return exited;
}

const tools =
  requireTool('prometheus', 'prometheus') &&
  requireTool('prometheus-alertmanager', 'prometheus-alertmanager');
const run = tools ? describe : describe.skip;

run('the shipped rules and Alertmanager config, live', () => {
  let fleet: BeatingFleet;
  let agent: Agent;
  let hook: Receiver;
  let am: AlertmanagerServer;
  let prom: PrometheusServer;

  const notifications = () => hook.json<Notification>();
  /** Every alert the webhook received, with the receiver and the notification's path. */
  const received = () =>
    hook.requests.flatMap((r) =>
      (JSON.parse(r.body) as Notification).alerts.map((a) => ({ ...a, path: r.path })),
    );
  const about = (alertname: string, daemon?: string) =>
    received().filter(
      (a) =>
        a.labels.alertname === alertname && (daemon === undefined || a.labels.daemon === daemon),
    );
  /** A PromQL instant query's result vector. */
  async function query(expr: string): Promise<Array<{ metric: Record<string, string> }>> {
    const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as {
      data: { result: Array<{ metric: Record<string, string> }> };
    };
    return body.data.result;
  }
  const victimAlert = async (): Promise<AmAlert | undefined> =>
    (await am.alerts()).find(
      (a) => a.labels.alertname === 'GhostHbDaemonDown' && a.labels.daemon === VICTIM,
    );
  /** Every wait here: a generous deadline, then what the servers said. */
  const SLOW = {
    timeoutMs: WAIT_MS,
    everyMs: 250,
    detail: () =>
      `webhook received: ${JSON.stringify(notifications(), null, 1)}\n` +
      `prometheus: ${prom?.log()}\nalertmanager: ${am?.log()}`,
  };

  /** The firing notifications of `alertname` (about `daemon`) once the webhook has any. */
  const firing = (alertname: string, daemon?: string) =>
    waitFor(
      () => {
        const hits = about(alertname, daemon).filter((a) => a.status === 'firing');
        return hits.length ? hits : undefined;
      },
      `${alertname}${daemon ? ` for ${daemon}` : ''} firing at the webhook`,
      SLOW,
    );
  /** The victim's alert in Alertmanager once its state is `state`. */
  const victimAlertIs = (state: string, what: string) =>
    waitFor(
      async () => {
        const a = await victimAlert();
        return a?.status.state === state ? a : undefined;
      },
      what,
      SLOW,
    );
  /** Until the PromQL `expr` returns `count` series. */
  const untilSeries = (expr: string, count: number, what: string) =>
    waitFor(async () => (await query(expr)).length === count || undefined, what, SLOW);

  beforeAll(async () => {
    hook = await Receiver.start();
    fleet = await BeatingFleet.start('ghb-am-e2e-', DAEMONS, 1);
    agent = await serve(fleet);
    am = await AlertmanagerServer.start(testAlertmanagerConfig(hook.url('').replace(/\/$/, '')));
    prom = await PrometheusServer.start([{ address: agent.address }], testRules(), {
      alertmanagers: [am.address],
    });
    await untilSeries(
      'ghosthb_daemon_status{status="up"} == 1',
      DAEMONS.length,
      'Prometheus to see every daemon up',
    );
  }, 4 * WAIT_MS);

  afterAll(async () => {
    if (agent) await killed(agent.child);
    await prom?.stop();
    await am?.stop();
    await hook?.close();
    fleet?.close();
  });

  let firstStartsAt = '';

  it(
    'pages a killed daemon through Alertmanager, with its status and reason',
    async () => {
      expect(about('GhostHbDaemonDown')).toEqual([]);
      await killed(fleet.children.get(VICTIM)!);
      const [alert] = await firing('GhostHbDaemonDown', VICTIM);
      expect(alert!.labels).toMatchObject({
        alertname: 'GhostHbDaemonDown',
        daemon: VICTIM,
        severity: 'critical',
        status: 'down',
        reason: 'crashed',
        instance: agent.address,
      });
      // Routed as the shipped config says: critical goes to the pager receiver.
      expect(alert!.path).toBe('/page');
      // The daemon still beating raised nothing.
      expect(about('GhostHbDaemonDown', 'relayCore')).toEqual([]);
      firstStartsAt = alert!.startsAt;
    },
    2 * WAIT_MS,
  );

  it(
    'while ghost-hb is down: GhostHbNotScraped pages, inhibits the daemon alert, and no "resolved" is sent',
    async () => {
      expect(firstStartsAt).not.toBe('');
      await killed(agent.child);
      const [page] = await firing('GhostHbNotScraped');
      expect(page!.labels.instance).toBe(agent.address);
      expect(page!.path).toBe('/page');
      // Alertmanager holds the daemon's alert, still active in Prometheus' eyes,
      // suppressed by the inhibit rule.
      const held = await victimAlertIs('suppressed', 'the daemon alert to be inhibited');
      expect(held.status.inhibitedBy.length).toBeGreaterThan(0);
      expect(Date.parse(held.startsAt)).toBe(Date.parse(firstStartsAt));
      // Ten scrapes failed in a row: any "resolved" from the gap would have been
      // sent by now (group_interval is 1 s); Prometheus still has the alert firing.
      await untilSeries(
        'count_over_time(up{job="ghost-hb"}[10s]) >= 8 and max_over_time(up{job="ghost-hb"}[10s]) == 0',
        1,
        'ten seconds of failed scrapes',
      );
      expect(
        await query(`ALERTS{alertname="GhostHbDaemonDown",daemon="${VICTIM}",alertstate="firing"}`),
      ).toHaveLength(1);
      expect(about('GhostHbDaemonDown').filter((a) => a.status === 'resolved')).toEqual([]);
    },
    3 * WAIT_MS,
  );

  it(
    'once ghost-hb is back, the page resolves and the dead daemon is still firing, never resolved',
    async () => {
      // Back on the same address, so Prometheus scrapes it again.
      agent = await serve(fleet, agent.address);
      await waitFor(
        () => about('GhostHbNotScraped').some((a) => a.status === 'resolved') || undefined,
        'GhostHbNotScraped resolved at the webhook',
        SLOW,
      );
      const active = await victimAlertIs(
        'active',
        'the daemon alert active again, no longer inhibited',
      );
      // The same alert all along: the same start, its labels unchanged.
      expect(Date.parse(active.startsAt)).toBe(Date.parse(firstStartsAt));
      expect(active.labels).toMatchObject({ status: 'down', reason: 'crashed' });
      expect(
        await query(`ghosthb_daemon_status{daemon="${VICTIM}",status="down"} == 1`),
      ).toHaveLength(1);
      expect(about('GhostHbDaemonDown').filter((a) => a.status === 'resolved')).toEqual([]);
      expect(about('GhostHbDaemonDown', 'relayCore')).toEqual([]);
    },
    3 * WAIT_MS,
  );
});
