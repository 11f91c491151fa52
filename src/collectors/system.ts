// System-wide figures, cheap enough for every poll: host name and OS are read
// once; uptime and load come from os (no process spawn, unlike si.time());
// memory from /proc/meminfo on Linux, systeminformation elsewhere.
import fs from 'node:fs';
import os from 'node:os';
import type { SystemSample } from '../core/types.js';

export interface SystemCollector {
  sample(): Promise<SystemSample>;
}

/** MemTotal and MemAvailable from /proc/meminfo text, in bytes; used = total - available. */
export function parseMeminfo(text: string): { total: number; used: number } | null {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  const total = kb('MemTotal');
  // MemAvailable exists since Linux 3.14; older kernels: free + buffers + cache.
  const available =
    kb('MemAvailable') ?? sumOrNull([kb('MemFree'), kb('Buffers'), kb('Cached')]) ?? null;
  if (total === null || available === null) return null;
  return { total, used: Math.max(0, total - available) };
}

function sumOrNull(values: (number | null)[]): number | null {
  if (values.some((v) => v === null)) return null;
  return values.reduce<number>((a, b) => a + (b ?? 0), 0);
}

export class HostSystemCollector implements SystemCollector {
  private readonly hostname = os.hostname();
  private readonly osName = `${os.type()} ${os.release()} ${os.arch()}`;
  private readonly cpuCount = os.availableParallelism?.() ?? os.cpus().length;
  private readonly meminfoPath: string;

  constructor(meminfoPath = '/proc/meminfo') {
    this.meminfoPath = meminfoPath;
  }

  async sample(): Promise<SystemSample> {
    return {
      hostname: this.hostname,
      uptimeSec: Math.round(os.uptime()),
      load1: os.loadavg()[0] ?? null,
      ...(await this.memory()),
      os: this.osName,
      cpuCount: this.cpuCount,
    };
  }

  private async memory(): Promise<Pick<SystemSample, 'memUsedBytes' | 'memTotalBytes'>> {
    try {
      const parsed = parseMeminfo(fs.readFileSync(this.meminfoPath, 'utf8'));
      if (parsed) return { memUsedBytes: parsed.used, memTotalBytes: parsed.total };
    } catch {
      // Not Linux: fall through to systeminformation.
    }
    try {
      const si = await import('systeminformation');
      const mem = await si.mem();
      return { memUsedBytes: mem.active ?? mem.used, memTotalBytes: mem.total };
    } catch {
      return { memUsedBytes: os.totalmem() - os.freemem(), memTotalBytes: os.totalmem() };
    }
  }
}
