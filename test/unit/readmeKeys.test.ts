import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { KEYMAP, keymapMarkdown } from '../../src/ui/keymap.js';
import { SORT_KEYS, type SortKey, type ViewCommand } from '../../src/ui/model/view.js';

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
  // Every command of the view is listed here, checked by the compiler against
  // ViewCommand (a command added there fails to compile until it is added here).
  const COMMANDS: Record<ViewCommand, true> = {
    'filter.start': true,
    'filter.keep': true,
    'filter.clear': true,
    'filter.backspace': true,
    'filter.deleteWord': true,
    'filter.deleteAll': true,
    'status.cycle': true,
    'sort.cycle': true,
    'sort.reverse': true,
    ...(Object.fromEntries(SORT_KEYS.map((k) => [`sort.by.${k}`, true])) as Record<
      `sort.by.${SortKey}`,
      true
    >),
    'move.up': true,
    'move.down': true,
    'page.up': true,
    'page.down': true,
    'move.top': true,
    'move.bottom': true,
    'detail.open': true,
    'detail.close': true,
    'events.focus': true,
    'events.blur': true,
    'events.clear': true,
    'events.unclear': true,
    'event.open': true,
    'event.close': true,
    'pause.toggle': true,
    'help.toggle': true,
    'poll.now': true,
    'mute.toggle': true,
    quit: true,
  };

  it.each(Object.keys(COMMANDS))('binds a key to %s', (command) => {
    expect(KEYMAP.filter((b) => b.command === command)).not.toEqual([]);
  });

  it('binds no key twice in one mode', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const b of KEYMAP) {
      for (const mode of b.modes) {
        for (const key of b.keys) {
          const slot = `${mode} ${key}`;
          if (seen.has(slot)) twice.push(`${slot}: ${seen.get(slot)} and ${b.command}`);
          seen.set(slot, b.command);
        }
      }
    }
    expect(twice).toEqual([]);
  });
});
