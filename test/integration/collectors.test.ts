// The process and system collectors against the real machine.
import { afterAll, describe, expect, it } from '@jest/globals';
import { ProcfsProcessCollector, SiProcessCollector } from '../../src/collectors/processes.js';
import { HostSystemCollector } from '../../src/collectors/system.js';
import { killAll, killHard, spawnSleeper, started } from '../helpers/proc.js';

afterAll(killAll);

const describeProc = ProcfsProcessCollector.available() ? describe : describe.skip;

describeProc('ProcfsProcessCollector', () => {
  const procs = new ProcfsProcessCollector();

  it('samples a live process: start time, CPU time, RSS, command', async () => {
    const s = (await procs.sample([process.pid])).get(process.pid)!;
    expect(s.alive).toBe(true);
    expect(s.cpuTimeMs).toBeGreaterThan(0);
    expect(s.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(s.cmdline).toContain('node');
  });

  it('dates a process between the moments before and after it was spawned', async () => {
    const before = Date.now();
    const child = spawnSleeper();
    const pid = await started(child);
    const after = Date.now();
    const s = (await procs.sample([pid])).get(pid)!;
    // Boot time in /proc/stat is whole seconds: the only slack, whatever the load.
    expect(s.startTimeMs!).toBeGreaterThanOrEqual(before - 1000);
    expect(s.startTimeMs!).toBeLessThanOrEqual(after + 1000);
    await killHard(child);
  });

  it('reports a killed process as dead, in sample and alive', async () => {
    const child = spawnSleeper();
    const pid = await started(child);
    expect((await procs.alive([pid])).get(pid)?.alive).toBe(true);
    await killHard(child);
    expect((await procs.sample([pid])).get(pid)?.alive).toBe(false);
    expect((await procs.alive([pid])).get(pid)).toEqual({ alive: false, startTimeMs: null });
  });

  it('finds processes by command line like pgrep -f, never itself', async () => {
    const marker = `ghost-hb-find-${process.pid}-${Date.now()}`;
    const child = spawnSleeper(marker);
    const pid = await started(child);
    const found = await procs.findByPattern([marker, `${marker}-absent`, '[unclosed']);
    expect(found.get(marker)).toEqual([pid]);
    expect(found.get(`${marker}-absent`)).toEqual([]);
    // An invalid regex is matched literally rather than throwing.
    expect(found.get('[unclosed')).toEqual([]);
    const self = await procs.findByPattern([process.argv[1]!]);
    expect(self.get(process.argv[1]!)).not.toContain(process.pid);
  });
});

describe('SiProcessCollector (where /proc is absent)', () => {
  it('samples this process through systeminformation', async () => {
    const s = (await new SiProcessCollector().sample([process.pid])).get(process.pid)!;
    expect(s.alive).toBe(true);
    expect(s.rssBytes).toBeGreaterThan(0);
    // No cumulative CPU time on this path: CPU % is "not available", never a made-up 0.
    expect(s.cpuTimeMs).toBeNull();
    expect(s.state).toMatch(/^(running|sleeping)$/);
    const alive = await new SiProcessCollector().alive([process.pid, 4_000_000]);
    expect(alive.get(process.pid)?.alive).toBe(true);
    expect(alive.get(4_000_000)?.alive).toBe(false);
  });
});

describe('HostSystemCollector', () => {
  it('gives host name, uptime, load and memory', async () => {
    const s = await new HostSystemCollector().sample();
    expect(s.hostname.length).toBeGreaterThan(0);
    expect(s.uptimeSec).toBeGreaterThan(0);
    expect(s.load1).toBeGreaterThanOrEqual(0);
    expect(s.memTotalBytes).toBeGreaterThan(s.memUsedBytes!);
    expect(s.memUsedBytes).toBeGreaterThan(0);
  });
});
