// Pings over the agent's unix socket: `watch` (no HTTP server) and `serve`
// (whose HTTP pings need a token) both take /ping/NAME... on agent.sock
// without one, the socket's owner-only mode being the authentication.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import { findAgent } from '../../src/agent/client.js';
import { STATE_FILES } from '../../src/store/paths.js';
import { agentScene } from '../helpers/agents.js';
import { waitFor } from '../helpers/proc.js';

jest.setTimeout(120_000);

const scene = agentScene('ghost-hb-sockping-', {
  pollInterval: 0.5,
  discover: false,
  daemons: ['backup'],
  api: { token: 'a-long-enough-test-token-0123456789' },
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
    const { child } = scene.startAgent(command);
    const sock = path.join(scene.stateDir, STATE_FILES.socket);
    await waitFor(
      () =>
        findAgent(scene.stateDir)?.holder.pid === child.pid && fs.existsSync(sock)
          ? true
          : undefined,
      `${command} to serve its socket`,
      60_000,
    );
    expect((await socketRequest(sock, 'POST', '/ping/backup/start')).status).toBe(200);
    const done = await socketRequest(sock, 'POST', '/ping/backup/3', 'disk full');
    expect(done).toMatchObject({ status: 200 });
    const hb = JSON.parse(fs.readFileSync(path.join(scene.hbDir, 'backup.json'), 'utf8'));
    expect(hb).toMatchObject({ source: 'http', status: 'failing', message: 'disk full' });
    expect(hb.exit).toMatchObject({ code: 3, signal: null });
    expect((await socketRequest(sock, 'GET', '/ping/..%2f..%2fetc%2fpasswd')).status).toBe(400);
    expect((await socketRequest(sock, 'GET', '/ping/nobody')).status).toBe(404);
    expect(fs.readdirSync(scene.hbDir)).toEqual(['backup.json']);
  });
});
