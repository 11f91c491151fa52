// Ink 6.8's text-measurement cache is bounded by patches/ink+6.8.0.patch
// (src/ui/inkCaches.ts): checked against Ink itself in a fresh Node process on
// the built code, and in the packed package, which bundles the patched Ink.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ROOT } from '../helpers/cli.js';

const PATCH = fs.readdirSync(path.join(ROOT, 'patches')).find((f) => f.startsWith('ink+'));

/** Measure `count` distinct texts with Ink's own measureText; report its cache. */
function measureMany(count: number) {
  const script = `
    import { inkMeasureCacheBound, unboundedInkWarning } from './dist/ui/inkCaches.js';
    await import('ink');
    const url = new URL('./measure-text.js', import.meta.resolve('ink')).href;
    const { default: measure, measureCache } = await import(url);
    const first = measure('a\\nbbb');
    for (let i = 0; i < ${count}; i++) measure('row ' + i + ' ' + 'x'.repeat(i % 50));
    const evicted = !measureCache.has('a\\nbbb');
    const again = measure('a\\nbbb');
    console.log(JSON.stringify({
      bound: await inkMeasureCacheBound(),
      warning: await unboundedInkWarning(),
      size: measureCache.size,
      first, again, evicted,
    }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as {
    bound: number | null;
    warning: string | null;
    size: number;
    first: unknown;
    again: unknown;
    evicted: boolean;
  };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ghb-pack-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("Ink's text-measurement cache", () => {
  it('is patched for the Ink version installed (patch-package refuses another)', () => {
    const ink = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'node_modules/ink/package.json'), 'utf8'),
    ) as { version: string };
    expect(PATCH).toBe(`ink+${ink.version}.patch`);
  });

  it('holds at most its bound however many distinct texts are measured, oldest out first', () => {
    const r = measureMany(5000);
    expect(r.bound).toBe(4096);
    expect(r.warning).toBeNull();
    expect(r.size).toBe(4096);
    expect(r.evicted).toBe(true);
    expect(r.first).toEqual({ width: 3, height: 2 });
    expect(r.again).toEqual(r.first);
  });

  it('is bounded in the packed package too: it bundles Ink as patched', () => {
    // --ignore-scripts: dist/ is already built (global setup); no second build.
    const pack = spawnSync(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(pack.status).toBe(0);
    const [{ filename }] = JSON.parse(pack.stdout) as [{ filename: string }];
    const file = (name: string) =>
      spawnSync('tar', ['-xzOf', path.join(tmp, filename), `package/${name}`], {
        encoding: 'utf8',
      }).stdout;
    expect(file('node_modules/ink/build/measure-text.js')).toContain(
      'export const MEASURE_CACHE_MAX = 4096;',
    );
    const packed = JSON.parse(file('node_modules/ink/package.json')) as { version: string };
    expect(PATCH).toBe(`ink+${packed.version}.patch`);
  });
});
