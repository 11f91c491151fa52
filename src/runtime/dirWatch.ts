// Notices changes to the heartbeat directory between polls, so a fresh beat
// shows within a second. fs.watch (inotify) is bound to an inode, not to a
// path: a directory moved away and recreated, or swapped for a symlink, would
// leave it watching the old one for good while the new one goes unseen. So
// every tick compares the directory's identity (dev and inode, symlinks
// followed) with the one watched, and re-arms the watch when it changed.
// Where no watch can be set up (inotify's watch or instance limit, a file
// system without inotify) the directory's stamp is compared on every tick
// instead, and the status says `polling`; a failed watch is retried on every
// full poll.
import fs from 'node:fs';
import type { WatchStatus } from '../core/types.js';

/**
 * Start watching `dir`; throws when the OS cannot. `onChange` gets the name of
 * the entry that changed, when the OS tells it. `onError` reports a watch
 * that died later. Returns the function that stops watching.
 */
export type WatchFactory = (
  dir: string,
  onChange: (fileName?: string | null) => void,
  onError?: (err: Error) => void,
) => () => void;

/** What identifies a directory and tells whether its entries changed. */
export interface DirStamp {
  dev: number;
  ino: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** stat(2) of the directory (symlinks followed); null when it is absent or not a directory. */
export type StatDir = (dir: string) => DirStamp | null;

export const fsWatchFactory: WatchFactory = (dir, onChange, onError) => {
  const watcher = fs.watch(dir, { persistent: false }, (_event, fileName) =>
    onChange(fileName == null ? null : String(fileName)),
  );
  watcher.on('error', (err) => {
    watcher.close();
    onError?.(err);
  });
  return () => watcher.close();
};

export const statDirectory: StatDir = (dir) => {
  try {
    const st = fs.statSync(dir);
    return st.isDirectory() ? st : null;
  } catch {
    return null;
  }
};

/** Why a watch could not be set up, in the words an operator searches for. */
export function describeWatchError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOSPC')
    return 'ENOSPC: inotify watch limit reached (fs.inotify.max_user_watches)';
  if (e.code === 'EMFILE') {
    return 'EMFILE: inotify instance limit reached (fs.inotify.max_user_instances)';
  }
  return e.code ?? (e.message || String(err));
}

export class DirWatcher {
  private stopWatch: (() => void) | null = null;
  private identity: string | null = null;
  private stamp: string | null = null;
  private mode: WatchStatus['mode'] = 'off';
  private problem: string | null = null;
  /** Set by a watch that died after it was set up; it is set up again on the next check. */
  private died = false;

  constructor(
    private readonly dir: string,
    /** A changed entry's name; null when unknown (a new directory, a changed stamp). */
    private readonly onChange: (fileName?: string | null) => void,
    private readonly factory: WatchFactory = fsWatchFactory,
    private readonly stat: StatDir = statDirectory,
  ) {}

  status(): WatchStatus {
    return { mode: this.mode, problem: this.problem };
  }

  /**
   * One tick (every poll and liveness check): re-arm on a new directory or
   * after a watch died, retry a failed watch when `retry`, and while polling,
   * report a change of the directory's entries.
   */
  check(retry: boolean): void {
    const st = this.stat(this.dir);
    if (!st) {
      // Nothing to watch; the poll reports the missing directory.
      this.disarm();
      this.identity = null;
      this.stamp = null;
      this.mode = 'off';
      this.problem = null;
      return;
    }
    const identity = `${st.dev}:${st.ino}`;
    const stamp = `${st.mtimeMs}:${st.ctimeMs}`;
    const replaced = identity !== this.identity;
    if (replaced || this.died || (retry && this.mode === 'polling')) this.arm();
    const changed = this.mode === 'polling' && this.stamp !== null && stamp !== this.stamp;
    this.identity = identity;
    this.stamp = stamp;
    // A new directory holds beats no poll has read yet.
    if (replaced || changed) this.onChange(null);
  }

  close(): void {
    this.disarm();
    this.mode = 'off';
  }

  private arm(): void {
    this.disarm();
    this.died = false;
    try {
      this.stopWatch = this.factory(this.dir, this.onChange, () => {
        this.died = true;
      });
      this.mode = 'inotify';
      this.problem = null;
    } catch (err) {
      this.mode = 'polling';
      this.problem = describeWatchError(err);
    }
  }

  private disarm(): void {
    this.stopWatch?.();
    this.stopWatch = null;
  }
}
