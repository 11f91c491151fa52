import { describe, expect, it } from '@jest/globals';
import { ConfigError, DEFAULT_DAEMONS, resolveConfig } from '../../src/config/schema.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const base = { baseDir: '/srv/app', configFile: '/srv/app/.heartbeatrc' };

function issuesOf(raw: unknown): string[] {
  try {
    resolveConfig(raw, base);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.map((i) => `${i.key}: ${i.problem}`);
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig', () => {
  it('applies the documented defaults to an empty file', () => {
    const cfg = resolveConfig({}, base);
    expect(cfg.heartbeatDir).toBe('/srv/app/_heartbeat');
    expect(cfg.pollInterval).toBe(5);
    expect(cfg.daemons.map((d) => d.name)).toEqual([...DEFAULT_DAEMONS]);
    expect(cfg.daemons[0]).toMatchObject({
      interval: 5,
      tolerance: 1,
      grace: 15,
      retries: 1,
      declared: true,
    });
    expect(cfg.discover).toBe(true);
    expect(cfg.stateDir).toBeNull();
    expect(cfg.api.listen).toBe('127.0.0.1:9464');
    expect(cfg.events).toEqual({
      max: 1000,
      rotateBytes: 10 * 1024 * 1024,
      keep: 5,
      retentionDays: 14,
    });
  });

  it.each([
    [
      { daemons: [{ name: 'watchdog', interval: 10 }] },
      { interval: 10, grace: 30, graceFromInterval: true },
    ],
    [
      { daemons: [{ name: 'w', interval: 10, grace: 4 }] },
      { interval: 10, grace: 4, graceFromInterval: false },
    ],
    [
      { defaults: { grace: 7 }, daemons: [{ name: 'w', interval: 10 }] },
      { grace: 7, graceFromInterval: false },
    ],
    [
      { defaults: { retries: 3 }, daemons: ['a'] },
      { retries: 3, match: null, critical: false },
    ],
    [
      { daemons: [{ name: 'w', match: 'watchdogd', critical: true }] },
      { match: 'watchdogd', critical: true },
    ],
  ])('resolves per-daemon overrides %j', (raw, expected) => {
    expect(resolveConfig(raw, base).daemons[0]).toMatchObject(expected);
  });

  it('resolves paths against the config file directory', () => {
    const cfg = resolveConfig({ heartbeatDir: '../hb', stateDir: 'state' }, base);
    expect(cfg.heartbeatDir).toBe('/srv/hb');
    expect(cfg.stateDir).toBe('/srv/app/state');
  });

  it.each<[unknown, RegExp]>([
    [
      { pollIntervall: 5 },
      /pollIntervall: unknown key "pollIntervall"; allowed keys are heartbeatDir, pollInterval/,
    ],
    [{ pollInterval: -1 }, /^pollInterval: must be at least 0.001 \(seconds\)/],
    [{ defaults: { interval: 1e-300 } }, /^defaults\.interval: must be at least 0.001 \(seconds\)/],
    [{ daemons: [{ name: 'a', interval: 1e-300 }] }, /^daemons\[0\]\.interval: must be at least/],
    [{ defaults: { grace: 1e-300 } }, /^defaults\.grace: must be 0 or at least 0.001/],
    [{ pollInterval: 1e300 }, /^pollInterval: must be at most 31622400 \(seconds: a year\)/],
    [{ pollInterval: 'fast' }, /^pollInterval: .*number/i],
    [{ daemons: [42] }, /^daemons\[0\]: must be a daemon name/],
    [{ daemons: ['bad name\u001b[31m'] }, /^daemons\[0\]: must be a daemon name/],
    [{ daemons: [{ name: 'a', intervall: 3 }] }, /^daemons\[0\]\.intervall: unknown key/],
    [{ daemons: ['a', 'a'] }, /^daemons\[1\]: "a" is listed twice/],
    [{ api: { listen: 'everywhere' } }, /^api\.listen: host:port/],
    [{ alerts: { flapLowPct: 40, flapHighPct: 30 } }, /^alerts\.flapLowPct: must not exceed/],
    [[1, 2], /^\(top level\): must be an object/],
  ])('rejects %j with a message naming the key', (raw, pattern) => {
    const issues = issuesOf(raw);
    expect(issues.some((i) => pattern.test(i))).toBe(true);
  });

  it('names the file in the error message', () => {
    expect(() => resolveConfig({ discover: 'yes' }, base)).toThrow(
      /^\/srv\/app\/\.heartbeatrc: discover: /,
    );
  });
});

describe('loadConfig on a file that does not parse', () => {
  const load = async (name: string, text: string) => {
    const { loadConfig } = await import('../../src/config/load.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-badyaml-'));
    fs.writeFileSync(path.join(dir, name), text);
    try {
      await loadConfig({ cwd: dir });
      throw new Error('loaded');
    } catch (err) {
      return (err as Error).message;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it("gives the YAML parser's line and column", async () => {
    const message = await load('.heartbeatrc', 'pollInterval: 5\ndaemons:\n  - a\n  b: [\n');
    expect(message).toMatch(
      /\.heartbeatrc: \(file\): cannot be parsed: line 4, column 3: bad indentation of a mapping entry; fix the syntax/,
    );
  });

  it("gives the JSON parser's complaint, not cosmiconfig's heading", async () => {
    const message = await load('.heartbeatrc.json', '{"pollInterval": 5,\n "x": }\n');
    expect(message).toMatch(/cannot be parsed: Unexpected token/);
    expect(message).not.toMatch(/JSON Error in/);
  });
});
