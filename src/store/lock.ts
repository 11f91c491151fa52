// One writer per state directory. `watch`, `serve` and a standalone screen
// hold an exclusive lock file there for as long as they run; a second one is
// refused and told who holds it. The holder is named by pid AND process start
// time (and boot id), so a holder killed with -9 never leaves the directory
// stuck: a lock whose process is gone, or whose pid now belongs to another
// process, is stale and taken over.
//
// Taking the lock is an O_EXCL create of a fully written file (write a private
// temporary file, then link(2) it into place: the lock never exists half
// written). A stale lock is first renamed aside, atomically, and only removed
// if what was renamed is still the same stale holder, so two starters racing
// for a stale lock cannot both win.
import fs from 'node:fs';
import path from 'node:path';
import { parseProcStat } from '../collectors/processes.js';
import { hasControlChars } from '../core/sanitize.js';
import { STATE_FILES } from './paths.js';

/** Who holds a state directory, as written in the lock file. */
export interface LockHolder {
  pid: number;
  /** /proc/<pid>/stat start time in clock ticks since boot; null where there is no /proc. */
  startTicks: number | null;
  /** /proc/sys/kernel/random/boot_id; pids and start ticks mean nothing across a reboot. */
  bootId: string | null;
  /** What is running: 'watch', 'serve', 'ui'. */
  command: string;
  /** ISO time the lock was taken. */
  since: string;
  /** The agent's API socket, when it serves one (relative to the state directory). */
  socket: string | null;
}

export class LockHeldError extends Error {
  constructor(
    readonly stateDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the state directory ${stateDir} is in use by ghost-hb ${holder.command} (pid ${holder.pid}, since ${holder.since})`,
    );
    this.name = 'LockHeldError';
  }
}

/** How to find a process's identity; /proc on Linux, injectable for tests. */
export interface ProcessIdentity {
  /** Start ticks of a running pid; null when it is not running; undefined when it cannot be known. */
  startTicks(pid: number): number | null | undefined;
  bootId(): string | null;
  /** Signal 0: is there a process with this pid at all (EPERM counts as yes)? */
  exists(pid: number): boolean;
}

export const procIdentity = (procDir = '/proc'): ProcessIdentity => ({
  startTicks(pid) {
    let text: string;
    try {
      text = fs.readFileSync(`${procDir}/${pid}/stat`, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ESRCH') {
        return fs.existsSync(`${procDir}/self/stat`) ? null : undefined;
      }
      return undefined;
    }
    const f = parseProcStat(text);
    if (!f) return undefined;
    return f.state === 'Z' || f.state === 'X' || f.state === 'x' ? null : f.startTicks;
  },
  bootId() {
    try {
      return fs.readFileSync(`${procDir}/sys/kernel/random/boot_id`, 'utf8').trim() || null;
    } catch {
      return null;
    }
  },
  exists(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
});

/** Parse a lock file's text; null when it is not a lock we wrote. */
export function parseLock(text: string): LockHolder | null {
  let o: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(text);
    if (!v || typeof v !== 'object') return null;
    o = v as Record<string, unknown>;
  } catch {
    return null;
  }
  const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null);
  const str = (v: unknown, max = 200) =>
    typeof v === 'string' && v.length <= max && !hasControlChars(v) ? v : null;
  const pid = int(o.pid);
  if (pid === null) return null;
  return {
    pid,
    startTicks: typeof o.startTicks === 'number' && o.startTicks >= 0 ? o.startTicks : null,
    bootId: str(o.bootId, 64),
    command: str(o.command, 32) ?? 'unknown',
    since: str(o.since, 40) ?? 'unknown',
    socket: str(o.socket),
  };
}

/** Is the process that wrote this lock still the one running under its pid? */
export function holderAlive(holder: LockHolder, ids: ProcessIdentity): boolean {
  const bootId = ids.bootId();
  if (holder.bootId && bootId && holder.bootId !== bootId) return false;
  const ticks = ids.startTicks(holder.pid);
  if (ticks === null) return false;
  if (ticks === undefined || holder.startTicks === null) return ids.exists(holder.pid);
  return ticks === holder.startTicks;
}

/** The lock file's path in a state directory. */
export function lockFile(stateDir: string): string {
  return path.join(stateDir, STATE_FILES.lock);
}

/** The live holder of a state directory, or null (no lock, unreadable, or stale). */
export function readHolder(stateDir: string, ids = procIdentity()): LockHolder | null {
  let text: string;
  try {
    text = fs.readFileSync(lockFile(stateDir), 'utf8');
  } catch {
    return null;
  }
  const holder = parseLock(text);
  return holder && holderAlive(holder, ids) ? holder : null;
}

export interface AcquireOptions {
  command: string;
  /** The API socket the holder serves (a name inside the state directory), if any. */
  socket?: string | null;
  ids?: ProcessIdentity;
  now?: () => Date;
}

/** A held lock. release() removes it (only if it is still ours); safe to call twice. */
export class StateDirLock {
  private released = false;

  private constructor(
    readonly stateDir: string,
    readonly holder: LockHolder,
    private readonly text: string,
  ) {}

  /**
   * Take the state directory's lock, creating the directory (0700) if needed.
   * Throws LockHeldError naming a live holder; a stale lock is taken over.
   */
  static acquire(stateDir: string, opts: AcquireOptions): StateDirLock {
    const ids = opts.ids ?? procIdentity();
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const holder: LockHolder = {
      pid: process.pid,
      startTicks: ids.startTicks(process.pid) ?? null,
      bootId: ids.bootId(),
      command: opts.command,
      since: (opts.now ?? (() => new Date()))().toISOString(),
      socket: opts.socket ?? null,
    };
    const text = `${JSON.stringify(holder)}\n`;
    const file = lockFile(stateDir);
    // A few rounds: each lost race against another starter costs one.
    for (let attempt = 0; attempt < 5; attempt++) {
      if (createExclusive(file, text)) return new StateDirLock(stateDir, holder, text);
      let current: string;
      try {
        current = fs.readFileSync(file, 'utf8');
      } catch {
        continue; // Removed meanwhile: try again.
      }
      const other = parseLock(current);
      if (other && holderAlive(other, ids)) throw new LockHeldError(stateDir, other);
      removeIfUnchanged(file, current);
    }
    const other = readHolder(stateDir, ids);
    if (other) throw new LockHeldError(stateDir, other);
    throw new Error(`could not take the lock ${file}: other processes keep replacing it`);
  }

  /** Remove the lock file if it is still the one this process wrote. */
  release(): void {
    if (this.released) return;
    this.released = true;
    removeIfUnchanged(lockFile(this.stateDir), this.text);
  }
}

/** Create `file` holding `text`, only if it does not exist; the file never appears half written. */
function createExclusive(file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Remove `file` only if it still holds `expected`: renamed aside first
 * (atomic), then compared; a file that changed meanwhile (another starter's
 * fresh lock) is put back with link(2), which never overwrites.
 */
function removeIfUnchanged(file: string, expected: string): void {
  const aside = `${file}.${process.pid}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // Gone already.
  }
  let text = '';
  try {
    text = fs.readFileSync(aside, 'utf8');
  } catch {
    // Unreadable: treat as changed only if it is not what we expected (it cannot be compared).
  }
  if (text !== expected) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // Someone took the lock meanwhile; theirs stands.
    }
  }
  fs.rmSync(aside, { force: true });
}

/** The message for a refused start: who holds the directory, how to attach, how to stop it. */
export function explainHeld(err: LockHeldError): string {
  const h = err.holder;
  return [
    `ghost-hb: ${err.message}`,
    `  attach: ghost-hb (the screen attaches to the running agent over ${STATE_FILES.socket}); ghost-hb status and ghost-hb events read from it too`,
    `  stop it: kill ${h.pid} (or systemctl stop the unit that runs it); only one monitor writes to a state directory`,
  ].join('\n');
}
