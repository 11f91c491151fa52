// Opt-in terminal signals in tmux: with ui.bell and ui.title the monitor rings
// the bell and sets the pane title ("[1 down] ghost-hb HOST") when a daemon
// dies; without them it writes neither (captured with pipe-pane). And the
// markers at 80 columns under a 60-character hostname (unshare --uts).
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BeatingFleet } from '../helpers/beatingFleet.js';
import { Tmux, paneRows } from '../helpers/tmux.js';
import { requireTool } from '../helpers/tools.js';

/** An OSC title sequence (ESC ] ... BEL), whose BEL is not a bell. */
// eslint-disable-next-line no-control-regex -- the control characters are what it matches
const TITLE_SEQUENCE = /\u001b\][^\u0007]*\u0007/g;

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin', 'ghost-hb.js');
const DAEMONS = ['relayCore', 'executor'];
const CI = process.env.CI === 'true' || process.env.CI === '1';

const ready =
  requireTool('tmux', 'tmux') && fs.existsSync(path.join(repo, 'dist', 'cli', 'main.js'));
const describeE2e = ready ? describe : describe.skip;

/** The bells written, not counting the BEL that ends a title sequence. */
const bells = (raw: string) => raw.replace(TITLE_SEQUENCE, '').split('\u0007').length - 1;

interface Run {
  fleet: BeatingFleet;
  tmux: Tmux;
  written(): string;
}

const runs: Run[] = [];

/** A fleet, a monitor in a 100x30 tmux pane with its output piped to a file, all up. */
async function start(ui: { bell: boolean; title: boolean } | null): Promise<Run> {
  const fleet = await BeatingFleet.start('ghost-hb-e2e-bell-', DAEMONS, 1);
  const rc = path.join(fleet.root, '.heartbeatrc.json');
  if (ui) fs.writeFileSync(rc, JSON.stringify({ ...JSON.parse(fs.readFileSync(rc, 'utf8')), ui }));
  const raw = path.join(fleet.root, 'pane.raw');
  const tmux = new Tmux();
  const run: Run = {
    fleet,
    tmux,
    written: () => (fs.existsSync(raw) ? fs.readFileSync(raw, 'latin1') : ''),
  };
  runs.push(run);
  tmux.start(fleet.root, 100, 30, { PS1: '$ ', TERM: 'xterm-256color' });
  tmux.run('pipe-pane', '-o', '-t', tmux.session, `cat >> ${raw}`);
  tmux.type(`node ${bin}`);
  tmux.keys('Enter');
  await tmux.waitFor(
    (p) => DAEMONS.every((n) => paneRows(p).some((r) => r.name === n && /up/.test(r.line))),
    60_000,
  );
  return run;
}

/** Kill executor and wait until the screen shows it down. */
async function killExecutor(run: Run): Promise<void> {
  run.fleet.children.get('executor')!.kill('SIGKILL');
  await run.tmux.waitFor(
    (p) => paneRows(p).some((r) => r.name === 'executor' && /down/.test(r.line)),
    60_000,
  );
}

const paneTitle = (tmux: Tmux) =>
  tmux.run('display-message', '-p', '-t', tmux.session, '#{pane_title}').trim();

afterAll(() => {
  for (const r of runs) {
    r.tmux.kill();
    r.fleet.close();
  }
});

describeE2e('bell and window title', () => {
  it('ring and retitle when a daemon dies, with ui.bell and ui.title', async () => {
    const run = await start({ bell: true, title: true });
    const host = os.hostname();
    await run.tmux.waitFor(() => paneTitle(run.tmux) === `ghost-hb ${host}`, 30_000);
    expect(bells(run.written())).toBe(0);
    await killExecutor(run);
    await run.tmux.waitFor(() => paneTitle(run.tmux) === `[1 down] ghost-hb ${host}`, 30_000);
    const deadline = Date.now() + 30_000;
    while (bells(run.written()) === 0) {
      if (Date.now() > deadline) throw new Error('no bell reached the pipe');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(run.written()).toContain(`\u001b]2;[1 down] ghost-hb ${host}\u0007`);
    expect(bells(run.written())).toBe(1);
  }, 150_000);

  it('write neither without the options', async () => {
    const run = await start(null);
    await killExecutor(run);
    // The frame with the row down has been written; no signal came with it.
    await run.tmux.waitFor(() => run.written().includes('down'), 30_000);
    expect(bells(run.written())).toBe(0);
    expect(run.written()).not.toContain('\u001b]2;');
  }, 150_000);
});

/** Whether this process may give a child its own hostname (root, unshare present). */
function canUnshare(): boolean {
  const r = spawnSync('unshare', ['--uts', 'true'], { stdio: 'ignore' });
  if (r.status === 0) return true;
  const msg = 'unshare --uts failed: the hostname test needs root and util-linux';
  if (CI) throw new Error(msg);
  console.warn(`skipping: ${msg}`);
  return false;
}

const describeHost = ready && canUnshare() ? describe : describe.skip;

describeHost('markers under a long hostname', () => {
  it('come first on the title line at 80 columns with a 60-character hostname', async () => {
    const fleet = await BeatingFleet.start('ghost-hb-e2e-host-', DAEMONS, 1);
    const tmux = new Tmux();
    runs.push({ fleet, tmux, written: () => '' });
    const host = `a${'-long-hostname'.repeat(4)}-01`;
    expect(host).toHaveLength(60);
    tmux.start(fleet.root, 80, 24, { NO_COLOR: '1', PS1: '$ ', TERM: 'xterm-256color' });
    tmux.type(`unshare --uts sh -c 'hostname ${host} && exec node ${bin}'`);
    tmux.keys('Enter');
    await tmux.waitFor((p) => paneRows(p).length === DAEMONS.length, 60_000);
    tmux.type('p');
    tmux.type('/relay');
    tmux.keys('Enter');
    const pane = await tmux.waitFor(
      (p) => /^PAUSED FILTER "relay" ghost-hb a-long/.test(p),
      30_000,
    );
    const first = pane.split('\n')[0]!;
    expect(first.length).toBeLessThanOrEqual(80);
    // The hostname is shortened after the markers, never the markers after it.
    expect(first).toContain('…');
    expect(first).not.toContain(host);
  }, 120_000);
});
