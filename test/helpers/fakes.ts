// In-memory collectors and a hand-driven clock, so the status rules can be
// tested against exact ages without touching the filesystem or /proc.
import { resolveConfig, type Config, type RawConfig } from '../../src/config/schema.js';
import type { HeartbeatCollector } from '../../src/collectors/heartbeatDir.js';
import type { Liveness, ProcessCollector } from '../../src/collectors/processes.js';
import type { SystemCollector } from '../../src/collectors/system.js';
import type {
  HeartbeatDirObservation,
  HeartbeatFileObservation,
  Instant,
  ProcessSample,
  ProcessState,
  SystemSample,
} from '../../src/core/types.js';

export const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

export class FakeClock {
  wallMs = T0;
  monoMs = 1_000_000;
  now(): Instant {
    return { wallMs: this.wallMs, monoMs: this.monoMs };
  }
  /** Real time passing: both clocks move. */
  advance(ms: number): Instant {
    this.wallMs += ms;
    this.monoMs += ms;
    return this.now();
  }
  /** The wall clock is stepped (NTP step, manual date change); monotonic time does not move. */
  step(ms: number): Instant {
    this.wallMs += ms;
    return this.now();
  }
}

export class FakeDir implements HeartbeatCollector {
  files = new Map<string, HeartbeatFileObservation>();
  error: string | null = null;

  async scan(dir: string): Promise<HeartbeatDirObservation> {
    if (this.error) return { dir, ok: false, error: this.error, files: [] };
    return { dir, ok: true, error: null, files: [...this.files.values()] };
  }

  put(o: HeartbeatFileObservation): void {
    this.files.set(`${o.name}:${o.kind}`, o);
  }

  json(name: string, doc: unknown, mtimeMs: number): void {
    const content = typeof doc === 'string' ? doc : JSON.stringify(doc);
    this.put({
      name,
      kind: 'json',
      path: `/hb/${name}.json`,
      mtimeMs,
      size: content.length,
      content,
      truncated: false,
      fault: null,
    });
  }

  touch(name: string, mtimeMs: number): void {
    this.put({
      name,
      kind: 'touch',
      path: `/hb/${name}.hb`,
      mtimeMs,
      size: 0,
      content: '',
      truncated: false,
      fault: null,
    });
  }

  pidfile(name: string, pid: number, mtimeMs: number): void {
    this.put({
      name,
      kind: 'pidfile',
      path: `/hb/${name}.pid`,
      mtimeMs,
      size: String(pid).length,
      content: `${pid}\n`,
      truncated: false,
      fault: null,
    });
  }
}

export interface FakeProcess {
  startTimeMs: number;
  cpuTimeMs?: number;
  /** When the collector read cpuTimeMs (monotonic ms); absent: at the poll's start. */
  sampledMonoMs?: number;
  rssBytes?: number;
  cmdline?: string;
  state?: ProcessState;
}

export class FakeProcesses implements ProcessCollector {
  procs = new Map<number, FakeProcess>();
  sampleCalls = 0;
  aliveCalls = 0;

  async sample(pids: readonly number[]): Promise<Map<number, ProcessSample>> {
    this.sampleCalls++;
    const out = new Map<number, ProcessSample>();
    for (const pid of pids) {
      const p = this.procs.get(pid);
      out.set(pid, {
        pid,
        alive: p !== undefined && p.state !== 'zombie',
        state: p ? (p.state ?? 'sleeping') : 'gone',
        startTimeMs: p?.startTimeMs ?? null,
        cpuTimeMs: p ? (p.cpuTimeMs ?? 0) : null,
        ...(p?.sampledMonoMs !== undefined ? { sampledMonoMs: p.sampledMonoMs } : {}),
        rssBytes: p ? (p.rssBytes ?? 1024 * 1024) : null,
        comm: p ? 'fake' : null,
        cmdline: p ? (p.cmdline ?? 'fake --daemon') : null,
      });
    }
    return out;
  }

  async findByPattern(patterns: readonly string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    for (const pattern of patterns) {
      const re = new RegExp(pattern);
      out.set(
        pattern,
        [...this.procs].filter(([, p]) => re.test(p.cmdline ?? '')).map(([pid]) => pid),
      );
    }
    return out;
  }

  async alive(pids: readonly number[]): Promise<Map<number, Liveness>> {
    this.aliveCalls++;
    return new Map(
      pids.map((pid) => {
        const p = this.procs.get(pid);
        return [pid, { alive: p !== undefined, startTimeMs: p?.startTimeMs ?? null }];
      }),
    );
  }
}

export class FakeSystem implements SystemCollector {
  async sample(): Promise<SystemSample> {
    return {
      hostname: 'testhost',
      uptimeSec: 1000,
      load1: 0.5,
      memUsedBytes: 1,
      memTotalBytes: 2,
      os: 'Linux',
      cpuCount: 2,
    };
  }
}

export function config(raw: RawConfig): Config {
  return resolveConfig(raw, { baseDir: '/srv', configFile: null });
}
