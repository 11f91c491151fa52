// The built monitor's event pane in tmux: Tab moves focus between the table
// and the pane, a daemon restarted again and again stays one line that counts
// its restarts and names the newest pid, Enter shows an event whole, `c`
// clears the pane and `u` brings it back, and the compact layout keeps the
// last poll time, the `?` hint and the newest events.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import type { BeatingFleet } from '../helpers/beatingFleet.js';
import { Tmux, paneRows, startMonitorPane, type MonitorPane } from '../helpers/tmux.js';

const repo = path.resolve(import.meta.dirname, '../..');
const DAEMONS = ['relayCore', 'watchdog', 'executor'];
/** Beats without being configured: its "appeared" event is wider than an 80-column pane line. */
const STRANGER = 'reporter';
const APPEARED = `new daemon ${STRANGER} appeared (not in the configuration)`;

const ready = Tmux.available() && fs.existsSync(path.join(repo, 'dist', 'cli', 'main.js'));
const describeE2e = ready ? describe : describe.skip;

describeE2e('the event pane in tmux', () => {
  let pane: MonitorPane | undefined;
  let fleet: BeatingFleet;
  let tmux: Tmux;
  const lines = (p: string) => p.split('\n');
  /** The event pane's title line. */
  const title = (p: string) => lines(p).find((l) => l.startsWith('EVENTS')) ?? '';
  /** The selected line (without colour, the focused pane marks it with `>`). */
  const marked = (p: string) => lines(p).find((l) => l.startsWith('>')) ?? null;
  /** The selection is on the oldest event: the first line under the title, nothing older above. */
  const atOldest = (p: string) => {
    const at = lines(p).findIndex((l) => l.startsWith('EVENTS'));
    return at >= 0 && lines(p)[at + 1]!.startsWith('>') && !/↑ \d+ older/.test(title(p));
  };
  const restartLines = (p: string) => lines(p).filter((l) => l.includes('executor restarted'));

  /** In the focused pane: select the first (oldest) event whose line matches `pattern`. */
  async function selectEvent(pattern: RegExp): Promise<string> {
    tmux.keys('g');
    let pane = await tmux.waitFor(atOldest, 30_000);
    for (let step = 0; !pattern.test(marked(pane)!); step++) {
      if (step > 40) throw new Error(`no event matches ${pattern} in\n${pane}`);
      // The selection holds to its event while new ones arrive (they only move
      // its row), so a step is done when the selected text changes.
      const before = marked(pane);
      tmux.keys('j');
      pane = await tmux.waitFor((p) => marked(p) !== null && marked(p) !== before, 30_000);
    }
    return marked(pane)!;
  }

  beforeAll(async () => {
    pane = await startMonitorPane({
      prefix: 'ghost-hb-e2e-events-',
      daemons: DAEMONS,
      pollInterval: 2,
      width: 80,
      height: 30,
      env: { NO_COLOR: '1' },
    });
    ({ fleet, tmux } = pane);
    fleet.startDaemon(STRANGER);
    await tmux.waitFor((p) => p.includes(`new daemon ${STRANGER} appeared`), 60_000);
  }, 120_000);

  afterAll(() => pane?.close());

  it('Tab moves focus to the event pane and back', async () => {
    // The table has focus: its selected row is marked, the pane's title is plain.
    let pane = await tmux.waitFor((p) => paneRows(p).some((r) => r.line.startsWith('>')));
    expect(title(pane)).toBe('EVENTS');
    tmux.keys('Tab');
    pane = await tmux.waitFor((p) => title(p).startsWith('EVENTS [focus:'), 30_000);
    expect(paneRows(pane).some((r) => r.line.startsWith('>'))).toBe(false);
    expect(marked(pane)).toMatch(/^>\d\d:\d\d:\d\d /);
    tmux.keys('Tab');
    pane = await tmux.waitFor((p) => title(p) === 'EVENTS', 30_000);
    expect(paneRows(pane).some((r) => r.line.startsWith('>'))).toBe(true);
  }, 60_000);

  it('a daemon restarted three times is one line, counting, with the newest pid', async () => {
    const pids: number[] = [];
    for (let n = 1; n <= 3; n++) {
      fleet.children.get('executor')!.kill('SIGKILL');
      pids.push(fleet.startDaemon('executor').pid!);
      const expected = `executor restarted (pid ${pids.at(-1)})${n > 1 ? ` (x${n})` : ''}`;
      const pane = await tmux.waitFor((p) => p.includes(expected), 60_000);
      // Updated in place: one line for all of them, never the old pid.
      expect(restartLines(pane)).toHaveLength(1);
    }
    expect(restartLines(tmux.capture())[0]).not.toContain(`pid ${pids[0]})`);
  }, 180_000);

  it('Enter shows an event whole: a message cut in the pane, repeats and data', async () => {
    // The pane line is cut at 80 columns; the event view has it all.
    let pane = tmux.capture();
    const cut = lines(pane).find((l) => l.includes(`new daemon ${STRANGER} appeared`))!;
    expect(cut).not.toContain(APPEARED);
    tmux.keys('Tab');
    await tmux.waitFor((p) => title(p).startsWith('EVENTS [focus:'), 30_000);
    await selectEvent(/new daemon reporter appeared/);
    tmux.keys('Enter');
    pane = await tmux.waitFor((p) => /^message +new daemon/m.test(p), 30_000);
    expect(pane).toContain(APPEARED);
    tmux.keys('Escape');
    await tmux.waitFor((p) => title(p).startsWith('EVENTS [focus:'), 30_000);

    // A coalesced repeat: how many, the newest message, the first one, and the newest data.
    const line = await selectEvent(/executor restarted/);
    const newest = /pid (\d+)/.exec(line)![1]!;
    tmux.keys('Enter');
    pane = await tmux.waitFor((p) => /^repeats +x3, first /m.test(p), 30_000);
    expect(pane).toMatch(new RegExp(`^message +executor restarted \\(pid ${newest}\\)$`, 'm'));
    expect(pane).toMatch(/^first +executor restarted \(pid \d+\)$/m);
    expect(pane).toMatch(/^rule +restarted$/m);
    expect(pane).toMatch(/^data/m);
    tmux.keys('Escape');
    await tmux.waitFor((p) => title(p).startsWith('EVENTS [focus:'), 30_000);
  }, 120_000);

  it('c clears the event pane and u brings the events back', async () => {
    tmux.keys('c');
    let pane = await tmux.waitFor((p) => p.includes(' no events'), 30_000);
    expect(restartLines(pane)).toHaveLength(0);
    tmux.keys('u');
    pane = await tmux.waitFor((p) => restartLines(p).length === 1, 30_000);
    expect(pane).toContain(`new daemon ${STRANGER} appeared`);
    tmux.keys('Tab');
    await tmux.waitFor((p) => title(p) === 'EVENTS', 30_000);
  }, 60_000);

  it('the compact layout keeps the last poll time, the ? hint and the newest events', async () => {
    tmux.resize(60, 15);
    const status = (p: string) => /polled (\d\d:\d\d:\d\d) {2}\? help/.exec(lines(p)[0] ?? '');
    const pane = await tmux.waitFor((p) => status(p) !== null && paneRows(p).length >= 4, 30_000);
    for (const line of lines(pane)) expect(line.length).toBeLessThanOrEqual(60);
    // Rows the table does not need show the newest events.
    expect(pane).toMatch(/^\d\d:\d\d:\d\d (INFO|WARN|ERROR) /m);
    // The time is the last poll's: it moves on with the polls (live data, not frozen).
    const first = status(pane)![1];
    await tmux.waitFor((p) => status(p) !== null && status(p)![1] !== first, 30_000);
    tmux.resize(80, 30);
    await tmux.waitFor((p) => title(p) === 'EVENTS', 30_000);
  }, 60_000);
});
