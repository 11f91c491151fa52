// Runs the CLI two ways: the built binary (bin/ghost-hb.js -> dist/) in a
// child process, and main() from the sources in this process with its output
// captured. Most tests run in-process (a spawn costs about a second under
// load); the binary's own tests keep what only a process shows: exit codes,
// the terminal and colour rules, the fast `beat` path, signals. Jest's global
// setup (test/globalSetup.js) builds dist/ once when it is missing or older
// than the sources, so the binary under test is the current code.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = path.join(ROOT, 'bin/ghost-hb.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** This process's environment with `extra`, without colour settings unless `extra` sets them: tests decide about colour. */
function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('FORCE_COLOR' in extra)) delete env.FORCE_COLOR;
  if (!('NO_COLOR' in extra)) delete env.NO_COLOR;
  return env;
}

/** The built binary, run to its end. */
export function runCli(args: string[], opts: SpawnSyncOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20_000,
    ...opts,
    env: cliEnv(opts.env),
  });
  return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** A stdout or stderr that keeps what is written to it; not a terminal. */
class CapturedStream extends Writable {
  readonly isTTY = false;
  text = '';
  constructor() {
    super({ decodeStrings: false });
  }
  override _write(chunk: unknown, _encoding: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}

/**
 * main() in this process, as the binary would run with `env` added to this
 * process's environment and `cwd` as its directory (default: the checkout).
 * For commands that end by themselves: `watch`, `serve` and `--follow` run
 * until a signal, which is the binary's to receive. An error main() throws
 * ends as the binary's launcher ends it: on stderr, exit 3.
 */
export async function runCliInProcess(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  const { main } = await import('../../src/cli/main.js');
  const stdout = new CapturedStream();
  const stderr = new CapturedStream();
  let code: number;
  try {
    code = await main(args, {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
      env: cliEnv(opts.env),
      cwd: opts.cwd ?? ROOT,
    });
  } catch (err) {
    stderr.text += `ghost-hb: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`;
    code = 3;
  }
  return { code, stdout: stdout.text, stderr: stderr.text };
}
