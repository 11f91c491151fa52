// `watch` and `serve` agents (the built binary) over a temporary heartbeat and
// state directory, as the agent tests set them up: a config written before
// each test (the directories plus the test's settings), every agent killed and
// the directory removed after it.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach } from '@jest/globals';
import type { HbEvent } from '../../src/core/types.js';
import { BIN } from './cli.js';
import { killAll, killHard, tempDir } from './proc.js';

export interface Agent {
  child: ChildProcess;
  /** What it has written to stdout and stderr so far. */
  stdout(): string;
  stderr(): string;
  /** The events it has printed so far (`watch --json`: one JSON line each). */
  events: HbEvent[];
  exit: Promise<number | null>;
}

export interface AgentScene {
  /** The test's directory, and in it `hb/`, `state/` and `.heartbeatrc.json` (set before each test). */
  readonly root: string;
  readonly hbDir: string;
  readonly stateDir: string;
  readonly configFile: string;
  /** Children killed after each test, with the agents. */
  readonly agents: Set<ChildProcess>;
  /** `watch` or `serve` (listening on 127.0.0.1:0) on the config, from `root`; `umask` starts it under that umask. */
  startAgent(command: 'watch' | 'serve', opts?: { extra?: string[]; umask?: string }): Agent;
}

/** Register the set-up and tear-down of each test; `settings` go into the config beside the directories. */
export function agentScene(prefix: string, settings: Record<string, unknown>): AgentScene {
  const agents = new Set<ChildProcess>();
  const dirs = { root: '', hbDir: '', stateDir: '', configFile: '' };
  beforeEach(() => {
    dirs.root = tempDir(prefix);
    dirs.hbDir = path.join(dirs.root, 'hb');
    dirs.stateDir = path.join(dirs.root, 'state');
    fs.mkdirSync(dirs.hbDir);
    dirs.configFile = path.join(dirs.root, '.heartbeatrc.json');
    fs.writeFileSync(
      dirs.configFile,
      JSON.stringify({ heartbeatDir: dirs.hbDir, stateDir: dirs.stateDir, ...settings }),
    );
  });
  afterEach(async () => {
    await Promise.all([...agents].map((c) => killHard(c)));
    agents.clear();
    await killAll();
    fs.rmSync(dirs.root, { recursive: true, force: true });
  });

  function startAgent(
    command: 'watch' | 'serve',
    opts: { extra?: string[]; umask?: string } = {},
  ): Agent {
    const args = [BIN, command, '--config', dirs.configFile, ...(opts.extra ?? [])];
    if (command === 'serve') args.push('--listen', '127.0.0.1:0');
    const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
    const spawnOpts = { cwd: dirs.root, stdio };
    // Under a umask: through sh, which execs node (the child's pid is the agent's).
    const child = opts.umask
      ? spawn(
          'sh',
          ['-c', `umask ${opts.umask}; exec "$0" "$@"`, process.execPath, ...args],
          spawnOpts,
        )
      : spawn(process.execPath, args, spawnOpts);
    agents.add(child);
    const out = { stdout: '', stderr: '', partial: '' };
    const events: HbEvent[] = [];
    child.stdout.on('data', (d: Buffer) => {
      out.stdout += d.toString();
      const lines = (out.partial + d.toString()).split('\n');
      out.partial = lines.pop()!;
      for (const line of lines) if (line.startsWith('{')) events.push(JSON.parse(line) as HbEvent);
    });
    child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
    const exit = new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });
    return { child, stdout: () => out.stdout, stderr: () => out.stderr, events, exit };
  }

  return {
    get root() {
      return dirs.root;
    },
    get hbDir() {
      return dirs.hbDir;
    },
    get stateDir() {
      return dirs.stateDir;
    },
    get configFile() {
      return dirs.configFile;
    },
    agents,
    startAgent,
  };
}
