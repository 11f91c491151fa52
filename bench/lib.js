// Shared helpers for the benchmark harness: medians, CPU and RSS measurement,
// and a uniform table so every benchmark prints ratios against a baseline that
// was measured in the same run.
import { performance } from 'node:perf_hooks';

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Run `fn` `iterations` times (after `warmup` runs) and return the median wall
 * and CPU milliseconds per run, and the process's peak RSS in MiB.
 */
export async function measure(fn, { iterations = 20, warmup = 3 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const wall = [];
  const cpu = [];
  for (let i = 0; i < iterations; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    wall.push(t1 - t0);
    cpu.push((c1.user + c1.system) / 1000);
  }
  return {
    wallMs: median(wall),
    cpuMs: median(cpu),
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    iterations,
  };
}

const fmt = (n, digits = 2) => (n == null ? '-' : Number(n).toFixed(digits));

/** Print rows of { name, ...numbers } with an optional ratio column against `baseline`. */
export function printTable(title, rows, columns) {
  console.log(`\n## ${title}`);
  const header = ['case', ...columns.map((c) => c.label)];
  const body = rows.map((r) => [
    r.name,
    ...columns.map((c) => (typeof c.value === 'function' ? c.value(r) : fmt(r[c.key], c.digits))),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

export function ratio(a, b) {
  return b > 0 ? `${(a / b).toFixed(2)}x` : '-';
}
