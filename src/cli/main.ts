// Entry point: picks the subcommand, parses its flags with meow, runs it and
// turns its result (or a ConfigError) into an exit code.
import meow from 'meow';
import { ConfigError } from '../config/schema.js';
import { StateDirError } from '../store/stateDirError.js';
import { cliIo, EXIT, type CliIo, type Command, type ParsedCli } from './command.js';
import { isFastCommand } from './fast.js';
import { VERSION } from '../version.js';

// The registry: every subcommand, in the order `ghost-hb --help` lists them.
// The first entry with name '' is what runs without a subcommand. Commands are
// loaded when run, so the monitor does not pay at start-up for the HTTP
// server's or the event reader's dependencies (time and memory).
interface CommandEntry {
  name: string;
  /** One line for `ghost-hb --help`, kept here so the overview loads no command. */
  summary: string;
  /** Most positional arguments the command takes (undefined: it checks them itself). */
  maxArgs?: number;
  /** `stderr`: where a warning while loading goes. */
  load(stderr: NodeJS.WritableStream): Promise<Command>;
}
/**
 * Before the monitor's modules load: React's production build (the development
 * build costs about a third more CPU per frame), and Ink with interactive
 * rendering even under CI=true. The monitor runs for weeks: an Ink whose
 * text-measurement cache is not bounded (see ui/inkCaches.ts) is reported.
 */
async function prepareForLongRun(stderr: NodeJS.WritableStream): Promise<void> {
  process.env.NODE_ENV ??= 'production';
  // Ink reads CI once, at import, and then draws only the last frame. Whether
  // to draw is ghost-hb's call (stdout a terminal or not), so CI is hidden
  // while Ink loads and restored for everything else (the demo's children).
  const hidden = hideEnv(['CI', 'CONTINUOUS_INTEGRATION']);
  try {
    await import('ink');
  } finally {
    Object.assign(process.env, hidden);
  }
  const { unboundedInkWarning } = await import('../ui/inkCaches.js');
  const warning = await unboundedInkWarning();
  if (warning) stderr.write(warning);
}

/** Remove `keys` from process.env; returns what was removed. */
function hideEnv(keys: string[]): Record<string, string> {
  const removed: Record<string, string> = {};
  for (const key of keys) {
    const value = process.env[key];
    if (value !== undefined) {
      removed[key] = value;
      delete process.env[key];
    }
  }
  return removed;
}

const registry: CommandEntry[] = [
  {
    name: '',
    summary: 'the interactive monitor (no subcommand)',
    maxArgs: 0,
    load: async (stderr) => {
      await prepareForLongRun(stderr);
      return (await import('./commands/monitor.js')).monitorCommand;
    },
  },
  {
    name: 'status',
    summary: 'one poll of the heartbeat directory, as a table or JSON',
    maxArgs: 0,
    load: async () => (await import('./commands/status.js')).statusCommand,
  },
  {
    name: 'beat',
    summary: 'write NAME.json into the heartbeat directory (atomically), once or --every S',
    load: async () => (await import('./commands/beat.js')).beatCommand,
  },
  {
    name: 'run',
    summary: 'run a command and beat for it while it lives; a final beat says how it ended',
    load: async () => (await import('./commands/run.js')).runCommand,
  },
  {
    name: 'watch',
    summary: 'run headless: poll, detect anomalies, log events (what a service runs)',
    maxArgs: 0,
    load: async () => (await import('./commands/watch.js')).watchCommand,
  },
  {
    name: 'serve',
    summary: 'run headless with the HTTP API, live stream, /metrics and dashboard page',
    maxArgs: 0,
    load: async () => (await import('./commands/serve.js')).serveCommand,
  },
  {
    name: 'events',
    summary: 'show the event log (filter by time, severity, daemon; --follow)',
    maxArgs: 0,
    load: async () => (await import('./commands/events.js')).eventsCommand,
  },
  {
    name: 'silence',
    summary: 'stop notifications about a daemon, a rule or everything for a while',
    load: async () => (await import('./commands/silence.js')).silenceCommand,
  },
  {
    name: 'notify',
    summary: 'send a test notification through each channel and print the outcome',
    load: async () => (await import('./commands/notify.js')).notifyCommand,
  },
  {
    name: 'demo',
    summary:
      'a demo fleet of eight daemons (crash, hang, late, degraded, malformed) in the monitor',
    maxArgs: 0,
    load: async (stderr) => {
      await prepareForLongRun(stderr);
      return (await import('./commands/demo.js')).demoCommand;
    },
  },
];

function overview(): string {
  const width = Math.max(...registry.map((c) => c.name.length), 8);
  const lines = registry.map((c) => `    ${(c.name || '(none)').padEnd(width)}  ${c.summary}`);
  return `
  Usage
    $ ghost-hb [command] [options]

  Commands
${lines.join('\n')}
    help      this list, or "ghost-hb help COMMAND" for a command's options
    version   the version (also -v, --version)

  Run "ghost-hb COMMAND --help" for a command's options.
  Exit codes: 0 ok, 1 warning (late), 2 critical (down), 3 cannot run.
`;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The command closest to a mistyped one, when it is close enough to be a typo. */
export function closestCommand(typed: string): string | null {
  let best: { name: string; d: number } | null = null;
  for (const { name } of registry) {
    if (!name) continue;
    const d = distance(typed.toLowerCase(), name);
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(1, Math.floor(best.name.length / 3)) ? best.name : null;
}

/**
 * A declared option that takes a value but has none (`--interval` at the end,
 * or followed by another option): meow would silently drop it.
 */
export function flagsWithoutValue(command: Command, argv: readonly string[]): string[] {
  const valued = new Map<string, string>();
  for (const [name, spec] of Object.entries(command.flags)) {
    if (spec.type === 'boolean') continue;
    valued.set(`--${kebab(name)}`, name);
    valued.set(`--${name}`, name);
    if (spec.shortFlag) valued.set(`-${spec.shortFlag}`, name);
  }
  const missing: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (!valued.has(arg)) continue;
    const next = argv[i + 1];
    if (next === undefined || (next.startsWith('-') && !/^-\d/.test(next))) missing.push(arg);
    else i++;
  }
  return missing;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Flags given on the command line that the command does not declare. */
export function unknownFlags(command: Command, given: string[]): string[] {
  const known = new Set(['help', 'version']);
  for (const [name, spec] of Object.entries(command.flags)) {
    known.add(name).add(kebab(name));
    if (spec.shortFlag) known.add(spec.shortFlag);
    for (const alias of spec.aliases ?? []) known.add(alias).add(kebab(alias));
  }
  return given.filter((f) => !known.has(f));
}

/**
 * Run the CLI on `argv` (the arguments after the program name); resolves to
 * the exit code. Output goes to `io`'s streams and the environment and
 * working directory are `io`'s, the process's own where not given. The
 * interactive monitor draws on the stdout given and reads keys from the
 * process's stdin.
 */
export async function main(
  argv: string[] = process.argv.slice(2),
  given: Partial<CliIo> = {},
): Promise<number> {
  const io = cliIo(given);
  const first = argv[0];
  if (first === 'version' || first === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.OK;
  }
  if (first === 'help') {
    // `help COMMAND` is `COMMAND --help`.
    return argv[1] ? main([argv[1], '--help'], io) : (io.stdout.write(overview()), EXIT.OK);
  }
  // `beat` (and `run`) skip meow: see cli/fast.ts.
  if (isFastCommand(first)) return (await import('./fast.js')).fastMain(argv, io);
  const named =
    first && !first.startsWith('-') ? registry.find((c) => c.name === first) : undefined;
  if (first && !first.startsWith('-') && !named) {
    const near = closestCommand(first);
    io.stderr.write(
      `ghost-hb: unknown command "${first}"${near ? `; did you mean ${near}?` : ''}\n${overview()}`,
    );
    return EXIT.UNKNOWN;
  }
  const entry = named ?? registry.find((c) => c.name === '')!;
  const rest = named ? argv.slice(1) : argv;
  const command = await entry.load(io.stderr);
  // The monitor's options, then the command list (from the registry: no other command loads).
  if (entry.name === '' && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout.write(`${command.help}\n${overview()}`);
    return EXIT.OK;
  }
  const cli = meow(command.help, {
    importMeta: import.meta,
    argv: rest,
    flags: command.flags,
    version: VERSION,
    // Unknown flags are checked below: meow would exit with 2, which means
    // "critical" to a Nagios-style caller, where a usage error must be 3.
    allowUnknownFlags: true,
    // Answered below, on io's stdout: meow's own would exit the process.
    autoHelp: false,
    autoVersion: false,
  });
  // What meow's automatic forms answered: only the flag alone.
  if (rest.length === 1 && (rest[0] === '--help' || rest[0] === '--version')) {
    io.stdout.write(rest[0] === '--help' ? `${cli.help}\n` : `${VERSION}\n`);
    return EXIT.OK;
  }
  const usage = usageError(entry, command, cli, rest);
  if (usage) {
    io.stderr.write(`ghost-hb: ${usage}\n`);
    return EXIT.UNKNOWN;
  }
  try {
    return await command.run({ ...io, args: cli.input, flags: cli.flags });
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`ghost-hb: bad configuration: ${err.message}\n`);
      return EXIT.UNKNOWN;
    }
    if (err instanceof StateDirError) {
      io.stderr.write(`ghost-hb: ${err.message}\n`);
      return EXIT.UNKNOWN;
    }
    throw err;
  }
}

/** What is wrong with the command line meow parsed (unknown options, missing values, extra arguments), or null. */
function usageError(
  entry: CommandEntry,
  command: Command,
  cli: ParsedCli,
  rest: readonly string[],
): string | null {
  const where = `see "ghost-hb ${command.name ? `${command.name} ` : ''}--help"`;
  const unknown = unknownFlags(command, Object.keys(cli.unnormalizedFlags));
  if (unknown.length > 0) {
    const list = unknown.map((f) => (f.length === 1 ? `-${f}` : `--${f}`)).join(', ');
    return `unknown option${unknown.length > 1 ? 's' : ''} ${list}; ${where}`;
  }
  const bare = flagsWithoutValue(command, rest);
  if (bare.length > 0) return `${bare.join(', ')} needs a value; ${where}`;
  if (entry.maxArgs !== undefined && cli.input.length > entry.maxArgs) {
    const extra = cli.input
      .slice(entry.maxArgs)
      .map((a) => JSON.stringify(a))
      .join(' ');
    return `unexpected argument ${extra}; ${where}`;
  }
  return null;
}
