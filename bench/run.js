#!/usr/bin/env node
// `npm run bench [name ...]`: runs every bench/*.bench.js (or the named ones) in
// order, each in its own Node process so one benchmark's heap and peak RSS do
// not colour the next.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .sort();
const chosen = wanted.length ? all.filter((f) => wanted.some((w) => f.startsWith(w))) : all;
if (chosen.length === 0) {
  console.error(`no benchmark matches ${wanted.join(', ')}; have: ${all.join(', ')}`);
  process.exit(2);
}
console.log(`# ghost-hb benchmarks  node ${process.version}  ${new Date().toISOString()}`);
let failed = 0;
for (const file of chosen) {
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(here, file)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    failed++;
    console.error(`${file} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed ? 1 : 0);
