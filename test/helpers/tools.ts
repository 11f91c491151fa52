// External tools some tests need (promtool, chromium). Locally a missing tool
// skips those tests with a message; under CI (CI=true) it fails them, so CI
// never passes by silently skipping.
import { spawnSync } from 'node:child_process';

export function haveTool(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** `true` when the tests may run; throws under CI when the tool is missing. */
export function requireTool(cmd: string, debianPackage: string): boolean {
  if (haveTool(cmd)) return true;
  const msg = `${cmd} not found; install the Debian package "${debianPackage}" (.ci/run does)`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(msg);
  console.warn(`skipping: ${msg}`);
  return false;
}
