// Daemon entries with checks: probe, systemd and schedule keys resolved, and
// bad ones refused with the key and the reason.
import { describe, expect, it } from '@jest/globals';
import { ConfigError, resolveConfig } from '../../src/config/schema.js';

const resolve = (daemon: Record<string, unknown>) =>
  resolveConfig({ daemons: [{ name: 'd', ...daemon }] }, { baseDir: '/srv', configFile: null })
    .daemons[0]!;

function problem(daemon: Record<string, unknown>): string {
  try {
    resolve(daemon);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return 'accepted';
}

describe('daemon checks in the config', () => {
  it('resolves a probe with its defaults', () => {
    expect(resolve({ probe: 'http://127.0.0.1:8080/health' }).probe).toEqual({
      spec: { kind: 'http', url: 'http://127.0.0.1:8080/health' },
      timeoutMs: 5000,
      expectStatus: null,
      slowMs: 2500,
    });
    expect(
      resolve({ probe: 'http://127.0.0.1/', timeout: 2, expectStatus: 204, slowAfter: 0.2 }).probe,
    ).toMatchObject({ timeoutMs: 2000, expectStatus: 204, slowMs: 200 });
  });

  it('resolves a unit and a schedule (grace 5 min unless given)', () => {
    expect(resolve({ systemd: 'nginx.service' }).systemd).toBe('nginx.service');
    expect(resolve({ schedule: '0 3 * * *', timezone: 'Europe/Berlin' }).schedule).toEqual({
      expression: '0 3 * * *',
      timezone: 'Europe/Berlin',
      graceSec: 300,
      maxDurationSec: null,
    });
    expect(
      resolve({ schedule: '*/10 * * * *', grace: 60, maxDuration: 120 }).schedule,
    ).toMatchObject({ graceSec: 60, maxDurationSec: 120 });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ probe: 'ftp://x' }, 'daemons[0].probe: probe "ftp://x" must be'],
    [{ probe: 'tcp:db:99999' }, 'port must be 1-65535'],
    [{ timeout: 2 }, 'daemons[0].timeout: only applies with probe'],
    [{ probe: 'tcp:db:5432', expectStatus: 200 }, 'only applies to an http(s) probe'],
    [{ probe: 'http://x/', expectStatus: 99 }, 'daemons[0].expectStatus'],
    [{ systemd: '--now' }, 'must be a systemd unit name'],
    [{ systemd: 'a b.service' }, 'must be a systemd unit name'],
    [{ schedule: '0 3 * *' }, 'daemons[0].schedule'],
    [{ schedule: '0 3 * * *', timezone: 'Mars/Olympus' }, 'must be an IANA time zone'],
    [{ maxDuration: 60 }, 'only applies with schedule'],
  ])('refuses %j', (daemon, message) => {
    expect(problem(daemon)).toContain(message);
  });
});
