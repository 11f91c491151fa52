// Everything a poll persists goes through here, and nothing here throws into
// a poll: detection never depends on persistence. When the state directory is
// full, unwritable or gone, events and the latest state are held in memory
// (bounded) and written, in order, once the disk allows; the directory is
// recreated when it was removed. The writer reports each change of health
// once, so the monitor can say "state directory unwritable" once, not per poll.
import fs from 'node:fs';
import path from 'node:path';
import type { HbEvent } from '../core/types.js';
import type { AuditLog } from './audit.js';
import type { EventLog } from './eventLog.js';
import { saveState, stateFile, type PersistedState } from './stateStore.js';
import type { UptimeLog } from './uptimeLog.js';
import { StateDirError } from './stateDirError.js';

export { StateDirError };

/** Without an event or a status change, state.json is saved at most this often. */
export const STATE_SAVE_INTERVAL_MS = 60_000;

/** Held events beyond this are dropped, oldest first (and counted). */
export const MAX_HELD_EVENTS = 10_000;

export interface StorageHealth {
  /** False while the last attempt to write failed. */
  writable: boolean;
  /** "ENOSPC: no space left on device, write" while unwritable; null when writable. */
  problem: string | null;
  /** Wall ms the current failure began; null when writable. */
  sinceMs: number | null;
  /** Events waiting to be written. */
  heldEvents: number;
  /** Events dropped because more than MAX_HELD_EVENTS were waiting. */
  droppedEvents: number;
}

/** A change of health from one write attempt to the next (null when none). */
export type StorageChange =
  | { kind: 'failed'; problem: string; code: string | null }
  | { kind: 'recovered'; written: number; dropped: number; downMs: number };

/** The state as it is saved, without its write time (which alone is no change). */
export type StateBody = Omit<PersistedState, 'version' | 'savedAt'>;

export class StateDirWriter {
  private held: HbEvent[] = [];
  private dropped = 0;
  private droppedInOutage = 0;
  private writtenInOutage = 0;
  private problem: { text: string; code: string | null; sinceMs: number } | null = null;
  private lastSavedState: string | null = null;
  private lastSaveMs = -Infinity;
  private unsavedState: { body: string; state: StateBody } | null = null;

  constructor(
    readonly dir: string,
    private readonly eventLog: EventLog,
    private readonly uptime: UptimeLog,
    private readonly audit: AuditLog,
    private readonly maxHeld = MAX_HELD_EVENTS,
  ) {}

  health(): StorageHealth {
    return {
      writable: this.problem === null,
      problem: this.problem?.text ?? null,
      sinceMs: this.problem?.sinceMs ?? null,
      heldEvents: this.held.length,
      droppedEvents: this.dropped,
    };
  }

  /** Queue events for the log; they are written by the next `write` (or `appendNow`). */
  hold(events: readonly HbEvent[]): void {
    if (events.length === 0) return;
    this.held.push(...events);
    const over = this.held.length - this.maxHeld;
    if (over > 0) {
      this.held.splice(0, over);
      this.dropped += over;
      this.droppedInOutage += over;
    }
  }

  /**
   * One poll's persistence: held events appended, the state saved when it
   * changed, the logs made durable. Never throws; returns a change of health.
   */
  write(state: StateBody | null, nowMs: number, urgent = true): StorageChange | null {
    // Written when it changed, and then at once only when `urgent` (an event, a
    // status change); counters that move every poll (beat gaps, steady checks)
    // are saved at most every STATE_SAVE_INTERVAL_MS, so an idle monitor is quiet.
    if (state && (urgent || nowMs - this.lastSaveMs >= STATE_SAVE_INTERVAL_MS)) {
      const body = JSON.stringify(state);
      if (body !== this.lastSavedState) this.unsavedState = { body, state };
    }
    try {
      this.reattach(nowMs);
      this.flushEvents();
      if (this.unsavedState !== null) {
        const { body, state: unsaved } = this.unsavedState;
        saveState(this.dir, { version: 1, savedAt: new Date(nowMs).toISOString(), ...unsaved });
        this.lastSavedState = body;
        this.unsavedState = null;
        this.lastSaveMs = nowMs;
      }
      this.eventLog.flush();
      this.uptime.flush(nowMs);
    } catch (err) {
      return this.failed(err, nowMs);
    }
    return this.succeeded(nowMs);
  }

  /** Append held events at once (events raised between polls); false when the disk refused. */
  appendNow(nowMs: number): boolean {
    if (this.problem) return false;
    try {
      this.reattach(nowMs);
      this.flushEvents();
      this.eventLog.flush();
      return true;
    } catch (err) {
      this.failed(err, nowMs);
      return false;
    }
  }

  /** Best-effort final writes at close: what cannot be written now is lost with the process. */
  closeAll(stopMs: number, stop: () => void): void {
    const attempt = (fn: () => void) => {
      try {
        fn();
      } catch {
        // Shutting down on a dead disk: nothing more can be done.
      }
    };
    attempt(() => this.reattach(stopMs));
    attempt(() => this.flushEvents());
    attempt(() => this.uptime.markStop(stopMs));
    attempt(() => this.uptime.close());
    attempt(() => this.eventLog.close());
    attempt(stop);
    attempt(() => this.audit.close());
  }

  private flushEvents(): void {
    if (this.held.length === 0) return;
    this.eventLog.append(this.held);
    if (this.problem) this.writtenInOutage += this.held.length;
    this.held = [];
  }

  /** A log whose file (or whole directory) was removed underneath is reopened at its path. */
  private reattach(nowMs: number): void {
    if (!this.problem && !this.eventLog.detached()) return;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.eventLog.reopenIfDetached();
    this.uptime.reopenIfDetached(nowMs);
    this.audit.reopenIfDetached();
    // A removed directory took state.json with it: write it again.
    if (this.lastSavedState !== null && !fs.existsSync(stateFile(this.dir))) {
      this.lastSavedState = null;
    }
  }

  private failed(err: unknown, nowMs: number): StorageChange | null {
    const e = err as NodeJS.ErrnoException;
    const text = e?.message ? String(e.message) : String(err);
    if (this.problem) {
      this.problem.text = text;
      return null;
    }
    this.problem = { text, code: typeof e?.code === 'string' ? e.code : null, sinceMs: nowMs };
    this.writtenInOutage = 0;
    this.droppedInOutage = 0;
    return { kind: 'failed', problem: text, code: this.problem.code };
  }

  private succeeded(nowMs: number): StorageChange | null {
    if (!this.problem) return null;
    const change: StorageChange = {
      kind: 'recovered',
      written: this.writtenInOutage,
      dropped: this.droppedInOutage,
      downMs: nowMs - this.problem.sinceMs,
    };
    this.problem = null;
    return change;
  }
}

const READ_ONLY = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST']);

/**
 * Create the state directory if needed and check a file can be created in it.
 * Read-only (or not a directory) throws StateDirError; a full disk does not:
 * the monitor runs and holds what it cannot write yet.
 */
export function assertStateDirWritable(dir: string): void {
  const probe = path.join(dir, `.write-test-${process.pid}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.closeSync(fs.openSync(probe, 'wx', 0o600));
    fs.rmSync(probe, { force: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code && READ_ONLY.has(e.code)) {
      throw new StateDirError(dir, e.code, e.message.replace(/^\w+: /, `${e.code}: `));
    }
    if (e.code !== 'ENOSPC' && e.code !== 'EDQUOT') throw err;
  }
}
