// `ghost-hb serve` as a user runs it: the built binary, a real heartbeat
// directory and state directory, real HTTP; SIGTERM stops it with exit 0 and
// every request is in the audit log.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BIN } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'serve-test-token-0123456789';

describe('ghost-hb serve', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ghb-serve-'));
  const hb = path.join(tmp, 'hb');
  const state = path.join(tmp, 'state');

  beforeAll(() => {
    mkdirSync(hb);
    writeFileSync(
      path.join(hb, 'relayCore.json'),
      JSON.stringify({ pid: process.pid, ts: Date.now(), interval: 60 }),
    );
    writeFileSync(
      path.join(tmp, '.heartbeatrc'),
      JSON.stringify({ daemons: ['relayCore'], discover: false, pollInterval: 1 }),
    );
  }, 60_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('serves the API, stops on SIGTERM with exit 0, and audits every request', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--listen', '127.0.0.1:0', '--dir', hb, '--state-dir', state],
      {
        cwd: tmp,
        env: { ...process.env, GHOST_HB_TOKEN: TOKEN },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line: ${stderr}`)), 15_000);
      child.stderr.on('data', (c: string) => {
        stderr += c;
        const m = /serving (http:\/\/127\.0\.0\.1:\d+) \(token from GHOST_HB_TOKEN\)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    expect(stderr).not.toContain(TOKEN);
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const status = await waitFor(async () => {
      const r = await fetch(`${url}/api/status`, { headers: auth });
      return r.status === 200 ? r : undefined;
    }, 'the first snapshot from /api/status');
    const snap = (await status.json()) as { daemons: Array<{ name: string; status: string }> };
    expect(snap.daemons.map((d) => [d.name, d.status])).toEqual([['relayCore', 'up']]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/api/events?limit=5`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const metrics = await (await fetch(`${url}/metrics`, { headers: auth })).text();
    expect(metrics).toContain('ghosthb_daemon_up{daemon="relayCore"} 1');
    expect(metrics).toMatch(/ghosthb_poll_duration_seconds_count \d+/);

    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    const audit = readFileSync(path.join(state, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit[0]).toMatchObject({ kind: 'start', command: 'serve' });
    expect(audit.at(-1)).toMatchObject({ kind: 'stop', reason: 'SIGTERM' });
    const api = audit.filter((a) => a.kind === 'api');
    expect(api.length).toBeGreaterThanOrEqual(5);
    expect(api).toContainEqual(
      expect.objectContaining({
        method: 'GET',
        path: '/metrics',
        status: 401,
        auth: 'missing',
        remote: '127.0.0.1',
      }),
    );
    expect(api).toContainEqual(
      expect.objectContaining({ path: '/api/events?limit=5', status: 200, auth: 'ok' }),
    );
    expect(readFileSync(path.join(state, 'audit.jsonl'), 'utf8')).not.toContain(TOKEN);
  }, 40_000);

  it('refuses a non-loopback address without a token, with exit 3 and a clear error', () => {
    const env = { ...process.env };
    delete env.GHOST_HB_TOKEN;
    const r = spawnSync(
      process.execPath,
      [BIN, 'serve', '--listen', '0.0.0.0:9464', '--dir', hb, '--state-dir', state],
      { cwd: tmp, env, encoding: 'utf8', timeout: 15_000 },
    );
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
    expect(r.stderr).toMatch(/api\.token or api\.tokenFile/);
  }, 20_000);
});
