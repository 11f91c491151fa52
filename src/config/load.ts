// Finds and loads .heartbeatrc with cosmiconfig, then validates it with the schema.
import path from 'node:path';
import { cosmiconfig, defaultLoaders } from 'cosmiconfig';
import { ConfigError, resolveConfig, type Config } from './schema.js';

export const CONFIG_SEARCH_PLACES = [
  'package.json',
  '.heartbeatrc',
  '.heartbeatrc.json',
  '.heartbeatrc.yaml',
  '.heartbeatrc.yml',
  'heartbeat.config.js',
  'heartbeat.config.mjs',
  'heartbeat.config.cjs',
];

export interface LoadConfigOptions {
  /** Explicit file (--config); no search when given. */
  file?: string | null;
  /** Where the upward search starts. */
  cwd?: string;
  /** --dir: overrides heartbeatDir, resolved against cwd. */
  dir?: string | null;
  /** --interval: overrides pollInterval (seconds). */
  pollInterval?: number | null;
}

function explorer() {
  return cosmiconfig('heartbeat', {
    searchPlaces: CONFIG_SEARCH_PLACES,
    packageProp: 'heartbeat',
    // Walk up from the working directory to the filesystem root (cosmiconfig 9
    // only searches the start directory by default).
    searchStrategy: 'global',
    cache: false,
    // Files named explicitly with --config may carry any of these endings;
    // like an extensionless .heartbeatrc they are YAML (a superset of JSON).
    loaders: {
      '.example': defaultLoaders['.yaml'],
      '.conf': defaultLoaders['.yaml'],
      '.rc': defaultLoaders['.yaml'],
    },
  });
}

/** Load, validate and resolve the configuration. Throws ConfigError. */
export async function loadConfig(opts: LoadConfigOptions = {}): Promise<Config> {
  const cwd = opts.cwd ?? process.cwd();
  let raw: unknown = {};
  let file: string | null = null;
  try {
    const found = opts.file
      ? await explorer().load(path.resolve(cwd, opts.file))
      : await explorer().search(cwd);
    if (found) {
      file = found.filepath;
      raw = found.isEmpty ? {} : found.config;
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { filepath?: string; mark?: { line: number } };
    const where = opts.file ? path.resolve(cwd, opts.file) : (e.filepath ?? null);
    if (e.code === 'ENOENT') {
      throw new ConfigError(where, [
        { key: '(file)', problem: 'does not exist; check the --config path' },
      ]);
    }
    throw new ConfigError(where, [
      {
        key: '(file)',
        problem: `cannot be parsed: ${firstLine(e.message)}; fix the syntax (YAML or JSON)`,
      },
    ]);
  }
  const cfg = resolveConfig(raw, { baseDir: file ? path.dirname(file) : cwd, configFile: file });
  if (opts.dir) cfg.heartbeatDir = path.resolve(cwd, opts.dir);
  if (opts.pollInterval != null) {
    if (!(opts.pollInterval > 0) || !Number.isFinite(opts.pollInterval)) {
      throw new ConfigError('--interval', [
        { key: 'pollInterval', problem: 'must be a positive number of seconds' },
      ]);
    }
    cfg.pollInterval = opts.pollInterval;
  }
  return cfg;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
