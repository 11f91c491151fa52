// The uptime log: per daemon, the status flips with their times, plus the
// monitor's own start and stop marks, in JSONL under the state directory. From
// it availability over 1 h / 24 h / 7 d is computed, and it survives restarts
// of ghost-hb. Time while ghost-hb was stopped counts as neither up nor down;
// what counts as available is core/availability.ts's, as for every display.
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { availableShare, emptyStatusTime } from '../core/availability.js';
import { escapeControl } from '../core/sanitize.js';
import type { DaemonStatus } from '../core/types.js';
import { JsonlWriter } from './jsonl.js';
import { noProblems, readRecords, type ReadProblems } from './lines.js';
import { STATE_FILES } from './paths.js';
import { uptimeRecord } from './records.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** The longest availability window; older flips are compacted away. */
export const MAX_WINDOW_MS = 7 * DAY_MS;

export type UptimeRecord =
  { at: string; daemon: string; status: DaemonStatus } | { at: string; monitor: 'start' | 'stop' };

export interface Availability {
  h1: number | null;
  h24: number | null;
  d7: number | null;
}

interface Flip {
  ms: number;
  status: DaemonStatus;
}

/** Rewrite the file once it holds this many more lines than the window needs. */
const COMPACT_SLACK_LINES = 10_000;
/** Records held while the disk refuses writes, at most (as for events); past it the file is rewritten from memory. */
export const MAX_HELD_LINES = 10_000;

export class UptimeLog {
  readonly file: string;
  private readonly writer: JsonlWriter;
  private readonly flips = new Map<string, Flip[]>();
  /** Intervals [stopMs, startMs) when ghost-hb was not running. */
  private readonly gaps: Array<[number, number]> = [];
  private lastStopMs: number | null = null;
  private pending = '';
  private pendingLines = 0;
  /** More than MAX_HELD_LINES waited: the file is rewritten from memory at the next flush. */
  private rewrite = false;
  private lines = 0;
  private lastCompactCheckMs = -Infinity;

  constructor(dir: string, now: number) {
    this.file = path.join(dir, STATE_FILES.uptime);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.load(now);
    this.writer = new JsonlWriter(this.file);
  }

  /** Lines of the file that were not uptime records when it was loaded (skipped). */
  readonly problems: ReadProblems = noProblems();

  private load(now: number): void {
    const records = readRecords(this.file, STATE_FILES.uptime, uptimeRecord, this.problems);
    this.lines = records.length;
    // A run that ended with kill -9 left no stop mark: its last status carries on.
    for (const r of records) this.apply(r);
    this.compactIfBloated(now);
  }

  /** Compact once the file holds far more lines than the longest window needs. */
  private compactIfBloated(now: number): boolean {
    this.lastCompactCheckMs = now;
    const cutoff = now - MAX_WINDOW_MS;
    let kept = 0;
    for (const list of this.flips.values()) kept += list.filter((f) => f.ms >= cutoff).length + 1;
    if (this.lines <= kept + COMPACT_SLACK_LINES) return false;
    this.compact(now);
    return true;
  }

  private apply(r: UptimeRecord): void {
    const ms = Date.parse(r.at);
    if (!Number.isFinite(ms)) return;
    if ('monitor' in r) {
      if (r.monitor === 'stop') this.lastStopMs = ms;
      else if (this.lastStopMs !== null) {
        this.gaps.push([this.lastStopMs, ms]);
        this.lastStopMs = null;
      }
      return;
    }
    if (typeof r.daemon !== 'string') return;
    const list = this.flips.get(r.daemon) ?? [];
    list.push({ ms, status: r.status });
    this.flips.set(r.daemon, list);
  }

  private append(r: UptimeRecord): void {
    this.apply(r);
    this.lines++;
    if (this.rewrite) return;
    if (this.pendingLines >= MAX_HELD_LINES) {
      // The disk has refused writes for long: memory holds every flip, so the
      // file is rewritten from it once writes work (as a compaction would).
      this.rewrite = true;
      this.pending = '';
      this.pendingLines = 0;
      return;
    }
    this.pending += `${JSON.stringify(r)}\n`;
    this.pendingLines++;
  }

  /** Records waiting to be written (bounded); the whole file is rewritten from memory past that. */
  get held(): number {
    return this.rewrite ? MAX_HELD_LINES : this.pendingLines;
  }

  /** Mark ghost-hb starting (closes the gap since its last stop). */
  markStart(ms: number): void {
    this.append({ at: new Date(ms).toISOString(), monitor: 'start' });
  }

  markStop(ms: number): void {
    this.append({ at: new Date(ms).toISOString(), monitor: 'stop' });
  }

  /** Forget a daemon that left for good: its flips leave memory now and the file at the next compaction. */
  forget(daemon: string): void {
    this.flips.delete(escapeControl(daemon));
  }

  /** Record a daemon's status; only changes are written. True when it changed. */
  record(daemon: string, status: DaemonStatus, ms: number): boolean {
    const name = escapeControl(daemon);
    const list = this.flips.get(name);
    const last = list?.[list.length - 1];
    if (last && last.status === status) return false;
    this.append({ at: new Date(ms).toISOString(), daemon: name, status });
    return true;
  }

  /**
   * Write what was recorded since the last call (one write per poll), then
   * fdatasync. With `now`, also compacts a bloated file (checked hourly), so a
   * monitor that runs for months keeps a bounded log.
   */
  flush(now?: number): void {
    if (this.rewrite) {
      this.compact(now ?? Date.now());
      this.writer.reset();
      this.rewrite = false;
    }
    if (this.pending) {
      this.writer.writeText(this.pending);
      this.pending = '';
      this.pendingLines = 0;
    }
    this.writer.flush();
    // The compacted file replaced the old one: reopen so later lines go to it.
    if (
      now !== undefined &&
      now - this.lastCompactCheckMs > HOUR_MS &&
      this.compactIfBloated(now)
    ) {
      this.writer.close();
    }
  }

  close(): void {
    this.flush();
    this.writer.close();
  }

  /**
   * When the file was removed or replaced underneath (the state directory
   * deleted while running), write what is known again from memory and carry on there.
   */
  reopenIfDetached(now: number): void {
    if (!this.writer.detached()) return;
    // Rewritten from memory first (flips not yet written included), so a failure leaves it detached to retry.
    this.compact(now);
    this.pending = '';
    this.pendingLines = 0;
    this.rewrite = false;
    this.writer.reset();
  }

  /** Availability (core/availability.ts) over [now - windowMs, now]; time ghost-hb was stopped is not counted. */
  availability(daemon: string, windowMs: number, now: number): number | null {
    const list = this.flips.get(escapeControl(daemon));
    if (!list || list.length === 0) return null;
    const from = now - windowMs;
    const time = emptyStatusTime();
    for (let i = 0; i < list.length; i++) {
      const start = Math.max(list[i]!.ms, from);
      const end = Math.min(i + 1 < list.length ? list[i + 1]!.ms : now, now);
      if (end <= start) continue;
      const span = end - start - this.stoppedWithin(start, end);
      if (span > 0) time[list[i]!.status] += span;
    }
    return availableShare(time);
  }

  /** Availability over the last hour, day and week. */
  summary(daemon: string, now: number): Availability {
    return {
      h1: this.availability(daemon, HOUR_MS, now),
      h24: this.availability(daemon, DAY_MS, now),
      d7: this.availability(daemon, MAX_WINDOW_MS, now),
    };
  }

  private stoppedWithin(start: number, end: number): number {
    let total = 0;
    for (const [a, b] of this.gaps) {
      const s = Math.max(a, start);
      const e = Math.min(b, end);
      if (e > s) total += e - s;
    }
    return total;
  }

  /** Rewrite the file with only what the longest window needs (atomic). */
  private compact(now: number): void {
    const cutoff = now - MAX_WINDOW_MS;
    const out: UptimeRecord[] = [];
    for (const [daemon, list] of this.flips) {
      // The flip in force at the cutoff still decides the start of the window.
      let firstIn = list.findIndex((f) => f.ms >= cutoff);
      if (firstIn === -1) firstIn = list.length;
      const keepFrom = Math.max(0, firstIn - 1);
      const kept = list.slice(keepFrom);
      this.flips.set(daemon, kept);
      for (const f of kept)
        out.push({ at: new Date(f.ms).toISOString(), daemon, status: f.status });
    }
    const gaps = this.gaps.filter(([, b]) => b >= cutoff);
    this.gaps.splice(0, this.gaps.length, ...gaps);
    for (const [a, b] of gaps) {
      out.push({ at: new Date(a).toISOString(), monitor: 'stop' });
      out.push({ at: new Date(b).toISOString(), monitor: 'start' });
    }
    out.sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
    writeFileAtomic.sync(this.file, out.map((r) => JSON.stringify(r)).join('\n') + '\n', {
      mode: 0o600,
    });
    this.lines = out.length;
  }
}
