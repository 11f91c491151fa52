// Runs the built CLI (bin/ghost-hb.js -> dist/). Jest's global setup
// (test/globalSetup.js) builds dist/ once when it is missing or older than the
// sources, so the binary under test is the current code.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = path.join(ROOT, 'bin/ghost-hb.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: SpawnSyncOptions = {}): CliResult {
  const env = { ...process.env, ...(opts.env ?? {}) };
  // Tests decide about colour explicitly.
  if (!opts.env || !('FORCE_COLOR' in opts.env)) delete env.FORCE_COLOR;
  if (!opts.env || !('NO_COLOR' in opts.env)) delete env.NO_COLOR;
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20_000,
    ...opts,
    env,
  });
  return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}
