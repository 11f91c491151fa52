// The .heartbeatrc schema. Pure: validates a plain object and resolves it
// (defaults applied, paths made absolute against a base directory). Loading
// files is config/load.ts's job.
import path from 'node:path';
import { z } from 'zod';
import { DAEMON_NAME_PATTERN } from '../core/names.js';
import { parseProbe } from '../core/probe.js';
import { scheduleProblem } from '../core/schedule.js';
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

/** Seconds a probe may take when its entry gives no `timeout`. */
export const DEFAULT_PROBE_TIMEOUT = 5;
/** Seconds after a due time a scheduled job may start when its entry gives no `grace`. */
export const DEFAULT_SCHEDULE_GRACE = 300;

const probeTarget = z.string().superRefine((text, ctx) => {
  const parsed = parseProbe(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});
/** A unit name as systemctl takes it; never an option (no leading "-"). */
const unitName = z
  .string()
  .regex(
    /^[A-Za-z0-9_.:@\\][A-Za-z0-9_.:@\\-]{0,254}$/,
    'must be a systemd unit name, e.g. nginx.service',
  );
const timezoneName = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone, e.g. Europe/Berlin or UTC');

const daemonObject = z
  .strictObject({
    name: daemonName,
    ...timingShape,
    match: z.string().min(1).nullable().optional(),
    critical: z.boolean().optional(),
    allowPid1: z.boolean().optional(),
    /** http(s)://URL, tcp:HOST:PORT or exec:COMMAND, run by ghost-hb on every poll. */
    probe: probeTarget.optional(),
    /** Seconds before a probe is cut and fails. */
    timeout: seconds.optional(),
    /** HTTP status a probe expects; absent: any 2xx or 3xx. */
    expectStatus: z.number().int().min(100).max(599).optional(),
    /** Seconds past which a passing probe makes the daemon late (default: half the timeout). */
    slowAfter: seconds.optional(),
    systemd: unitName.optional(),
    /** Cron expression (5 fields, or 6 with seconds) the job runs on. */
    schedule: z.string().min(1).optional(),
    timezone: timezoneName.optional(),
    /** Seconds a scheduled run may take before it is running too long. */
    maxDuration: seconds.optional(),
  })
  .superRefine((d, ctx) => {
    const needs = (key: keyof typeof d, on: keyof typeof d) => {
      if (d[key] !== undefined && d[on] === undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `only applies with ${on}` });
      }
    };
    needs('timeout', 'probe');
    needs('expectStatus', 'probe');
    needs('slowAfter', 'probe');
    needs('timezone', 'schedule');
    needs('maxDuration', 'schedule');
    if (d.expectStatus !== undefined && d.probe !== undefined && !/^https?:/i.test(d.probe)) {
      ctx.addIssue({
        code: 'custom',
        path: ['expectStatus'],
        message: 'only applies to an http(s) probe',
      });
    }
    if (d.schedule !== undefined) {
      const problem = scheduleProblem(d.schedule, d.timezone ?? null);
      if (problem) ctx.addIssue({ code: 'custom', path: ['schedule'], message: problem });
    }
  });

const listenAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464 or [::1]:9464');

const severityName = z.enum(['info', 'warn', 'error', 'critical']);
const channelName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'must be a channel name: letters, digits, ".", "_" or "-"',
  );
const httpUrl = z.url({ protocol: /^https?$/ });
/** What every channel has: its name (routes refer to it) and a per-attempt timeout. */
const channelBase = {
  name: channelName,
  timeoutMs: positiveCount.default(10_000),
};
const notifyChannel = z.discriminatedUnion('type', [
  z.strictObject({
    ...channelBase,
    type: z.literal('webhook'),
    url: httpUrl,
    headers: z.record(z.string(), z.string()).default({}),
  }),
  z.strictObject({ ...channelBase, type: z.literal('slack'), url: httpUrl }),
  z.strictObject({ ...channelBase, type: z.literal('discord'), url: httpUrl }),
  z.strictObject({
    ...channelBase,
    type: z.literal('ntfy'),
    url: httpUrl,
    /** Access token: from a file or an environment variable, never written in the config. */
    tokenFile: z.string().min(1).nullable().default(null),
    tokenEnv: z.string().min(1).nullable().default(null),
  }),
  z.strictObject({
    ...channelBase,
    type: z.literal('email'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** starttls: plain connection upgraded (required); tls: TLS from the start (465); none: never encrypted. */
    security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
    user: z.string().min(1).nullable().default(null),
    passwordFile: z.string().min(1).nullable().default(null),
    passwordEnv: z.string().min(1).nullable().default(null),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
  }),
  z.strictObject({
    ...channelBase,
    type: z.literal('exec'),
    /** argv (no shell), or one string run by /bin/sh when `shell` is true. */
    command: z.union([z.array(z.string().min(1)).min(1), z.string().min(1)]),
    shell: z.boolean().default(false),
  }),
]);
const notifyRoute = z.strictObject({
  match: z
    .strictObject({
      /** Minimum severity of an opening event. */
      severity: severityName.optional(),
      daemon: daemonName.optional(),
      rule: z.string().min(1).optional(),
    })
    .prefault({}),
  /** Channel names; absent: every channel. */
  channels: z.array(channelName).optional(),
  groupWait: nonNegSeconds.optional(),
  repeatInterval: seconds.optional(),
  /** Keep matching later routes after this one. */
  continue: z.boolean().default(false),
});

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
  /** Seconds after which a daemon neither declared nor seen any more is forgotten. */
  forgetAfter: seconds.default(7 * 24 * 3600),
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
      /** A token that may only ping (/ping/NAME...), for cron jobs and scripts. */
      pingToken: z.string().min(16).nullable().default(null),
      tokenFile: z.string().min(1).nullable().default(null),
      metricsPublic: z.boolean().default(false),
    })
    .prefault({}),
  /** Other hosts' agents (their HTTP APIs) shown in the same screen: the fleet (README "Fleet"). */
  remotes: z
    .array(
      z
        .strictObject({
          name: z
            .string()
            .regex(
              /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/,
              'letters, digits, ".", "_", "-" (at most 32)',
            ),
          /** The agent's API (http:// or https://); empty for this host's own monitor. */
          url: z.string().default(''),
          token: z.string().min(16).nullable().default(null),
          tokenFile: z.string().min(1).nullable().default(null),
        })
        .refine((r) => !(r.token && r.tokenFile), { message: 'give token or tokenFile, not both' }),
    )
    .default([]),
  /** The interactive monitor's terminal signals; both off: a screen says nothing unasked. */
  ui: z
    .strictObject({
      /** Ring the terminal bell when a daemon turns down. */
      bell: z.boolean().default(false),
      /** Set the window title: "[2 down] ghost-hb HOST", "ghost-hb HOST" when none is down. */
      title: z.boolean().default(false),
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
  notify: z
    .strictObject({
      channels: z.array(notifyChannel).default([]),
      routes: z.array(notifyRoute).default([]),
      /** Seconds events wait to be sent together (one message per channel). */
      groupWait: nonNegSeconds.default(10),
      /** Seconds between reminders of a condition still open. */
      repeatInterval: seconds.default(4 * 3600),
      /** Seconds a message is retried before it is dropped. */
      maxAge: seconds.default(24 * 3600),
      /** First retry delay and the cap of the exponential backoff, seconds. */
      retryInitial: seconds.default(1),
      retryMax: seconds.default(300),
      /** A dead-man URL pinged after each successful poll (and URL/fail when polls fail). */
      selfPing: z
        .strictObject({ url: httpUrl, interval: seconds.default(60) })
        .nullable()
        .default(null),
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
          'must be a daemon name (string) or an object { name, interval?, grace?, tolerance?, retries?, match?, critical?, allowPid1?, probe?, timeout?, expectStatus?, slowAfter?, systemd?, schedule?, timezone?, maxDuration? }',
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

  checkNotify(cfg.notify, opts.configFile);

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
    notify: resolveNotifyPaths(cfg.notify, opts.baseDir),
    remotes: cfg.remotes.map((r) =>
      r.tokenFile ? { ...r, tokenFile: path.resolve(opts.baseDir, r.tokenFile) } : r,
    ),
    configFile: opts.configFile,
    defaultDaemons: !('daemons' in input),
  };
}

/** Channel names are unique and every route names channels that exist. */
function checkNotify(n: ParsedConfig['notify'], file: string | null): void {
  const names = new Set<string>();
  n.channels.forEach((c, i) => {
    if (names.has(c.name)) {
      throw new ConfigError(file, [
        {
          key: `notify.channels[${i}].name`,
          problem: `"${c.name}" is used twice; names must be unique`,
        },
      ]);
    }
    names.add(c.name);
  });
  n.routes.forEach((r, i) => {
    const unknown = (r.channels ?? []).filter((c) => !names.has(c));
    if (unknown.length > 0) {
      throw new ConfigError(file, [
        {
          key: `notify.routes[${i}].channels`,
          problem: `no channel named ${unknown.map((u) => `"${u}"`).join(', ')} in notify.channels`,
        },
      ]);
    }
  });
}

/** Secret files named in channels are relative to the config file, like every path. */
function resolveNotifyPaths(n: ParsedConfig['notify'], baseDir: string): ParsedConfig['notify'] {
  const abs = (p: string | null) => (p === null ? null : path.resolve(baseDir, p));
  return {
    ...n,
    channels: n.channels.map((c) => {
      if (c.type === 'email') return { ...c, passwordFile: abs(c.passwordFile) };
      if (c.type === 'ntfy') return { ...c, tokenFile: abs(c.tokenFile) };
      return c;
    }),
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
  probe?: string | undefined;
  timeout?: number | undefined;
  expectStatus?: number | undefined;
  slowAfter?: number | undefined;
  systemd?: string | undefined;
  schedule?: string | undefined;
  timezone?: string | undefined;
  maxDuration?: number | undefined;
};

/** Apply defaults to one daemon entry. Also used for daemons discovered from files. */
export function resolveDaemonSpec(
  d: DaemonOverrides,
  defaults: ParsedConfig['defaults'],
  declared: boolean,
): DaemonSpec {
  const interval = d.interval ?? defaults.interval;
  const grace = d.grace ?? defaults.grace ?? 3 * interval;
  const spec: DaemonSpec = {
    name: d.name,
    interval,
    tolerance: d.tolerance ?? defaults.tolerance,
    grace,
    retries: d.retries ?? defaults.retries,
    match: d.match ?? null,
    critical: d.critical ?? false,
    declared,
    allowPid1: d.allowPid1 ?? false,
    graceFromInterval: d.grace === undefined && defaults.grace === undefined,
  };
  if (d.probe !== undefined) {
    const target = parseProbe(d.probe);
    if (typeof target === 'string') throw new Error(target);
    const timeout = d.timeout ?? DEFAULT_PROBE_TIMEOUT;
    spec.probe = {
      spec: target,
      timeoutMs: Math.round(timeout * 1000),
      expectStatus: d.expectStatus ?? null,
      slowMs: Math.round((d.slowAfter ?? timeout / 2) * 1000),
    };
  }
  if (d.systemd !== undefined) spec.systemd = d.systemd;
  if (d.schedule !== undefined) {
    spec.schedule = {
      expression: d.schedule,
      timezone: d.timezone ?? null,
      graceSec: d.grace ?? DEFAULT_SCHEDULE_GRACE,
      maxDurationSec: d.maxDuration ?? null,
    };
  }
  return spec;
}

/** The built-in configuration (no file found), resolved against `cwd`. */
export function defaultConfig(cwd: string): Config {
  return resolveConfig({}, { baseDir: cwd, configFile: null });
}
