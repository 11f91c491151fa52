// The persisted event log: JSONL in the state directory, one sanitized event
// per line, appended as events happen. A repeat count that grows is appended as
// a new line with the same id; readers keep the last line per id. The file is
// rotated by size (events.jsonl -> events.jsonl.1 -> ... -> .keep) and rotated
// files older than the retention are deleted.
import fs from 'node:fs';
import path from 'node:path';
import { matchesFilter, type EventQuery } from '../core/events/index.js';
import { sanitizeValue } from '../core/sanitize.js';
import type { HbEvent } from '../core/types.js';
import { JsonlWriter, shiftRotations } from './jsonl.js';
import {
  LineSplitter,
  MAX_LINE_BYTES,
  mergeProblems,
  noProblems,
  parseRecord,
  readLines,
  readLinesAsync,
  recordReader,
  type LineVisitor,
  type ReadProblems,
} from './lines.js';
import { STATE_FILES } from './paths.js';
import { eventRecord } from './records.js';

export interface EventLogOptions {
  /** Rotate when the current file would grow past this many bytes. */
  rotateBytes: number;
  /** Rotated files kept (events.jsonl.1 .. .keep). */
  keep: number;
  /** Rotated files older than this are deleted. */
  retentionDays: number;
  /** Wall clock (epoch ms); injectable for tests. */
  now?: () => number;
  /** File name inside the directory (default STATE_FILES.events). */
  fileName?: string;
}

export interface FollowOptions {
  /** How often the file is checked for new lines (ms). Default 500. */
  intervalMs?: number;
  /** Start after the events already in the log (default true). */
  fromEnd?: boolean;
  /**
   * Start at this mark instead (taken with `logMark` before a history was
   * read), so nothing appended between that read and the follow is lost.
   */
  from?: LogMark | null;
  /** Lines to pass over (those the history already printed). */
  skip?: (e: HbEvent) => boolean;
}

/** Where a log file ended at some moment: its inode and size. */
export interface LogMark {
  ino: number;
  size: number;
}

/** The log file's end now, or null when there is none yet. */
export function logMark(file: string): LogMark | null {
  try {
    const st = fs.statSync(file);
    return { ino: st.ino, size: st.size };
  } catch {
    return null;
  }
}

/** How often retention is applied outside of rotations. */
const RETENTION_CHECK_MS = 60 * 60 * 1000;

/** Keep the last version of each id, in order of first appearance. */
export function mergeById(events: readonly HbEvent[]): HbEvent[] {
  const byId = new Map<string, HbEvent>();
  for (const e of events) {
    if (!e || typeof e.id !== 'string') continue;
    byId.set(e.id, e);
  }
  return [...byId.values()];
}

export class EventLog {
  readonly dir: string;
  readonly file: string;
  private readonly writer: JsonlWriter;
  private readonly now: () => number;
  private lastRetentionMs = -Infinity;

  constructor(
    dir: string,
    private readonly opts: EventLogOptions,
  ) {
    this.dir = dir;
    this.file = path.join(dir, opts.fileName ?? STATE_FILES.events);
    this.now = opts.now ?? Date.now;
    this.writer = new JsonlWriter(this.file);
    this.applyRetention();
  }

  /** Paths of the current file and every rotation, oldest first. */
  files(): string[] {
    return logFiles(this.file);
  }

  /** Query a log without opening it for writing (no file created, no rotation, no cleanup). */
  static readQuery(
    dir: string,
    q: EventQuery = {},
    fileName: string = STATE_FILES.events,
  ): HbEvent[] {
    return readQueryReport(dir, q, fileName).events;
  }

  /** As readQuery, with what was skipped as unreadable (for a warning). */
  static readQueryReport(
    dir: string,
    q: EventQuery = {},
    fileName: string = STATE_FILES.events,
  ): { events: HbEvent[]; problems: ReadProblems } {
    return readQueryReport(dir, q, fileName);
  }

  /**
   * Append events (or updated repeat counts) as sanitized JSON lines, in one
   * write. Rotates first when the batch would take the file past rotateBytes.
   */
  append(events: readonly HbEvent[]): void {
    if (events.length === 0) return;
    let text = '';
    for (const e of events) text += `${JSON.stringify(sanitizeValue(e))}\n`;
    const bytes = Buffer.byteLength(text);
    if (this.writer.size > 0 && this.writer.size + bytes > this.opts.rotateBytes) this.rotate();
    this.writer.writeText(text);
  }

  /** Make everything appended so far durable (fdatasync); applies retention at most hourly. */
  flush(): void {
    this.writer.flush();
    if (this.now() - this.lastRetentionMs > RETENTION_CHECK_MS) this.applyRetention();
  }

  close(): void {
    this.writer.close();
  }

  /** True when the file the log writes to was removed or replaced underneath it. */
  detached(): boolean {
    return this.writer.detached();
  }

  /** Start writing to the path again (recreating it) when the open file was removed or replaced. */
  reopenIfDetached(): void {
    if (this.writer.detached()) this.writer.reset();
  }

  /** Shift rotations up by one, dropping what falls past `keep`, and start a fresh current file. */
  rotate(): void {
    this.writer.close();
    shiftRotations(this.file, this.opts.keep);
    this.applyRetention();
  }

  /** Delete rotated files (never the current one) last written before the retention window or numbered past `keep`. */
  applyRetention(): void {
    this.lastRetentionMs = this.now();
    const cutoff = this.now() - this.opts.retentionDays * 86_400_000;
    const base = path.basename(this.file);
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const suffix = name.slice(base.length + 1);
      if (!name.startsWith(`${base}.`) || !/^\d+$/.test(suffix)) continue;
      const full = path.join(this.dir, name);
      try {
        // Too old, or beyond `keep` (left over from a larger `keep` before).
        if (Number(suffix) > this.opts.keep || fs.statSync(full).mtimeMs < cutoff) {
          fs.rmSync(full, { force: true });
        }
      } catch {
        // Removed concurrently: nothing to do.
      }
    }
  }

  /** Every event in the current file and its rotations, repeats merged, oldest first. */
  readAll(): HbEvent[] {
    return this.query();
  }

  /** Events matching the query, oldest first (the newest `limit` of them), read in bounded memory. */
  query(q: EventQuery = {}): HbEvent[] {
    const problems = noProblems();
    const events = scanEvents(this.files(), q, problems);
    this.noteProblems(problems);
    return events;
  }

  /** As query, but reading without blocking the event loop for more than one chunk at a time. */
  async queryAsync(q: EventQuery = {}): Promise<HbEvent[]> {
    const problems = noProblems();
    const events = await scanEventsAsync(this.files(), q, problems);
    this.noteProblems(problems);
    return events;
  }

  /** The newest `n` events (for the in-memory ring at start). */
  tail(n: number): HbEvent[] {
    return this.query({ limit: n });
  }

  /**
   * Highest id in the log (0 when empty), so ids keep increasing across runs.
   * The newest id is in the newest non-empty file: older rotations are not read.
   */
  maxId(): number {
    const problems = noProblems();
    let max = 0;
    for (const f of [...this.files()].reverse()) {
      const reader = recordReader(path.basename(f), eventRecord, problems, (e) => {
        const n = Number(e.id);
        if (n > max) max = n;
      });
      readLines(f, reader);
      if (max > 0) break;
    }
    return max;
  }

  /** Lines skipped as unreadable by reads through this log, since the last call (for a one-time warning). */
  takeProblems(): ReadProblems {
    const p = this.problems;
    this.problems = noProblems();
    return p;
  }

  private problems: ReadProblems = noProblems();

  private noteProblems(p: ReadProblems): void {
    mergeProblems(this.problems, p);
  }

  /**
   * Call `onEvent` for each event appended from now on (or from the start with
   * fromEnd: false) that matches the query, by any process. Survives rotation.
   * Returns a function that stops following.
   */
  follow(q: EventQuery, onEvent: (e: HbEvent) => void, opts: FollowOptions = {}): () => void {
    return followFile(this.file, q, onEvent, opts);
  }
}

/** `file` and its numbered rotations that exist, oldest (highest number) first. */
export function logFiles(file: string): string[] {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const rotated = names
    .filter((n) => n.startsWith(`${base}.`) && /^\d+$/.test(n.slice(base.length + 1)))
    .map((n) => ({ n, i: Number(n.slice(base.length + 1)) }))
    .sort((a, b) => b.i - a.i)
    .map(({ n }) => path.join(dir, n));
  return names.includes(base) ? [...rotated, file] : rotated;
}

function readQueryReport(
  dir: string,
  q: EventQuery,
  fileName: string,
): { events: HbEvent[]; problems: ReadProblems } {
  const problems = noProblems();
  const events = scanEvents(logFiles(path.join(dir, fileName)), q, problems);
  return { events, problems };
}

/**
 * Collects matching events from lines read oldest first, repeats merged (the
 * last line per id wins, in order of first appearance), holding at most
 * `limit` of them: ids increase in order of first appearance, so once an event
 * is pushed out as older than the newest `limit`, a later repeat line for it
 * (id at or below the highest one pushed out) is ignored too.
 */
class EventCollector {
  private readonly byId = new Map<string, HbEvent>();
  private droppedUpTo = -1;
  private readonly filter: EventQuery;
  private readonly limit: number | null;

  constructor(q: EventQuery) {
    this.filter = q;
    const limit = q.limit ?? null;
    this.limit = limit !== null && limit >= 0 ? limit : null;
  }

  add(e: HbEvent): void {
    if (!matchesFilter(e, this.filter)) return;
    if (this.byId.has(e.id)) {
      this.byId.set(e.id, e);
      return;
    }
    if (Number(e.id) <= this.droppedUpTo) return;
    this.byId.set(e.id, e);
    if (this.limit !== null && this.byId.size > this.limit) {
      const oldest = this.byId.keys().next().value as string;
      this.byId.delete(oldest);
      this.droppedUpTo = Math.max(this.droppedUpTo, Number(oldest));
    }
  }

  result(): HbEvent[] {
    return [...this.byId.values()];
  }
}

/** Rotated files last written before `since` hold nothing at or after it. */
function filesFor(files: readonly string[], q: EventQuery): string[] {
  const { sinceMs } = q;
  if (sinceMs === null || sinceMs === undefined) return [...files];
  return files.filter((f, i) => {
    if (i === files.length - 1) return true;
    try {
      return fs.statSync(f).mtimeMs >= sinceMs;
    } catch {
      return false;
    }
  });
}

/**
 * The answer to a query with a limit or a `since`, read newest first: each
 * file from its end, newest file first, stopping once nothing further back can
 * change the answer. Ids increase in order of first appearance, and a repeat
 * line (an earlier event re-issued with `data.count` of 2 or more) never
 * carries a new id; so once a line that is surely a first appearance (no such
 * count) has an id at or below the lowest kept, every line further back has a
 * lower id, and once one is older than `since`, every event further back is.
 */
class NewestFirstCollector {
  /** Matching events by id, each the newest matching line for it. */
  private readonly byId = new Map<number, HbEvent>();
  private lowestKept = Infinity;
  /** Lowest id of a first-appearance line read so far. */
  private floor = Infinity;
  private readonly limit: number | null;
  private readonly sinceMs: number | null;

  constructor(private readonly q: EventQuery) {
    this.limit = q.limit !== null && q.limit !== undefined && q.limit >= 0 ? q.limit : null;
    this.sinceMs = q.sinceMs ?? null;
  }

  get wanted(): boolean {
    return this.limit !== null || this.sinceMs !== null;
  }

  /** Take the next line back; false once the lines further back cannot matter. */
  add(e: HbEvent): boolean {
    const id = Number(e.id);
    if (!this.byId.has(id) && matchesFilter(e, this.q)) this.keep(id, e);
    const count = e.data?.count;
    const first = !(typeof count === 'number' && count > 1);
    if (!first) return true;
    this.floor = Math.min(this.floor, id);
    if (this.sinceMs !== null && Date.parse(e.at) < this.sinceMs) return false;
    return !(this.limit !== null && this.byId.size >= this.limit && this.floor <= this.lowestKept);
  }

  result(): HbEvent[] {
    return [...this.byId.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
  }

  private keep(id: number, e: HbEvent): void {
    if (this.limit !== null && this.byId.size >= this.limit) {
      if (id <= this.lowestKept) return;
      this.byId.delete(this.lowestKept);
    }
    this.byId.set(id, e);
    this.lowestKept = Math.min(...this.byId.keys());
  }
}

/** A line handler for newest-first reads: parse, validate, count what is skipped. */
function backwardReader(
  name: string,
  problems: ReadProblems,
  out: NewestFirstCollector,
): LineVisitor {
  return {
    onLine(line, offset) {
      const r = parseRecord(eventRecord, line);
      if (r.ok) return out.add(r.value);
      problems.invalid++;
      problems.first ??= `${name} at byte ${offset}: ${r.problem}`;
      return true;
    },
    onOversized(offset) {
      problems.oversized++;
      problems.first ??= `${name} at byte ${offset}: longer than ${MAX_LINE_BYTES} bytes`;
    },
  };
}

function scanEvents(files: readonly string[], q: EventQuery, problems: ReadProblems): HbEvent[] {
  const newestFirst = new NewestFirstCollector(q);
  if (newestFirst.wanted) {
    for (const f of filesFor(files, q).reverse()) {
      const reader = backwardReader(path.basename(f), problems, newestFirst);
      if (!readLines(f, reader, { backward: true })) break;
    }
    return newestFirst.result();
  }
  const out = new EventCollector(q);
  for (const f of filesFor(files, q)) {
    const reader = recordReader(path.basename(f), eventRecord, problems, (e) => out.add(e));
    readLines(f, reader);
  }
  return out.result();
}

async function scanEventsAsync(
  files: readonly string[],
  q: EventQuery,
  problems: ReadProblems,
): Promise<HbEvent[]> {
  const newestFirst = new NewestFirstCollector(q);
  if (newestFirst.wanted) {
    for (const f of filesFor(files, q).reverse()) {
      const reader = backwardReader(path.basename(f), problems, newestFirst);
      if (!(await readLinesAsync(f, reader, { backward: true }))) break;
    }
    return newestFirst.result();
  }
  const out = new EventCollector(q);
  for (const f of filesFor(files, q)) {
    const reader = recordReader(path.basename(f), eventRecord, problems, (e) => out.add(e));
    await readLinesAsync(f, reader);
  }
  return out.result();
}

/** Follow a JSONL event file by polling its size and inode (rotation starts a new file). */
export function followFile(
  file: string,
  q: EventQuery,
  onEvent: (e: HbEvent) => void,
  opts: FollowOptions = {},
): () => void {
  let ino: number | null = null;
  let pos = 0;
  const stat = () => {
    try {
      return fs.statSync(file);
    } catch {
      return null;
    }
  };
  const start = opts.from !== undefined ? opts.from : opts.fromEnd !== false ? stat() : null;
  if (start) {
    ino = start.ino;
    pos = start.size;
  }
  const onLine = (line: string) => {
    const r = parseRecord(eventRecord, line);
    // Not a valid event: skipped, like the reader does.
    if (r.ok && matchesFilter(r.value, q) && !opts.skip?.(r.value)) onEvent(r.value);
  };
  let splitter = new LineSplitter({ onLine, onOversized: () => {} });
  const readNew = () => {
    const st = stat();
    if (!st) return;
    if (ino !== st.ino || st.size < pos) {
      // Rotated or truncated: read the new file from its start.
      ino = st.ino;
      pos = 0;
      splitter = new LineSplitter({ onLine, onOversized: () => {} });
    }
    if (st.size <= pos) return;
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return;
    }
    try {
      const buf = Buffer.allocUnsafe(256 * 1024);
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        pos += n;
        splitter.push(buf.subarray(0, n));
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  readNew();
  const timer = setInterval(readNew, opts.intervalMs ?? 500);
  return () => clearInterval(timer);
}
