// A subcommand of the ghost-hb CLI. Flags are declared as data (meow's format)
// so that `main.ts` can parse them and print per-command help uniformly.
import type { AnyFlags, Result } from 'meow';

export interface CommandContext {
  /** Positional arguments after the subcommand name. */
  args: string[];
  flags: Record<string, unknown>;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage and options text shown by `ghost-hb NAME --help`. */
  help: string;
  flags: AnyFlags;
  /** Resolves to the process exit code. */
  run(ctx: CommandContext): Promise<number>;
}

export type ParsedCli = Result<AnyFlags>;

/** Exit codes shared by every command (Nagios plugin convention for status). */
export const EXIT = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;

/** Flags that most commands share. */
export const commonFlags = {
  dir: { type: 'string', shortFlag: 'd' },
  config: { type: 'string', shortFlag: 'c' },
  color: { type: 'boolean', default: true },
} as const satisfies AnyFlags;

/** Flags of the long-running headless commands (watch, serve). */
export const headlessFlags = {
  ...commonFlags,
  stateDir: { type: 'string' },
  interval: { type: 'number' },
} as const satisfies AnyFlags;
