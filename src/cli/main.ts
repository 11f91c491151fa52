// Entry point: picks the subcommand, parses its flags with meow, runs it and
// turns its result (or a ConfigError) into an exit code.
import meow from 'meow';
import { ConfigError } from '../config/schema.js';
import { StateDirError } from '../store/stateDirError.js';
import { EXIT, type Command } from './command.js';
import { isFastCommand } from './fast.js';
import { VERSION } from '../version.js';

// The registry: every subcommand, in the order `ghost-hb --help` lists them.
// The first entry with name '' is what runs without a subcommand. Commands are
// loaded when run, so the monitor does not pay at start-up for the HTTP
// server's or the event reader's dependencies (time and memory).
interface CommandEntry {
  name: string;
  load(): Promise<Command>;
}
/**
 * Before the monitor's modules load: React's production build (the development
 * build costs about a third more CPU per frame), and Ink with its text
 * measurement cache bounded (unbounded in Ink 6.8; see ui/inkCaches.ts) and
 * interactive rendering even under CI=true. The monitor runs for weeks.
 */
async function prepareForLongRun(): Promise<void> {
  process.env.NODE_ENV ??= 'production';
  const { importInkWithBoundedCaches } = await import('../ui/inkCaches.js');
  // Ink reads CI once, at import, and then draws only the last frame. Whether
  // to draw is ghost-hb's call (stdout a terminal or not), so CI is hidden
  // while Ink loads and restored for everything else (the demo's children).
  const hidden = hideEnv(['CI', 'CONTINUOUS_INTEGRATION']);
  try {
    await importInkWithBoundedCaches();
  } finally {
    Object.assign(process.env, hidden);
  }
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
    load: async () => {
      await prepareForLongRun();
      return (await import('./commands/monitor.js')).monitorCommand;
    },
  },
  { name: 'status', load: async () => (await import('./commands/status.js')).statusCommand },
  { name: 'beat', load: async () => (await import('./commands/beat.js')).beatCommand },
  { name: 'run', load: async () => (await import('./commands/run.js')).runCommand },
  { name: 'watch', load: async () => (await import('./commands/watch.js')).watchCommand },
  { name: 'serve', load: async () => (await import('./commands/serve.js')).serveCommand },
  { name: 'events', load: async () => (await import('./commands/events.js')).eventsCommand },
  { name: 'silence', load: async () => (await import('./commands/silence.js')).silenceCommand },
  { name: 'notify', load: async () => (await import('./commands/notify.js')).notifyCommand },
  {
    name: 'demo',
    load: async () => {
      await prepareForLongRun();
      return (await import('./commands/demo.js')).demoCommand;
    },
  },
];

async function overview(): Promise<string> {
  const commands = await Promise.all(registry.map((e) => e.load()));
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  const lines = commands.map((c) => `    ${(c.name || '(none)').padEnd(width)}  ${c.summary}`);
  return `
  Usage
    $ ghost-hb [command] [options]

  Commands
${lines.join('\n')}

  Run "ghost-hb COMMAND --help" for a command's options.
  Exit codes: 0 ok, 1 warning (late), 2 critical (down), 3 cannot run.
`;
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

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const first = argv[0];
  // `beat` (and `run`) skip meow: see cli/fast.ts.
  if (isFastCommand(first)) return (await import('./fast.js')).fastMain(argv);
  const named =
    first && !first.startsWith('-') ? registry.find((c) => c.name === first) : undefined;
  if (first && !first.startsWith('-') && !named) {
    process.stderr.write(`ghost-hb: unknown command "${first}"\n${await overview()}`);
    return EXIT.UNKNOWN;
  }
  const entry = named ?? registry.find((c) => c.name === '');
  const rest = named ? argv.slice(1) : argv;
  if (!entry) {
    process.stdout.write(await overview());
    return EXIT.OK;
  }
  const command = await entry.load();
  // The command list is only needed when help is asked for.
  const help =
    command.name === '' && (rest.includes('--help') || rest.includes('-h'))
      ? `${command.help}\n${await overview()}`
      : command.help;
  const cli = meow(help, {
    importMeta: import.meta,
    argv: rest,
    flags: command.flags,
    version: VERSION,
    // Unknown flags are checked below: meow would exit with 2, which means
    // "critical" to a Nagios-style caller, where a usage error must be 3.
    allowUnknownFlags: true,
    autoHelp: true,
    autoVersion: true,
  });
  const unknown = unknownFlags(command, Object.keys(cli.unnormalizedFlags));
  if (unknown.length > 0) {
    const list = unknown.map((f) => (f.length === 1 ? `-${f}` : `--${f}`)).join(', ');
    process.stderr.write(
      `ghost-hb: unknown option${unknown.length > 1 ? 's' : ''} ${list}; see "ghost-hb ${command.name ? `${command.name} ` : ''}--help"\n`,
    );
    return EXIT.UNKNOWN;
  }
  try {
    return await command.run({
      args: cli.input,
      flags: cli.flags as Record<string, unknown>,
      stdout: process.stdout,
      stderr: process.stderr,
      cwd: process.cwd(),
      env: process.env,
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ghost-hb: bad configuration: ${err.message}\n`);
      return EXIT.UNKNOWN;
    }
    if (err instanceof StateDirError) {
      process.stderr.write(`ghost-hb: ${err.message}\n`);
      return EXIT.UNKNOWN;
    }
    throw err;
  }
}
