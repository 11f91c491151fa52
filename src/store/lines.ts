// Reading JSONL files back, in bounded memory: files are read in chunks, never
// whole, and a line longer than MAX_LINE_BYTES is skipped without ever being
// held (a hand-made 50 MB line must not stall the monitor or fill its memory).
// Every line is validated against its record's schema; what does not parse is
// skipped and counted, never thrown.
import fs from 'node:fs';
import type { ZodType } from 'zod';

/** Longest line read back. Written records are sanitized (strings cut at 4 KiB), so real ones are far shorter. */
export const MAX_LINE_BYTES = 1024 * 1024;
const CHUNK_BYTES = 256 * 1024;
const NEWLINE = 0x0a;

/** What reading a file skipped: lines that were not valid records, or too long to read. */
export interface ReadProblems {
  /** Lines that were not JSON or not a valid record. */
  invalid: number;
  /** Lines longer than MAX_LINE_BYTES, skipped unread. */
  oversized: number;
  /** The first problem, for a one-line warning: file, line number and why. */
  first: string | null;
}

export function noProblems(): ReadProblems {
  return { invalid: 0, oversized: 0, first: null };
}

export function problemCount(p: ReadProblems): number {
  return p.invalid + p.oversized;
}

/** Add `from` into `into` (keeping the earliest first problem). */
export function mergeProblems(into: ReadProblems, from: ReadProblems): ReadProblems {
  into.invalid += from.invalid;
  into.oversized += from.oversized;
  into.first ??= from.first;
  return into;
}

/** "events.jsonl: 3 lines skipped (2 not valid, 1 longer than 1 MiB); first: line 7: ..." */
export function describeProblems(what: string, p: ReadProblems): string {
  const parts: string[] = [];
  if (p.invalid) parts.push(`${p.invalid} not valid`);
  if (p.oversized) parts.push(`${p.oversized} longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB`);
  const n = problemCount(p);
  return `${what}: ${n} line${n === 1 ? '' : 's'} skipped (${parts.join(', ')})${p.first ? `; first: ${p.first}` : ''}`;
}

/**
 * Call `onLine` with each complete line of `file` (without its newline), in
 * order, reading CHUNK_BYTES at a time. A last line without a newline is
 * included (a reader cannot tell a torn line from a short one; the schema
 * check rejects a torn one). Over-long lines are reported to `onOversized`.
 * A missing file reads as empty.
 */
export function forEachLine(
  file: string,
  onLine: (line: string, lineNo: number) => void,
  onOversized: (lineNo: number) => void,
): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const splitter = new LineSplitter(onLine, onOversized);
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      splitter.push(buf.subarray(0, n));
    }
    splitter.end();
  } finally {
    fs.closeSync(fd);
  }
}

/** As forEachLine, but reads asynchronously and yields to the event loop between chunks. */
export async function forEachLineAsync(
  file: string,
  onLine: (line: string, lineNo: number) => void,
  onOversized: (lineNo: number) => void,
): Promise<void> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const splitter = new LineSplitter(onLine, onOversized);
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      splitter.push(buf.subarray(0, bytesRead));
      // Parsing a chunk is a few ms; let polls and other requests run between chunks.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    splitter.end();
  } finally {
    await handle.close();
  }
}

/** Splits a byte stream into lines, dropping (and reporting) lines over MAX_LINE_BYTES. */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private skipping = false;
  private lineNo = 0;

  constructor(
    private readonly onLine: (line: string, lineNo: number) => void,
    private readonly onOversized: (lineNo: number) => void,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      this.keep(chunk.subarray(start, nl));
      this.endLine();
      start = nl + 1;
    }
  }

  /** The text after the last newline, if any, as a final line. */
  end(): void {
    if (this.partBytes > 0 || this.skipping) this.endLine();
  }

  /** Bytes of an unfinished line held (for followers that resume later). */
  get pendingBytes(): number {
    return this.partBytes;
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0 || this.skipping) return;
    if (this.partBytes + bytes.length > this.maxLineBytes) {
      this.skipping = true;
      this.parts = [];
      this.partBytes = 0;
      return;
    }
    // Copied: the caller reuses its chunk buffer.
    this.parts.push(Buffer.from(bytes));
    this.partBytes += bytes.length;
  }

  private endLine(): void {
    this.lineNo++;
    if (this.skipping) {
      this.skipping = false;
      this.onOversized(this.lineNo);
      return;
    }
    if (this.partBytes === 0) return;
    const line =
      this.parts.length === 1
        ? this.parts[0]!.toString('utf8')
        : Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    this.partBytes = 0;
    this.onLine(line, this.lineNo);
  }
}

/**
 * A line handler that parses JSON, validates with `schema`, passes valid
 * records to `onRecord` and counts the rest in `problems`.
 */
export function recordReader<T>(
  name: string,
  schema: ZodType<T>,
  problems: ReadProblems,
  onRecord: (r: T) => void,
): { onLine: (line: string, lineNo: number) => void; onOversized: (lineNo: number) => void } {
  return {
    onLine(line, lineNo) {
      const r = parseRecord(schema, line);
      if (r.ok) {
        onRecord(r.value);
        return;
      }
      problems.invalid++;
      problems.first ??= `${name} line ${lineNo}: ${r.problem}`;
    },
    onOversized(lineNo) {
      problems.oversized++;
      problems.first ??= `${name} line ${lineNo}: longer than ${MAX_LINE_BYTES} bytes`;
    },
  };
}

export function parseRecord<T>(
  schema: ZodType<T>,
  line: string,
): { ok: true; value: T } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, problem: 'not JSON (a torn or corrupt line)' };
  }
  const r = schema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return { ok: false, problem: `${where}${issue?.message ?? 'not a valid record'}` };
}

/** Read a whole JSONL file into validated records (small files: the audit and uptime logs). */
export function readRecords<T>(
  file: string,
  name: string,
  schema: ZodType<T>,
  problems: ReadProblems = noProblems(),
): T[] {
  const out: T[] = [];
  const reader = recordReader(name, schema, problems, (r) => out.push(r));
  forEachLine(file, reader.onLine, reader.onOversized);
  return out;
}

/**
 * Splits bytes read from the end of a file towards its start into lines,
 * newest first. Each chunk pushed precedes the one before it. Lines over
 * `maxLineBytes` are skipped unread and reported. `onLine` returns false to stop.
 */
export class ReverseLineSplitter {
  /** The start of the file's later bytes up to their first newline: the end of a line still being read. */
  private parts: Buffer[] = [];
  private partBytes = 0;
  private skipping = false;
  private stopped = false;

  constructor(
    private readonly onLine: (line: string, offset: number) => boolean,
    private readonly onOversized: (offset: number) => void,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  get done(): boolean {
    return this.stopped;
  }

  /** `chunk` holds the bytes from `offset` of the file, just before those pushed last. */
  push(chunk: Buffer, offset: number): void {
    let end = chunk.length;
    while (!this.stopped) {
      const nl = end === 0 ? -1 : chunk.lastIndexOf(NEWLINE, end - 1);
      if (nl === -1) {
        this.keep(chunk.subarray(0, end));
        return;
      }
      this.keep(chunk.subarray(nl + 1, end));
      this.endLine(offset + nl + 1);
      end = nl;
    }
  }

  /** The bytes before the first newline of the file, as its first line. */
  end(): void {
    if (!this.stopped && (this.partBytes > 0 || this.skipping)) this.endLine(0);
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0 || this.skipping) return;
    if (this.partBytes + bytes.length > this.maxLineBytes) {
      this.skipping = true;
      this.parts = [];
      this.partBytes = 0;
      return;
    }
    // Copied and kept in front: the caller reuses its chunk buffer, and earlier bytes come later.
    this.parts.unshift(Buffer.from(bytes));
    this.partBytes += bytes.length;
  }

  private endLine(offset: number): void {
    if (this.skipping) {
      this.skipping = false;
      this.onOversized(offset);
      return;
    }
    if (this.partBytes === 0) return;
    const line =
      this.parts.length === 1
        ? this.parts[0]!.toString('utf8')
        : Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    this.partBytes = 0;
    if (!this.onLine(line, offset)) this.stopped = true;
  }
}

/**
 * Call `onLine` with each line of `file`, newest (last) first, reading
 * CHUNK_BYTES at a time from the end, until it returns false. A missing file
 * reads as empty. `offset` is the line's byte offset in the file.
 */
export function forEachLineBackward(
  file: string,
  onLine: (line: string, offset: number) => boolean,
  onOversized: (offset: number) => void,
): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  try {
    const splitter = new ReverseLineSplitter(onLine, onOversized);
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let pos = fs.fstatSync(fd).size;
    while (pos > 0 && !splitter.done) {
      const len = Math.min(CHUNK_BYTES, pos);
      pos -= len;
      const n = fs.readSync(fd, buf, 0, len, pos);
      splitter.push(buf.subarray(0, n), pos);
    }
    splitter.end();
    return !splitter.done;
  } finally {
    fs.closeSync(fd);
  }
}

/** As forEachLineBackward, reading asynchronously and yielding to the event loop between chunks. */
export async function forEachLineBackwardAsync(
  file: string,
  onLine: (line: string, offset: number) => boolean,
  onOversized: (offset: number) => void,
): Promise<boolean> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  try {
    const splitter = new ReverseLineSplitter(onLine, onOversized);
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let pos = (await handle.stat()).size;
    while (pos > 0 && !splitter.done) {
      const len = Math.min(CHUNK_BYTES, pos);
      pos -= len;
      const { bytesRead } = await handle.read(buf, 0, len, pos);
      splitter.push(buf.subarray(0, bytesRead), pos);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    splitter.end();
    return !splitter.done;
  } finally {
    await handle.close();
  }
}
