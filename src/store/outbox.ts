// The notification outbox (notify-outbox.jsonl in the state directory): every
// message for every channel is appended here before the first delivery
// attempt, and settled (delivered or dropped) by a second line once done. A
// line is in the kernel before enqueue() returns, so `kill -9` at any moment
// loses nothing queued: on the next start, every entry without a settle line
// is sent again, with the same idempotency key. The file is compacted
// (atomically rewritten with only the pending entries) at start and whenever
// settled lines dominate it.
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { JsonlWriter, parseJsonl, readIfExists } from './jsonl.js';
import { STATE_FILES } from './paths.js';

export interface OutboxEntry {
  /** The message's idempotency key (the same for every channel it goes to). */
  key: string;
  channel: string;
  /** When it was queued (ISO 8601): its age decides when it is dropped. */
  createdAt: string;
  message: unknown;
}

export type SettleOutcome = 'delivered' | 'dropped';

type OutboxLine =
  | ({ t: 'msg' } & OutboxEntry)
  | { t: 'done'; key: string; channel: string; outcome: SettleOutcome; at: string };

function entryId(key: string, channel: string): string {
  return `${channel}\u0000${key}`;
}

function isEntry(l: Partial<OutboxLine> | null): l is { t: 'msg' } & OutboxEntry {
  const e = l as Partial<OutboxEntry> & { t?: string };
  return (
    !!e &&
    e.t === 'msg' &&
    typeof e.key === 'string' &&
    typeof e.channel === 'string' &&
    typeof e.createdAt === 'string' &&
    typeof e.message === 'object' &&
    e.message !== null
  );
}

export class Outbox {
  readonly file: string;
  private writer: JsonlWriter;
  private readonly pending = new Map<string, OutboxEntry>();
  private settledLines = 0;

  constructor(
    dir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.file = path.join(dir, STATE_FILES.outbox);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const line of parseJsonl<OutboxLine>(readIfExists(this.file))) {
      if (isEntry(line)) {
        const { t: _t, ...entry } = line;
        this.pending.set(entryId(entry.key, entry.channel), entry);
      } else if (line && (line as { t?: string }).t === 'done') {
        this.pending.delete(entryId(line.key, line.channel));
      }
    }
    this.compact();
    this.writer = new JsonlWriter(this.file);
  }

  /** Entries queued and not settled, oldest first. */
  pendingEntries(): OutboxEntry[] {
    return [...this.pending.values()];
  }

  get size(): number {
    return this.pending.size;
  }

  /** Append entries with one write and make them durable before returning. */
  enqueue(entries: readonly OutboxEntry[]): void {
    if (entries.length === 0) return;
    const text = entries.map((e) => `${JSON.stringify({ t: 'msg', ...e })}\n`).join('');
    this.writer.writeText(text);
    this.writer.flush();
    for (const e of entries) this.pending.set(entryId(e.key, e.channel), e);
  }

  /** Mark an entry delivered or dropped (no fdatasync: a lost settle line means one repeat, not a loss). */
  settle(key: string, channel: string, outcome: SettleOutcome): void {
    if (!this.pending.delete(entryId(key, channel))) return;
    const line: OutboxLine = {
      t: 'done',
      key,
      channel,
      outcome,
      at: new Date(this.now()).toISOString(),
    };
    this.writer.writeText(`${JSON.stringify(line)}\n`);
    this.settledLines++;
    if (this.settledLines > 1000 && this.settledLines > 4 * this.pending.size) {
      this.writer.close();
      this.compact();
      this.writer = new JsonlWriter(this.file);
    }
  }

  /** Rewrite the file with the pending entries only (temp file, fsync, rename). */
  private compact(): void {
    const text = [...this.pending.values()]
      .map((e) => `${JSON.stringify({ t: 'msg', ...e })}\n`)
      .join('');
    writeFileAtomic.sync(this.file, text, { mode: 0o600 });
    this.settledLines = 0;
  }

  close(): void {
    this.writer.close();
  }
}
