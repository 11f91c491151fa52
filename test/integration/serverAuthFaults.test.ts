// The API's access rules against a real `ghost-hb serve`: a valid ?token= wins
// over a stale session cookie (after a token rotation), query values under
// any name but the API's own never reach audit.jsonl, more than 64 header lines
// are refused with 431 (not cut short into a 401), and an event-stream session
// is audited with its client's address.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { STATE_FILES } from '../../src/store/paths.js';
import { BIN } from '../helpers/cli.js';
import { faultsRig, until, type FaultsRig } from '../helpers/faults.js';

const TOKEN = 'test-token-0123456789abcdef';
let rig: FaultsRig;
beforeEach(() => {
  rig = faultsRig(['beta']);
});
afterEach(async () => {
  await rig.cleanup();
});

async function serve(): Promise<string> {
  const child = rig.track(
    spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--config', rig.configFile], {
      env: { ...process.env, GHOST_HB_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stderr = '';
  return new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.once('exit', () => reject(new Error(`serve exited: ${stderr}`)));
  });
}

describe('API access', () => {
  it('a valid ?token= wins over a stale session cookie', async () => {
    const url = await serve();
    const r = await fetch(`${url}/?token=${TOKEN}`, {
      headers: { Cookie: 'ghosthb_session=stale-value-from-an-old-token' },
      redirect: 'manual',
    });
    expect(r.status).toBeLessThan(400);
  });

  it('query values under unknown names are redacted in the audit log', async () => {
    const url = await serve();
    const secret = 'hunter2-sekrit-value';
    for (const q of ['tok', 'auth', 'key', 'bearer', 'token[]']) {
      await fetch(`${url}/api/status?${encodeURIComponent(q)}=${secret}`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
    }
    await fetch(`${url}/api/events?limit=5&daemon=beta`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    const audit = path.join(rig.stateDir, STATE_FILES.audit);
    await until(
      () => fs.existsSync(audit) && fs.readFileSync(audit, 'utf8').includes('limit=5'),
      'access records written',
    );
    const text = fs.readFileSync(audit, 'utf8');
    expect(text).not.toContain(secret);
    expect(text).toContain('daemon=beta');
  });

  it('more than 64 header lines are a 431, even with a valid token among them', async () => {
    const url = await serve();
    const headers: Record<string, string> = {};
    for (let i = 0; i < 70; i++) headers[`X-Pad-${i}`] = 'x';
    headers.Authorization = `Bearer ${TOKEN}`;
    const r = await fetch(`${url}/api/status`, { headers });
    expect(r.status).toBe(431);
    expect(await r.json()).toEqual({ error: 'more than 64 header lines' });
    const ok = await fetch(`${url}/api/status`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
  });

  it('an event-stream session is audited with the remote address', async () => {
    const url = await serve();
    const abort = new AbortController();
    const r = await fetch(`${url}/api/events/stream`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
      signal: abort.signal,
    });
    expect(r.status).toBe(200);
    await r.body!.getReader().read();
    abort.abort();
    const audit = path.join(rig.stateDir, STATE_FILES.audit);
    const streamRecord = () =>
      fs.existsSync(audit)
        ? fs
            .readFileSync(audit, 'utf8')
            .split('\n')
            .filter((l) => l.includes('/api/events/stream'))
            .map((l) => JSON.parse(l) as { remote: string; status: number })
        : [];
    await until(() => streamRecord().length > 0, 'the stream session audited');
    expect(streamRecord()[0]).toMatchObject({ remote: '127.0.0.1', status: 200 });
  });
});
