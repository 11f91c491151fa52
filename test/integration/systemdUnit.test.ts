// The example systemd unit (examples/systemd/ghost-hb.service) checked by
// systemd itself: `systemd-analyze verify` (syntax, every key known, values
// that parse, the command found on systemd's fixed search path) and
// `systemd-analyze security --offline` (its hardening), both against a
// throwaway root holding systemd's own units and a `ghost-hb` command where
// `npm install -g` puts it. No running systemd is needed.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load.js';
import { requireTool } from '../helpers/tools.js';

const UNIT = path.resolve('examples/systemd/ghost-hb.service');
const CONFIG = path.resolve('examples/systemd/heartbeatrc');
const SYSTEM_UNITS = '/usr/lib/systemd/system';

const run = requireTool('systemd-analyze', 'systemd') ? describe : describe.skip;

/** Every value of `key=` in the unit's text, in order. */
function directive(text: string, key: string): string[] {
  return [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!.trim());
}

run('examples/systemd/ghost-hb.service', () => {
  const unitText = readFileSync(UNIT, 'utf8');
  let root = '';

  /** Install `text` as ghost-hb.service in the root and run systemd-analyze on it. */
  function analyze(args: string[], text = unitText) {
    writeFileSync(path.join(root, 'etc/systemd/system/ghost-hb.service'), text);
    const r = spawnSync('systemd-analyze', [...args, `--root=${root}`, 'ghost-hb.service'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
  }

  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'ghb-systemd-'));
    mkdirSync(path.join(root, 'etc/systemd/system'), { recursive: true });
    // The targets the unit orders itself against (sysinit, network, multi-user...).
    cpSync(SYSTEM_UNITS, path.join(root, SYSTEM_UNITS), { recursive: true });
    // What `npm install -g` puts on PATH: the package's bin name in <prefix>/bin.
    const { bin } = JSON.parse(readFileSync('package.json', 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(Object.keys(bin)).toEqual(['ghost-hb']);
    mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
    const command = path.join(root, 'usr/bin/ghost-hb');
    writeFileSync(command, '#!/bin/sh\n');
    chmodSync(command, 0o755);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('passes `systemd-analyze verify` without a single warning', () => {
    const r = analyze(['verify', '--man=no']);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  it('is caught by the same check when broken (a warning, though systemd exits 0)', () => {
    const broken = unitText.replace('Restart=on-failure', 'Restart=sometimes\nProtectSystm=strict');
    const r = analyze(['verify', '--man=no'], broken);
    expect(r.out).toContain('Failed to parse service restart specifier');
    expect(r.out).toContain("Unknown key 'ProtectSystm'");
    const missing = analyze(
      ['verify', '--man=no'],
      unitText.replace(/ExecStart=ghost-hb/, 'ExecStart=ghost-hbx'),
    );
    expect(missing.out).toContain('ghost-hbx is not executable');
    expect(missing.status).not.toBe(0);
  });

  it('is hardened: `systemd-analyze security` rates its exposure 2.0 or less', () => {
    const r = analyze(['security', '--offline=true', '--threshold=20', '--no-pager']);
    expect(r.out).toMatch(/Overall exposure level for ghost-hb\.service: [0-2]\.\d OK/);
    expect(r.status).toBe(0);
  });

  it('runs the agent the way the README deploys it: a restarted service with a private state directory', () => {
    expect(directive(unitText, 'ExecStart')).toEqual([
      'ghost-hb serve --config /etc/ghost-hb/heartbeatrc',
    ]);
    expect(directive(unitText, 'Restart')).toEqual(['on-failure']);
    // A bad configuration (exit 3) would fail the same way on every restart.
    expect(directive(unitText, 'RestartPreventExitStatus')).toEqual(['3']);
    expect(directive(unitText, 'NoNewPrivileges')).toEqual(['yes']);
    expect(directive(unitText, 'ProtectSystem')).toEqual(['strict']);
    expect(directive(unitText, 'StateDirectory')).toEqual(['ghost-hb']);
    expect(directive(unitText, 'User')).toEqual(['ghost-hb']);
    // Node's JIT needs writable executable memory; other users' /proc entries are what it watches.
    expect(directive(unitText, 'MemoryDenyWriteExecute')).toEqual([]);
    expect(directive(unitText, 'ProtectProc')).toEqual([]);
    expect(directive(unitText, 'ProcSubset')).toEqual([]);
  });

  it('ships a config that loads and agrees with the unit (state directory, heartbeat directory, token file)', async () => {
    const config = await loadConfig({ file: CONFIG });
    expect(config.stateDir).toBe(`/var/lib/${directive(unitText, 'StateDirectory')[0]}`);
    expect(directive(unitText, 'ReadWritePaths')).toEqual([`-${config.heartbeatDir}`]);
    expect(config.api.tokenFile).toBe('/etc/ghost-hb/api-token');
    expect(config.api.listen).toBe('127.0.0.1:9464');
    expect(unitText).toContain('install -m 0600 -o ghost-hb /dev/null /etc/ghost-hb/api-token');
  });
});
