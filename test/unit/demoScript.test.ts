import { describe, expect, it } from '@jest/globals';
import { demoAction, DEMO_CYCLE_MS } from '../../src/demo/script.js';
import { DEFAULT_DAEMONS } from '../../src/config/schema.js';

describe('demo script', () => {
  it('shows a crash, a hang, late beats, degraded and a malformed file within two minutes', () => {
    const seen = new Set<string>();
    for (const name of DEFAULT_DAEMONS) {
      for (let t = 0, tick = 0; t < 120_000; t += 2000, tick++) {
        const a = demoAction(name, t, tick, t);
        if (a.kind === 'crash') seen.add('crash');
        if (a.kind === 'malformed') seen.add('malformed');
        if (a.kind === 'beat' && a.status === 'degraded') seen.add('degraded');
        if (a.kind === 'skip') seen.add(name === 'healer' ? 'hang' : 'late');
      }
    }
    expect([...seen].sort()).toEqual(['crash', 'degraded', 'hang', 'late', 'malformed']);
  });
  it('does not crash a freshly restarted daemon again, and repeats each cycle', () => {
    expect(demoAction('executor', 21_000, 10, 1000).kind).toBe('beat');
    expect(demoAction('executor', 21_000, 10, 21_000).kind).toBe('crash');
    expect(demoAction('healer', DEMO_CYCLE_MS + 40_000, 0, 1e6).kind).toBe('skip');
  });
});
