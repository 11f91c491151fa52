import { afterAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  LineSplitter,
  MAX_LINE_BYTES,
  readLines,
  readLinesAsync,
  type ReadLinesOptions,
} from '../../src/store/lines.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghb-lines-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

interface Seen {
  lines: [string, number][];
  oversized: number[];
  finished: boolean;
}

/** Every way of reading, with what it saw; `stopAfter` lines stop the pass. */
const READERS: [string, (f: string, stopAfter?: number) => Promise<Seen>][] = (
  [
    ['sync', false],
    ['async', true],
  ] as const
).flatMap(([how, isAsync]) =>
  ([false, true] as const).map((backward): [string, (f: string, s?: number) => Promise<Seen>] => [
    `${how} ${backward ? 'backward' : 'forward'}`,
    async (f, stopAfter = Infinity) => {
      const seen: Seen = { lines: [], oversized: [], finished: false };
      const visitor = {
        onLine: (line: string, at: number) => {
          seen.lines.push([line, at]);
          return seen.lines.length < stopAfter;
        },
        onOversized: (at: number) => void seen.oversized.push(at),
      };
      const opts: ReadLinesOptions = { backward };
      seen.finished = isAsync
        ? await readLinesAsync(f, visitor, opts)
        : readLines(f, visitor, opts);
      return seen;
    },
  ]),
);

/** Line texts with the "at" each direction reports: the line number forward, the byte offset backward. */
function expected(text: string, backward: boolean): [string, number][] {
  const out: [string, number][] = [];
  let offset = 0;
  text.split('\n').forEach((line, i, all) => {
    if (line !== '' && !(i === all.length - 1 && line === ''))
      out.push([line, backward ? offset : i + 1]);
    offset += Buffer.byteLength(line) + 1;
  });
  return backward ? out.reverse() : out;
}

describe('reading a file line by line', () => {
  // Lines of every length around the 256 KiB chunk, so some straddle one or two chunk boundaries.
  const long = Array.from({ length: 40 }, (_, i) => `${i}:${'é'.repeat((i * 7919) % 40_000)}`).join(
    '\n',
  );
  const text = `${long}\n\nlast without newline`;

  it.each(READERS)(
    '%s: every line once, in order, chunk boundaries and UTF-8 intact',
    async (name, read) => {
      const seen = await read(file('long.jsonl', text));
      expect(seen.lines).toEqual(expected(text, name.includes('backward')));
      expect(seen.oversized).toEqual([]);
      expect(seen.finished).toBe(true);
    },
  );

  it.each(READERS)(
    '%s: skips a line over MAX_LINE_BYTES without holding it',
    async (name, read) => {
      const big = `a\n${'x'.repeat(MAX_LINE_BYTES + 10)}\nb\n`;
      const seen = await read(file('big.jsonl', big));
      const backward = name.includes('backward');
      expect(seen.lines.map(([l]) => l)).toEqual(backward ? ['b', 'a'] : ['a', 'b']);
      // Line 2 forward; backward, its byte offset (also 2).
      expect(seen.oversized).toEqual([2]);
    },
  );

  it.each(READERS)('%s: stops when the visitor says so', async (name, read) => {
    const seen = await read(file('stop.jsonl', '1\n2\n3\n'), 2);
    expect(seen.lines.map(([l]) => l)).toEqual(name.includes('backward') ? ['3', '2'] : ['1', '2']);
    expect(seen.finished).toBe(false);
  });

  it.each(READERS)('%s: a missing file reads as empty', async (_name, read) => {
    const seen = await read(path.join(dir, 'absent.jsonl'));
    expect(seen).toEqual({ lines: [], oversized: [], finished: true });
  });
});

describe('LineSplitter', () => {
  it('holds an unfinished line between pushes (a follower resumes it)', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter({ onLine: (l) => void lines.push(l), onOversized: () => {} });
    splitter.push(Buffer.from('one\ntw'));
    expect(lines).toEqual(['one']);
    expect(splitter.pendingBytes).toBe(2);
    splitter.push(Buffer.from('o\n'));
    expect(lines).toEqual(['one', 'two']);
    expect(splitter.pendingBytes).toBe(0);
  });
});
