import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPrefs, prefsSaver, uiStateFile } from '../../src/ui/prefsStore.js';
import { DEFAULT_PREFS } from '../../src/ui/model/view.js';

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
