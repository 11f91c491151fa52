// Key bindings as data. The input hook looks keys up here, the footer and the
// help overlay list them, and the README's key table is generated from them
// (a test keeps the README in step).
import type { Mode, ViewCommand } from './model/view.js';

export interface KeyBinding {
  /** Key names as `keyName` produces them: 'q', 'S', 'up', 'enter', 'ctrl+c', ... */
  keys: readonly string[];
  modes: readonly Mode[];
  command: ViewCommand;
  /** One line for the help overlay and the README. */
  help: string;
  /** Short label for the footer; bindings without one stay out of it. */
  footer?: string;
}

const ALL: readonly Mode[] = ['table', 'filter', 'detail', 'help', 'events', 'event'];
const BROWSING: readonly Mode[] = ['table', 'detail', 'events', 'event'];
/** Where ↑↓, PgUp/PgDn and g/G move or scroll. */
const SCROLLING: readonly Mode[] = ['table', 'events', 'detail', 'help', 'event'];

export const KEYMAP: readonly KeyBinding[] = [
  {
    keys: ['/'],
    modes: ['table'],
    command: 'filter.start',
    help: 'type a filter (substring; "re:" for a regex)',
    footer: 'filter',
  },
  {
    keys: ['enter'],
    modes: ['filter'],
    command: 'filter.keep',
    help: 'keep the filter',
    footer: 'keep',
  },
  {
    keys: ['esc'],
    modes: ['filter'],
    command: 'filter.clear',
    help: 'clear the filter',
    footer: 'clear',
  },
  {
    keys: ['backspace'],
    modes: ['filter'],
    command: 'filter.backspace',
    help: 'delete a character',
  },
  { keys: ['ctrl+w'], modes: ['filter'], command: 'filter.deleteWord', help: 'delete a word' },
  {
    keys: ['ctrl+u'],
    modes: ['filter'],
    command: 'filter.deleteAll',
    help: 'delete the whole filter',
  },
  {
    keys: ['f'],
    modes: ['table'],
    command: 'status.cycle',
    help: 'status filter: all / problems / up / late / down',
    footer: 'status',
  },
  {
    keys: ['s'],
    modes: ['table'],
    command: 'sort.cycle',
    help: 'sort: status, name, age, cpu, mem, restarts',
    footer: 'sort',
  },
  {
    keys: ['S'],
    modes: ['table'],
    command: 'sort.reverse',
    help: 'reverse the sort',
    footer: 'rev',
  },
  {
    keys: ['U'],
    modes: ['table'],
    command: 'sort.by.status',
    help: 'sort by status (again: reverse)',
  },
  { keys: ['N'], modes: ['table'], command: 'sort.by.name', help: 'sort by name (again: reverse)' },
  {
    keys: ['A'],
    modes: ['table'],
    command: 'sort.by.age',
    help: 'sort by beat age (again: reverse)',
  },
  { keys: ['P'], modes: ['table'], command: 'sort.by.cpu', help: 'sort by CPU (again: reverse)' },
  {
    keys: ['M'],
    modes: ['table'],
    command: 'sort.by.mem',
    help: 'sort by memory (again: reverse)',
  },
  {
    keys: ['R'],
    modes: ['table'],
    command: 'sort.by.restarts',
    help: 'sort by restarts (again: reverse)',
  },
  {
    keys: ['up', 'k'],
    modes: SCROLLING,
    command: 'move.up',
    help: 'move up (select an older event; scroll the detail view, event view or help)',
  },
  {
    keys: ['down', 'j'],
    modes: SCROLLING,
    command: 'move.down',
    help: 'move down',
  },
  { keys: ['up'], modes: ['filter'], command: 'move.up', help: 'move up while typing' },
  { keys: ['down'], modes: ['filter'], command: 'move.down', help: 'move down while typing' },
  {
    keys: ['pgup'],
    modes: SCROLLING,
    command: 'page.up',
    help: 'page up',
  },
  {
    keys: ['pgdn'],
    modes: SCROLLING,
    command: 'page.down',
    help: 'page down',
  },
  {
    keys: ['g', 'home'],
    modes: SCROLLING,
    command: 'move.top',
    help: 'jump to the first row (oldest event)',
  },
  {
    keys: ['G', 'end'],
    modes: SCROLLING,
    command: 'move.bottom',
    help: 'jump to the last row (newest event)',
  },
  {
    keys: ['enter'],
    modes: ['table'],
    command: 'detail.open',
    help: 'open the detail view of the selected daemon',
    footer: 'detail',
  },
  { keys: ['esc'], modes: ['table'], command: 'filter.clear', help: 'clear the filter' },
  {
    keys: ['esc', 'enter'],
    modes: ['detail'],
    command: 'detail.close',
    help: 'close the detail view',
    footer: 'close',
  },
  {
    keys: ['e'],
    modes: ['table'],
    command: 'events.focus',
    help: 'move focus to the event pane',
    footer: 'events',
  },
  {
    keys: ['tab'],
    modes: ['table'],
    command: 'events.focus',
    help: 'move focus to the event pane',
  },
  {
    keys: ['e', 'esc', 'tab'],
    modes: ['events'],
    command: 'events.blur',
    help: 'move focus back to the table',
    footer: 'table',
  },
  {
    keys: ['enter'],
    modes: ['events'],
    command: 'event.open',
    help: 'show the selected event whole: message, repeats and data',
    footer: 'open',
  },
  {
    keys: ['esc', 'enter'],
    modes: ['event'],
    command: 'event.close',
    help: 'close the event view',
    footer: 'close',
  },
  {
    keys: ['c'],
    modes: ['events'],
    command: 'events.clear',
    help: "clear the event pane's view (hides; u shows them again)",
    footer: 'clear',
  },
  {
    keys: ['u'],
    modes: ['events'],
    command: 'events.unclear',
    help: 'show the cleared events again',
  },
  {
    keys: ['p'],
    modes: BROWSING,
    command: 'pause.toggle',
    help: 'pause / resume the screen (data is still collected)',
    footer: 'pause',
  },
  { keys: ['r'], modes: BROWSING, command: 'poll.now', help: 'poll now', footer: 'poll' },
  {
    keys: ['m'],
    modes: ['table', 'detail'],
    command: 'mute.toggle',
    help: "mute the selected daemon's notifications for 1 h, marked ⊘ (again: unmute)",
  },
  {
    keys: ['?'],
    modes: [...BROWSING, 'help'],
    command: 'help.toggle',
    help: 'help',
    footer: 'help',
  },
  {
    keys: ['esc'],
    modes: ['help'],
    command: 'help.toggle',
    help: 'close the help',
    footer: 'close',
  },
  { keys: ['q'], modes: [...BROWSING, 'help'], command: 'quit', help: 'quit', footer: 'quit' },
  { keys: ['ctrl+c'], modes: ALL, command: 'quit', help: 'quit' },
];

/** The subset of ink's Key that names a key. */
export interface KeyFlags {
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  tab?: boolean;
  ctrl?: boolean;
}

/** Name one key press the way KEYMAP spells keys. */
export function keyName(input: string, key: KeyFlags): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.pageUp) return 'pgup';
  if (key.pageDown) return 'pgdn';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.backspace || key.delete) return 'backspace';
  if (key.tab) return 'tab';
  if (key.ctrl) return `ctrl+${input.toLowerCase()}`;
  return input;
}

/**
 * Several key presses that arrived in one read (a paste, tmux send-keys, a
 * fast typist over ssh), one name each: "g\r" is g then Enter, three DELs are
 * three Backspaces. Escape sequences arrive split already (Ink's input parser).
 */
export function splitKeys(chunk: string): string[] {
  const keys: string[] = [];
  for (const ch of chunk) {
    const c = ch.codePointAt(0)!;
    if (ch === '\r' || ch === '\n') keys.push('enter');
    else if (c === 0x7f || c === 0x08) keys.push('backspace');
    else if (ch === '\t') keys.push('tab');
    else if (c === 0x1b) keys.push('esc');
    else if (c >= 1 && c <= 26) keys.push(`ctrl+${String.fromCharCode(c + 96)}`);
    else if (c >= 0x20 && !(c >= 0x80 && c < 0xa0)) keys.push(ch);
  }
  return keys;
}

export function lookupKey(mode: Mode, name: string): KeyBinding | undefined {
  return KEYMAP.find((b) => b.modes.includes(mode) && b.keys.includes(name));
}

const KEY_LABEL: Record<string, string> = {
  up: '↑',
  down: '↓',
  pgup: 'PgUp',
  pgdn: 'PgDn',
  home: 'Home',
  end: 'End',
  enter: 'Enter',
  esc: 'Esc',
  tab: 'Tab',
  backspace: 'Backspace',
  'ctrl+c': 'Ctrl-C',
  'ctrl+w': 'Ctrl-W',
  'ctrl+u': 'Ctrl-U',
};

export function keyLabel(k: string): string {
  return KEY_LABEL[k] ?? k;
}

/** Footer items for a mode: "key label" pairs, in KEYMAP order. */
export function footerItems(mode: Mode): Array<{ key: string; label: string }> {
  return KEYMAP.filter((b) => b.footer && b.modes.includes(mode)).map((b) => ({
    key: b.keys.map((k) => (k === 'enter' ? '↵' : keyLabel(k))).join('/'),
    label: b.footer!,
  }));
}

export const MODE_TITLE: Record<Mode, string> = {
  table: 'table',
  filter: 'typing a filter',
  detail: 'detail view',
  events: 'event pane',
  event: 'event view',
  help: 'help',
};

/** Where a binding works, in words. */
export function whereText(modes: readonly Mode[]): string {
  return modes.length === ALL.length ? 'everywhere' : modes.map((m) => MODE_TITLE[m]).join(', ');
}

/** The README's key table (Markdown), one row per binding. */
export function keymapMarkdown(): string {
  const rows = KEYMAP.map(
    (b) =>
      `| ${b.keys.map((k) => `\`${keyLabel(k)}\``).join(', ')} | ${whereText(b.modes)} | ${b.help} |`,
  );
  return ['| key | where | what it does |', '| --- | --- | --- |', ...rows].join('\n');
}
