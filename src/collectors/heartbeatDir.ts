// Reads the heartbeat directory: one readdir, an lstat per entry, and a
// bounded read of each daemon file that changed since the last scan. Symlinks
// are never followed (O_NOFOLLOW, then fstat to be sure the opened thing is a
// regular file), so a link planted in the directory cannot make ghost-hb read
// files elsewhere.
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { classifyFileName, MAX_HEARTBEAT_BYTES } from '../core/heartbeatFile.js';
import type { HeartbeatDirObservation, HeartbeatFileObservation } from '../core/types.js';

export interface HeartbeatCollector {
  scan(dir: string): Promise<HeartbeatDirObservation>;
  /**
   * One daemon file of `dir` read as scan() would read it, without changing
   * what scan() remembers; null when the entry is gone or names no daemon file.
   */
  peek?(dir: string, fileName: string): HeartbeatFileObservation | null;
}

export interface HeartbeatDirOptions {
  /** Bytes read per file at most; larger files are reported as truncated. */
  maxBytes?: number;
  /** Entries handled between yields to the event loop (keeps a UI responsive on huge dirs). */
  batchSize?: number;
}

interface CacheEntry {
  mtimeMs: number;
  size: number;
  ino: number;
  ctimeMs: number;
  observation: HeartbeatFileObservation;
}

const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
// Non-blocking so that a FIFO swapped in between lstat and open cannot hang a poll.
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;
const OPEN_FLAGS = fs.constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a buffer, or why it is not text (NUL bytes, invalid UTF-8). */
export function decodeText(buf: Uint8Array): { text: string } | { binary: string } {
  if (buf.includes(0)) return { binary: 'binary content (NUL bytes)' };
  try {
    return { text: utf8.decode(buf) };
  } catch {
    return { binary: 'binary content (not UTF-8)' };
  }
}

function errnoReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? (e.message || String(err));
}

export class FsHeartbeatCollector implements HeartbeatCollector {
  private readonly maxBytes: number;
  private readonly batchSize: number;
  private cache = new Map<string, CacheEntry>();
  private readonly buffer: Buffer;

  constructor(opts: HeartbeatDirOptions = {}) {
    this.maxBytes = opts.maxBytes ?? MAX_HEARTBEAT_BYTES;
    this.batchSize = opts.batchSize ?? 500;
    // One extra byte tells "exactly the cap" from "over the cap".
    this.buffer = Buffer.allocUnsafe(this.maxBytes + 1);
  }

  async scan(dir: string): Promise<HeartbeatDirObservation> {
    let names: string[];
    try {
      const st = fs.statSync(dir);
      if (!st.isDirectory()) {
        return { dir, ok: false, error: 'not a directory', files: [] };
      }
      names = fs.readdirSync(dir);
    } catch (err) {
      const code = errnoReason(err);
      const error =
        code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'permission denied' : code;
      this.cache.clear();
      return { dir, ok: false, error, files: [] };
    }

    const files: HeartbeatFileObservation[] = [];
    const nextCache = new Map<string, CacheEntry>();
    let handled = 0;
    for (const fileName of names) {
      const cls = classifyFileName(fileName);
      if (!cls.daemon) continue;
      if (++handled % this.batchSize === 0) await yieldToEventLoop();
      const obs = this.observe(dir, fileName, cls.name, cls.kind, nextCache);
      if (obs) files.push(obs);
    }
    this.cache = nextCache;
    return { dir, ok: true, error: null, files };
  }

  peek(dir: string, fileName: string): HeartbeatFileObservation | null {
    const cls = classifyFileName(fileName);
    if (!cls.daemon || fileName.includes(path.sep)) return null;
    // A throwaway cache: the next scan reads the file again and keeps its own.
    return this.observe(dir, fileName, cls.name, cls.kind, new Map());
  }

  private observe(
    dir: string,
    fileName: string,
    name: string,
    kind: HeartbeatFileObservation['kind'],
    nextCache: Map<string, CacheEntry>,
  ): HeartbeatFileObservation | null {
    // One object per file, filled in place: a poll over thousands of files
    // should not leave thousands of intermediate copies for the GC.
    const o: HeartbeatFileObservation = {
      name,
      kind,
      path: dir.endsWith(path.sep) ? dir + fileName : dir + path.sep + fileName,
      mtimeMs: null,
      size: null,
      content: null,
      truncated: false,
      fault: null,
    };
    let st: fs.Stats;
    try {
      st = fs.lstatSync(o.path);
    } catch (err) {
      // Removed between readdir and lstat: the writer's rename raced us; not a daemon file now.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      o.fault = `unreadable: ${errnoReason(err)}`;
      return o;
    }
    o.mtimeMs = st.mtimeMs;
    o.size = st.size;
    if (st.isSymbolicLink()) o.fault = 'is a symlink (not followed)';
    else if (st.isDirectory()) o.fault = 'is a directory';
    else if (!st.isFile()) o.fault = 'is not a regular file';
    if (o.fault) return o;

    const cached = this.cache.get(fileName);
    if (
      cached &&
      cached.mtimeMs === st.mtimeMs &&
      cached.size === st.size &&
      cached.ino === st.ino &&
      cached.ctimeMs === st.ctimeMs
    ) {
      nextCache.set(fileName, cached);
      return cached.observation;
    }

    this.read(o, st.size);
    // Access errors can clear without a content change, so they are read again next
    // time; content verdicts (binary, oversize) hold until the file changes.
    if (o.fault === null || !/^(unreadable|vanished)/.test(o.fault)) {
      nextCache.set(fileName, {
        mtimeMs: st.mtimeMs,
        size: st.size,
        ino: st.ino,
        ctimeMs: st.ctimeMs,
        observation: o,
      });
    }
    return o;
  }

  /** Bounded read of a regular file into `o` (content, or a fault). */
  private read(o: HeartbeatFileObservation, size: number): void {
    // An empty touch file is the common case: its mtime is all there is, so
    // there is nothing to open (and whether it could be read does not matter).
    if (size === 0) {
      o.content = '';
      return;
    }
    let fd: number;
    try {
      fd = fs.openSync(o.path, OPEN_FLAGS);
    } catch (err) {
      const code = errnoReason(err);
      o.fault =
        code === 'ELOOP'
          ? 'is a symlink (not followed)'
          : code === 'ENOENT'
            ? 'vanished while being read'
            : `unreadable: ${code}`;
      return;
    }
    try {
      // The path may have been swapped between lstat and open; judge what was opened.
      const fst = fs.fstatSync(fd);
      if (!fst.isFile()) {
        o.fault = 'is not a regular file';
        return;
      }
      let length = 0;
      while (length < this.buffer.length) {
        const n = fs.readSync(fd, this.buffer, length, this.buffer.length - length, null);
        if (n === 0) break;
        length += n;
      }
      o.mtimeMs = fst.mtimeMs;
      o.size = Math.max(fst.size, length);
      o.truncated = length > this.maxBytes;
      if (o.truncated) return;
      const decoded = decodeText(this.buffer.subarray(0, length));
      if ('binary' in decoded) o.fault = decoded.binary;
      else o.content = decoded.text;
    } catch (err) {
      o.fault = `unreadable: ${errnoReason(err)}`;
    } finally {
      fs.closeSync(fd);
    }
  }
}
