// Entry point: picks the subcommand, parses its flags with meow, runs it and
// turns its result (or a ConfigError) into an exit code.
import meow from 'meow';
import { ConfigError } from '../config/schema.js';
import { EXIT, type Command } from './command.js';
import { beatCommand } from './commands/beat.js';
import { eventsCommand } from './commands/events.js';
import { serveCommand } from './commands/serve.js';
import { statusCommand } from './commands/status.js';
import { watchCommand } from './commands/watch.js';
import { monitorCommand } from './commands/monitor.js';
import { demoCommand } from './commands/demo.js';
import { VERSION } from '../version.js';

// The registry: every subcommand, in the order `ghost-hb --help` lists them.
// The first entry with name '' is what runs without a subcommand.
const commands: Command[] = [
  monitorCommand,
  statusCommand,
  beatCommand,
  watchCommand,
  serveCommand,
  eventsCommand,
  demoCommand,
];

function overview(): string {
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
  const named =
    first && !first.startsWith('-') ? commands.find((c) => c.name === first) : undefined;
  if (first && !first.startsWith('-') && !named) {
    process.stderr.write(`ghost-hb: unknown command "${first}"\n${overview()}`);
    return EXIT.UNKNOWN;
  }
  const command = named ?? commands.find((c) => c.name === '');
  const rest = named ? argv.slice(1) : argv;
  if (!command) {
    process.stdout.write(overview());
    return EXIT.OK;
  }
  const cli = meow(command.name === '' ? `${command.help}\n${overview()}` : command.help, {
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
    throw err;
  }
}
