// Process probing. On Linux /proc is read directly (a few small reads per pid,
// a fraction of a millisecond); elsewhere systeminformation's process list is
// the fallback.
import fs from 'node:fs';
import type { ProcessSample, ProcessState } from '../core/types.js';

/** Result of the cheap between-polls liveness check. */
export interface Liveness {
  alive: boolean;
  /** Start time when known, so a recycled pid is not taken for the old process. */
  startTimeMs: number | null;
}

export interface ProcessCollector {
  /** Full samples (start time, CPU time, RSS, command) of these pids. Dead pids map to alive: false. */
  sample(pids: readonly number[]): Promise<Map<number, ProcessSample>>;
  /** pgrep -f: pids whose command line matches each regex pattern (ghost-hb itself excluded). */
  findByPattern(patterns: readonly string[]): Promise<Map<string, number[]>>;
  /** Cheap check between polls: is each pid still running, and since when. */
  alive(pids: readonly number[]): Promise<Map<number, Liveness>>;
  /** After a wall-clock step, put start times on the new timeline; returns the shift in ms. */
  rebase?(): number;
}

/** kill(pid, 0): the process exists (EPERM: it does, as another user's). */
function signalReaches(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** USER_HZ: the unit of /proc/<pid>/stat times. 100 on every mainstream Linux build. */
const CLK_TCK = 100;

/** /proc/<pid>/stat's one-letter state, in words (see proc(5)). */
export function procState(letter: string): ProcessState | null {
  switch (letter) {
    case 'R':
      return 'running';
    case 'S':
      return 'sleeping';
    case 'D':
      return 'disk-sleep';
    case 'T':
    case 't':
      return 'stopped';
    case 'Z':
      return 'zombie';
    case 'X':
    case 'x':
      return 'gone';
    case 'I':
      return 'idle';
    default:
      return null;
  }
}

/** Zombies (Z) and dead tasks (X) still have a /proc entry but are not running. */
function notRunning(state: string): boolean {
  return state === 'Z' || state === 'X' || state === 'x';
}

function deadSample(pid: number, state: ProcessState = 'gone'): ProcessSample {
  return {
    pid,
    alive: false,
    state,
    startTimeMs: null,
    cpuTimeMs: null,
    rssBytes: null,
    comm: null,
    cmdline: null,
  };
}

interface StatFields {
  comm: string;
  ppid: number;
  state: string;
  cpuTicks: number;
  startTicks: number;
  rssPages: number;
}

/** Parse /proc/<pid>/stat. comm is in parentheses and may itself hold ") ", so split at the last one. */
export function parseProcStat(text: string): StatFields | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const num = (field: number) => Number(rest[field - 3]);
  const fields = {
    comm: text.slice(open + 1, close),
    ppid: num(4),
    state: rest[0] ?? '?',
    cpuTicks: num(14) + num(15),
    startTicks: num(22),
    rssPages: num(24),
  };
  return Number.isFinite(fields.startTicks) ? fields : null;
}

function compileMatcher(pattern: string): (cmdline: string) => boolean {
  try {
    const re = new RegExp(pattern);
    return (s) => re.test(s);
  } catch {
    // Not a valid regex: match it literally, as an operator would expect of a process name.
    return (s) => s.includes(pattern);
  }
}

export class ProcfsProcessCollector implements ProcessCollector {
  private readonly procDir: string;
  private bootTimeMs: number | null = null;
  private pageSize: number | null = null;
  /** cmdline per pid+start: it does not change over a process's life, so read it once. */
  private cmdlineCache = new Map<string, string | null>();

  constructor(procDir = '/proc') {
    this.procDir = procDir;
  }

  static available(procDir = '/proc'): boolean {
    try {
      return fs.statSync(`${procDir}/self/stat`).isFile();
    } catch {
      return false;
    }
  }

  /**
   * Boot time on this process's wall clock: now minus the time since boot
   * (/proc/uptime, which no clock step moves). Derived once, and again only
   * through `rebase` after a wall-clock step, so process start times stay on
   * the same timeline as the beats they are compared with.
   */
  private boot(): number {
    this.bootTimeMs ??= this.deriveBoot();
    return this.bootTimeMs;
  }

  private deriveBoot(): number {
    try {
      const uptimeSec = Number(fs.readFileSync(`${this.procDir}/uptime`, 'utf8').split(' ')[0]);
      if (Number.isFinite(uptimeSec) && uptimeSec > 0) return Date.now() - uptimeSec * 1000;
    } catch {
      // Fall back to btime below.
    }
    try {
      const m = /^btime\s+(\d+)/m.exec(fs.readFileSync(`${this.procDir}/stat`, 'utf8'));
      return m ? Number(m[1]) * 1000 : 0;
    } catch {
      return 0;
    }
  }

  /**
   * After a wall-clock step: derive the boot time again on the new timeline.
   * Returns how far start times moved (ms), so remembered ones can follow.
   */
  rebase(): number {
    if (this.bootTimeMs === null) return 0;
    const before = this.bootTimeMs;
    this.bootTimeMs = this.deriveBoot();
    return this.bootTimeMs - before;
  }

  /** Page size from our own process: statm counts pages, status counts kB. */
  private pages(): number {
    if (this.pageSize === null) {
      this.pageSize = 4096;
      try {
        const status = fs.readFileSync(`${this.procDir}/self/status`, 'utf8');
        const statm = fs.readFileSync(`${this.procDir}/self/statm`, 'utf8');
        const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1]);
        const pages = Number(statm.split(' ')[1]);
        if (kb > 0 && pages > 0) {
          const guess = (kb * 1024) / pages;
          // Snap to a power of two: RSS moves a little between the two reads.
          this.pageSize = 2 ** Math.round(Math.log2(guess));
        }
      } catch {
        // Keep 4096.
      }
    }
    return this.pageSize;
  }

  private readStat(pid: number): StatFields | null {
    try {
      return parseProcStat(fs.readFileSync(`${this.procDir}/${pid}/stat`, 'utf8'));
    } catch {
      return null;
    }
  }

  private startMs(fields: StatFields): number {
    return this.boot() + (fields.startTicks * 1000) / CLK_TCK;
  }

  private cmdline(pid: number, startTicks: number): string | null {
    const key = `${pid}:${startTicks}`;
    if (this.cmdlineCache.has(key)) return this.cmdlineCache.get(key)!;
    let value: string | null;
    try {
      const raw = fs.readFileSync(`${this.procDir}/${pid}/cmdline`, 'utf8');
      value = raw.replace(/\0+$/, '').replace(/\0/g, ' ') || null;
    } catch {
      value = null;
    }
    this.cmdlineCache.set(key, value);
    return value;
  }

  async sample(pids: readonly number[]): Promise<Map<number, ProcessSample>> {
    const out = new Map<number, ProcessSample>();
    const seenKeys = new Set<string>();
    for (const pid of pids) {
      if (out.has(pid)) continue;
      const f = this.readStat(pid);
      if (!f || notRunning(f.state)) {
        out.set(pid, deadSample(pid, f ? (procState(f.state) ?? 'gone') : 'gone'));
        continue;
      }
      seenKeys.add(`${pid}:${f.startTicks}`);
      out.set(pid, {
        pid,
        alive: true,
        state: procState(f.state),
        startTimeMs: this.startMs(f),
        cpuTimeMs: (f.cpuTicks * 1000) / CLK_TCK,
        sampledMonoMs: performance.now(),
        rssBytes: f.rssPages * this.pages(),
        comm: f.comm,
        cmdline: this.cmdline(pid, f.startTicks),
      });
    }
    // Forget command lines of processes no longer asked about, so the cache stays small.
    if (this.cmdlineCache.size > seenKeys.size * 2 + 64) {
      for (const key of this.cmdlineCache.keys()) {
        if (!seenKeys.has(key)) this.cmdlineCache.delete(key);
      }
    }
    return out;
  }

  /**
   * One kill(pid, 0) per pid, no /proc read: this runs every second for every
   * daemon, and a signal check costs a tenth of reading and parsing
   * /proc/<pid>/stat. What it cannot see (a zombie, a pid recycled within the
   * second) the next full poll's sample does.
   */
  async alive(pids: readonly number[]): Promise<Map<number, Liveness>> {
    const out = new Map<number, Liveness>();
    for (const pid of pids) out.set(pid, { alive: signalReaches(pid), startTimeMs: null });
    return out;
  }

  async findByPattern(patterns: readonly string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    if (patterns.length === 0) return out;
    const matchers = patterns.map((p) => [p, compileMatcher(p)] as const);
    for (const p of patterns) out.set(p, []);
    let entries: string[];
    try {
      entries = fs.readdirSync(this.procDir);
    } catch {
      return out;
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      if (pid === process.pid) continue;
      let cmd: string;
      try {
        cmd = fs.readFileSync(`${this.procDir}/${entry}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      // Kernel threads have no command line; pgrep -f then matches the name.
      const text = cmd ? cmd.replace(/\0+$/, '').replace(/\0/g, ' ') : '';
      if (!text) continue;
      for (const [pattern, matches] of matchers) {
        if (matches(text)) out.get(pattern)!.push(pid);
      }
    }
    return out;
  }
}

interface SiProcess {
  pid: number;
  name: string;
  command?: string;
  params?: string;
  started?: string;
  memRss?: number;
  state?: string;
}

/** systeminformation's process states, as ghost-hb names them. */
function siState(state: string | undefined): ProcessState | null {
  switch (state) {
    case 'running':
      return 'running';
    case 'sleeping':
      return 'sleeping';
    case 'blocked':
      return 'disk-sleep';
    case 'stopped':
      return 'stopped';
    case 'zombie':
      return 'zombie';
    default:
      return null;
  }
}

/**
 * Where /proc is absent: one systeminformation process listing per call. It
 * gives start time, RSS, command and state, but no cumulative CPU time, so CPU
 * % is not available on this path (reported as null, never as 0).
 */
export class SiProcessCollector implements ProcessCollector {
  private async list(): Promise<SiProcess[]> {
    const si = await import('systeminformation');
    const data = await si.processes();
    return data.list as SiProcess[];
  }

  private toSample(p: SiProcess): ProcessSample {
    const started = p.started ? Date.parse(p.started) : NaN;
    return {
      pid: p.pid,
      alive: p.state !== 'zombie',
      state: siState(p.state),
      startTimeMs: Number.isFinite(started) ? started : null,
      // Not available from systeminformation's listing: CPU % stays null.
      cpuTimeMs: null,
      rssBytes: p.memRss != null ? p.memRss * 1024 : null,
      comm: p.name || null,
      cmdline: [p.command, p.params].filter(Boolean).join(' ') || null,
    };
  }

  async sample(pids: readonly number[]): Promise<Map<number, ProcessSample>> {
    const out = new Map<number, ProcessSample>();
    if (pids.length === 0) return out;
    const byPid = new Map((await this.list()).map((p) => [p.pid, p]));
    for (const pid of pids) {
      const p = byPid.get(pid);
      out.set(pid, p ? this.toSample(p) : deadSample(pid));
    }
    return out;
  }

  async alive(pids: readonly number[]): Promise<Map<number, Liveness>> {
    const out = new Map<number, Liveness>();
    // No cheap start time without /proc; the next full poll checks it.
    for (const pid of pids) out.set(pid, { alive: signalReaches(pid), startTimeMs: null });
    return out;
  }

  async findByPattern(patterns: readonly string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>(patterns.map((p) => [p, []]));
    if (patterns.length === 0) return out;
    const list = await this.list();
    for (const p of patterns) {
      const matches = compileMatcher(p);
      for (const proc of list) {
        if (proc.pid === process.pid) continue;
        const text = [proc.command, proc.params].filter(Boolean).join(' ') || proc.name;
        if (matches(text)) out.get(p)!.push(proc.pid);
      }
    }
    return out;
  }
}

/** The best collector for this host. */
export function defaultProcessCollector(): ProcessCollector {
  return ProcfsProcessCollector.available()
    ? new ProcfsProcessCollector()
    : new SiProcessCollector();
}

/**
 * Whether a command line (NUL-separated argv) is npm/npx, or the `sh -c` they
 * run a package binary through. npm rewrites its title, so its argv[0] may be
 * "npm exec ghost-hb ...".
 */
export function isLauncher(cmdline: string): boolean {
  const argv = cmdline.split('\0').filter((a) => a !== '');
  const base = (a: string | undefined) => (a ?? '').split(' ')[0]!.split('/').pop()!;
  const cmd = base(argv[0]);
  if (cmd === 'npm' || cmd === 'npx') return true;
  if (/^node(js)?$/.test(cmd) && /^(npm|npx)(-cli\.js)?$/.test(base(argv[1]))) return true;
  if (/^(ba|da)?sh$/.test(cmd) && argv[1] === '-c') {
    const script = (argv[2] ?? '').replace(/^['"]/, '');
    return /^(\S*\/)?ghost-hb(['"]|\s|$)/.test(script);
  }
  return false;
}

/**
 * The process that ran ghost-hb, skipping npm/npx and the `sh -c` they spawn:
 * `npx ghost-hb beat NAME` should report the calling daemon's pid, not the
 * short-lived npm process. Without /proc, the parent pid as is.
 */
export function callerPid(procDir = '/proc'): number {
  let pid = process.ppid;
  for (let hops = 0; hops < 4 && pid > 1; hops++) {
    let stat: StatFields | null;
    try {
      if (!isLauncher(fs.readFileSync(`${procDir}/${pid}/cmdline`, 'utf8'))) return pid;
      stat = parseProcStat(fs.readFileSync(`${procDir}/${pid}/stat`, 'utf8'));
    } catch {
      return pid;
    }
    if (!stat || stat.ppid <= 1) return pid;
    pid = stat.ppid;
  }
  return pid;
}
