// The terminal comes back however the monitor ends (Ctrl-C, SIGTERM, SIGHUP),
// and the demo fleet never outlives it.
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Tmux, paneRows } from '../helpers/tmux.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin', 'ghost-hb.js');
const ready = Tmux.available() && fs.existsSync(path.join(repo, 'dist', 'cli', 'main.js'));
const describeE2e = ready ? describe : describe.skip;

/** Running, as opposed to gone or a zombie (an orphan's exit is reaped by whatever init the host has). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Demo daemons among the children of `pid` (the monitor also runs clock tools now and then). */
function demoChildrenOf(pid: number): number[] {
  return childrenOf(pid).filter((k) => {
    try {
      return fs.readFileSync(`/proc/${k}/cmdline`, 'utf8').includes('demo/child.js');
    } catch {
      return false;
    }
  });
}

/** Child pids of `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until<T>(
  fn: () => T | false | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
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

  afterEach(() => tmux?.kill());

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
    await start('', 'EVENTS', `--import ${crasher}`);
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
    const kids = demoChildrenOf(pid);
    expect(kids.length).toBeGreaterThanOrEqual(8);
    process.kill(pid, 'SIGHUP');
    await tmux.waitFor((p) => p.includes('EXIT-129'));
    expect(tmux.alternateScreenOn()).toBe(false);
    await until(() => kids.every((k) => !alive(k)), 8000, 'demo daemons to exit');
  });

  it('stops every demo daemon even when the monitor is killed with SIGKILL', async () => {
    const pid = await start('demo', 'EVENTS');
    await tmux.waitFor((p) => paneRows(p).length === 8, 15_000);
    const kids = demoChildrenOf(pid);
    expect(kids.length).toBeGreaterThanOrEqual(8);
    process.kill(pid, 'SIGKILL');
    await until(() => kids.every((k) => !alive(k)), 8000, 'demo daemons to exit');
  });
});
