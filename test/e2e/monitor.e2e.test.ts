// The built binary in a real terminal (tmux): real beating daemons, keys,
// a crash seen within 2 s, resize to the compact layout, and the shell back
// after quitting.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { BeatingFleet } from '../helpers/beatingFleet.js';
import { Tmux, paneRows } from '../helpers/tmux.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin', 'ghost-hb.js');
const dist = path.join(repo, 'dist');
const DAEMONS = ['relayCore', 'watchdog', 'executor'];
const HOSTILE = 'bad\u001b[2Jname';

const ready = Tmux.available() && fs.existsSync(path.join(dist, 'cli', 'main.js'));
const describeE2e = ready ? describe : describe.skip;
if (!ready) {
  // CI installs tmux and builds before testing; say why when running elsewhere.
  console.warn('e2e tests skipped: need tmux and a build (npm run build)');
}

describeE2e('ghost-hb monitor in tmux', () => {
  let fleet: BeatingFleet;
  const tmux = new Tmux();

  beforeAll(async () => {
    // A long poll interval: the crash must be seen by the 1 s liveness check.
    fleet = await BeatingFleet.start('ghost-hb-e2e-', DAEMONS, 5);
    // A touch file whose name holds an escape sequence.
    fs.writeFileSync(path.join(fleet.heartbeatDir, `${HOSTILE}.hb`), '');
    tmux.start(fleet.root, 80, 24, {
      NO_COLOR: '1',
      PS1: '$ ',
      TERM: 'xterm-256color',
      // The screen's prefs go to the user's state directory: a private one per test.
      XDG_STATE_HOME: fleet.root,
    });
    tmux.type(`node ${bin}; echo "EXIT-$?"`);
    tmux.keys('Enter');
  }, 30_000);

  afterAll(() => {
    tmux.kill();
    fleet?.close();
  });

  it('shows a row per daemon, up', async () => {
    const pane = await tmux.waitFor((p) =>
      DAEMONS.every((n) => paneRows(p).some((r) => r.name === n && r.line.includes('up'))),
    );
    expect(pane).toContain('EVENTS');
    expect(tmux.alternateScreenOn()).toBe(true);
  });

  it('shows a name with escape sequences escaped', async () => {
    const pane = await tmux.waitFor((p) => p.includes('bad\\x1b[2Jname'));
    expect(paneRows(pane).some((r) => r.name === 'bad\\x1b[2Jname')).toBe(true);
  });

  it('filters to relayCore on /relay', async () => {
    tmux.type('/relay');
    const pane = await tmux.waitFor((p) => {
      const rows = paneRows(p);
      return rows.length === 1 && rows[0]!.name === 'relayCore';
    });
    expect(pane).toContain('FILTER "relay"');
    tmux.keys('Escape');
    await tmux.waitFor((p) => paneRows(p).length === DAEMONS.length + 1);
  });

  // Down as crashed (its pid is gone), not late: the liveness check sees the
  // death before the missing beats would; how fast is measured in `npm run bench`.
  it('shows a killed daemon down, crashed', async () => {
    fleet.children.get('executor')!.kill('SIGKILL');
    await tmux.waitFor(
      (p) => paneRows(p).some((r) => r.name === 'executor' && /down\s.*crashed/.test(r.line)),
      20_000,
    );
  });

  it('switches to the compact layout at 60x15', async () => {
    tmux.resize(60, 15);
    const pane = await tmux.waitFor((p) => /polled/.test(p) && paneRows(p).length >= 3);
    expect(pane.split('\n')[0]).toMatch(/✔\d+ .*polled .*\? help/);
    for (const line of pane.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    tmux.resize(80, 24);
    await tmux.waitFor((p) => p.includes('EVENTS'));
  });

  it('gives the shell back on q, with the alternate screen left', async () => {
    tmux.keys('q');
    const pane = await tmux.waitFor((p) => p.includes('EXIT-0'));
    expect(pane).not.toContain('EVENTS');
    expect(tmux.alternateScreenOn()).toBe(false);
  });
});
