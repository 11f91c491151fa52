// Display width as Ink measures it (string-width), with ASCII taking a fast path.
import { describe, expect, it } from '@jest/globals';
import stringWidth from 'string-width';
import { fit, textWidth, truncate, wrapWords } from '../../src/ui/model/cells.js';

const FAMILY = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';

describe('textWidth', () => {
  it.each([
    ['relayCore', 9],
    ['', 0],
    ['⌚watch', 7],
    ['👍🏽', 2],
    [FAMILY, 2],
    ['日本語', 6],
    ['e\u0301', 1],
  ])('%j is %d columns, as string-width says', (s, w) => {
    expect(textWidth(s)).toBe(w);
    expect(textWidth(s)).toBe(stringWidth(s));
  });
});

describe('truncate and fit', () => {
  it('cut between whole characters, never inside an emoji sequence', () => {
    expect(truncate(`ab${FAMILY}cd`, 4)).toBe('ab…');
    expect(truncate(`ab${FAMILY}cd`, 5)).toBe(`ab${FAMILY}…`);
    expect(truncate('👍🏽👍🏽👍🏽', 5)).toBe('👍🏽👍🏽…');
    expect(truncate('relayCore', 5)).toBe('rela…');
    expect(textWidth(fit('日本語のデーモン', 7))).toBe(7);
  });
  it('wrap wide text to the width', () => {
    for (const line of wrapWords('日本語のデーモンが落ちました', 7)) {
      expect(textWidth(line)).toBeLessThanOrEqual(7);
    }
  });
});
