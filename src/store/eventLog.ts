// The persisted event log: JSONL in the state directory, one sanitized event
// per line, appended as events happen. A repeat count that grows is appended as
// a new line with the same id; readers keep the last line per id. The file is
// rotated by size (events.jsonl -> events.jsonl.1 -> ... -> .keep) and rotated
// files older than the retention are deleted.
import fs from 'node:fs';
import path from 'node:path';
import { matchesFilter, queryEvents, type EventQuery } from '../core/events/index.js';
import { sanitizeValue } from '../core/sanitize.js';
import type { HbEvent } from '../core/types.js';
import { JsonlWriter, parseJsonl, readIfExists, shiftRotations } from './jsonl.js';
import { STATE_FILES } from './paths.js';

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
    return queryEvents(readEvents(logFiles(path.join(dir, fileName))), q);
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
    return readEvents(this.files());
  }

  /** Events matching the query, oldest first (the newest `limit` of them). */
  query(q: EventQuery = {}): HbEvent[] {
    return queryEvents(this.readAll(), q);
  }

  /** The newest `n` events (for the in-memory ring at start). */
  tail(n: number): HbEvent[] {
    return this.query({ limit: n });
  }

  /** Highest numeric id in the log (0 when empty), so ids keep increasing across runs. */
  maxId(): number {
    let max = 0;
    for (const e of this.readAll()) {
      const n = Number(e.id);
      if (Number.isSafeInteger(n) && n > max) max = n;
    }
    return max;
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

function readEvents(files: readonly string[]): HbEvent[] {
  const all: HbEvent[] = [];
  for (const f of files) all.push(...parseJsonl<HbEvent>(readIfExists(f)));
  return mergeById(all);
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
  let partial = '';
  const stat = () => {
    try {
      return fs.statSync(file);
    } catch {
      return null;
    }
  };
  const start = stat();
  if (start && opts.fromEnd !== false) {
    ino = start.ino;
    pos = start.size;
  }
  const readNew = () => {
    const st = stat();
    if (!st) return;
    if (ino !== st.ino || st.size < pos) {
      // Rotated or truncated: read the new file from its start.
      ino = st.ino;
      pos = 0;
      partial = '';
    }
    if (st.size <= pos) return;
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(st.size - pos);
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      pos += n;
      const text = partial + buf.subarray(0, n).toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line) continue;
        try {
          const e = JSON.parse(line) as HbEvent;
          if (matchesFilter(e, q)) onEvent(e);
        } catch {
          // Not JSON: skipped, like the reader does.
        }
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  readNew();
  const timer = setInterval(readNew, opts.intervalMs ?? 500);
  return () => clearInterval(timer);
}
