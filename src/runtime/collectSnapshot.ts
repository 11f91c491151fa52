// One-shot collection for `ghost-hb status`, the screen's non-terminal
// fallback and library users: an Engine polled once (twice, briefly apart,
// when a live process needs a CPU figure), no anomaly rules, nothing written.
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Snapshot } from '../core/types.js';
import { Engine, type EngineDeps } from './engine.js';
import { systemInstant } from './poller.js';

export interface CollectSnapshotOptions {
  /** A resolved config; when absent it is loaded like the CLI does (cosmiconfig from cwd). */
  config?: Config;
  /** Heartbeat directory, overriding the config's. */
  dir?: string;
  /** Config file to load instead of searching. */
  configFile?: string;
  cwd?: string;
  /**
   * CPU % needs two readings: the processes are sampled again after this many
   * ms (default 150). 0 takes a single poll and reports cpuPct as null.
   */
  cpuSampleMs?: number;
  deps?: Partial<EngineDeps>;
}

/** One-shot: load config (unless given), poll once (twice, briefly apart, for CPU %), return the snapshot. */
export async function collectSnapshot(opts: CollectSnapshotOptions = {}): Promise<Snapshot> {
  const cwd = opts.cwd ?? process.cwd();
  const config = opts.config
    ? { ...opts.config }
    : await loadConfig({ file: opts.configFile ?? null, cwd, dir: opts.dir ?? null });
  if (opts.config && opts.dir) config.heartbeatDir = path.resolve(cwd, opts.dir);
  const engine = new Engine(config, opts.deps);
  let snapshot = await engine.poll(systemInstant());
  const cpuSampleMs = opts.cpuSampleMs ?? 150;
  if (cpuSampleMs > 0 && snapshot.daemons.some((d) => d.processAlive === true)) {
    await delay(cpuSampleMs);
    snapshot = await engine.poll(systemInstant());
  }
  return snapshot;
}
