// Opt-in terminal signals in tmux: with ui.bell and ui.title the monitor rings
// the bell and sets the pane title ("[1 down] ghost-hb HOST") when a daemon
// dies; without them it writes neither (captured with pipe-pane). And the
// markers at 80 columns under a 60-character hostname (unshare --uts).
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN } from '../helpers/cli.js';
import { paneRows, startMonitorPane, type MonitorPane, type Tmux } from '../helpers/tmux.js';
import { requireTool } from '../helpers/tools.js';
import { until } from '../helpers/wait.js';

/** An OSC title sequence (ESC ] ... BEL), whose BEL is not a bell. */
// eslint-disable-next-line no-control-regex -- the control characters are what it matches
const TITLE_SEQUENCE = /\u001b\][^\u0007]*\u0007/g;

const repo = path.resolve(import.meta.dirname, '../..');
const DAEMONS = ['relayCore', 'executor'];
const CI = process.env.CI === 'true' || process.env.CI === '1';

const ready =
  requireTool('tmux', 'tmux') && fs.existsSync(path.join(repo, 'dist', 'cli', 'main.js'));
const describeE2e = ready ? describe : describe.skip;

/** The bells written, not counting the BEL that ends a title sequence. */
const bells = (raw: string) => raw.replace(TITLE_SEQUENCE, '').split('\u0007').length - 1;

const runs: MonitorPane[] = [];

/** A fleet, a monitor in a 100x30 tmux pane with its output recorded, all up. */
async function start(ui: { bell: boolean; title: boolean } | null): Promise<MonitorPane> {
  const run = await startMonitorPane({
    prefix: 'ghost-hb-e2e-bell-',
    daemons: DAEMONS,
    pollInterval: 1,
    width: 100,
    height: 30,
    record: true,
    ...(ui ? { config: { ui } } : {}),
  });
  runs.push(run);
  return run;
}

/** Kill executor and wait until the screen shows it down. */
async function killExecutor(run: MonitorPane): Promise<void> {
  run.fleet.children.get('executor')!.kill('SIGKILL');
  await run.tmux.waitFor(
    (p) => paneRows(p).some((r) => r.name === 'executor' && /down/.test(r.line)),
    60_000,
  );
}

const paneTitle = (tmux: Tmux) =>
  tmux.run('display-message', '-p', '-t', tmux.session, '#{pane_title}').trim();

afterAll(() => {
  for (const r of runs) r.close();
});

describeE2e('bell and window title', () => {
  it('ring and retitle when a daemon dies, with ui.bell and ui.title', async () => {
    const run = await start({ bell: true, title: true });
    const host = os.hostname();
    await run.tmux.waitFor(() => paneTitle(run.tmux) === `ghost-hb ${host}`, 30_000);
    expect(bells(run.written())).toBe(0);
    await killExecutor(run);
    await run.tmux.waitFor(() => paneTitle(run.tmux) === `[1 down] ghost-hb ${host}`, 30_000);
    await until(() => bells(run.written()) > 0, 'a bell to reach the pipe');
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
    const host = `a${'-long-hostname'.repeat(4)}-01`;
    expect(host).toHaveLength(60);
    const run = await startMonitorPane({
      prefix: 'ghost-hb-e2e-host-',
      daemons: DAEMONS,
      pollInterval: 1,
      width: 80,
      height: 24,
      env: { NO_COLOR: '1' },
      command: `unshare --uts sh -c 'hostname ${host} && exec node ${BIN}'`,
    });
    runs.push(run);
    const { tmux } = run;
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
