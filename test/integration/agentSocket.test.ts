// The agent's unix socket, with real processes: `watch` and `serve` serve the
// API on <stateDir>/agent.sock, owner-only even under umask 000; the socket of
// an agent killed with -9 is replaced by the next one; `ghost-hb status` asks
// the running agent (its audit log records the request) instead of polling.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import { agentGet, findAgent } from '../../src/agent/client.js';
import type { Snapshot } from '../../src/core/types.js';
import { STATE_FILES } from '../../src/store/paths.js';
import { runCliInProcess } from '../helpers/cli.js';
import { agentScene } from '../helpers/agents.js';
import { killHard, spawnBeater, waitFor } from '../helpers/proc.js';

// Real processes on a shared, busy machine: each start costs seconds.
jest.setTimeout(120_000);

const scene = agentScene('ghost-hb-sock-', {
  pollInterval: 0.5,
  discover: false,
  daemons: [{ name: 'relay', interval: 0.5, tolerance: 0.5, grace: 1.5 }],
  alerts: { minUptimeSec: 0 },
  api: { token: 'a-long-enough-test-token-0123456789' },
});

/** Start an agent under umask 000, so only the code's own care keeps the socket private. */
const startAgent = (command: 'watch' | 'serve'): ChildProcess =>
  scene.startAgent(command, { umask: '000' }).child;

const sock = () => path.join(scene.stateDir, STATE_FILES.socket);
const serving = (child: ChildProcess) => async () => {
  const agent = findAgent(scene.stateDir);
  if (!agent || agent.holder.pid !== child.pid) return undefined;
  const s = await agentGet<Snapshot>(agent.socket, '/api/status', { timeoutMs: 2000 });
  return s.daemons.length > 0 ? s : undefined;
};

describe('the agent socket', () => {
  it('watch serves the API on an owner-only socket: status, events, availability', async () => {
    spawnBeater(scene.hbDir, 'relay', 100);
    const watch = startAgent('watch');
    const snap = await waitFor(serving(watch), 'watch to serve its socket', 30_000);
    expect(snap.daemons.map((d) => d.name)).toEqual(['relay']);
    const st = fs.lstatSync(sock());
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);

    const { events } = await agentGet<{ events: unknown[] }>(sock(), '/api/events');
    expect(Array.isArray(events)).toBe(true);
    const avail = await waitFor(
      async () => {
        const a = await agentGet<{ h1: number | null }>(sock(), '/api/daemons/relay/availability');
        return a.h1 !== null ? a : undefined;
      },
      'availability figures',
      30_000,
    );
    expect(avail.h1).toBeGreaterThan(0);

    // `status` asks the agent: the request is in the agent's audit log.
    const r = await runCliInProcess(['status', '--json', '--config', scene.configFile]);
    expect(JSON.parse(r.stdout).daemons[0].name).toBe('relay');
    await waitFor(
      () =>
        /"path":"\/api\/status"/.test(
          fs.readFileSync(path.join(scene.stateDir, STATE_FILES.audit), 'utf8'),
        ) || undefined,
      'the status request in the agent audit log',
      30_000,
    );

    watch.kill('SIGTERM');
    await new Promise((r) => watch.once('exit', r));
    expect(fs.existsSync(sock())).toBe(false);
  });

  it('a socket left by an agent killed with -9 is replaced by the next agent', async () => {
    const first = startAgent('watch');
    await waitFor(serving(first), 'the first agent to serve', 30_000);
    await killHard(first);
    expect(fs.lstatSync(sock()).isSocket()).toBe(true);
    expect(findAgent(scene.stateDir)).toBeNull();
    const second = startAgent('serve');
    await waitFor(serving(second), 'the second agent to replace the socket', 30_000);
    expect(fs.lstatSync(sock()).mode & 0o777).toBe(0o600);
  });

  it('serve offers the same routes on the socket without its token', async () => {
    const serve = startAgent('serve');
    await waitFor(serving(serve), 'serve to serve its socket', 30_000);
    const health = await agentGet<{ status: string }>(sock(), '/healthz');
    expect(health.status).toBe('ok');
    await expect(agentGet(sock(), '/no/such/route')).rejects.toThrow(/HTTP 404/);
  });
});
