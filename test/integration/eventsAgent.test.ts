// `ghost-hb events` beside a running agent (a real `ghost-hb watch`): the
// events come from the agent's API over its socket as well as from the files,
// so an event the files do not have (here: the log swapped for an empty file
// under the agent) is still printed, once; `--follow` follows the agent's
// stream, and says so when the agent stops and it falls back to the file.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { findAgent } from '../../src/agent/client.js';
import type { HbEvent } from '../../src/core/types.js';
import { BeatingFleet } from '../helpers/beatingFleet.js';
import { BIN, runCliInProcess } from '../helpers/cli.js';
import { killHard, waitFor } from '../helpers/proc.js';

/** The CLI in this process, from `cwd` (where the fleet's .heartbeatrc is found). */
const cli = (args: string[], cwd: string) => runCliInProcess(args, { cwd });

const parse = (out: string): HbEvent[] =>
  out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as HbEvent);

describe('ghost-hb events with an agent holding the state directory', () => {
  let fleet: BeatingFleet;
  let watch: ChildProcess;
  let follower: ChildProcess | null = null;
  let stateDir = '';
  let logFile = '';

  beforeAll(async () => {
    fleet = await BeatingFleet.start('ghb-events-agent-', ['alpha', 'beta'], 1);
    stateDir = path.join(fleet.root, 'state');
    logFile = path.join(stateDir, 'events.jsonl');
    watch = spawn(process.execPath, [BIN, 'watch'], { cwd: fleet.root, stdio: 'ignore' });
    await waitFor(() => findAgent(stateDir) ?? undefined, 'the agent to serve its socket', 30_000);
  }, 60_000);

  afterAll(async () => {
    follower?.kill('SIGKILL');
    if (watch.exitCode === null) await killHard(watch);
    fleet.close();
  });

  it("prints the agent's events the files do not have, and follows its stream", async () => {
    await killHard(fleet.children.get('beta')!);
    const crash = await waitFor(
      () =>
        fs.existsSync(logFile)
          ? parse(fs.readFileSync(logFile, 'utf8')).find(
              (e) => e.daemon === 'beta' && e.severity !== 'info',
            )
          : undefined,
      "beta's death in the log",
      30_000,
    );

    let out = '';
    let err = '';
    follower = spawn(process.execPath, [BIN, 'events', '--follow', '--json'], {
      cwd: fleet.root,
    });
    follower.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    follower.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    await waitFor(() => (parse(out).some((e) => e.id === crash.id) ? true : undefined), 'history');

    // Under the agent, the log becomes an empty file: only the agent still has the event.
    fs.renameSync(logFile, path.join(stateDir, 'events.moved'));
    fs.writeFileSync(logFile, '');
    const r = await cli(['events', '--json', '--daemon', 'beta'], fleet.root);
    expect(r.code).toBe(0);
    const printed = parse(r.stdout);
    expect(printed.filter((e) => e.id === crash.id)).toHaveLength(1);
    expect(printed.every((e) => e.daemon === 'beta')).toBe(true);
    const limited = parse((await cli(['events', '--json', '--limit', '1'], fleet.root)).stdout);
    expect(limited).toHaveLength(1);

    // beta comes back: the agent's event reaches the follower from the stream, once.
    fleet.startDaemon('beta');
    const back = await waitFor(
      () => parse(out).find((e) => e.daemon === 'beta' && e.id !== crash.id),
      "beta's return through the stream",
      30_000,
    );
    const ids = parse(out).map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id === back.id)).toHaveLength(1);

    // The agent stops: the follower says so and goes on from the file.
    watch.kill('SIGTERM');
    await waitFor(
      () =>
        /the agent's event stream ended .*following events\.jsonl/.test(err) ? true : undefined,
      'the follower to fall back to the file',
      30_000,
    );
    expect(follower.exitCode).toBeNull();
    follower.kill('SIGTERM');
    await waitFor(() => (follower!.exitCode !== null ? true : undefined), 'the follower to exit');
    expect(follower.exitCode).toBe(0);

    // No agent now: the files alone, without complaint.
    const files = await cli(['events', '--json'], fleet.root);
    expect(files.code).toBe(0);
    expect(files.stderr).toBe('');
  }, 120_000);
});
