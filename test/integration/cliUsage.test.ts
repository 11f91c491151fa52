// Usage errors and the help/version forms (in-process: the built binary's
// exit codes are tested in cli.test.ts).
import { describe, expect, it } from '@jest/globals';
import { runCliInProcess } from '../helpers/cli.js';
import { closestCommand } from '../../src/cli/main.js';

describe('ghost-hb usage', () => {
  it.each([[['-v']], [['version']], [['--version']], [['status', '--version']]])(
    '%j prints the version',
    async (args) => {
      const r = await runCliInProcess(args);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    },
  );

  it('help lists the commands; help COMMAND and COMMAND --help show its options', async () => {
    const all = await runCliInProcess(['help']);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('status');
    expect(all.stdout).toContain('version');
    const one = await runCliInProcess(['help', 'status']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('--json');
    expect(await runCliInProcess(['status', '--help'])).toEqual(one);
  });

  it.each([
    [['stauts'], /unknown command "stauts"; did you mean status\?/],
    [['status', 'extra'], /unexpected argument "extra"; see "ghost-hb status --help"/],
    [['status', '--dir'], /--dir needs a value/],
    [['--interval'], /--interval needs a value/],
    [['events', '--limit', '--json'], /--limit needs a value/],
    [['watch', '--interval', '1e9'], /--interval: pollInterval: 1000000000: must be at most/],
    [['--interval', '0'], /--interval: pollInterval: 0: must be at least 0.001/],
  ])('%j is a usage error (exit 3)', async (args, message) => {
    const r = await runCliInProcess(args);
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
