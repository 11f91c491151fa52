// The .heartbeatrc schema. Pure: validates a plain object and resolves it
// (defaults applied, paths made absolute against a base directory). Loading
// files is config/load.ts's job.
import path from 'node:path';
import { z } from 'zod';
import { DAEMON_NAME_PATTERN } from '../core/names.js';
import type { DaemonSpec } from '../core/types.js';

export const DEFAULT_DAEMONS = [
  'relayCore',
  'watchdog',
  'executor',
  'healer',
  'validationEngine',
  'messageQueue',
  'healthAggregator',
  'decisionEngine',
] as const;

/** Durations in seconds: from 1 ms (anything shorter is a typo, not a schedule) to a year. */
const MIN_SECONDS = 0.001;
const MAX_SECONDS = 366 * 24 * 3600;
const seconds = z
  .number()
  .finite()
  .min(MIN_SECONDS, `must be at least ${MIN_SECONDS} (seconds)`)
  .max(MAX_SECONDS, `must be at most ${MAX_SECONDS} (seconds: a year)`);
const nonNegSeconds = z
  .number()
  .finite()
  .nonnegative()
  .max(MAX_SECONDS, `must be at most ${MAX_SECONDS} (seconds: a year)`)
  .refine((n) => n === 0 || n >= MIN_SECONDS, `must be 0 or at least ${MIN_SECONDS} (seconds)`);
const count = z.number().int().nonnegative();
const positiveCount = z.number().int().positive();

export { DAEMON_NAME_PATTERN };
const daemonName = z
  .string()
  .regex(
    DAEMON_NAME_PATTERN,
    'must be a daemon name: letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

const timingShape = {
  interval: seconds.optional(),
  tolerance: nonNegSeconds.optional(),
  grace: nonNegSeconds.optional(),
  retries: positiveCount.optional(),
};

const daemonObject = z.strictObject({
  name: daemonName,
  ...timingShape,
  match: z.string().min(1).nullable().optional(),
  critical: z.boolean().optional(),
  allowPid1: z.boolean().optional(),
});

const listenAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464 or [::1]:9464');

export const configSchema = z.strictObject({
  heartbeatDir: z.string().min(1).default('./_heartbeat'),
  pollInterval: seconds.default(5),
  defaults: z
    .strictObject({
      interval: seconds.default(5),
      tolerance: nonNegSeconds.default(1),
      // Absent means "3 intervals" of each daemon's own interval.
      grace: nonNegSeconds.optional(),
      retries: positiveCount.default(1),
    })
    .prefault({}),
  daemons: z.array(z.union([daemonName, daemonObject])).default([...DEFAULT_DAEMONS]),
  discover: z.boolean().default(true),
  stateDir: z.string().min(1).nullable().default(null),
  clock: z
    .strictObject({
      sntpServers: z.array(z.string().min(1)).default([]),
      sntpTimeout: seconds.default(2),
      /** Seconds between clock-sync checks (chrony, timedatectl, SNTP). */
      checkInterval: seconds.default(60),
      /** A wall-clock step larger than this (seconds) is a jump. */
      jumpThreshold: seconds.default(1),
      /** Heartbeat ts vs mtime/now skew (seconds) beyond which a daemon is skewed. */
      skewThreshold: seconds.default(2),
    })
    .prefault({}),
  alerts: z
    .strictObject({
      offsetWarnMs: nonNegSeconds.default(50),
      offsetErrorMs: nonNegSeconds.default(500),
      restartCount: positiveCount.default(3),
      restartWindowMin: seconds.default(10),
      flapWindow: z.number().int().min(3).max(100).default(21),
      flapHighPct: z.number().min(0).max(100).default(30),
      flapLowPct: z.number().min(0).max(100).default(20),
      jitterSigma: seconds.default(4),
      cpuPct: z.number().positive().default(90),
      cpuPolls: positiveCount.default(3),
      memRssBytes: z.number().int().positive().nullable().default(null),
      memGrowthPolls: positiveCount.default(12),
      /** A leak signal also needs the run of growth to add this % of the RSS it started from ... */
      memGrowthMinPct: z.number().nonnegative().finite().default(10),
      /** ... and this many bytes (8 MiB). */
      memGrowthMinBytes: count.default(8 * 1024 * 1024),
      /** Seconds a process must have run before its memory growth is judged (heap warm-up). */
      memGrowthWarmupSec: nonNegSeconds.default(300),
      minUptimeSec: nonNegSeconds.default(300),
      /** Minutes a repeating event (restart, jump, ...) stays open and counts repeats. */
      coalesceMin: seconds.default(10),
    })
    .prefault({}),
  events: z
    .strictObject({
      max: positiveCount.default(1000),
      rotateBytes: positiveCount.default(10 * 1024 * 1024),
      keep: count.default(5),
      retentionDays: seconds.default(14),
    })
    .prefault({}),
  api: z
    .strictObject({
      listen: listenAddress.default('127.0.0.1:9464'),
      token: z.string().min(16).nullable().default(null),
      tokenFile: z.string().min(1).nullable().default(null),
      metricsPublic: z.boolean().default(false),
    })
    .prefault({}),
  dashboard: z
    .strictObject({
      url: z.url().nullable().default(null),
      token: z.string().min(1).nullable().default(null),
      timeoutMs: positiveCount.default(5000),
      retries: count.default(5),
      queueMax: positiveCount.default(100),
    })
    .prefault({}),
});

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;

/** Fully resolved configuration: what the rest of ghost-hb consumes. */
export interface Config extends Omit<ParsedConfig, 'daemons' | 'heartbeatDir' | 'stateDir'> {
  /** Absolute. */
  heartbeatDir: string;
  /** Absolute, or null for the default ($XDG_STATE_HOME/ghost-hb). */
  stateDir: string | null;
  daemons: DaemonSpec[];
  /** The file the config came from, or null for built-in defaults. */
  configFile: string | null;
  /** True when no `daemons:` was given, so the built-in list of eight is expected. */
  defaultDaemons: boolean;
}

/** One problem with a config file, in words an operator can act on. */
export interface ConfigIssue {
  key: string;
  problem: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string | null,
    readonly issues: ConfigIssue[],
  ) {
    const where = file ?? 'configuration';
    super(
      issues.length === 1
        ? `${where}: ${issues[0]!.key}: ${issues[0]!.problem}`
        : `${where}:\n${issues.map((i) => `  ${i.key}: ${i.problem}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

function keyPath(p: readonly PropertyKey[]): string {
  if (p.length === 0) return '(top level)';
  return p
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join('');
}

const ALL_KEYS = Object.keys(configSchema.shape);

/** Turn zod's issues into "key: what was wrong; what is allowed". */
function describeIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const base = keyPath(issue.path);
      const known = issue.path.length === 0 ? ALL_KEYS : null;
      return {
        key:
          issue.keys.length === 1
            ? issue.path.length
              ? `${base}.${issue.keys[0]}`
              : issue.keys[0]!
            : base,
        problem:
          `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` +
          (known ? `; allowed keys are ${known.join(', ')}` : '; remove it or check its spelling'),
      };
    }
    if (issue.code === 'invalid_union') {
      return {
        key: keyPath(issue.path),
        problem:
          'must be a daemon name (string) or an object { name, interval?, grace?, tolerance?, retries?, match?, critical?, allowPid1? }',
      };
    }
    return { key: keyPath(issue.path), problem: issue.message };
  });
}

export interface ResolveOptions {
  /** Directory relative paths in the file are resolved against (the config file's). */
  baseDir: string;
  configFile: string | null;
}

/** Validate and resolve a raw config object. Throws ConfigError. */
export function resolveConfig(raw: unknown, opts: ResolveOptions): Config {
  const input = raw ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError(opts.configFile, [
      { key: '(top level)', problem: 'must be an object of settings (see .heartbeatrc.example)' },
    ]);
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(opts.configFile, describeIssues(parsed.error));
  const cfg = parsed.data;
  if (cfg.alerts.flapLowPct > cfg.alerts.flapHighPct) {
    throw new ConfigError(opts.configFile, [
      {
        key: 'alerts.flapLowPct',
        problem: `must not exceed alerts.flapHighPct (${cfg.alerts.flapHighPct})`,
      },
    ]);
  }

  const seen = new Set<string>();
  const daemons: DaemonSpec[] = cfg.daemons.map((entry, i) => {
    const d = typeof entry === 'string' ? { name: entry } : entry;
    if (seen.has(d.name)) {
      throw new ConfigError(opts.configFile, [
        { key: `daemons[${i}]`, problem: `"${d.name}" is listed twice; keep one entry per daemon` },
      ]);
    }
    seen.add(d.name);
    return resolveDaemonSpec(d, cfg.defaults, true);
  });

  return {
    ...cfg,
    heartbeatDir: path.resolve(opts.baseDir, cfg.heartbeatDir),
    stateDir: cfg.stateDir === null ? null : path.resolve(opts.baseDir, cfg.stateDir),
    daemons,
    configFile: opts.configFile,
    defaultDaemons: !('daemons' in input),
  };
}

type DaemonOverrides = {
  name: string;
  interval?: number | undefined;
  tolerance?: number | undefined;
  grace?: number | undefined;
  retries?: number | undefined;
  match?: string | null | undefined;
  critical?: boolean | undefined;
  allowPid1?: boolean | undefined;
};

/** Apply defaults to one daemon entry. Also used for daemons discovered from files. */
export function resolveDaemonSpec(
  d: DaemonOverrides,
  defaults: ParsedConfig['defaults'],
  declared: boolean,
): DaemonSpec {
  const interval = d.interval ?? defaults.interval;
  return {
    name: d.name,
    interval,
    tolerance: d.tolerance ?? defaults.tolerance,
    grace: d.grace ?? defaults.grace ?? 3 * interval,
    retries: d.retries ?? defaults.retries,
    match: d.match ?? null,
    critical: d.critical ?? false,
    declared,
    allowPid1: d.allowPid1 ?? false,
    graceFromInterval: d.grace === undefined && defaults.grace === undefined,
  };
}

/** The built-in configuration (no file found), resolved against `cwd`. */
export function defaultConfig(cwd: string): Config {
  return resolveConfig({}, { baseDir: cwd, configFile: null });
}
