// Pings over the agent's unix socket: `watch` (no HTTP server) and `serve`
// (whose HTTP pings need a token) both take /ping/NAME... on agent.sock
// without one, the socket's owner-only mode being the authentication.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { findAgent } from '../../src/agent/client.js';
import { STATE_FILES } from '../../src/store/paths.js';
import { BIN } from '../helpers/cli.js';
import { killAll, killHard, tempDir, waitFor } from '../helpers/proc.js';

jest.setTimeout(120_000);

let root: string;
let hbDir: string;
let stateDir: string;
let configFile: string;
const agents = new Set<ChildProcess>();

beforeEach(() => {
  root = tempDir('ghost-hb-sockping-');
  hbDir = path.join(root, 'hb');
  stateDir = path.join(root, 'state');
  fs.mkdirSync(hbDir);
  configFile = path.join(root, '.heartbeatrc.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      heartbeatDir: hbDir,
      stateDir,
      pollInterval: 0.5,
      discover: false,
      daemons: ['backup'],
      api: { token: 'a-long-enough-test-token-0123456789' },
    }),
  );
});
afterEach(async () => {
  await Promise.all([...agents].map((c) => killHard(c)));
  agents.clear();
  await killAll();
  fs.rmSync(root, { recursive: true, force: true });
});

function socketRequest(
  socketPath: string,
  method: string,
  urlPath: string,
  body = '',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: urlPath }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.each(['watch', 'serve'] as const)('pings over the socket of %s', (command) => {
  it('writes the heartbeat, no token asked; bad names are still refused', async () => {
    const args = [BIN, command, '--config', configFile];
    if (command === 'serve') args.push('--listen', '127.0.0.1:0');
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    agents.add(child);
    const sock = path.join(stateDir, STATE_FILES.socket);
    await waitFor(
      () =>
        findAgent(stateDir)?.holder.pid === child.pid && fs.existsSync(sock) ? true : undefined,
      `${command} to serve its socket`,
      60_000,
    );
    expect((await socketRequest(sock, 'POST', '/ping/backup/start')).status).toBe(200);
    const done = await socketRequest(sock, 'POST', '/ping/backup/3', 'disk full');
    expect(done).toMatchObject({ status: 200 });
    const hb = JSON.parse(fs.readFileSync(path.join(hbDir, 'backup.json'), 'utf8'));
    expect(hb).toMatchObject({ source: 'http', status: 'failing', message: 'disk full' });
    expect(hb.exit).toMatchObject({ code: 3, signal: null });
    expect((await socketRequest(sock, 'GET', '/ping/..%2f..%2fetc%2fpasswd')).status).toBe(400);
    expect((await socketRequest(sock, 'GET', '/ping/nobody')).status).toBe(404);
    expect(fs.readdirSync(hbDir)).toEqual(['backup.json']);
  });
});
