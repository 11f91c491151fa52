// `ghost-hb --serve`: the built monitor in a real terminal (tmux) with the HTTP
// API beside it, over real beating daemons; quitting closes the port and gives
// the terminal back. A refused address exits 3 before the alternate screen.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { BeatingFleet } from '../helpers/beatingFleet.js';
import { Tmux, paneRows } from '../helpers/tmux.js';
import { freePort } from '../helpers/readyProcess.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin', 'ghost-hb.js');
const dist = path.join(repo, 'dist');
const DAEMONS = ['relayCore', 'watchdog'];

const ready = Tmux.available() && fs.existsSync(path.join(dist, 'cli', 'main.js'));
const describeE2e = ready ? describe : describe.skip;

/** Whether something accepts connections on 127.0.0.1:port. */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

describeE2e('ghost-hb --serve in tmux', () => {
  let fleet: BeatingFleet;
  let tmp: string;
  let tmux: Tmux | null = null;

  beforeAll(async () => {
    fleet = await BeatingFleet.start('ghost-hb-serve-e2e-', DAEMONS, 1);
    tmp = fleet.root;
  }, 30_000);

  afterAll(() => {
    tmux?.kill();
    fleet?.close();
  });

  function startPane(args: string, rawFile?: string): Tmux {
    tmux?.kill();
    const t = new Tmux();
    t.start(tmp, 80, 24, { NO_COLOR: '1', PS1: '$ ', TERM: 'xterm-256color' });
    // Everything the program writes to the terminal, escape sequences included.
    if (rawFile) t.run('pipe-pane', '-t', t.session, `cat > '${rawFile}'`);
    t.type(`node ${bin} ${args}; echo "EXIT-$?"`);
    t.keys('Enter');
    tmux = t;
    return t;
  }

  it('serves /api/status and /metrics beside the screen, and closes the port on q', async () => {
    const port = await freePort();
    const t = startPane(`--serve --listen 127.0.0.1:${port}`);
    await t.waitFor(
      (p) => DAEMONS.every((n) => paneRows(p).some((r) => r.name === n && r.line.includes('up'))),
      15_000,
    );
    expect(t.alternateScreenOn()).toBe(true);

    const base = `http://127.0.0.1:${port}`;
    const status = await fetch(`${base}/api/status`);
    expect(status.status).toBe(200);
    const body = (await status.json()) as { daemons: Array<{ name: string; status: string }> };
    for (const name of DAEMONS) {
      expect(body.daemons).toContainEqual(expect.objectContaining({ name, status: 'up' }));
    }
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    for (const name of DAEMONS) expect(text).toContain(`ghosthb_daemon_up{daemon="${name}"} 1`);

    t.keys('q');
    const pane = await t.waitFor((p) => p.includes('EXIT-0'));
    expect(t.alternateScreenOn()).toBe(false);
    // The address is printed on the normal screen, which is what is left after quitting.
    expect(pane).toContain(`ghost-hb: serving ${base} (no token)`);
    expect(await accepting(port)).toBe(false);
    const audit = fs.readFileSync(path.join(tmp, 'state', 'audit.jsonl'), 'utf8');
    const kinds = audit
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; reason?: string });
    expect(kinds.some((k) => k.kind === 'api')).toBe(true);
    expect(kinds.at(-1)).toMatchObject({ kind: 'stop', reason: 'quit' });
  });

  it('refuses a non-loopback address without a token: exit 3, no alternate screen', async () => {
    const raw = path.join(tmp, 'refused.raw');
    const t = startPane('--serve --listen 0.0.0.0:0', raw);
    const pane = await t.waitFor((p) => /EXIT-\d/.test(p));
    expect(pane).toContain('EXIT-3');
    expect(pane.replace(/\n/g, '')).toContain(
      'ghost-hb: refusing to listen on 0.0.0.0 without a token',
    );
    expect(t.alternateScreenOn()).toBe(false);
    t.run('pipe-pane', '-t', t.session);
    expect(fs.readFileSync(raw, 'utf8')).not.toContain('\u001b[?1049h');
  });
});
