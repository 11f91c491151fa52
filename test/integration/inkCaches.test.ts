// Ink 6.8's text-measurement cache is bounded by ghost-hb (ui/inkCaches.ts):
// checked in a fresh Node process on the built code, against Ink itself.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { ROOT } from '../helpers/cli.js';

/** Measure `count` distinct texts with Ink's own measureText; report the caches. */
function measureMany(count: number, bound: boolean) {
  const script = `
    import { importInkWithBoundedCaches, boundedInkCaches } from './dist/ui/inkCaches.js';
    ${bound ? 'await Promise.all([importInkWithBoundedCaches(500), importInkWithBoundedCaches(500)]);' : "await import('ink');"}
    const url = new URL('./measure-text.js', import.meta.resolve('ink')).href;
    const measure = (await import(url)).default;
    const first = measure('a\\nbbb');
    for (let i = 0; i < ${count}; i++) measure('row ' + i + ' ' + 'x'.repeat(i % 50));
    const again = measure('a\\nbbb');
    console.log(JSON.stringify({
      caches: boundedInkCaches().map((m) => m.size),
      first, again,
      mapIsNative: globalThis.Map === new Map().constructor,
    }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as {
    caches: number[];
    first: unknown;
    again: unknown;
    mapIsNative: boolean;
  };
}

describe('Ink text-measurement cache', () => {
  it('holds at most the bound however many distinct texts are measured (racing callers load Ink once)', () => {
    const r = measureMany(5000, true);
    expect(r.caches).toEqual([500]);
    expect(r.first).toEqual({ width: 3, height: 2 });
    expect(r.again).toEqual(r.first);
    expect(r.mapIsNative).toBe(true);
  });

  it('is left alone (and unbounded) when Ink is imported plainly', () => {
    const r = measureMany(100, false);
    expect(r.caches).toEqual([]);
  });
});
