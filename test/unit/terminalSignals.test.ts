import { describe, expect, it } from '@jest/globals';
import {
  nextSignals,
  NO_SIGNALS,
  TerminalSignals,
  windowTitle,
} from '../../src/ui/output/terminalSignals.js';
import { daemon, snapshot } from '../helpers/uiFixtures.js';

/** An OSC title sequence (ESC ] ... BEL), whose BEL is not a bell. */
// eslint-disable-next-line no-control-regex -- the control characters are what it matches
const TITLE_SEQUENCE = /\u001b\][^\u0007]*\u0007/g;

const up = snapshot([daemon('a'), daemon('b')]);
const aDown = snapshot([daemon('a', { status: 'down' }), daemon('b')]);
const bDown = snapshot([daemon('a'), daemon('b', { status: 'down' })]);
const both = snapshot([daemon('a', { status: 'down' }), daemon('b', { status: 'down' })]);
const ON = { bell: true, title: true };

function replay(snaps: ReturnType<typeof snapshot>[], opts = ON): string[] {
  let state = NO_SIGNALS;
  return snaps.map((s) => {
    const next = nextSignals(state, s, opts);
    state = next.state;
    return next.output;
  });
}

describe('terminal signals', () => {
  it('titles the window with what is down, escaped', () => {
    expect(windowTitle(up)).toBe('ghost-hb box1');
    expect(windowTitle(both)).toBe('[2 down] ghost-hb box1');
    const hostile = snapshot([], { system: { ...up.system, hostname: 'x\u0007\u001b]2;pwn' } });
    expect(windowTitle(hostile)).toBe('ghost-hb x\\x07\\x1b]2;pwn');
  });

  it('rings when a daemon turns down, not for those down at start or still down', () => {
    const out = replay([aDown, aDown, up, bDown, aDown, both, both]);
    const rang = out.map((o) => o.replace(TITLE_SEQUENCE, '').includes('\u0007'));
    expect(rang).toEqual([false, false, false, true, true, true, false]);
  });

  it('writes the title only when it changes, saving the old one first', () => {
    const out = replay([up, up, aDown, bDown, up]);
    expect(out[0]).toBe('\u001b[22;2t\u001b]2;ghost-hb box1\u0007');
    expect(out[1]).toBe('');
    expect(out[2]).toContain('\u001b]2;[1 down] ghost-hb box1\u0007');
    expect(out[3]).not.toContain('\u001b]2;'); // still one down
    expect(out[4]).toBe('\u001b]2;ghost-hb box1\u0007');
  });

  it('writes nothing unless asked, and gives the title back on dispose', () => {
    expect(replay([up, aDown, both], { bell: false, title: false })).toEqual(['', '', '']);
    const written: string[] = [];
    const signals = new TerminalSignals((t) => written.push(t), { bell: false, title: true });
    signals.update(up);
    signals.dispose();
    expect(written.at(-1)).toBe('\u001b[23;2t');
  });
});
