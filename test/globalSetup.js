// Jest global setup: build dist/ once, before any suite runs, when it is
// missing or older than the sources. Integration and end-to-end tests run the
// built binary (bin/ghost-hb.js -> dist/); building here, in one process,
// means no two workers run tsc at once and no suite tests a stale build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILT = path.join(ROOT, 'dist/cli/main.js');
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestMtime(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(p))
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

export default function buildOnce() {
  const newestInput = Math.max(...INPUTS.map((p) => newestMtime(path.join(ROOT, p))));
  if (fs.existsSync(BUILT) && fs.statSync(BUILT).mtimeMs >= newestInput) return;
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
  // tsc leaves an unchanged output file's mtime alone; mark the build as current.
  const now = new Date();
  fs.utimesSync(BUILT, now, now);
}
