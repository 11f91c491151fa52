// `--prometheus`: the fleet from a real Prometheus server (Debian's
// `prometheus`) scraping two real `ghost-hb serve` agents with a token, as
// `status --prometheus` and as the screen (the built binary in a tmux pane,
// open while a daemon dies and an agent stops), and the client against
// servers that answer badly.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FleetSource } from '../../src/agent/fleet.js';
import { PrometheusClient, pollPrometheus, type PromEndpoint } from '../../src/agent/prometheus.js';
import { PrometheusFeed } from '../../src/agent/prometheusFeed.js';
import type { FleetReport } from '../../src/cli/prometheusFleet.js';
import { BeatingFleet } from '../helpers/beatingFleet.js';
import { BIN, runCliInProcess } from '../helpers/cli.js';
import { waitFor } from '../helpers/proc.js';
import { PrometheusServer } from '../helpers/prometheusServer.js';
import { Tmux, paneRows } from '../helpers/tmux.js';
import { requireTool } from '../helpers/tools.js';

const TOKEN = 'prometheus-scrape-token-0123456789';

const RULES = `groups:
  - name: test
    rules:
      - alert: DaemonDown
        expr: ghosthb_daemon_status{status="down"} == 1
        labels: { severity: critical }
        annotations: { summary: '{{ $labels.daemon }} on {{ $labels.instance }} is down' }
`;

/** The CLI in this process (the servers it asks may live here too). */
const cli = (args: string[]) => runCliInProcess(args);

/** `ghost-hb serve` on a loopback port in the fleet's directory; resolves with its address. */
async function serveAgent(fleet: BeatingFleet): Promise<{ child: ChildProcess; address: string }> {
  const tokenFile = path.join(fleet.root, 'api-token');
  fs.writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
  const rc = path.join(fleet.root, '.heartbeatrc.json');
  const config = JSON.parse(fs.readFileSync(rc, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(rc, JSON.stringify({ ...config, api: { tokenFile: './api-token' } }));
  const child = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0'], {
    cwd: fleet.root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const address = await waitFor(
    () => /serving http:\/\/(127\.0\.0\.1:\d+) \(token from api\.tokenFile\)/.exec(stderr)?.[1],
    `the agent in ${fleet.root} to serve (${stderr})`,
    30_000,
  );
  return { child, address };
}

const runProm =
  requireTool('prometheus', 'prometheus') && requireTool('tmux', 'tmux') ? describe : describe.skip;

/** Rows of the screen's table for one host (the HOST column), as "status name". */
function screenRows(pane: string, host: string): string[] {
  const rows: string[] = [];
  for (const { line } of paneRows(pane)) {
    const m = /^[ >]?\S (\S+)\s+(\S+)\s+(?:⊘ )?(\S+)/.exec(line);
    if (m && m[2] === host) rows.push(`${m[1]} ${m[3]}`);
  }
  return rows;
}

runProm('ghost-hb status --prometheus, against a real Prometheus scraping two agents', () => {
  const fleets: BeatingFleet[] = [];
  const agents: ChildProcess[] = [];
  let a = '';
  let b = '';
  let prom: PrometheusServer;
  const tmux = new Tmux();
  let screenDir = '';

  async function report(): Promise<{ code: number | null; report: FleetReport }> {
    const r = await cli(['status', '--prometheus', prom.url, '--json']);
    if (r.code === 3) throw new Error(r.stderr);
    return { code: r.code, report: JSON.parse(r.stdout) as FleetReport };
  }

  /** Wait until a report passes `ok`. */
  function reportWhere(what: string, ok: (r: FleetReport, code: number | null) => boolean) {
    return waitFor(
      async () => {
        const r = await report();
        return ok(r.report, r.code) ? r : undefined;
      },
      what,
      60_000,
      250,
    );
  }

  beforeAll(async () => {
    fleets.push(await BeatingFleet.start('ghb-prom-a-', ['relayCore', 'executor'], 1));
    fleets.push(await BeatingFleet.start('ghb-prom-b-', ['relayCore', 'healer'], 1));
    const [agentA, agentB] = await Promise.all(fleets.map(serveAgent));
    agents.push(agentA!.child, agentB!.child);
    a = agentA!.address;
    b = agentB!.address;
    const tokenFile = path.join(fleets[0]!.root, 'prometheus-token');
    fs.writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
    prom = await PrometheusServer.start(
      [
        { address: a, tokenFile },
        { address: b, tokenFile },
      ],
      RULES,
    );
  }, 120_000);

  afterAll(async () => {
    tmux.kill();
    for (const child of agents) child.kill('SIGKILL');
    await prom?.stop();
    for (const f of fleets) f.close();
    if (screenDir) fs.rmSync(screenDir, { recursive: true, force: true });
  });

  it("shows both instances' daemons, with the host on each", async () => {
    const { code, report: r } = await reportWhere(
      'both agents scraped, every daemon up',
      (r) => r.daemons.length === 4 && r.daemons.every((d) => d.status === 'up'),
    );
    expect(code).toBe(0);
    expect(r.source).toEqual({ kind: 'prometheus', url: prom.url });
    expect(r.hosts.map((h) => [h.host, h.reachable, h.problem])).toEqual(
      [
        [a, true, null],
        [b, true, null],
      ].sort(),
    );
    expect(r.daemons.map((d) => `${d.host} ${d.name}`).sort()).toEqual(
      [`${a} executor`, `${a} relayCore`, `${b} healer`, `${b} relayCore`].sort(),
    );
    for (const d of r.daemons) {
      expect(d.ageMs).not.toBeNull();
      expect(d.ageMs!).toBeGreaterThanOrEqual(0);
    }
    expect(r.summary).toEqual({ up: 4, late: 0, down: 0, unknown: 0 });

    const text = await cli(['status', '--prometheus', prom.url]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^HOST +STATUS +NAME/m);
    expect(text.stdout).toContain(`${a}  ✔ up`);
    expect(text.stdout).toContain(`${b}  ✔ up`);
    expect(text.stdout).toContain('4 up, 0 late, 0 down, 0 unknown');
  });

  it('the screen (--prometheus) in tmux: every instance as a host, with its rows', async () => {
    // A directory of its own: the screen reads Prometheus, never a state directory.
    screenDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghb-prom-screen-'));
    fs.writeFileSync(
      path.join(screenDir, '.heartbeatrc.json'),
      JSON.stringify({ pollInterval: 1, discover: false, daemons: [], stateDir: './state' }),
    );
    const tokenFile = path.join(screenDir, 'prom-token');
    fs.writeFileSync(tokenFile, 'no-token-is-needed-but-one-is-sent', { mode: 0o600 });
    tmux.start(screenDir, 140, 32, { NO_COLOR: '1', PS1: '$ ', TERM: 'xterm-256color' });
    tmux.type(
      `node ${BIN} --prometheus ${prom.url} --prometheus-token-file ${tokenFile}; echo "EXIT-$?"`,
    );
    tmux.keys('Enter');
    const pane = await tmux.waitFor(
      (p) =>
        screenRows(p, a).length === 2 &&
        screenRows(p, b).length === 2 &&
        paneRows(p).every((r) => /^[ >]?✔ up/.test(r.line)) &&
        p.includes(`${a} 2✔ connected`) &&
        p.includes(`${b} 2✔ connected`),
      60_000,
    );
    expect(pane).toMatch(/STATUS\s+HOST\s+NAME/);
    expect(pane).toContain(`ghost-hb prometheus ${prom.url}`);
    expect(screenRows(pane, a).sort()).toEqual(['up executor', 'up relayCore']);
    expect(screenRows(pane, b).sort()).toEqual(['up healer', 'up relayCore']);
    expect(pane).toContain('2 hosts');
    expect(pane).not.toContain('no-token-is-needed');
  }, 120_000);

  it("shows a daemon's death on one host as down, with the firing alert as an event", async () => {
    fleets[0]!.children.get('executor')!.kill('SIGKILL');
    const { code, report: r } = await reportWhere(
      'executor down on the first host and its alert firing',
      (r) =>
        r.daemons.some((d) => d.host === a && d.name === 'executor' && d.status === 'down') &&
        r.alerts.some((e) => e.daemon === 'executor'),
    );
    expect(code).toBe(2);
    const executor = r.daemons.find((d) => d.name === 'executor')!;
    expect(executor.reason).toBe('crashed');
    expect(r.daemons.filter((d) => d.host === b).map((d) => d.status)).toEqual(['up', 'up']);
    expect(r.alerts.find((e) => e.daemon === 'executor')).toMatchObject({
      severity: 'critical',
      rule: 'DaemonDown',
      message: `executor on ${a} is down`,
      data: { source: 'prometheus', host: a },
    });

    // The screen: the row down under its host, the alert once in the event pane.
    const pane = await tmux.waitFor(
      (p) => screenRows(p, a).includes('down executor') && p.includes(`executor on ${a} is down`),
      60_000,
    );
    expect(screenRows(pane, b).sort()).toEqual(['up healer', 'up relayCore']);
    expect(
      pane.match(new RegExp(`executor on ${a.replace(/\./g, '\\.')} is down`, 'g')),
    ).toHaveLength(1);
    expect(pane).toContain(`${a} 1✔ 1✖ connected`);
  }, 120_000);

  it('shows the daemons of an agent that stops answering as unknown (host unreachable), never down', async () => {
    agents[1]!.kill('SIGKILL');
    const { report: r } = await reportWhere('the second host unreachable', (r) =>
      r.hosts.some((h) => h.host === b && h.reachable === false),
    );
    const rows = r.daemons.filter((d) => d.host === b);
    expect(rows.map((d) => [d.name, d.status, d.reason]).sort()).toEqual([
      ['healer', 'unknown', 'host unreachable'],
      ['relayCore', 'unknown', 'host unreachable'],
    ]);
    expect(rows.every((d) => d.problems.includes('last known status: up'))).toBe(true);
    expect(r.hosts.find((h) => h.host === b)!.problem).toMatch(/^host unreachable/);
    // The other host is untouched.
    expect(r.daemons.find((d) => d.host === a && d.name === 'relayCore')!.status).toBe('up');

    // The screen: its rows unknown (host unreachable), never down; the host's state says so.
    const pane = await tmux.waitFor(
      (p) =>
        screenRows(p, b).length === 2 &&
        screenRows(p, b).every((row) => row.startsWith('unknown')) &&
        p.includes(`${b} 2? unreachable`),
      60_000,
    );
    expect(pane).toMatch(new RegExp(`unknown\\s+${b.replace(/\./g, '\\.')}\\s+\\S+\\s+host unre`));
    expect(screenRows(pane, a).sort()).toEqual(['down executor', 'up relayCore']);
    tmux.keys('q');
    await tmux.waitFor((p) => p.includes('EXIT-0'), 30_000);
  }, 120_000);
});

/** A server answering every request with `handle`; resolves with its endpoint. */
async function fakeServer(
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ endpoint: PromEndpoint; close(): Promise<void>; seen: http.IncomingHttpHeaders[] }> {
  const seen: http.IncomingHttpHeaders[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    handle(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: { url: new URL(`http://127.0.0.1:${port}/`), token: TOKEN },
    seen,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('the Prometheus client, against servers that answer badly', () => {
  const json = (status: number, body: unknown) => (_: unknown, res: http.ServerResponse) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const cases: {
    name: string;
    handle: (req: http.IncomingMessage, res: http.ServerResponse) => void;
    kind: string;
    message: RegExp;
    /** The client's deadline: short only where running past it is the case under test. */
    timeoutMs?: number;
  }[] = [
    {
      name: 'garbage',
      handle: (_, res) => res.end('<html>hello</html>'),
      kind: 'bad-answer',
      message: /answer is not JSON/,
    },
    {
      name: 'JSON of another shape',
      handle: json(200, { hello: 'world' }),
      kind: 'bad-answer',
      message: /not a Prometheus instant-vector answer/,
    },
    {
      name: 'a huge body',
      handle: (_, res) => {
        res.writeHead(200);
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        const write = () => {
          while (res.write(chunk)) {
            /* until the socket pushes back */
          }
          res.once('drain', write);
        };
        write();
      },
      kind: 'bad-answer',
      message: /answer larger than 2097152 bytes/,
    },
    {
      name: 'a 401 (wrong token)',
      handle: json(401, { status: 'error', error: 'unauthorized' }),
      kind: 'auth',
      message: /HTTP 401: the token was refused/,
    },
    {
      name: 'a redirect (never followed, the token stays here)',
      handle: (_, res) => {
        res.writeHead(302, { Location: 'http://elsewhere.example/api/v1/query?secret=1' });
        res.end();
      },
      kind: 'bad-answer',
      message: /HTTP 302 redirect to http:\/\/elsewhere\.example\/api\/v1\/query, not followed/,
    },
    {
      name: 'a body that trickles in past the deadline',
      handle: (_, res) => {
        res.writeHead(200);
        res.write('{"status":');
      },
      kind: 'unreachable',
      message: /no complete answer in 1000 ms/,
      timeoutMs: 1000,
    },
    {
      name: "Prometheus's own refusal",
      handle: json(400, { status: 'error', errorType: 'bad_data', error: 'parse error' }),
      kind: 'bad-answer',
      message: /Prometheus refused the query: bad_data: parse error/,
    },
  ];

  it.each(cases)('$name: a clear error, never a crash', async (c) => {
    const { handle, kind, message } = c;
    const server = await fakeServer(handle);
    try {
      // A loaded machine may take seconds to answer: only the trickle case may time out.
      const client = new PrometheusClient(server.endpoint, {
        timeoutMs: c.timeoutMs ?? 60_000,
        maxBytes: 2 * 1024 * 1024,
      });
      const err = await pollPrometheus(client, Date.now(), new Map()).then(
        () => null,
        (e: unknown) => e as Error & { kind: string },
      );
      expect(err).not.toBeNull();
      expect(err!.kind).toBe(kind);
      expect(err!.message).toMatch(message);
      expect(err!.message).not.toContain(TOKEN);
      expect(server.seen[0]!.authorization).toBe(`Bearer ${TOKEN}`);
    } finally {
      await server.close();
    }
  });

  it('a server that is down: unreachable', async () => {
    const server = await fakeServer(() => {});
    await server.close();
    const err = await new PrometheusClient(server.endpoint, { timeoutMs: 1000 })
      .alerts()
      .catch((e: unknown) => e as Error & { kind: string });
    expect(err).toMatchObject({
      kind: 'unreachable',
      message: expect.stringMatching(/ECONNREFUSED/),
    });
  });

  it('the CLI says what went wrong and exits 3', async () => {
    const server = await fakeServer(json(401, {}));
    try {
      const r = await cli(['status', '--prometheus', server.endpoint.url.href]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        /^ghost-hb: prometheus http:\/\/127\.0\.0\.1:\d+: .*HTTP 401: the token was refused\n$/,
      );
    } finally {
      await server.close();
    }
  });

  it("the screen's feed: a Prometheus that stops answering is the screen's problem and each host's state", async () => {
    let refuse = false;
    const vector = (result: unknown[]) => ({
      status: 'success',
      data: { resultType: 'vector', result },
    });
    const server = await fakeServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const query = url.searchParams.get('query') ?? '';
      const t = Date.now() / 1000;
      let body: unknown = { status: 'success', data: { alerts: [] } };
      if (query.startsWith('up and')) {
        body = vector([{ metric: { instance: 'h1:9464', job: 'ghost-hb' }, value: [t, '1'] }]);
      } else if (query.startsWith('{__name__')) {
        const metric = { __name__: 'ghosthb_daemon_status', instance: 'h1:9464', daemon: 'relay' };
        body = vector([{ metric: { ...metric, status: 'up' }, value: [t, '1'] }]);
      } else if (query) body = vector([]);
      res.writeHead(refuse ? 401 : 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(refuse ? { status: 'error', error: 'unauthorized' } : body));
    });
    const feed = new PrometheusFeed(new PrometheusClient(server.endpoint, { timeoutMs: 2000 }), {
      intervalMs: 200,
    });
    const fleet = new FleetSource({
      hosts: [],
      feeds: [feed],
      label: feed.where,
      intervalMs: 200,
      unknownAfterMs: 500,
    });
    try {
      await fleet.start();
      expect(fleet.status().label).toBe(
        `prometheus ${server.endpoint.url.href.replace(/\/$/, '')}`,
      );
      expect(fleet.status().problem).toBeNull();
      expect(fleet.hostsNow().map((h) => [h.name, h.state.state])).toEqual([
        ['h1:9464', 'connected'],
      ]);
      await waitFor(
        () => (fleet.snapshot().daemons[0]?.status === 'up' ? true : undefined),
        'the relay row up',
      );

      refuse = true;
      const problem = await waitFor(() => fleet.status().problem ?? undefined, 'a problem');
      expect(problem).toMatch(
        /^prometheus http:\/\/127\.0\.0\.1:\d+: .*HTTP 401: the token was refused$/,
      );
      expect(problem).not.toContain(TOKEN);
      expect(fleet.hostsNow()[0]!.state.state).toBe('auth failed');
      const row = await waitFor(
        () => fleet.snapshot().daemons.find((d) => d.status === 'unknown'),
        'the row unknown after the timeout',
      );
      expect(row).toMatchObject({
        name: 'h1:9464/relay',
        host: 'h1:9464',
        reason: 'host unreachable',
      });

      refuse = false;
      await waitFor(
        () =>
          fleet.status().problem === null && fleet.snapshot().daemons[0]?.status === 'up'
            ? true
            : undefined,
        'everything back once Prometheus answers',
      );
      expect(fleet.hostsNow()[0]!.state.state).toBe('connected');
    } finally {
      await fleet.stop();
      await server.close();
    }
  });
});
