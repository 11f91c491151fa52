// A subcommand of the ghost-hb CLI. Flags are declared as data (meow's format)
// so that `main.ts` can parse them and print per-command help uniformly, and
// the values a command reads are typed from that declaration (defineCommand).
import type { AnyFlags, Result, TypedFlags } from 'meow';

/**
 * The values of flags declared by `F`, as meow (or cli/fast.ts) hands them
 * over: a string, number or boolean per flag, an array for `isMultiple`,
 * undefined when not given and without a default. Flag names are camelCase
 * already, so meow's camel-casing leaves them as declared.
 */
export type FlagValues<F extends AnyFlags> = TypedFlags<F>;

/**
 * What a run of the CLI writes to and reads its surroundings from: the
 * process's own streams, environment and directory when run as a program;
 * anything else when embedded (a test captures the output in memory).
 */
export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Where a relative path and the .heartbeatrc search start. */
  cwd: string;
}

/** The process's own streams, environment and directory, with `io`'s in their place where given. */
export function cliIo(io: Partial<CliIo> = {}): CliIo {
  return {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
  };
}

export interface CommandContext<F extends AnyFlags = AnyFlags> extends CliIo {
  /** Positional arguments after the subcommand name. */
  args: string[];
  flags: FlagValues<F>;
}

/**
 * The context a helper shared by several commands takes: it reads some of the
 * flags of `F`, each of which a calling command may or may not declare.
 */
export type ContextWith<F extends AnyFlags> = Omit<CommandContext, 'flags'> & {
  flags: Partial<FlagValues<F>>;
};

export interface Command<F extends AnyFlags = AnyFlags> {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage and options text shown by `ghost-hb NAME --help`. */
  help: string;
  flags: F;
  /** Resolves to the process exit code. */
  run(ctx: CommandContext<F>): Promise<number>;
}

/** A command whose `ctx.flags` are typed from its `flags` declaration. */
export function defineCommand<const F extends AnyFlags>(command: Command<F>): Command<F> {
  return command;
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
