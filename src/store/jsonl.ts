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

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.open();
  }

  get size(): number {
    return this.bytes;
  }

  private open(): void {
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.bytes = fs.fstatSync(this.fd).size;
  }

  /** Write already-serialised lines (each ending in "\n") in one call. */
  writeText(text: string): void {
    if (text.length === 0) return;
    if (this.fd === null) this.open();
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd!, buf, off, buf.length - off);
    this.bytes += buf.length;
    this.dirty = true;
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
    this.flush();
    fs.closeSync(this.fd);
    this.fd = null;
  }
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
