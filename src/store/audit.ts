// The audit log: a separate JSONL of who ran ghost-hb with what configuration
// (start and stop), configuration errors, and every API access. Entries are
// sanitized like everything else written, and made durable as they are written
// (an audit trail that a crash can shorten is not one).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sanitizeValue } from '../core/sanitize.js';
import { VERSION } from '../version.js';
import { JsonlWriter, shiftRotations } from './jsonl.js';
import { noProblems, readRecords, type ReadProblems } from './lines.js';
import { STATE_FILES } from './paths.js';
import { auditRecord } from './records.js';

export type AuditKind = 'start' | 'stop' | 'config-error' | 'api' | 'state-corrupt' | 'silence';

export interface AuditEntry {
  kind: AuditKind;
  [field: string]: unknown;
}

export interface AuditRecord extends AuditEntry {
  at: string;
}

/** sha256 of a file's bytes, or null when it cannot be read (or there is no file). */
export function fileSha256(file: string | null): string | null {
  if (!file) return null;
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}

export class AuditLog {
  readonly file: string;
  private readonly writer: JsonlWriter;

  /**
   * `rotateBytes`/`keep` bound the file like the event log's (API access makes
   * it grow with every request).
   */
  constructor(
    dir: string,
    private readonly now: () => number = Date.now,
    private readonly rotateBytes = 10 * 1024 * 1024,
    private readonly keep = 5,
  ) {
    this.file = path.join(dir, STATE_FILES.audit);
    this.writer = new JsonlWriter(this.file);
  }

  /** Append one entry (sanitized, with its time) and make it durable. */
  record(entry: AuditEntry): AuditRecord {
    const rec = sanitizeValue({ at: new Date(this.now()).toISOString(), ...entry }) as AuditRecord;
    if (this.writer.size > this.rotateBytes) {
      this.writer.close();
      shiftRotations(this.file, this.keep);
    }
    this.writer.writeText(`${JSON.stringify(rec)}\n`);
    this.writer.flush();
    return rec;
  }

  /**
   * Append several entries with one write and one fdatasync (API access
   * records, batched by the server so a busy API does not fsync per request).
   */
  recordMany(entries: readonly AuditEntry[]): void {
    if (entries.length === 0) return;
    const at = new Date(this.now()).toISOString();
    const text = entries.map((e) => `${JSON.stringify(sanitizeValue({ at, ...e }))}\n`).join('');
    if (this.writer.size > this.rotateBytes) {
      this.writer.close();
      shiftRotations(this.file, this.keep);
    }
    this.writer.writeText(text);
    this.writer.flush();
  }

  /** Monitor start: user, pid, version, config file and its sha256. */
  recordStart(fields: {
    configFile: string | null;
    command: string;
    [k: string]: unknown;
  }): AuditRecord {
    return this.record({
      kind: 'start',
      user: currentUser(),
      pid: process.pid,
      version: VERSION,
      configSha256: fileSha256(fields.configFile),
      ...fields,
    });
  }

  recordStop(fields: { reason: string; [k: string]: unknown }): AuditRecord {
    return this.record({
      kind: 'stop',
      user: currentUser(),
      pid: process.pid,
      version: VERSION,
      ...fields,
    });
  }

  /** A configuration that failed to load: which file and why. */
  recordConfigError(fields: { file: string | null; message: string }): AuditRecord {
    return this.record({ kind: 'config-error', user: currentUser(), pid: process.pid, ...fields });
  }

  /** Every entry, oldest first; lines that are not audit records (a torn line) are skipped and counted in `problems`. */
  readAll(problems: ReadProblems = noProblems()): AuditRecord[] {
    return readRecords(this.file, 'audit.jsonl', auditRecord, problems) as AuditRecord[];
  }

  close(): void {
    this.writer.close();
  }

  /** Start writing to the path again (recreating it) when the open file was removed or replaced. */
  reopenIfDetached(): void {
    if (this.writer.detached()) this.writer.reset();
  }
}
