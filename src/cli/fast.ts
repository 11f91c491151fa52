// The light entry point for the commands that run often or wrap other
// programs: `beat` (a shell loop may call it every few seconds) and `run`.
// bin/ghost-hb.js and main() send them here before meow, Ink, zod or
// cosmiconfig load; flags are parsed by node:util's parseArgs from the same
// declarations main() hands to meow, so help and flags stay one source.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { cliIo, EXIT, type CliIo, type Command } from './command.js';
import { VERSION } from '../version.js';

/** Subcommands that take this path. */
export const FAST_COMMANDS = ['beat', 'run'] as const;

export function isFastCommand(name: string | undefined): boolean {
  return (FAST_COMMANDS as readonly (string | undefined)[]).includes(name);
}

async function load(name: string): Promise<Command> {
  return name === 'run'
    ? (await import('./commands/run.js')).runCommand
    : (await import('./commands/beat.js')).beatCommand;
}

interface FlagSpec {
  /** meow's declaration: no type is a string. */
  type?: 'string' | 'number' | 'boolean';
  shortFlag?: string;
  default?: unknown;
}

type Options = NonNullable<ParseArgsConfig['options']>;

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function parseOptions(flags: Record<string, FlagSpec>): Options {
  const options: Options = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
  };
  for (const [name, spec] of Object.entries(flags)) {
    options[kebab(name)] = {
      type: spec.type === 'boolean' ? 'boolean' : 'string',
      ...(spec.shortFlag ? { short: spec.shortFlag } : {}),
    };
  }
  return options;
}

/** parseArgs' values as the command expects them: camelCase keys, numbers, defaults. */
function typedFlags(
  flags: Record<string, FlagSpec>,
  values: Record<string, unknown>,
): Record<string, unknown> | string {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(flags)) {
    const raw = values[kebab(name)];
    if (raw === undefined) {
      if (spec.default !== undefined) out[name] = spec.default;
      continue;
    }
    if (spec.type === 'number') {
      const n = Number(raw);
      if (String(raw).trim() === '' || !Number.isFinite(n)) {
        return `--${kebab(name)} needs a number, not "${String(raw)}"`;
      }
      out[name] = n;
    } else {
      out[name] = raw;
    }
  }
  return out;
}

/**
 * Run `beat` or `run` from argv (subcommand first); resolves to the exit code.
 * `io` as main() takes it: the process's streams, environment and directory where not given.
 */
export async function fastMain(argv: string[], given: Partial<CliIo> = {}): Promise<number> {
  const io = cliIo(given);
  const [sub = 'beat', ...rest] = argv;
  const command = await load(sub);
  const flags: Record<string, FlagSpec> = command.flags;
  // Everything after `--` belongs to the wrapped command, marker included.
  const cut = rest.indexOf('--');
  const own = cut === -1 ? rest : rest.slice(0, cut);
  const after = cut === -1 ? [] : rest.slice(cut);
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: own, options: parseOptions(flags), allowPositionals: true });
  } catch (err) {
    // parseArgs adds lines of advice on `--` and dashes; its first line says what is wrong.
    const message = (err as Error).message.split('\n')[0]!.replace(/\. To specify a .*$/, '');
    io.stderr.write(`ghost-hb ${sub}: ${message}; see "ghost-hb ${sub} --help"\n`);
    return EXIT.UNKNOWN;
  }
  if (parsed.values.help) {
    io.stdout.write(`${command.help.replace(/^\n/, '')}\n`);
    return EXIT.OK;
  }
  if (parsed.values.version) {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.OK;
  }
  const typed = typedFlags(flags, parsed.values);
  if (typeof typed === 'string') {
    io.stderr.write(`ghost-hb ${sub}: ${typed}\n`);
    return EXIT.UNKNOWN;
  }
  try {
    return await command.run({
      ...io,
      args: [...parsed.positionals, ...after],
      flags: typed,
    });
  } catch (err) {
    // config/schema.ts's ConfigError, matched by name: importing the class would load zod.
    if ((err as Error).name === 'ConfigError') {
      io.stderr.write(`ghost-hb: bad configuration: ${(err as Error).message}\n`);
      return EXIT.UNKNOWN;
    }
    throw err;
  }
}
