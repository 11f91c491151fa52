// Usage errors and the help/version forms, through the built binary.
import { describe, expect, it } from '@jest/globals';
import { runCli } from '../helpers/cli.js';
import { closestCommand } from '../../src/cli/main.js';

describe('ghost-hb usage', () => {
  it.each([['-v'], ['version'], ['--version']])('%s prints the version', (arg) => {
    const r = runCli([arg]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('help lists the commands; help COMMAND shows its options', () => {
    const all = runCli(['help']);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('status');
    expect(all.stdout).toContain('version');
    const one = runCli(['help', 'status']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('--json');
  });

  it.each([
    [['stauts'], /unknown command "stauts"; did you mean status\?/],
    [['status', 'extra'], /unexpected argument "extra"; see "ghost-hb status --help"/],
    [['status', '--dir'], /--dir needs a value/],
    [['--interval'], /--interval needs a value/],
    [['events', '--limit', '--json'], /--limit needs a value/],
    [['watch', '--interval', '1e9'], /--interval: pollInterval: 1000000000: must be at most/],
    [['--interval', '0'], /--interval: pollInterval: 0: must be at least 0.001/],
  ])('%j is a usage error (exit 3)', (args, message) => {
    const r = runCli(args);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(message);
  });
});

describe('the command registry', () => {
  it('suggests only near names', () => {
    expect(closestCommand('stauts')).toBe('status');
    expect(closestCommand('evnets')).toBe('events');
    expect(closestCommand('xyzzy')).toBeNull();
  });
});
