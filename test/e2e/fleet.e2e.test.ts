// A fleet with real processes: three agents (`ghost-hb serve`) on loopback
// ports with tokens, and hostile servers beside them. `status --remote --json`
// gives every host's daemons with `host` and each host's state, with an exit
// code over all hosts; a wrong token, garbage, a huge body, a redirect, an old
// version and a slow loris are each that host's state, and the token never
// shows. The fleet screen in tmux: HOST column, every host's daemons, the
// `host:` filter, an agent killed (its rows unknown, `host unreachable`, one
// event) and restarted (reachable again, no event shown twice).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { killHard, waitFor } from '../helpers/proc.js';
import { Tmux, paneRows } from '../helpers/tmux.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin', 'ghost-hb.js');
const HOSTS = ['alpha', 'bravo', 'charlie'];
const DAEMONS = ['relay', 'queue'];
const token = (h: string) => `token-of-${h}-0123456789abcdef`;

const ready = Tmux.available() && fs.existsSync(path.join(repo, 'dist', 'cli', 'main.js'));
const describeE2e = ready ? describe : describe.skip;

interface Agent {
  name: string;
  dir: string;
  port: number;
  proc: ChildProcess;
  beaters: ChildProcess[];
}

const BEATER = `
const fs = require('fs');
const [file, name] = process.argv.slice(1);
const beat = () => { fs.writeFileSync(file + '.tmp', JSON.stringify({ name, pid: process.pid, ts: new Date().toISOString() })); fs.renameSync(file + '.tmp', file); };
beat(); setInterval(beat, 300);
`;

function run(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describeE2e('a fleet of agents', () => {
  let root: string;
  const agents = new Map<string, Agent>();
  const hostile: http.Server[] = [];
  const tmux = new Tmux();

  /** Start (or restart, on its port) one host's agent; resolves once it serves. */
  async function startAgent(name: string, port = 0): Promise<Agent> {
    const dir = path.join(root, name);
    const proc = spawn(
      process.execPath,
      [bin, 'serve', '--config', path.join(dir, 'rc.json'), '--listen', `127.0.0.1:${port}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    proc.stderr!.on('data', (c) => (err += c));
    const bound = await waitFor(
      () => /serving http:\/\/127\.0\.0\.1:(\d+)/.exec(err)?.[1],
      `agent ${name} to serve`,
      60_000,
    );
    const prev = agents.get(name);
    const agent = { name, dir, port: Number(bound), proc, beaters: prev?.beaters ?? [] };
    agents.set(name, agent);
    return agent;
  }

  function hostileServer(handle: http.RequestListener): Promise<number> {
    const srv = http.createServer(handle);
    hostile.push(srv);
    return new Promise((resolve) =>
      srv.listen(0, '127.0.0.1', () => resolve((srv.address() as AddressInfo).port)),
    );
  }

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-fleet-'));
    for (const name of HOSTS) {
      const dir = path.join(root, name);
      fs.mkdirSync(path.join(dir, 'hb'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'rc.json'),
        JSON.stringify({
          heartbeatDir: path.join(dir, 'hb'),
          stateDir: path.join(dir, 'state'),
          pollInterval: 1,
          discover: false,
          daemons: DAEMONS.map((n) => ({ name: n, interval: 1, tolerance: 1, grace: 3 })),
          alerts: { minUptimeSec: 0 },
          api: { token: token(name) },
        }),
      );
      const beaters = DAEMONS.map((d) =>
        spawn(process.execPath, ['-e', BEATER, path.join(dir, 'hb', `${d}.json`), d], {
          stdio: 'ignore',
        }),
      );
      agents.set(name, { name, dir, port: 0, proc: null as unknown as ChildProcess, beaters });
    }
    await Promise.all(HOSTS.map((h) => startAgent(h)));
    // The screen's own config: the three remotes with their tokens, nothing local.
    fs.writeFileSync(
      path.join(root, '.heartbeatrc.json'),
      JSON.stringify({
        heartbeatDir: path.join(root, 'none'),
        stateDir: path.join(root, 'me'),
        pollInterval: 1,
        discover: false,
        daemons: [],
        remotes: HOSTS.map((h) => ({
          name: h,
          url: `http://127.0.0.1:${agents.get(h)!.port}`,
          token: token(h),
        })),
      }),
    );
  }, 120_000);

  afterAll(async () => {
    tmux.kill();
    for (const a of agents.values()) {
      if (a.proc) await killHard(a.proc);
      for (const b of a.beaters) await killHard(b);
    }
    await Promise.all(hostile.map((s) => new Promise((r) => s.close(r))));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('status --remote --json: every host, host on each daemon, exit over all hosts; bad hosts are states', async () => {
    const garbage = await hostileServer((_q, res) => res.end('<html>not json'));
    const huge = await hostileServer((_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let n = 0;
      const more = () => {
        while (n++ < 40) if (!res.write(chunk)) return void res.once('drain', more);
        res.end('{}');
      };
      more();
    });
    const redirect = await hostileServer((_q, res) => {
      res.writeHead(302, { Location: 'http://127.0.0.1:1/steal' });
      res.end();
    });
    const old = await hostileServer((_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ version: 2, daemons: [] }));
    });
    const loris = await hostileServer((_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const t = setInterval(() => res.write(' '), 500);
      res.on('close', () => clearInterval(t));
    });
    const remotes = [
      ...HOSTS.map((h) => `${h}=http://127.0.0.1:${agents.get(h)!.port}`),
      `garbage=http://127.0.0.1:${garbage}`,
      `huge=http://127.0.0.1:${huge}`,
      `redirect=http://127.0.0.1:${redirect}`,
      `old=http://127.0.0.1:${old}`,
      `loris=http://127.0.0.1:${loris}`,
      'refused=http://127.0.0.1:1',
      // A configured remote's token goes with its name: a wrong one here.
      `wrongtoken=http://127.0.0.1:${agents.get('alpha')!.port}`,
    ];
    const env = path.join(root, 'status-rc.json');
    fs.writeFileSync(
      env,
      JSON.stringify({
        discover: false,
        daemons: [],
        remotes: [
          ...HOSTS.map((h) => ({ name: h, url: '', token: token(h) })),
          { name: 'wrongtoken', url: '', token: 'not-the-right-token-at-all' },
        ],
      }),
    );
    await waitFor(
      async () => {
        const r = await run(
          [
            'status',
            '--config',
            env,
            '--json',
            ...remotes.slice(0, 3).flatMap((x) => ['--remote', x]),
          ],
          root,
        );
        const j = JSON.parse(r.stdout) as { summary: { up: number } };
        return j.summary.up === HOSTS.length * DAEMONS.length ? true : undefined;
      },
      'all agents to see their daemons up',
      60_000,
    );

    const r = await run(
      ['status', '--config', env, '--json', ...remotes.flatMap((x) => ['--remote', x])],
      root,
    );
    const j = JSON.parse(r.stdout) as {
      hosts: Array<{ name: string; state: string; error: string | null }>;
      daemons: Array<{ host: string; name: string; status: string }>;
    };
    const state = Object.fromEntries(j.hosts.map((h) => [h.name, h.state]));
    expect(state).toEqual({
      alpha: 'connected',
      bravo: 'connected',
      charlie: 'connected',
      garbage: 'bad answer',
      huge: 'bad answer',
      redirect: 'bad answer',
      old: 'incompatible version',
      loris: 'unreachable',
      refused: 'unreachable',
      wrongtoken: 'auth failed',
    });
    expect(j.daemons.map((d) => `${d.host}/${d.name}`).sort()).toEqual(
      HOSTS.flatMap((h) => DAEMONS.map((d) => `${h}/${d}`)).sort(),
    );
    // Hosts that did not answer make the fleet's exit 1 (unknown), never 2.
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toContain('not-the-right-token');
    expect(r.stdout + r.stderr).not.toContain(token('alpha'));
    expect(r.stderr).toMatch(/redirect: bad answer: .*redirect, not followed/);
  }, 180_000);

  it('the fleet screen: HOST column, host: filter, an agent killed and restarted', async () => {
    tmux.start(root, 120, 30, {
      NO_COLOR: '1',
      PS1: '$ ',
      TERM: 'xterm-256color',
      XDG_STATE_HOME: path.join(root, 'user'),
    });
    tmux.type(`node ${bin}; echo "EXIT-$?"`);
    tmux.keys('Enter');
    const all = HOSTS.length * DAEMONS.length;
    let pane = await tmux.waitFor(
      (p) =>
        paneRows(p).filter((r) => /up/.test(r.line)).length === all &&
        HOSTS.every((h) => p.includes(`${h} 2✔ connected`)),
      60_000,
    );
    expect(pane).toMatch(/STATUS\s+HOST\s+NAME/);
    for (const h of HOSTS) expect(pane).toMatch(new RegExp(`${h} 2✔ connected`));

    tmux.type('/host:bravo');
    tmux.keys('Enter');
    pane = await tmux.waitFor((p) => paneRows(p).length === DAEMONS.length, 30_000);
    expect(pane.split('\n').filter((l) => /^[ >]?✔ up\s+bravo\s/.test(l))).toHaveLength(2);
    tmux.keys('Escape');
    await tmux.waitFor((p) => paneRows(p).length === all, 30_000);

    // A daemon's death on bravo: one event, in the merged pane with its host.
    const bravo = agents.get('bravo')!;
    await killHard(bravo.beaters[0]!);
    await tmux.waitFor((p) => /bravo\/relay\s+relay is down/.test(p), 60_000);

    // bravo's agent dies: its rows turn unknown (host unreachable), one event.
    await killHard(bravo.proc);
    pane = await tmux.waitFor(
      (p) =>
        paneRows(p).filter((r) => /unknown\s+bravo\s+\S+\s+host unre/.test(r.line)).length ===
          DAEMONS.length && /bravo: host unreachable/.test(p),
      60_000,
    );
    expect(pane).not.toMatch(/down\s+bravo\s+queue/);
    expect(pane.match(/bravo: host unreachable/g)).toHaveLength(1);

    // Restarted on its port: reachable again, resumed, nothing shown twice.
    await startAgent('bravo', bravo.port);
    pane = await tmux.waitFor(
      (p) => /bravo: reachable again/.test(p) && /bravo 1✔ 1✖ connected/.test(p),
      90_000,
    );
    expect(pane.match(/relay is down/g)).toHaveLength(1);
    expect(pane.match(/bravo: host unreachable/g)).toHaveLength(1);
    tmux.keys('q');
    await tmux.waitFor((p) => p.includes('EXIT-0'), 30_000);
  }, 300_000);
});
