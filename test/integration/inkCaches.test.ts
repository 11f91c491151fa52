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

/** Run `body` (an ES module script) in a fresh Node process beside the built code; its JSON stdout. */
function runScript<T>(body: string): T {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', body], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as T;
}

/** Ink's own module `file` (its exports map hides build/), as Ink itself loads it. */
const INK_MODULE = `const inkModule = (f) => import(new URL('./' + f, import.meta.resolve('ink')).href);`;

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

  it('measures the same widths as widest-line, through its plain-ASCII path or not', () => {
    // Plain ASCII (coloured or not) takes the patch's short path; the rest
    // (wide, combining, emoji, other escapes, tabs, several lines) widest-line.
    const texts = [
      'up 3s ago',
      '\u001b[32m\u2714 up\u001b[39m  12.5%',
      '\u001b[1;31mDOWN\u001b[22;39m',
      '\u001b[38;5;214mwarn\u001b[0m',
      '\u001b]8;;http://x\u0007link\u001b]8;;\u0007',
      '\u001b[2Kx',
      'a\tb',
      '\u2581\u2583\u2585\u2587',
      '\u65e5\u672c\u8a9e ok',
      'e\u0301 cafe\u0301',
      '\u{1F600} smile',
      'two\nlines here',
      '',
      ' ',
    ];
    const r = runScript<Array<[number, number]>>(`
      import widestLine from 'widest-line';
      ${INK_MODULE}
      const { default: measure } = await inkModule('measure-text.js');
      const texts = ${JSON.stringify(texts)};
      console.log(JSON.stringify(texts.map((t) => [measure(t).width, widestLine(t)])));
    `);
    r.forEach(([measured, expected], i) =>
      expect([texts[i], measured]).toEqual([texts[i], expected]),
    );
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

describe("Ink's frame output (rows drawn once, then reused)", () => {
  // Each case: writes as [x, y, text] on a 20x3 output; red/green/bold from chalk.
  const CASES = `[
    ['plain, apart', [[0, 0, 'ab'], [5, 0, 'cd'], [0, 1, 'x']]],
    ['styled, apart', [[0, 0, R('up')], [3, 0, 'name'], [9, 0, G('██▁')]]],
    ['wide characters', [[0, 0, '⌚ok'], [4, 0, R('界')], [8, 0, 'z']]],
    ['touching', [[0, 0, R('abc')], [3, 0, G('def')]]],
    ['overlapping: a later write covers', [[0, 0, 'abcdef'], [2, 0, R('XY')]]],
    ['right to left', [[6, 0, 'late'], [0, 0, B('early')]]],
    ['nested styles', [[0, 0, R('a' + B('b') + 'c')], [5, 0, 'd']]],
    ['trailing spaces', [[0, 0, 'ab   '], [0, 1, G('  ')]]],
    ['empty rows', []],
  ]`;
  const PRELUDE = `
    import chalk from 'chalk';
    import { parseLine } from './dist/ui/output/frameDiff.js';
    ${INK_MODULE}
    chalk.level = 1;
    const R = chalk.red, G = chalk.green, B = chalk.bold;
    const { default: Output, outputRowCache, ROW_CACHE_MAX } = await inkModule('output.js');
    const draw = (writes) => {
      const o = new Output({ width: 20, height: 3 });
      for (const [x, y, text] of writes) o.write(x, y, text, { transformers: [] });
      return o;
    };
  `;

  it('shows the same cells as drawn one by one, whether joined, drawn or reused', () => {
    const results = runScript<{ name: string; joined: unknown; drawn: unknown; again: unknown }[]>(`
      ${PRELUDE}
      const cells = (out) => out.split('\\n').map((l) => parseLine(l, 20));
      const rowsOf = (o, writes) => [0, 1, 2].map((y) => {
        const w = writes.filter((x) => x[1] === y).flatMap(([x, , t]) => [x, t]);
        return o.drawRow(w);
      }).join('\\n');
      const out = [];
      for (const [name, writes] of ${CASES}) {
        const o = draw(writes);
        const joined = o.get().output;
        const drawn = rowsOf(o, writes);
        const again = draw(writes).get().output;
        out.push({ name, joined: cells(joined), drawn: cells(drawn), again: again === joined });
      }
      console.log(JSON.stringify(out));
    `);
    expect(results).toHaveLength(9);
    for (const r of results) {
      expect({ name: r.name, cells: r.joined }).toEqual({ name: r.name, cells: r.drawn });
      expect({ name: r.name, again: r.again }).toEqual({ name: r.name, again: true });
    }
  });

  it('keeps at most its bound of rows, the least recently drawn out first', () => {
    const r = runScript<{ bound: number; size: number; keptStable: boolean }>(`
      ${PRELUDE}
      const stable = [[0, 0, 'stays on screen']];
      for (let i = 0; i < ROW_CACHE_MAX * 2; i++) {
        draw(stable).get();
        draw([[0, 0, 'age ' + i]]).get();
      }
      const size = outputRowCache.size;
      const keptStable = [...outputRowCache.keys()].some((k) => k.endsWith('stays on screen'));
      console.log(JSON.stringify({ bound: ROW_CACHE_MAX, size, keptStable }));
    `);
    expect(r.bound).toBe(1024);
    expect(r.size).toBe(1024);
    expect(r.keptStable).toBe(true);
  });

  it('bounds the sanitized-text cache as well', () => {
    const r = runScript<{ bound: number; same: boolean; stripped: string }>(`
      ${INK_MODULE}
      const { default: sanitize, SANITIZE_CACHE_MAX } = await inkModule('sanitize-ansi.js');
      for (let i = 0; i < SANITIZE_CACHE_MAX * 2; i++) sanitize('\\u001b[31mrow ' + i + '\\u001b[39m');
      const text = 'a\\u001b[2Jb\\u001b[1mc\\u001b[22m';
      console.log(JSON.stringify({ bound: SANITIZE_CACHE_MAX, same: sanitize(text) === sanitize(text), stripped: sanitize(text) }));
    `);
    expect(r.bound).toBe(4096);
    expect(r.same).toBe(true);
    // Cursor and screen controls are dropped, SGR kept: as Ink does unpatched.
    expect(r.stripped).toBe('ab\u001b[1mc\u001b[22m');
  });
});
