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

/** Why a buffer is not text, or null when it is UTF-8 without NUL bytes. */
export function binaryReason(buf: Uint8Array): string | null {
  if (buf.includes(0)) return 'binary content (NUL bytes)';
  try {
    utf8.decode(buf);
    return null;
  } catch {
    return 'binary content (not UTF-8)';
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

  private observe(
    dir: string,
    fileName: string,
    name: string,
    kind: HeartbeatFileObservation['kind'],
    nextCache: Map<string, CacheEntry>,
  ): HeartbeatFileObservation | null {
    const full = path.join(dir, fileName);
    const base: HeartbeatFileObservation = {
      name,
      kind,
      path: full,
      mtimeMs: null,
      size: null,
      content: null,
      truncated: false,
      fault: null,
    };
    let st: fs.Stats;
    try {
      st = fs.lstatSync(full);
    } catch (err) {
      // Removed between readdir and lstat: the writer's rename raced us; not a daemon file now.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      return { ...base, fault: `unreadable: ${errnoReason(err)}` };
    }
    const stat = { ...base, mtimeMs: st.mtimeMs, size: st.size };
    if (st.isSymbolicLink()) return { ...stat, fault: 'is a symlink (not followed)' };
    if (st.isDirectory()) return { ...stat, fault: 'is a directory' };
    if (!st.isFile()) return { ...stat, fault: 'is not a regular file' };

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

    const observation = this.read(full, stat, st);
    // Access errors can clear without a content change, so they are read again next
    // time; content verdicts (binary, oversize) hold until the file changes.
    if (observation.fault === null || !/^(unreadable|vanished)/.test(observation.fault)) {
      nextCache.set(fileName, {
        mtimeMs: st.mtimeMs,
        size: st.size,
        ino: st.ino,
        ctimeMs: st.ctimeMs,
        observation,
      });
    }
    return observation;
  }

  private read(
    full: string,
    stat: HeartbeatFileObservation,
    st: fs.Stats,
  ): HeartbeatFileObservation {
    if (st.size === 0) {
      // An empty touch file is the common case: nothing to read. Access is still
      // checked so an unreadable file is reported as such.
      try {
        fs.accessSync(full, fs.constants.R_OK);
        return { ...stat, content: '' };
      } catch (err) {
        return { ...stat, fault: `unreadable: ${errnoReason(err)}` };
      }
    }
    let fd: number;
    try {
      fd = fs.openSync(full, OPEN_FLAGS);
    } catch (err) {
      const code = errnoReason(err);
      if (code === 'ELOOP') return { ...stat, fault: 'is a symlink (not followed)' };
      if (code === 'ENOENT') return { ...stat, fault: 'vanished while being read' };
      return { ...stat, fault: `unreadable: ${code}` };
    }
    try {
      const fst = fs.fstatSync(fd);
      if (!fst.isFile()) return { ...stat, fault: 'is not a regular file' };
      let length = 0;
      while (length < this.buffer.length) {
        const n = fs.readSync(fd, this.buffer, length, this.buffer.length - length, null);
        if (n === 0) break;
        length += n;
      }
      const truncated = length > this.maxBytes;
      const bytes = this.buffer.subarray(0, Math.min(length, this.maxBytes));
      const out = {
        ...stat,
        mtimeMs: fst.mtimeMs,
        size: Math.max(fst.size, length),
        truncated,
      };
      if (truncated) return out;
      const binary = binaryReason(bytes);
      if (binary) return { ...out, fault: binary };
      return { ...out, content: bytes.toString('utf8') };
    } catch (err) {
      return { ...stat, fault: `unreadable: ${errnoReason(err)}` };
    } finally {
      fs.closeSync(fd);
    }
  }
}
