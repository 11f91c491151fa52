// A coalesced repeat through `ghost-hb events --follow` (the built binary):
// the rules count a second restart into the first event; the follower prints
// it dated at the repeat, with the new pid and the count, not the first line again.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { EventLog } from '../../src/store/eventLog.js';
import { BIN } from '../helpers/cli.js';
import { waitFor } from '../helpers/proc.js';
import { RuleRunner, daemon, snapshot } from '../helpers/snapshots.js';

let root: string;
let follower: ChildProcess | null = null;
afterEach(() => {
  follower?.kill('SIGKILL');
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('repeat counts reach `events --follow`', () => {
  it('prints the repeat with its count and latest data', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-follow-'));
    const r = new RuleRunner();
    r.run(snapshot([daemon('writer', { pid: 100 })]));
    r.advance(60_000).run(snapshot([daemon('writer', { pid: 200, restarts: 1 })]));
    r.advance(420_000).run(snapshot([daemon('writer', { pid: 300, restarts: 2 })]));
    expect(r.updates).toHaveLength(1);
    const first = r.events.find((e) => e.rule === 'restarted')!;
    const repeat = r.updates[0]!;
    expect(repeat.id).toBe(first.id);
    expect(repeat.data).toMatchObject({
      count: 2,
      latestMessage: 'writer restarted (pid 300)',
      latest: { pid: 300 },
    });

    const log = new EventLog(root, { rotateBytes: 1e7, keep: 5, retentionDays: 14 });
    log.append([first]);
    log.flush();
    let out = '';
    follower = spawn(process.execPath, [BIN, 'events', '--follow', '--state-dir', root], {
      env: { ...process.env, TZ: 'UTC' },
    });
    follower.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(
      () => (out.includes('writer restarted (pid 200)') ? true : undefined),
      'first line',
    );
    log.append([repeat]);
    log.flush();
    log.close();
    const line = await waitFor(
      () => out.split('\n').find((l) => l.includes('(x2')),
      'the repeat line',
      15_000,
    );
    expect(line).toContain('writer restarted (pid 300)');
    expect(line.startsWith(repeat.data!.lastAt!.toString().replace('T', ' ').slice(0, 19))).toBe(
      true,
    );
    expect(line).toContain(`first ${first.at.replace('T', ' ').slice(0, 19)}`);
  });
});
