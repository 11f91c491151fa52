// Fault-injection tests: the built binary (`ghost-hb watch --json`) over real
// heartbeat and state directories, with real beating daemons.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HbEvent } from '../../src/core/types.js';
import { BIN } from './cli.js';
import { BEATER } from './proc.js';

export interface Watcher {
  child: ChildProcess;
  events: HbEvent[];
  stderr: () => string;
  stdout: () => string;
}

export interface FaultsRig {
  root: string;
  hbDir: string;
  stateDir: string;
  configFile: string;
  writeConfig(extra?: Record<string, unknown>): void;
  beater(name: string, everyMs?: number, opts?: SpawnOptions): ChildProcess;
  watch(extraArgs?: string[], opts?: SpawnOptions): Watcher;
  track(child: ChildProcess): ChildProcess;
  cleanup(): Promise<void>;
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** A fresh temp tree: heartbeat dir, state dir (created by ghost-hb) and a config for them. */
export function faultsRig(daemons: string[], stateDir?: string): FaultsRig {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-hb-faults-'));
  const hbDir = path.join(root, 'hb');
  fs.mkdirSync(hbDir);
  const rig: FaultsRig = {
    root,
    hbDir,
    stateDir: stateDir ?? path.join(root, 'state'),
    configFile: path.join(root, '.heartbeatrc'),
    writeConfig(extra = {}) {
      fs.writeFileSync(
        rig.configFile,
        JSON.stringify({
          heartbeatDir: hbDir,
          stateDir: rig.stateDir,
          pollInterval: 0.2,
          discover: false,
          daemons: daemons.map((name) => ({ name, interval: 0.2, tolerance: 0.2, grace: 0.6 })),
          alerts: { minUptimeSec: 0 },
          ...extra,
        }),
      );
    },
    track(child) {
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    },
    beater(name, everyMs = 100, opts = {}) {
      return rig.track(
        spawn(process.execPath, [BEATER, hbDir, name, String(everyMs)], {
          stdio: 'ignore',
          ...opts,
        }),
      );
    },
    watch(extraArgs = [], opts = {}) {
      const child = rig.track(
        spawn(
          process.execPath,
          [BIN, 'watch', '--config', rig.configFile, '--json', ...extraArgs],
          {
            cwd: root,
            stdio: ['ignore', 'pipe', 'pipe'],
            ...opts,
          },
        ),
      );
      const events: HbEvent[] = [];
      let buf = '';
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) {
          try {
            if (l) events.push(JSON.parse(l) as HbEvent);
          } catch {
            // Not an event line.
          }
        }
      });
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      return { child, events, stderr: () => err, stdout: () => out };
    },
    async cleanup() {
      for (const c of [...children]) {
        c.kill('SIGKILL');
        await exited(c);
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  const children = new Set<ChildProcess>();
  rig.writeConfig();
  return rig;
}

export { until } from './wait.js';
