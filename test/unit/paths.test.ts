import { describe, expect, it } from '@jest/globals';
import { resolveStateDir } from '../../src/store/paths.js';

describe('resolveStateDir', () => {
  it.each<[string | null, NodeJS.ProcessEnv, string]>([
    ['/var/lib/ghost', { XDG_STATE_HOME: '/x', HOME: '/home/a' }, '/var/lib/ghost'],
    [null, { XDG_STATE_HOME: '/x/state', HOME: '/home/a' }, '/x/state/ghost-hb'],
    [null, { XDG_STATE_HOME: 'relative', HOME: '/home/a' }, '/home/a/.local/state/ghost-hb'],
    [null, { HOME: '/home/a' }, '/home/a/.local/state/ghost-hb'],
  ])('stateDir %s with %j -> %s', (stateDir, env, expected) => {
    expect(resolveStateDir({ stateDir }, env)).toBe(expected);
  });
});
