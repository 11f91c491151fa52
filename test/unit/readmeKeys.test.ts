import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { KEYMAP, keymapMarkdown } from '../../src/ui/keymap.js';

/** Table rows with cell padding removed, so Prettier's alignment does not matter. */
function rows(markdown: string): string[] {
  return markdown
    .split('\n')
    .filter((l) => l.trim().startsWith('|'))
    .map((l) =>
      l
        .split('|')
        .map((c) => c.trim().replace(/^-+$/, '---'))
        .join('|'),
    );
}

describe('README key table', () => {
  it('matches the keymap data', () => {
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const m = /<!-- keys:start -->([\s\S]*?)<!-- keys:end -->/.exec(readme);
    expect(m).not.toBeNull();
    expect(rows(m![1]!)).toEqual(rows(keymapMarkdown()));
  });
  it('has every key of the issue bound', () => {
    const bound = new Set(KEYMAP.flatMap((b) => b.keys));
    for (const k of [
      '/',
      'f',
      's',
      'S',
      'up',
      'down',
      'j',
      'k',
      'pgup',
      'pgdn',
      'g',
      'G',
      'enter',
      'esc',
      'e',
      'c',
      'p',
      'r',
      '?',
      'q',
      'ctrl+c',
    ]) {
      expect(bound.has(k)).toBe(true);
    }
  });
});
