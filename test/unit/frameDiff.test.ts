import { describe, expect, it } from '@jest/globals';
import { diffFrame, diffLine, parseLine } from '../../src/ui/output/frameDiff.js';

const E = '\u001b';

/** Apply a diff to a grid of characters (CUP, text, EL; SGR ignored), as a terminal would. */
function apply(screen: string[][], diff: string): void {
  let row = 0;
  let col = 0;
  const re = new RegExp(`${E}\\[(\\d+);(\\d+)H|${E}\\[K|${E}\\[[0-9;?]*[a-zA-Z]|([^${E}])`, 'gu');
  for (let m = re.exec(diff); m; m = re.exec(diff)) {
    if (m[1]) {
      row = Number(m[1]) - 1;
      col = Number(m[2]) - 1;
    } else if (m[0] === `${E}[K`) {
      screen[row]!.fill(' ', col);
    } else if (m[3]) {
      screen[row]![col++] = m[3];
      // The test's one wide character takes two columns.
      if (m[3] === '界') screen[row]![col++] = '';
    }
  }
}

const text = (screen: string[][]) => screen.map((r) => r.join('').trimEnd());
const blank = (w: number, h: number) => Array.from({ length: h }, () => Array(w).fill(' '));

describe('parseLine', () => {
  it('gives each column its character and the SGR that styles it', () => {
    const line = parseLine(`a${E}[31mb${E}[1mc${E}[39md${E}[22me`, 80);
    expect(line.chars).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(line.styles).toEqual(['', `${E}[31m`, `${E}[1;31m`, `${E}[1m`, '']);
  });

  it('gives a wide character two columns', () => {
    expect(parseLine('a界b', 80).chars).toEqual(['a', '界', '', 'b']);
  });

  it('cuts at the width', () => {
    expect(parseLine('abcdef', 4).chars).toEqual(['a', 'b', 'c', 'd']);
  });

  it.each([
    // The screen's glyphs and sparklines: one cell per character, no segmentation.
    [
      'glyphs and blocks',
      '✔ up ▲ ✖ ██▁▃ ↑↓ · é',
      [
        '✔',
        ' ',
        'u',
        'p',
        ' ',
        '▲',
        ' ',
        '✖',
        ' ',
        '█',
        '█',
        '▁',
        '▃',
        ' ',
        '↑',
        '↓',
        ' ',
        '·',
        ' ',
        'é',
      ],
    ],
    // A combining mark or an emoji sequence joins its base: one grapheme, segmented.
    ['combining mark', 'e\u0301x', ['e\u0301', 'x']],
    ['check mark with emoji presentation', '✔\ufe0fx', ['✔\ufe0f', '', 'x']],
    ['emoji with skin tone', '👍🏽x', ['👍🏽', '', 'x']],
    ['wide symbol', '⌚x', ['⌚', '', 'x']],
  ])('splits %s into the graphemes Ink lays out', (_name, text, chars) => {
    expect(parseLine(text, 80).chars).toEqual(chars);
  });

  it('keeps 256-colour and true-colour codes whole', () => {
    expect(parseLine(`${E}[38;5;208mx${E}[48;2;1;2;3my`, 80).styles).toEqual([
      `${E}[38;5;208m`,
      `${E}[38;5;208;48;2;1;2;3m`,
    ]);
  });
});

describe('diffLine / diffFrame', () => {
  it('writes nothing for an identical frame', () => {
    const rows = ['header', `${E}[32mup${E}[39m relay`].map((l) => parseLine(l, 40));
    expect(
      diffFrame(
        rows,
        rows.map((r) => ({ ...r })),
      ),
    ).toBe('');
  });

  it('writes only the changed cells of a line', () => {
    const a = parseLine('relayCore  up   age 3s   cpu 1%', 80);
    const b = parseLine('relayCore  up   age 5s   cpu 1%', 80);
    const out = diffLine(a, b, 4);
    expect(out).toBe(`${E}[5;21H${E}[0m5`);
  });

  it('erases the tail of a line that got shorter', () => {
    const screen = blank(20, 1);
    apply(screen, diffLine(null, parseLine('filter: relayCore', 20), 0));
    apply(screen, diffLine(parseLine('filter: relayCore', 20), parseLine('filter: re', 20), 0));
    expect(text(screen)).toEqual(['filter: re']);
  });

  it('reproduces the new frame from the old one, wide characters included', () => {
    const frames = [
      ['title 01:00', 'a界b  x', 'row three', ''],
      ['title 01:05', 'ab界  y', '', 'row four'],
      ['title 01:05', '界界界', 'x', 'row four!'],
    ];
    const screen = blank(20, 4);
    let prev: ReturnType<typeof parseLine>[] | null = null;
    for (const f of frames) {
      const next = f.map((l) => parseLine(l, 20));
      apply(screen, diffFrame(prev, next));
      prev = next;
      expect(text(screen)).toEqual(f);
    }
  });

  it('restyles from a reset, so no attribute leaks between runs', () => {
    const a = parseLine(`${E}[1mAB${E}[22m`, 10);
    const b = parseLine(`${E}[1mA${E}[22mC`, 10);
    expect(diffLine(a, b, 0)).toBe(`${E}[1;2H${E}[0mC`);
  });
});
