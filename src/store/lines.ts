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
 * What a pass over a file's lines calls. `at` says where the line is: its
 * line number (from 1) when reading forward, its byte offset when reading
 * backward (a backward read cannot count lines). `onLine` returns false to stop.
 */
export interface LineVisitor {
  onLine(line: string, at: number): boolean | void;
  onOversized(at: number): void;
}

export interface ReadLinesOptions {
  /** Newest (last) line first, reading from the end: for "the newest N". */
  backward?: boolean;
}

/**
 * Call `visitor.onLine` with each line of `file` (without its newline), in
 * order or newest first, reading CHUNK_BYTES at a time, until it returns
 * false. A last line without a newline is included (a reader cannot tell a
 * torn line from a short one; the schema check rejects a torn one). Over-long
 * lines go to `onOversized`. A missing file reads as empty. Returns false
 * when the visitor stopped the pass.
 */
export function readLines(
  file: string,
  visitor: LineVisitor,
  opts: ReadLinesOptions = {},
): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const size = opts.backward ? fs.fstatSync(fd).size : 0;
    const pass = linePass(visitor, opts.backward === true, size, buf);
    let step = pass.next();
    while (!step.done) step = pass.next(fs.readSync(fd, buf, 0, step.value.len, step.value.pos));
    return step.value;
  } finally {
    fs.closeSync(fd);
  }
}

/** As readLines, reading asynchronously and yielding to the event loop between chunks. */
export async function readLinesAsync(
  file: string,
  visitor: LineVisitor,
  opts: ReadLinesOptions = {},
): Promise<boolean> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const size = opts.backward ? (await handle.stat()).size : 0;
    const pass = linePass(visitor, opts.backward === true, size, buf);
    let step = pass.next();
    while (!step.done) {
      const { bytesRead } = await handle.read(buf, 0, step.value.len, step.value.pos);
      // Parsing a chunk is a few ms; let polls and other requests run between chunks.
      await new Promise<void>((resolve) => setImmediate(resolve));
      step = pass.next(bytesRead);
    }
    return step.value;
  } finally {
    await handle.close();
  }
}

/**
 * One pass over a file's lines, written once for both readers: it yields
 * each read to make (into `buf`) and is sent the number of bytes read, so the
 * sync and the async reader differ only in how they read. Forward it reads
 * to the end of the file (including what was appended meanwhile); backward
 * from `size` to the start. Returns false when the visitor stopped it.
 */
function* linePass(
  visitor: LineVisitor,
  backward: boolean,
  size: number,
  buf: Buffer,
): Generator<{ pos: number; len: number }, boolean, number> {
  const splitter = new LineSplitter(visitor, { backward });
  if (backward) {
    let pos = size;
    while (pos > 0 && !splitter.done) {
      const len = Math.min(buf.length, pos);
      pos -= len;
      const n = yield { pos, len };
      splitter.push(buf.subarray(0, n), pos);
    }
  } else {
    let pos = 0;
    while (!splitter.done) {
      const n = yield { pos, len: buf.length };
      if (n === 0) break;
      splitter.push(buf.subarray(0, n), pos);
      pos += n;
    }
  }
  splitter.end();
  return !splitter.done;
}

/**
 * Splits a file's bytes into lines, dropping (and reporting) lines over
 * `maxLineBytes` without holding them. Forward, chunks come in file order and
 * lines are numbered; backward, each chunk precedes the one pushed before it,
 * lines come newest first with their byte offsets. `onLine` returns false to stop.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private skipping = false;
  private stopped = false;
  private lineNo = 0;
  private readonly backward: boolean;
  private readonly maxLineBytes: number;

  constructor(
    private readonly visitor: LineVisitor,
    opts: { backward?: boolean; maxLineBytes?: number } = {},
  ) {
    this.backward = opts.backward === true;
    this.maxLineBytes = opts.maxLineBytes ?? MAX_LINE_BYTES;
  }

  /** The visitor stopped the pass. */
  get done(): boolean {
    return this.stopped;
  }

  /** Bytes of an unfinished line held (for followers that resume later). */
  get pendingBytes(): number {
    return this.partBytes;
  }

  /** `chunk` holds the file's bytes from `offset` (needed backward only). */
  push(chunk: Buffer, offset = 0): void {
    if (this.backward) this.pushBackward(chunk, offset);
    else this.pushForward(chunk);
  }

  /** What is held is the file's last line (forward) or first line (backward). */
  end(): void {
    if (!this.stopped && (this.partBytes > 0 || this.skipping)) this.endLine(0);
  }

  private pushForward(chunk: Buffer): void {
    let start = 0;
    while (!this.stopped) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      this.keep(chunk.subarray(start, nl));
      this.endLine(0);
      start = nl + 1;
    }
  }

  private pushBackward(chunk: Buffer, offset: number): void {
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

  private keep(bytes: Buffer): void {
    if (bytes.length === 0 || this.skipping) return;
    if (this.partBytes + bytes.length > this.maxLineBytes) {
      this.skipping = true;
      this.parts = [];
      this.partBytes = 0;
      return;
    }
    // Copied: the caller reuses its chunk buffer. Backward, earlier bytes come later: kept in front.
    if (this.backward) this.parts.unshift(Buffer.from(bytes));
    else this.parts.push(Buffer.from(bytes));
    this.partBytes += bytes.length;
  }

  /** A line ends: `offset` is where it starts (backward); forward lines are counted. */
  private endLine(offset: number): void {
    const at = this.backward ? offset : ++this.lineNo;
    if (this.skipping) {
      this.skipping = false;
      this.visitor.onOversized(at);
      return;
    }
    if (this.partBytes === 0) return;
    const line =
      this.parts.length === 1
        ? this.parts[0]!.toString('utf8')
        : Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    this.partBytes = 0;
    if (this.visitor.onLine(line, at) === false) this.stopped = true;
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
): LineVisitor {
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
  readLines(
    file,
    recordReader(name, schema, problems, (r) => out.push(r)),
  );
  return out;
}
