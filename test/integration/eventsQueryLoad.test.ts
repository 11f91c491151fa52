// /api/events over a large event log does not hold the event loop: while a
// query that the ring cannot answer (more matches than it holds) reads ~30 MB of rotated log, /healthz is
// answered first (an order, not a timing).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { BIN } from '../helpers/cli.js';
import { faultsRig, type FaultsRig } from '../helpers/faults.js';

const TOKEN = 'test-token-0123456789abcdef';
let rig: FaultsRig;
beforeEach(() => {
  rig = faultsRig(['beta']);
});
afterEach(async () => {
  await rig.cleanup();
});

function seed(stateDir: string): string {
  fs.mkdirSync(stateDir, { recursive: true });
  const t0 = Date.now() - 86_400_000;
  let id = 1;
  for (let f = 3; f >= 1; f--) {
    let text = '';
    while (text.length < 10 * 1024 * 1024) {
      text += `${JSON.stringify({ id: String(id), at: new Date(t0 + id).toISOString(), severity: 'warn', rule: 'late', daemon: `old${id % 10}`, message: `old is late ${'x'.repeat(100)}` })}\n`;
      id++;
    }
    fs.writeFileSync(path.join(stateDir, `events.jsonl.${f}`), text);
  }
  return new Date(t0).toISOString();
}

describe('/api/events over a large log', () => {
  it('reads the log without holding the event loop: /healthz answers while it reads', async () => {
    const since = seed(rig.stateDir);
    const child = rig.track(
      spawn(
        process.execPath,
        [BIN, 'serve', '--listen', '127.0.0.1:0', '--config', rig.configFile],
        {
          env: { ...process.env, GHOST_HB_TOKEN: TOKEN },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
    );
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', (c: Buffer) => {
        stderr += c.toString();
        const m = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`serve exited: ${stderr}`)));
    });
    const headers = { Authorization: `Bearer ${TOKEN}` };
    const order: string[] = [];
    const query = fetch(
      `${url}/api/events?since=${encodeURIComponent(since)}&daemon=old3&limit=500`,
      { headers },
    ).then(async (r) => {
      order.push('events');
      return { status: r.status, body: (await r.json()) as { events: unknown[] } };
    });
    // Once the query is being served, a health check must not wait for it.
    for (let i = 0; i < 5 && !order.includes('events'); i++) {
      await fetch(`${url}/healthz`).then(() => order.push('healthz'));
    }
    const r = await query;
    expect(r.status).toBe(200);
    expect(r.body.events.length).toBe(500);
    // Several health checks came and went while the log was being read.
    expect(order.slice(0, 3)).toEqual(['healthz', 'healthz', 'healthz']);
    child.kill('SIGTERM');
  }, 120_000);
});
