// The screen beside a running agent, with real processes in tmux: it attaches
// to `ghost-hb serve` over the state directory's socket (header says so,
// nothing written where the agent keeps its state), a daemon killed shows
// down once in the screen and once in the log; the agent killed with -9 is
// reported at once and the screen takes over the lock; `--attach` with no
// agent is a clear exit 3.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findAgent } from '../../src/agent/client.js';
import { readHolder } from '../../src/store/lock.js';
import { STATE_FILES } from '../../src/store/paths.js';
import { BeatingFleet } from '../helpers/beatingFleet.js';
import { killHard, waitFor } from '../helpers/proc.js';
import { Tmux, paneRows } from '../helpers/tmux.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin', 'ghost-hb.js');
const DAEMONS = ['relayCore', 'watchdog', 'executor'];

const ready = Tmux.available() && fs.existsSync(path.join(repo, 'dist', 'cli', 'main.js'));
const describeE2e = ready ? describe : describe.skip;

describeE2e('a screen attached to a running agent, in tmux', () => {
  let fleet: BeatingFleet;
  let stateDir: string;
  let userDir: string;
  let agent: ChildProcess | null = null;
  const tmux = new Tmux();
  const title = (p: string) => p.split('\n')[0] ?? '';
  const logLines = (file: string) =>
    fs.existsSync(path.join(stateDir, file))
      ? fs.readFileSync(path.join(stateDir, file), 'utf8').split('\n').filter(Boolean)
      : [];

  beforeAll(async () => {
    fleet = await BeatingFleet.start('ghost-hb-e2e-attach-', DAEMONS, 1);
    stateDir = path.join(fleet.root, 'state');
    userDir = path.join(fleet.root, 'user');
    agent = spawn(process.execPath, [bin, 'serve', '--listen', '127.0.0.1:0'], {
      cwd: fleet.root,
      stdio: 'ignore',
    });
    await waitFor(
      () => (findAgent(stateDir)?.holder.pid === agent!.pid ? true : undefined),
      'serve to hold the state directory and serve its socket',
      60_000,
    );
    tmux.start(fleet.root, 100, 24, {
      NO_COLOR: '1',
      PS1: '$ ',
      TERM: 'xterm-256color',
      XDG_STATE_HOME: userDir,
    });
  }, 90_000);

  afterAll(async () => {
    tmux.kill();
    if (agent) await killHard(agent);
    fleet?.close();
  });

  it('attaches to serve: header, the agent data, a death shown and logged once, nothing written', async () => {
    tmux.type(`node ${bin}; echo "EXIT-$?"`);
    tmux.keys('Enter');
    const pane = await tmux.waitFor(
      (p) => paneRows(p).length === DAEMONS.length && p.includes('attached to agent'),
      60_000,
    );
    // Markers first, then the title and where the data comes from.
    expect(title(pane)).toMatch(new RegExp(`^ghost-hb attached to agent pid ${agent!.pid} `));

    fleet.children.get('watchdog')!.kill('SIGKILL');
    const down = await tmux.waitFor(
      (p) =>
        paneRows(p).some((r) => r.name === 'watchdog' && /down/.test(r.line)) &&
        /watchdog is down/.test(p),
      60_000,
    );
    // Let a few more polls pass: the death stays one event.
    await tmux.waitFor((p) => p !== down && /last poll/.test(p), 30_000);
    const lastPoll = /last poll (\S+)/.exec(tmux.capture())![1];
    await tmux.waitFor((p) => /last poll (\S+)/.exec(p)?.[1] !== lastPoll, 30_000);
    const after = tmux.capture();
    expect(after.match(/watchdog is down/g)).toHaveLength(1);
    const logged = logLines(STATE_FILES.events).filter(
      (l) => /"daemon":"watchdog"/.test(l) && /"severity":"error"/.test(l),
    );
    expect(logged).toHaveLength(1);
    const ids = logLines(STATE_FILES.events).map((l) => (JSON.parse(l) as { id: string }).id);
    expect(new Set(ids).size).toBe(ids.length);

    // One writer: the screen took no lock, ran no monitor (no `ui` start in
    // the agent's audit log) and kept its prefs in the user's own directory.
    expect(readHolder(stateDir)?.pid).toBe(agent!.pid);
    expect(logLines(STATE_FILES.audit).some((l) => /"command":"ui"/.test(l))).toBe(false);
    tmux.keys('f'); // a pref change is saved at once
    await tmux.waitFor((p) => /FILTER \[problems\]/.test(title(p)), 30_000);
    await waitFor(
      () => (fs.existsSync(path.join(userDir, 'ghost-hb', STATE_FILES.ui)) ? true : undefined),
      'the prefs in the user state directory',
      30_000,
    );
    expect(fs.existsSync(path.join(stateDir, STATE_FILES.ui))).toBe(false);
    tmux.keys('f', 'f', 'f', 'f');
    await tmux.waitFor((p) => !/FILTER/.test(title(p)), 30_000);
  }, 180_000);

  it('says so at once when the agent is killed with -9, and takes over the lock', async () => {
    const pid = agent!.pid!;
    await killHard(agent!);
    agent = null;
    const pane = await tmux.waitFor(
      (p) =>
        p.includes(`took over from agent pid ${pid}`) && /this screen \(pid \d+\) took ov/.test(p),
      60_000,
    );
    expect(title(pane)).toMatch(/^ghost-hb took over from agent pid/);
    const holder = await waitFor(
      () => readHolder(stateDir) ?? undefined,
      'the screen to hold the lock',
    );
    expect(holder.command).toBe('ui');
    expect(holder.pid).not.toBe(pid);
    // Monitoring goes on here: the daemons stay shown, the takeover is logged.
    await tmux.waitFor((p) => paneRows(p).length === DAEMONS.length, 30_000);
    expect(logLines(STATE_FILES.events).filter((l) => /"rule":"agent-lost"/.test(l))).toHaveLength(
      1,
    );
    tmux.keys('q');
    await tmux.waitFor((p) => p.includes('EXIT-0'), 30_000);
    expect(readHolder(stateDir)).toBeNull();
  }, 180_000);

  it('--attach with no agent running is a clear exit 3', async () => {
    tmux.keys('C-l');
    tmux.type(`clear; node ${bin} --attach; echo "EXIT-$?"`);
    tmux.keys('Enter');
    const pane = await tmux.waitFor((p) => p.includes('EXIT-3'), 60_000);
    expect(pane).toContain('--attach: no agent is running for the state directory');
  }, 90_000);
});
