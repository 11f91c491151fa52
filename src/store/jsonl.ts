// Append-only JSONL files shared by the event, uptime and audit logs: an fd
// opened with O_APPEND, synchronous writes (a line is in the kernel before the
// call returns, so `kill -9` cannot lose it) and an explicit fdatasync for the
// points that must survive a power cut too.
import fs from 'node:fs';
import path from 'node:path';

export class JsonlWriter {
  private fd: number | null = null;
  private bytes = 0;
  private dirty = false;
  /** The file does not end in a newline (a torn line): the next write starts a fresh one. */
  private torn = false;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.open();
  }

  get size(): number {
    return this.bytes;
  }

  private open(): void {
    // The directory may have been removed while running: recreate it.
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    // a+: appends, and the last byte can be read back to detect a torn line.
    const fd = fs.openSync(this.file, 'a+', 0o600);
    try {
      this.bytes = fs.fstatSync(fd).size;
      this.torn = this.bytes > 0 && !endsInNewline(fd, this.bytes);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    this.fd = fd;
  }

  /**
   * Write already-serialised lines (each ending in "\n") in one call. A line
   * never continues a torn one: after a crash or a short write the text starts
   * on a fresh line. A write that fails part-way is cut back off the file
   * (best effort), so the caller can retry the whole text later.
   */
  writeText(text: string): void {
    if (text.length === 0) return;
    if (this.fd === null) this.open();
    const fd = this.fd!;
    const buf = Buffer.from(this.torn ? `\n${text}` : text, 'utf8');
    const before = this.bytes;
    let off = 0;
    try {
      while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      this.undoPartialWrite(fd, before, off);
      throw err;
    }
    this.bytes += buf.length;
    this.torn = false;
    this.dirty = true;
  }

  private undoPartialWrite(fd: number, before: number, written: number): void {
    if (written === 0) return;
    try {
      fs.ftruncateSync(fd, before);
    } catch {
      // Could not cut it back: the next write starts on a fresh line instead.
      this.torn = true;
      this.bytes = before + written;
      return;
    }
    this.bytes = before;
  }

  /** fdatasync what was written since the last flush. */
  flush(): void {
    if (this.fd !== null && this.dirty) {
      fs.fdatasyncSync(this.fd);
      this.dirty = false;
    }
  }

  /** Close the fd (flushing first); the next write reopens the file, e.g. after a rotation. */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      if (this.dirty) fs.fdatasyncSync(fd);
    } finally {
      this.dirty = false;
      fs.closeSync(fd);
    }
  }

  /**
   * Close without flushing and forget the fd (after an error, or when the file
   * was removed underneath): the next write opens the path again.
   */
  reset(): void {
    if (this.fd === null) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // Already unusable.
    }
    this.fd = null;
    this.dirty = false;
  }

  /** True when the open fd no longer names the file at `file` (deleted, or replaced). */
  detached(): boolean {
    if (this.fd === null) return false;
    try {
      const open = fs.fstatSync(this.fd);
      const now = fs.statSync(this.file);
      return open.ino !== now.ino || open.dev !== now.dev;
    } catch {
      return true;
    }
  }
}

function endsInNewline(fd: number, size: number): boolean {
  const last = Buffer.alloc(1);
  return fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a;
}

/** Parse JSONL text; lines that do not parse (a torn last line after a crash) are skipped. */
export function parseJsonl<T>(text: string): T[] {
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // A partial line: the writer was killed mid-write. Everything before it is intact.
    }
  }
  return out;
}

export function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/** Shift `file.1..file.(keep-1)` up by one, `file` to `file.1`, dropping what falls past `keep`. */
export function shiftRotations(file: string, keep: number): void {
  if (keep === 0) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.rmSync(`${file}.${keep}`, { force: true });
  for (let i = keep - 1; i >= 1; i--) {
    const from = `${file}.${i}`;
    if (fs.existsSync(from)) fs.renameSync(from, `${file}.${i + 1}`);
  }
  if (fs.existsSync(file)) fs.renameSync(file, `${file}.1`);
}
