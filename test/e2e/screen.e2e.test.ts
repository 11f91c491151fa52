// The built monitor in tmux: keys that arrive in one read, the empty-filter
// frame, and small terminals.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import type { BeatingFleet } from '../helpers/beatingFleet.js';
import { runCliInProcess } from '../helpers/cli.js';
import { Tmux, paneRows, startMonitorPane, type MonitorPane } from '../helpers/tmux.js';

const repo = path.resolve(import.meta.dirname, '../..');
const DAEMONS = ['relayCore', 'watchdog', 'executor'];

const ready = Tmux.available() && fs.existsSync(path.join(repo, 'dist', 'cli', 'main.js'));
const describeE2e = ready ? describe : describe.skip;

describeE2e('the monitor screen in tmux', () => {
  let pane: MonitorPane | undefined;
  let fleet: BeatingFleet;
  let tmux: Tmux;
  const lines = (p: string) => p.split('\n');

  beforeAll(async () => {
    pane = await startMonitorPane({
      prefix: 'ghost-hb-e2e-screen-',
      daemons: DAEMONS,
      pollInterval: 2,
      width: 80,
      height: 24,
      env: { NO_COLOR: '1' },
    });
    ({ fleet, tmux } = pane);
  }, 90_000);

  afterAll(() => pane?.close());

  it('keeps the title and says why the table is empty', async () => {
    tmux.type('/zzz');
    tmux.keys('Enter');
    const pane = await tmux.waitFor((p) => p.includes('hidden; Esc clears'), 30_000);
    expect(lines(pane)[0]).toMatch(/^FILTER "zzz" ghost-hb /);
    expect(pane).toContain(`no daemon matches /zzz, ${DAEMONS.length} hidden; Esc clears`);
    // The column header and the event pane are intact.
    expect(lines(pane)[3]).toMatch(/^ STATUS +NAME/);
    // The pane's title starts in the first column, with or without colour.
    expect(pane).toMatch(/^EVENTS/m);
    tmux.keys('Escape');
    await tmux.waitFor((p) => paneRows(p).length === DAEMONS.length, 30_000);
  }, 60_000);

  it('shows a bad regex cleanly', async () => {
    tmux.type('/re:([');
    const pane = await tmux.waitFor((p) => p.includes('bad regex /re:(['), 30_000);
    expect(lines(pane)[0]).toMatch(/^FILTER "re:\(\[" \(bad regex\) ghost-hb /);
    tmux.keys('Escape');
    await tmux.waitFor((p) => paneRows(p).length === DAEMONS.length, 30_000);
  }, 60_000);

  it('takes three Backspaces sent in one write', async () => {
    tmux.type('/watchxyz');
    await tmux.waitFor((p) => p.includes('FILTER "watchxyz"'), 30_000);
    tmux.keys('BSpace', 'BSpace', 'BSpace');
    const pane = await tmux.waitFor((p) => p.includes('FILTER "watch"'), 30_000);
    expect(paneRows(pane).map((r) => r.name)).toEqual(['watchdog']);
    // Text and Enter in one write: the Enter keeps the filter (typing ends).
    tmux.keys('BSpace', 'BSpace', 'BSpace', 'BSpace', 'BSpace', 'e', 'x', 'e', 'c', 'Enter');
    await tmux.waitFor(
      (p) => p.includes('FILTER "exec"') && !p.includes('/exec') && paneRows(p).length === 1,
      30_000,
    );
    tmux.keys('Escape');
    await tmux.waitFor((p) => paneRows(p).length === DAEMONS.length, 30_000);
  }, 60_000);

  it('opens the first row on g and Enter in one write', async () => {
    tmux.keys('N'); // sort by name: executor first
    await tmux.waitFor((p) => /sort name/.test(p), 30_000);
    tmux.keys('G', 'g', 'Enter');
    const pane = await tmux.waitFor((p) => /heartbeat\s/.test(p), 30_000);
    expect(pane).toMatch(/^\s*executor /m);
    tmux.keys('Escape');
    await tmux.waitFor((p) => paneRows(p).length === DAEMONS.length, 30_000);
  }, 60_000);

  it('m mutes the selected daemon for an hour, marked in its row; m again unmutes', async () => {
    const stateDir = path.join(fleet.root, 'state');
    const silencesFile = path.join(stateDir, 'silences.json');
    const active = () =>
      fs.existsSync(silencesFile)
        ? (JSON.parse(fs.readFileSync(silencesFile, 'utf8')) as { silences: unknown[] }).silences
        : [];
    tmux.keys('g');
    const before = await tmux.waitFor((p) => paneRows(p).some((r) => r.line.startsWith('>')));
    const selected = paneRows(before).find((r) => r.line.startsWith('>'))!.name;
    tmux.keys('m');
    const muted = await tmux.waitFor((p) => p.includes('⊘'), 30_000);
    expect(paneRows(muted).filter((r) => r.line.includes(`⊘ ${selected}`))).toHaveLength(1);
    expect(paneRows(muted).filter((r) => r.line.includes('⊘'))).toHaveLength(1);
    const [s] = active() as Array<{
      matcher: unknown;
      createdBy: string;
      createdAt: string;
      endsAt: string;
    }>;
    expect(s).toMatchObject({ matcher: { daemon: selected }, createdBy: 'screen' });
    expect(Date.parse(s!.endsAt) - Date.parse(s!.createdAt)).toBe(3_600_000);
    // `ghost-hb silence` asks the screen, the state directory's one writer, over its socket.
    const listed = await runCliInProcess(['silence', 'list', '--json', '--state-dir', stateDir]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual(active());
    tmux.keys('m');
    await tmux.waitFor((p) => !p.includes('⊘') && paneRows(p).length === DAEMONS.length, 30_000);
    expect(active()).toEqual([]);
    // The help lists the key (near its end).
    tmux.keys('?');
    await tmux.waitFor((p) => p.includes('Keys ('), 30_000);
    tmux.keys('G');
    await tmux.waitFor((p) => /\bm\b.*mute the selected daemon/.test(p), 30_000);
    tmux.keys('Escape');
    await tmux.waitFor((p) => paneRows(p).length === DAEMONS.length, 30_000);
  }, 90_000);

  it('says so in the header notice line when a mute cannot be stored, without calling the data stale', async () => {
    // A directory where the silences file goes: the atomic rename onto it fails.
    const silencesFile = path.join(fleet.root, 'state', 'silences.json');
    fs.rmSync(silencesFile, { force: true });
    fs.mkdirSync(silencesFile);
    try {
      tmux.keys('g', 'm');
      const pane = await tmux.waitFor((p) => /^! mute \w+ failed: /m.test(p), 30_000);
      expect(lines(pane)[2]).toMatch(/^! mute \w+ failed: E\w+/);
      expect(lines(pane)[0]).toMatch(/^ghost-hb /);
      expect(pane).not.toContain('STALE');
    } finally {
      fs.rmSync(silencesFile, { recursive: true, force: true });
    }
    // Stored again: the next mute works and takes the notice away at once
    // (the later tests start from a clean header); then unmute.
    tmux.keys('m');
    await tmux.waitFor((p) => p.includes('⊘') && !p.includes('! mute'), 30_000);
    tmux.keys('m');
    await tmux.waitFor((p) => !p.includes('⊘') && paneRows(p).length === DAEMONS.length, 30_000);
  }, 60_000);

  it.each([
    [60, 15],
    [40, 10],
  ])(
    'draws the detail view at %ix%i with an intact process table',
    async (w, h) => {
      tmux.resize(w, h);
      await tmux.waitFor((p) => paneRows(p).length >= 1, 30_000);
      tmux.keys('g', 'Enter');
      const pane = await tmux.waitFor((p) => p.includes('problems'), 30_000);
      const rows = lines(pane);
      for (const line of rows) expect(line.length).toBeLessThanOrEqual(w);
      // Every rule line of the process table starts at the first column.
      const table = rows.filter((l) => /^[┌├└│]/.test(l));
      expect(table).toHaveLength(5);
      const ruleWidth = table[0]!.length;
      for (const l of table) expect(l.length).toBe(ruleWidth);
      expect(pane).toMatch(/↓ \d+ more \(↑↓ scroll\)/);
      tmux.keys('G');
      await tmux.waitFor((p) => /events \(\d+, newest last\)/.test(p), 30_000);
      tmux.keys('Escape');
      tmux.resize(80, 24);
      await tmux.waitFor(
        (p) => paneRows(p).length === DAEMONS.length && p.includes('EVENTS'),
        30_000,
      );
    },
    60_000,
  );
});
