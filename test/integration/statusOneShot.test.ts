// `ghost-hb status` says where its settings come from, and
// reports the clock as `watch` does: asked with a bounded wait, here of a
// loopback SNTP server with a known offset.
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { writeNtpTimestamp } from '../../src/collectors/clock/sntp.js';
import { runCliInProcess, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/proc.js';

let dir: string;
let configDir: string;
let configFile: string;
/** A PATH with node but neither chronyc nor timedatectl, so SNTP is the source. */
let pathOnlyNode: string;

beforeEach(() => {
  dir = tempDir();
  configDir = tempDir('ghost-hb-config-');
  configFile = path.join(configDir, '.heartbeatrc.json');
  pathOnlyNode = path.dirname(process.execPath);
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(configDir, { recursive: true, force: true });
});

/** An SNTP server on 127.0.0.1 whose clock is `offsetMs` ahead of ours. */
function sntpServer(offsetMs: number): Promise<{ port: number; close: () => void }> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    sock.on('message', (msg, rinfo) => {
      const reply = Buffer.alloc(48);
      reply[0] = (4 << 3) | 4; // version 4, mode 4 (server)
      reply[1] = 2; // stratum
      msg.copy(reply, 24, 40, 48); // originate = the client's transmit time
      writeNtpTimestamp(reply, 32, Date.now() + offsetMs);
      writeNtpTimestamp(reply, 40, Date.now() + offsetMs);
      sock.send(reply, rinfo.port, rinfo.address);
    });
    sock.bind(0, '127.0.0.1', () =>
      resolve({ port: sock.address().port, close: () => sock.close() }),
    );
  });
}

describe('ghost-hb status: the clock', () => {
  it('fills clock.synced, offsetMs and source from a local SNTP server', async () => {
    const srv = await sntpServer(250);
    try {
      fs.writeFileSync(
        configFile,
        JSON.stringify({
          heartbeatDir: dir,
          daemons: [],
          clock: { sntpServers: [`127.0.0.1:${srv.port}`], sntpTimeout: 5 },
        }),
      );
      // Without chronyc or timedatectl on PATH, whether or not this host has them.
      const env = { PATH: pathOnlyNode };
      const r = await cli(['status', '--json', '--config', configFile], env);
      const doc = JSON.parse(r.stdout);
      expect(doc.clock).toMatchObject({ synced: true, source: `sntp 127.0.0.1:${srv.port}` });
      // Positive: the local clock is behind its reference (the server is 250 ms ahead).
      expect(Math.abs(doc.clock.offsetMs - 250)).toBeLessThan(50);
      expect(doc.sources.clock).toBe(true);
      const text = await cli(['status', '--config', configFile], env);
      expect(text.stdout).toMatch(
        /^clock {2}synced, 2\d\d\.\d ms behind, .*\(sntp 127\.0\.0\.1:\d+\)$/m,
      );
    } finally {
      srv.close();
    }
  });

  it('a PATH entry that cannot be used does not make chronyc look present and failing', async () => {
    const bad = path.join(configDir, 'bin');
    fs.mkdirSync(bad);
    // Named like the tool, not executable: execvp would fail the lookup with EACCES.
    fs.writeFileSync(path.join(bad, 'chronyc'), '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    fs.writeFileSync(configFile, JSON.stringify({ heartbeatDir: dir, daemons: [] }));
    const r = await cli(['status', '--json', '--config', configFile], {
      PATH: `${bad}${path.delimiter}${pathOnlyNode}`,
    });
    const doc = JSON.parse(r.stdout);
    expect(doc.clock).toMatchObject({
      synced: null,
      offsetMs: null,
      note: expect.stringMatching(/^no clock source/),
    });
    expect('clock' in doc.sources).toBe(false);
  });
});

describe('ghost-hb status: where the settings come from', () => {
  it('names the config file and the heartbeat directory, in text and JSON', async () => {
    fs.writeFileSync(configFile, JSON.stringify({ heartbeatDir: dir, daemons: ['alpha'] }));
    const json = JSON.parse((await cli(['status', '--json', '--config', configFile])).stdout);
    expect(json.origin).toEqual({ configFile, defaultDaemons: false });
    expect(json.heartbeatDir).toBe(dir);
    const text = (await cli(['status', '--config', configFile])).stdout;
    expect(text).toContain(`config ${configFile}\n`);
    expect(text).toContain(`heartbeats ${dir}\n`);
    expect(text).not.toContain('built-in default list');
  });

  it('without a config: built-in defaults, and how to declare your own daemons', async () => {
    const empty = tempDir('ghost-hb-noconfig-');
    try {
      fs.mkdirSync(path.join(empty, '_heartbeat'));
      const json = JSON.parse((await cli(['status', '--json'], {}, empty)).stdout);
      expect(json.origin).toEqual({ configFile: null, defaultDaemons: true });
      expect(json.heartbeatDir).toBe(path.join(fs.realpathSync(empty), '_heartbeat'));
      const r = await cli(['status'], {}, empty);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('config built-in defaults (no .heartbeatrc found)');
      expect(r.stdout).toContain("ghost-hb's built-in default list");
      expect(r.stdout).toContain('create a .heartbeatrc');
      expect(r.stdout).toContain('daemons: [myapp, worker]');
      expect(r.stdout).toContain('ghost-hb beat myapp --every 5');
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

/** The CLI in this process, without colour, from the config's directory unless told. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = configDir): Promise<CliResult> {
  return runCliInProcess(args, { env: { NO_COLOR: '1', ...env }, cwd });
}
