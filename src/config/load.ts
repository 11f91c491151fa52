// Finds and loads .heartbeatrc with cosmiconfig, then validates it with the schema.
import path from 'node:path';
import { cosmiconfig, defaultLoaders } from 'cosmiconfig';
import { ConfigError, configSchema, resolveConfig, type Config } from './schema.js';

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
    const e = err as ParseError;
    const where = opts.file ? path.resolve(cwd, opts.file) : (e.filepath ?? null);
    if (e.code === 'ENOENT') {
      throw new ConfigError(where, [
        { key: '(file)', problem: 'does not exist; check the --config path' },
      ]);
    }
    throw new ConfigError(where, [
      {
        key: '(file)',
        problem: `cannot be parsed: ${parseProblem(e)}; fix the syntax (YAML or JSON)`,
      },
    ]);
  }
  const cfg = resolveConfig(raw, { baseDir: file ? path.dirname(file) : cwd, configFile: file });
  if (opts.dir) cfg.heartbeatDir = path.resolve(cwd, opts.dir);
  if (opts.pollInterval != null) cfg.pollInterval = intervalOverride(opts.pollInterval);
  return cfg;
}

/** --interval, held to the same range as `pollInterval` in a file. */
function intervalOverride(value: number): number {
  const checked = configSchema.shape.pollInterval.safeParse(value);
  if (checked.success && Number.isFinite(value)) return value;
  const why = checked.success ? 'must be a finite number' : checked.error.issues[0]!.message;
  throw new ConfigError('--interval', [{ key: 'pollInterval', problem: `${value}: ${why}` }]);
}

/** What cosmiconfig's loaders throw: js-yaml's YAMLException carries the position. */
type ParseError = NodeJS.ErrnoException & {
  filepath?: string;
  reason?: string;
  mark?: { line: number; column: number };
};

/**
 * The parser's complaint with its position: "line 4, column 3: bad
 * indentation of a mapping entry". cosmiconfig's message starts with a
 * "YAML Error in FILE:" line, which says nothing the error does not.
 */
export function parseProblem(e: ParseError): string {
  if (e.mark && typeof e.mark.line === 'number') {
    return `line ${e.mark.line + 1}, column ${e.mark.column + 1}: ${e.reason ?? 'syntax error'}`;
  }
  const lines = e.message.split('\n').map((l) => l.trim());
  const body = lines.find((l, i) => l && !(i === 0 && / Error in /.test(l)));
  return body ?? lines[0] ?? 'syntax error';
}
