// The terminal comes back however the monitor ends (Ctrl-C, SIGTERM, SIGHUP),
// and the demo fleet never outlives it.
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childrenOf, isDemoDaemon, running as alive } from '../helpers/proc.js';
import { Tmux, paneRows } from '../helpers/tmux.js';
import { until, waitFor } from '../helpers/wait.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin', 'ghost-hb.js');
const ready = Tmux.available() && fs.existsSync(path.join(repo, 'dist', 'cli', 'main.js'));
const describeE2e = ready ? describe : describe.skip;

/** Demo daemons among the children of `pid` (the monitor also runs clock tools now and then). */
function demoChildrenOf(pid: number): number[] {
  return childrenOf(pid).filter(isDemoDaemon);
}

describeE2e('ending the monitor', () => {
  let tmp: string;
  let tmux: Tmux;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-sig-'));
    fs.mkdirSync(path.join(tmp, '_heartbeat'));
    fs.writeFileSync(
      path.join(tmp, '.heartbeatrc.json'),
      JSON.stringify({ heartbeatDir: './_heartbeat', stateDir: './state', daemons: ['relayCore'] }),
    );
  });

  /** Demo daemons a test saw; any still running after it (a failure) are killed, never left behind. */
  let seen: number[] = [];

  afterEach(() => {
    tmux?.kill();
    for (const k of seen.filter((k) => alive(k) && isDemoDaemon(k))) process.kill(k, 'SIGKILL');
    seen = [];
  });

  /**
   * The monitor's eight demo daemons, once all eight are there: `executor`
   * crashes 20 s in and is restarted 5 s later, so on a slow start it can be
   * briefly missing.
   */
  async function demoDaemons(pid: number): Promise<number[]> {
    seen = await waitFor(
      () => {
        const found = demoChildrenOf(pid);
        return found.length === 8 ? found : undefined;
      },
      'eight demo daemons',
      20_000,
    );
    return seen;
  }

  /** Run `args` under a shell in a fresh pane; resolves with the node pid once the screen is up. */
  async function start(args: string, marker: string, nodeArgs = ''): Promise<number> {
    tmux = new Tmux();
    tmux.start(tmp, 80, 24, { NO_COLOR: '1', TERM: 'xterm-256color', XDG_STATE_HOME: tmp });
    const pidFile = path.join(tmp, `pid-${Date.now()}`);
    tmux.type(`sh -c 'echo $$ > ${pidFile}; exec node ${nodeArgs} ${bin} ${args}'; echo "EXIT-$?"`);
    tmux.keys('Enter');
    await tmux.waitFor((p) => p.includes(marker), 15_000);
    return Number(fs.readFileSync(pidFile, 'utf8').trim());
  }

  it('restores the terminal on Ctrl-C', async () => {
    await start('', 'EVENTS');
    expect(tmux.alternateScreenOn()).toBe(true);
    tmux.keys('C-c');
    await tmux.waitFor((p) => p.includes('EXIT-0'));
    expect(tmux.alternateScreenOn()).toBe(false);
  });

  it('restores the terminal on SIGTERM', async () => {
    const pid = await start('', 'EVENTS');
    process.kill(pid, 'SIGTERM');
    await tmux.waitFor((p) => p.includes('EXIT-143'));
    expect(tmux.alternateScreenOn()).toBe(false);
  });

  it('restores the terminal on an uncaught error and writes the crash file', async () => {
    const crasher = path.join(repo, 'test', 'fixtures', 'crashSoon.js');
    const pid = await start('', 'EVENTS', `--import ${crasher}`);
    process.kill(pid, 'SIGUSR2'); // the first frame is up: crash now
    const pane = await tmux.waitFor((p) => p.includes('EXIT-3'));
    expect(tmux.alternateScreenOn()).toBe(false);
    expect(pane).toContain('ghost-hb: crashed: injected failure for the crash test');
    const crashFile = path.join(tmp, 'state', 'crash.log');
    expect(pane.replace(/\n/g, '')).toContain(`details in ${crashFile}`);
    expect(fs.readFileSync(crashFile, 'utf8')).toContain('crashSoon.js');
    // The logs were closed on the way out, with the crash as the stop reason.
    const audit = fs.readFileSync(path.join(tmp, 'state', 'audit.jsonl'), 'utf8').trim();
    expect(JSON.parse(audit.split('\n').at(-1)!)).toMatchObject({ kind: 'stop', reason: 'crash' });
  });

  it('stops every demo daemon when the monitor gets SIGHUP', async () => {
    const pid = await start('demo', 'EVENTS');
    await tmux.waitFor((p) => paneRows(p).length === 8, 15_000);
    const kids = await demoDaemons(pid);
    process.kill(pid, 'SIGHUP');
    await tmux.waitFor((p) => p.includes('EXIT-129'));
    expect(tmux.alternateScreenOn()).toBe(false);
    await until(() => kids.every((k) => !alive(k)), 'demo daemons to exit', 20_000);
  });

  it('stops every demo daemon even when the monitor is killed with SIGKILL', async () => {
    const pid = await start('demo', 'EVENTS');
    await tmux.waitFor((p) => paneRows(p).length === 8, 15_000);
    const kids = await demoDaemons(pid);
    process.kill(pid, 'SIGKILL');
    await until(() => kids.every((k) => !alive(k)), 'demo daemons to exit', 20_000);
  });
});
