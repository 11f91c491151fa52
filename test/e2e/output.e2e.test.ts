// What the monitor writes to its terminal, captured with tmux pipe-pane: one
// full clear for the first frame and none after, only changed cells per poll,
// nothing at all while paused, and a repaint (the one other clear) on resize.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import type { BeatingFleet } from '../helpers/beatingFleet.js';
import { Tmux, paneRows, startMonitorPane, type MonitorPane } from '../helpers/tmux.js';
import { until } from '../helpers/wait.js';

const repo = path.resolve(import.meta.dirname, '../..');
const DAEMONS = ['relayCore', 'watchdog', 'executor', 'healer'];
const CLEAR = '\u001b[2J';

const ready = Tmux.available() && fs.existsSync(path.join(repo, 'dist', 'cli', 'main.js'));
const describeE2e = ready ? describe : describe.skip;

/** The "last poll HH:MM:SS" of the frame, or null. */
const lastPoll = (pane: string) => /last poll (\d\d:\d\d:\d\d)/.exec(pane)?.[1] ?? null;

describeE2e('the terminal output of the monitor', () => {
  let pane: MonitorPane | undefined;
  let fleet: BeatingFleet;
  let tmux: Tmux;
  const written = () => pane!.written();
  const clears = (s: string) => s.split(CLEAR).length - 1;

  beforeAll(async () => {
    pane = await startMonitorPane({
      prefix: 'ghost-hb-e2e-out-',
      daemons: DAEMONS,
      pollInterval: 1,
      width: 120,
      height: 40,
      record: true,
    });
    ({ fleet, tmux } = pane);
  }, 90_000);

  afterAll(() => pane?.close());

  it('clears once, then writes only changes, frame after frame', async () => {
    const start = written().length;
    const seen = new Set<string>();
    // Five polls, each a new frame (the last-poll time changes).
    await tmux.waitFor((p) => {
      const t = lastPoll(p);
      if (t) seen.add(t);
      return seen.size >= 6;
    }, 60_000);
    const all = written();
    expect(clears(all)).toBe(1);
    // A full 120x40 frame is several KB; five polls of changed ages and times are far less.
    const perPoll = (all.length - start) / 5;
    expect(perPoll).toBeLessThan(1500);
    // Every frame is synchronized.
    const after = all.slice(start);
    expect(after.split('\u001b[?2026h').length).toBe(after.split('\u001b[?2026l').length);
  }, 90_000);

  it('writes nothing while paused, though polls go on', async () => {
    tmux.type('p');
    const paused = await tmux.waitFor((p) => p.includes('PAUSED'), 30_000);
    const frozenAt = lastPoll(paused);
    // The frame with the marker has reached the log.
    await until(() => written().includes('PAUSED'), 'the PAUSED frame to reach the pipe');
    const before = written().length;
    // Wait for three heartbeats of one daemon: polls happen meanwhile (1 s interval).
    const hb = path.join(fleet.heartbeatDir, 'relayCore.json');
    const seqs = new Set<string>();
    await until(
      () => {
        try {
          seqs.add(String(JSON.parse(fs.readFileSync(hb, 'utf8')).seq));
        } catch {
          // Mid-rename: read again.
        }
        return seqs.size >= 4;
      },
      'four beats of relayCore',
      60_000,
    );
    expect(written().length).toBe(before);
    tmux.type('p');
    // Unpaused, the frame shows polls made while it was frozen.
    await tmux.waitFor((p) => !p.includes('PAUSED') && lastPoll(p) !== frozenAt, 30_000);
  }, 120_000);

  it('repaints whole after a resize, and stays intact', async () => {
    const before = clears(written());
    tmux.resize(100, 30);
    // tmux cuts the old frame to the new width at once: wait for the repaint itself.
    await until(() => clears(written()) > before, 'a full repaint after the resize');
    const pane = await tmux.waitFor(
      (p) => p.includes('EVENTS') && paneRows(p).length === DAEMONS.length,
      30_000,
    );
    for (const line of pane.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  }, 60_000);

  it('restores the terminal on q', async () => {
    tmux.type('q');
    await tmux.waitFor(() => !tmux.alternateScreenOn(), 30_000);
  }, 60_000);
});
