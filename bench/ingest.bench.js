// Ingestion costs. `beat`: whole-process wall and CPU time of
// `ghost-hb beat NAME --dir DIR` beside a bare `node -e ''` (the baseline,
// interleaved in the same run so machine load colours both alike).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { median, printTable, ratio } from './lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(here, '..', 'bin', 'ghost-hb.js');
const RUNS = Number(process.env.BENCH_BEAT_RUNS ?? 25);

/** CPU ms of the children of one `bash -c` run, from bash's `times` (its second line). */
function childrenCpuMs(timesOutput) {
  const line = timesOutput.trim().split('\n').pop();
  const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return (secs[0] + secs[1]) * 1000;
}

const quote = (s) => `'${s.replace(/'/g, "'\\''")}'`;

function beatBench(dir) {
  const cases = {
    "node -e ''": [process.execPath, ['-e', '']],
    'ghost-hb beat': [process.execPath, [BIN, 'beat', 'bench', '--dir', dir]],
  };
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, { wall: [], cpu: [] }]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, [cmd, args]] of Object.entries(cases)) {
      const t0 = performance.now();
      // bash's start-up is in the wall time of both cases alike; CPU is the child's alone.
      const script = `${[cmd, ...args].map(quote).join(' ')} >/dev/null || exit 9; times`;
      const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
      const wall = performance.now() - t0;
      if (r.status !== 0) throw new Error(`${name} exited with ${r.status}: ${r.stderr}`);
      samples[name].wall.push(wall);
      samples[name].cpu.push(childrenCpuMs(r.stdout));
    }
  }
  return Object.entries(samples).map(([name, s]) => ({
    name,
    wallMs: median(s.wall),
    cpuMs: median(s.cpu),
  }));
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-bench-ingest-'));
try {
  const rows = beatBench(dir);
  const base = rows[0];
  printTable(`beat: whole process, median of ${RUNS} interleaved runs`, rows, [
    { label: 'wall ms', key: 'wallMs', digits: 1 },
    { label: 'cpu ms', key: 'cpuMs', digits: 1 },
    { label: 'wall vs node', value: (r) => ratio(r.wallMs, base.wallMs) },
    { label: 'cpu vs node', value: (r) => ratio(r.cpuMs, base.cpuMs) },
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
