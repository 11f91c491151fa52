// A SIGSTOPped daemon, end to end: the real /proc collector reads its state,
// the engine judges it hung once its beat is overdue (not "alive yes"), and
// the detail view and the JSON say `stopped`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import React from 'react';
import { render } from 'ink-testing-library';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ProcfsProcessCollector } from '../../src/collectors/processes.js';
import { resolveConfig } from '../../src/config/schema.js';
import { Engine } from '../../src/runtime/engine.js';
import { systemInstant } from '../../src/runtime/poller.js';
import { DetailView } from '../../src/ui/components/DetailView.js';
import { killAll, spawnBeater, spawnSleeper, started, waitFor } from '../helpers/proc.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-stopped-'));
afterAll(async () => {
  await killAll();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('process state', () => {
  it('the /proc collector reads stopped, sleeping and zombie-free states', async () => {
    const child = spawnSleeper();
    const pid = await started(child);
    const procs = new ProcfsProcessCollector();
    expect((await procs.sample([pid])).get(pid)?.state).toMatch(/^(sleeping|running)$/);
    child.kill('SIGSTOP');
    await waitFor(
      async () => ((await procs.sample([pid])).get(pid)?.state === 'stopped' ? true : undefined),
      'the child to stop',
    );
    const s = (await procs.sample([pid])).get(pid)!;
    expect(s).toMatchObject({ alive: true, state: 'stopped' });
    child.kill('SIGCONT');
  });

  it('a SIGSTOPped daemon is hung, and its detail view says stopped', async () => {
    const child = spawnBeater(root, 'stoppy', 100);
    const pid = await started(child);
    await waitFor(() => (fs.existsSync(path.join(root, 'stoppy.json')) ? true : undefined), 'beat');
    const config = resolveConfig(
      {
        heartbeatDir: root,
        discover: false,
        daemons: [{ name: 'stoppy', interval: 0.2, tolerance: 0.2, grace: 5 }],
      },
      { baseDir: root, configFile: null },
    );
    const engine = new Engine(config);
    expect((await engine.poll(systemInstant())).daemons[0]).toMatchObject({
      status: 'up',
      processState: expect.stringMatching(/^(sleeping|running)$/),
    });
    child.kill('SIGSTOP');
    const d = await waitFor(async () => {
      const s = (await engine.poll(systemInstant())).daemons[0]!;
      return s.status === 'down' ? s : undefined;
    }, 'the stopped daemon to be judged');
    expect(d).toMatchObject({ pid, reason: 'hung', processAlive: true, processState: 'stopped' });
    const frame =
      render(
        <DetailView
          daemon={d}
          name="stoppy"
          history={undefined}
          events={[]}
          height={30}
          color={false}
        />,
      ).lastFrame() ?? '';
    expect(frame).toContain('stopped');
    expect(frame).not.toMatch(/alive\s*│?\s*yes/);
    child.kill('SIGCONT');
  });
});
