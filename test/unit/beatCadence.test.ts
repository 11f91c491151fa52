// `beat --every S`: beats fall on fixed slots start + k*S, whatever the write
// took, so the cadence does not drift the way `beat; sleep S` does.
import { describe, expect, it } from '@jest/globals';
import { msUntilNextSlot } from '../../src/cli/commands/beat.js';

describe('msUntilNextSlot', () => {
  it.each([
    // elapsed, period, wait
    [0, 5000, 5000],
    [1, 5000, 4999],
    [4999, 5000, 1],
    [5000, 5000, 5000], // exactly on a slot: the next one, never a zero wait
    [5300, 5000, 4700], // a slow write or a late wake-up shortens the wait
    [12_100, 5000, 2900], // slot 10 s overrun entirely: skipped, no burst
    [250, 1000, 750],
  ])('elapsed %d ms, period %d ms: wait %d ms', (elapsed, period, wait) => {
    expect(msUntilNextSlot(elapsed, period)).toBe(wait);
  });

  it('keeps beats on start + k*S over many periods whatever each write costs', () => {
    const period = 5000;
    let t = 0;
    const beats: number[] = [];
    for (let i = 0; i < 1000; i++) {
      t += msUntilNextSlot(t, period);
      beats.push(t);
      t += 37 + (i % 7) * 13; // the write and the wake-up take a varying while
    }
    expect(beats.every((b, i) => b === (i + 1) * period)).toBe(true);
  });
});
