import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPrefs, prefsSaver, uiStateFile } from '../../src/ui/prefsStore.js';
import {
  DEFAULT_PREFS,
  initialViewState,
  reduceView,
  type ViewCommand,
  type ViewContext,
  type ViewState,
} from '../../src/ui/model/view.js';
import { splitKeys } from '../../src/ui/keymap.js';

describe('UI state file', () => {
  it('round-trips the filter, status filter and sort through an atomic write', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-ui-'));
    const file = uiStateFile(path.join(dir, 'nested'));
    expect(loadPrefs(file)).toEqual(DEFAULT_PREFS);
    const saver = prefsSaver(file);
    void saver.save({ filter: 'a', statusFilter: 'up', sort: 'cpu', reverse: false });
    void saver.save({ filter: 're:^x', statusFilter: 'problems', sort: 'mem', reverse: true });
    await saver.flush();
    expect(loadPrefs(file)).toEqual({
      filter: 're:^x',
      statusFilter: 'problems',
      sort: 'mem',
      reverse: true,
    });
    expect(fs.readdirSync(path.dirname(file))).toEqual(['ui-state.json']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  it('falls back to defaults for a corrupt or wrong file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-ui-'));
    const file = uiStateFile(dir);
    fs.writeFileSync(
      file,
      '{"filter": 3, "sort": "bogus", "statusFilter": "late", "reverse": "yes"',
    );
    expect(loadPrefs(file)).toEqual(DEFAULT_PREFS);
    fs.writeFileSync(
      file,
      '{"filter": 3, "sort": "bogus", "statusFilter": "late", "reverse": "yes"}',
    );
    expect(loadPrefs(file)).toEqual({ ...DEFAULT_PREFS, statusFilter: 'late' });
    fs.rmSync(dir, { recursive: true, force: true });
  });
  it('reports a failed save once and keeps going', async () => {
    const errors: Error[] = [];
    // A state "directory" that is a regular file cannot hold the state file.
    const blocker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-ui-')), 'file');
    fs.writeFileSync(blocker, '');
    const saver = prefsSaver(path.join(blocker, 'ui-state.json'), (e) => errors.push(e));
    await saver.save(DEFAULT_PREFS);
    await saver.save(DEFAULT_PREFS);
    expect(errors).toHaveLength(1);
  });
});

describe('keys arriving in one read', () => {
  it.each([
    ['\u007f\u007f\u007f', ['backspace', 'backspace', 'backspace']],
    ['g\r', ['g', 'enter']],
    ['relay\r', ['r', 'e', 'l', 'a', 'y', 'enter']],
    ['a\u0017\u0015', ['a', 'ctrl+w', 'ctrl+u']],
    ['\tx\u001b', ['tab', 'x', 'esc']],
    ['界\u0000', ['界']],
  ])('%j is %j', (chunk, keys) => {
    expect(splitKeys(chunk)).toEqual(keys);
  });
});

describe('filter editing and direct sort keys', () => {
  const ctx = { rows: [], pageSize: 10, events: [], eventLines: 5 };
  const typing = (draft: string) => ({ ...initialViewState(), mode: 'filter' as const, draft });
  const run = (s: ViewState, command: ViewCommand) =>
    reduceView(s, { type: 'command', command }, ctx);
  it('Ctrl-W deletes the word before the cursor, Ctrl-U the whole filter', () => {
    expect(run(typing('re:relay core  '), 'filter.deleteWord').draft).toBe('re:relay ');
    expect(run(typing('relay'), 'filter.deleteWord').draft).toBe('');
    expect(run(typing('relay core'), 'filter.deleteAll').draft).toBe('');
  });
  it('a sort key picks that sort, and reverses it when pressed again', () => {
    const s1 = run(initialViewState(), 'sort.by.cpu');
    expect([s1.sort, s1.reverse]).toEqual(['cpu', false]);
    const s2 = run(s1, 'sort.by.cpu');
    expect([s2.sort, s2.reverse]).toEqual(['cpu', true]);
    expect(run(s2, 'sort.by.name').reverse).toBe(false);
  });
  it('clearing the event pane hides events, and u shows them again', () => {
    const events = [{ seq: 7, event: {} }] as unknown as ViewContext['events'];
    const c = { ...ctx, events };
    const cleared = reduceView(initialViewState(), { type: 'command', command: 'events.clear' }, c);
    expect(cleared.eventsClearedThrough).toBe(7);
    const back = reduceView(cleared, { type: 'command', command: 'events.unclear' }, c);
    expect(back.eventsClearedThrough).toBe(0);
  });
});
