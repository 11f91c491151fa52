// Pure interpretation of files found in the heartbeat directory: which names
// are daemons at all, and what each daemon file says. Faults are returned as
// reasons, never thrown: a heartbeat directory is written by other programs
// and anything can be in it.
import { z } from 'zod';
import { hasControlChars } from './format.js';
import { sanitizeValue } from './sanitize.js';
import type {
  Heartbeat,
  HeartbeatFileKind,
  HeartbeatFileObservation,
  SelfReportedStatus,
} from './types.js';
import { escapeControl } from './sanitize.js';

/** Files are read up to this many bytes; a larger file is a fault. */
export const MAX_HEARTBEAT_BYTES = 64 * 1024;

/** Highest pid Linux can hand out (pid_max ceiling, 2^22). */
export const MAX_PID = 4_194_304;

/** Beats dated before this are absurd (a clock that never got set, or seconds passed as ms). */
export const MIN_PLAUSIBLE_TS_MS = Date.UTC(2000, 0, 1);

// ---------------------------------------------------------------------------
// File names
// ---------------------------------------------------------------------------

export type FileClassification =
  { daemon: true; name: string; kind: HeartbeatFileKind } | { daemon: false; reason: string };

const EXTENSIONS: [string, HeartbeatFileKind][] = [
  ['.json', 'json'],
  ['.heartbeat', 'touch'],
  ['.hb', 'touch'],
  ['.pid', 'pidfile'],
];

const EDITOR_BACKUP = /(~|\.swp|\.swo|\.swx|\.bak|\.orig|\.tmp|\.temp|\.part)$/i;

/**
 * Decide whether a directory entry names a daemon file. Only the exact
 * endings `.json`, `.hb`, `.heartbeat` and `.pid` are daemons, so the temp
 * files of atomic writers (`NAME.json.tmp`, `NAME.json.12345`,
 * `NAME.json.1a2b3c`), dotfiles (`.NAME.json.x`) and editor backups never are.
 * Whether the entry is a regular file is the collector's question.
 */
export function classifyFileName(fileName: string): FileClassification {
  if (fileName.startsWith('.')) return { daemon: false, reason: 'dotfile' };
  if (EDITOR_BACKUP.test(fileName)) return { daemon: false, reason: 'backup or temp file' };
  for (const [ext, kind] of EXTENSIONS) {
    if (fileName.endsWith(ext) && fileName.length > ext.length) {
      return { daemon: true, name: fileName.slice(0, -ext.length), kind };
    }
  }
  return { daemon: false, reason: 'not a heartbeat file name' };
}

/** Why a daemon name taken from a file name cannot be trusted as is, or null. */
export function nameProblem(name: string): string | null {
  if (hasControlChars(name)) {
    return `file name contains control characters: "${escapeControl(name)}"`;
  }
  if (name.length > 128) return 'file name longer than 128 characters';
  return null;
}

// ---------------------------------------------------------------------------
// Timestamps and pids
// ---------------------------------------------------------------------------

const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** A date with a time of day but no `Z` or `+hh:mm`: local time of some unknown zone. */
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?$/i;

/**
 * A date-time without a UTC offset (Python's `datetime.now().isoformat()`)
 * means a different instant in every time zone; JavaScript would read it in
 * the monitor's zone and a writer elsewhere would look hours stale or in the
 * future. It is refused, with the fix, rather than guessed.
 */
function noOffsetProblem(ts: string): string {
  return (
    `ts "${escapeControl(ts.slice(0, 40))}" has no UTC offset, so its instant is ambiguous; ` +
    'write UTC with "Z" or an offset such as "+09:00" ' +
    '(Python: datetime.now(timezone.utc).isoformat(); shell: date -u +%Y-%m-%dT%H:%M:%SZ)'
  );
}

export type TsResult = { ok: true; ms: number } | { ok: false; problem: string };

export interface TsLimits {
  /** Wall-clock now, epoch ms. */
  nowMs: number;
  /** How far ahead of now a beat may be dated before it is "in the future". */
  maxFutureMs: number;
}

/** Parse an ISO-8601 string or epoch-milliseconds number and check it is plausible. */
export function parseTimestamp(value: unknown, limits: TsLimits): TsResult {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, problem: 'ts is not a finite number' };
    ms = value;
  } else if (typeof value === 'string') {
    const trimmed = value.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Number(trimmed);
    else if (ISO_8601.test(trimmed)) {
      if (LOCAL_DATE_TIME.test(trimmed)) return { ok: false, problem: noOffsetProblem(trimmed) };
      ms = Date.parse(trimmed.replace(',', '.'));
    } else {
      return {
        ok: false,
        problem: `ts "${escapeControl(trimmed.slice(0, 40))}" is not ISO-8601 or epoch ms`,
      };
    }
    if (!Number.isFinite(ms)) {
      return { ok: false, problem: `ts "${escapeControl(trimmed.slice(0, 40))}" is not a date` };
    }
  } else {
    return {
      ok: false,
      problem: `ts must be an ISO-8601 string or epoch ms, got ${typeName(value)}`,
    };
  }
  if (ms < MIN_PLAUSIBLE_TS_MS) {
    const hint =
      ms * 1000 >= MIN_PLAUSIBLE_TS_MS && ms * 1000 < limits.nowMs + 86_400_000
        ? ' (looks like epoch seconds; use milliseconds)'
        : '';
    return { ok: false, problem: `ts ${ms} is absurd: before 2000-01-01${hint}` };
  }
  if (ms > limits.nowMs + limits.maxFutureMs) {
    const ahead = Math.round((ms - limits.nowMs) / 1000);
    return { ok: false, problem: `ts is ${ahead}s in the future` };
  }
  return { ok: true, ms };
}

export type PidResult = { ok: true; pid: number } | { ok: false; problem: string };

/** A pid as written in a pidfile or a JSON heartbeat. */
export function parsePid(value: unknown): PidResult {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) n = Number(value.trim());
  else {
    const shown = typeof value === 'string' ? `"${escapeControl(value.slice(0, 20))}"` : '';
    return { ok: false, problem: `pid is not a number${shown ? `: ${shown}` : ''}` };
  }
  if (!Number.isInteger(n)) return { ok: false, problem: `pid ${n} is not an integer` };
  if (n < 0) return { ok: false, problem: `pid ${n} is negative` };
  if (n === 0) return { ok: false, problem: 'pid 0 is not a process' };
  if (n > MAX_PID) return { ok: false, problem: `pid ${n} is above the pid limit ${MAX_PID}` };
  return { ok: true, pid: n };
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

// ---------------------------------------------------------------------------
// JSON heartbeats
// ---------------------------------------------------------------------------

const KNOWN_FIELDS = new Set([
  'name',
  'pid',
  'ts',
  'interval',
  'status',
  'seq',
  'message',
  'uptime',
  'ping',
  'meta',
  'startedAt',
  'exit',
]);

// ts and pid are checked by parseTimestamp/parsePid for precise reasons; the
// rest of the shape is zod's. Every field but ts is optional; null counts as absent.
const heartbeatShape = z.object({
  name: z.string().max(256).nullish(),
  // From 1 ms (a shorter announced interval is a bug, not a rhythm) to a week.
  interval: z
    .number()
    .min(0.001)
    .max(7 * 86400)
    .nullish(),
  status: z.enum(['ok', 'degraded', 'failing']).nullish(),
  seq: z.number().int().nonnegative().nullish(),
  message: z.string().max(4096).nullish(),
  uptime: z.number().nonnegative().finite().nullish(),
  ping: z
    .object({
      target: z.string().max(256),
      ms: z.number().nonnegative().finite().nullable(),
      ok: z.boolean(),
    })
    .nullish(),
  meta: z.record(z.string(), z.unknown()).nullish(),
  exit: z
    .object({
      code: z.number().int().min(0).max(255).nullable(),
      signal: z
        .string()
        .regex(/^SIG[A-Z0-9]{2,10}$/, 'a signal name such as "SIGSEGV"')
        .nullable(),
      durationMs: z.number().nonnegative().finite().nullish(),
    })
    .nullish(),
});

/** What one daemon file says, after validation. */
export interface ParsedHeartbeatFile {
  /** Raw daemon name (may hold control characters; escape before display). */
  name: string;
  kind: HeartbeatFileKind;
  path: string;
  /** The file's mtime in epoch ms (a pidfile's tells when its pid was written). */
  mtimeMs: number | null;
  /** The beat (JSON or touch file); null for pidfiles and faulty files. */
  heartbeat: Heartbeat | null;
  /** pid named by the file (pidfile, or a JSON heartbeat's pid). */
  pid: number | null;
  /** The JSON document as written, for display after sanitizing; null otherwise. */
  payload: Record<string, unknown> | null;
  /** The reason the file cannot be used, or null when it was valid. */
  fault: string | null;
  /** Things worth showing that do not make the file unusable. */
  warnings: string[];
}

export interface ParseOptions extends TsLimits {
  maxBytes?: number;
}

/** Validate one observed file. Never throws. */
export function parseHeartbeatFile(
  obs: HeartbeatFileObservation,
  opts: ParseOptions,
): ParsedHeartbeatFile {
  const base: ParsedHeartbeatFile = {
    name: obs.name,
    kind: obs.kind,
    path: obs.path,
    mtimeMs: obs.mtimeMs,
    heartbeat: null,
    pid: null,
    payload: null,
    fault: null,
    warnings: [],
  };
  const fail = (fault: string): ParsedHeartbeatFile => ({ ...base, fault });
  const label = `${obs.kind === 'touch' ? 'touch file' : obs.kind === 'pidfile' ? 'pidfile' : 'heartbeat'}`;

  if (obs.fault) return fail(`${label} ${obs.fault}`);
  const maxBytes = opts.maxBytes ?? MAX_HEARTBEAT_BYTES;
  if (obs.truncated || (obs.size != null && obs.size > maxBytes)) {
    return fail(`${label} too large: ${obs.size ?? '?'} bytes (limit ${maxBytes})`);
  }
  const nameIssue = nameProblem(obs.name);
  if (nameIssue) return fail(nameIssue);

  switch (obs.kind) {
    case 'json':
      return parseJson(obs, opts, base, fail);
    case 'touch':
      return parseTouch(obs, opts, base, fail);
    case 'pidfile':
      return parsePidfile(obs, base, fail);
  }
}

function parseJson(
  obs: HeartbeatFileObservation,
  opts: ParseOptions,
  base: ParsedHeartbeatFile,
  fail: (f: string) => ParsedHeartbeatFile,
): ParsedHeartbeatFile {
  const text = obs.content ?? '';
  if (text.trim() === '') return fail('heartbeat is empty (a writer caught mid-write?)');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    // A writer caught mid-write leaves a prefix of valid JSON: the parser runs
    // out of input rather than meeting a wrong character.
    const at = /position (\d+)/.exec(detail);
    const truncated =
      /end of (json )?input|unterminated/i.test(detail) ||
      (at !== null && Number(at[1]) >= text.trimEnd().length);
    return fail(
      truncated
        ? 'heartbeat is truncated JSON (a writer caught mid-write?)'
        : `heartbeat is malformed JSON: ${escapeControl(detail.slice(0, 120))}`,
    );
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return fail(`heartbeat must be a JSON object, got ${typeName(doc)}`);
  }
  const record = doc as Record<string, unknown>;
  if (!('ts' in record)) return fail('heartbeat has no ts');
  const ts = parseTimestamp(record.ts, opts);
  if (!ts.ok) return fail(`heartbeat ${ts.problem}`);

  let pid: number | null = null;
  if (record.pid != null) {
    const p = parsePid(record.pid);
    if (!p.ok) return fail(`heartbeat ${p.problem}`);
    if (typeof record.pid !== 'number') return fail('heartbeat pid must be a number');
    pid = p.pid;
  }

  let startedAtMs: number | null = null;
  if (record.startedAt != null) {
    const started = parseTimestamp(record.startedAt, opts);
    if (!started.ok) return fail(`heartbeat startedAt: ${started.problem.replace(/^ts /, '')}`);
    startedAtMs = started.ms;
  }

  const shape = heartbeatShape.safeParse(record);
  if (!shape.success) {
    const first = shape.error.issues[0]!;
    const key = first.path.map(String).join('.') || '(document)';
    return fail(`heartbeat field ${escapeControl(key)}: ${first.message}`);
  }
  const h = shape.data;
  const warnings: string[] = [];
  if (h.name != null && h.name !== obs.name) {
    warnings.push(`name field "${escapeControl(h.name)}" differs from the file name`);
  }

  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (!KNOWN_FIELDS.has(k)) extra[k] = v;
  }
  if (h.meta) extra.meta = h.meta;

  const heartbeat: Heartbeat = {
    tsMs: ts.ms,
    pid,
    intervalSec: h.interval ?? null,
    status: (h.status ?? null) as SelfReportedStatus | null,
    seq: h.seq ?? null,
    message: h.message ?? null,
    uptimeSec: h.uptime ?? null,
    ping: h.ping ?? null,
    mtimeMs: obs.mtimeMs,
    // Only on beats that carry them (a run's), so other beats stay as they were.
    ...(startedAtMs !== null ? { startedAtMs } : {}),
    ...(h.exit
      ? {
          exit: { code: h.exit.code, signal: h.exit.signal, durationMs: h.exit.durationMs ?? null },
        }
      : {}),
    extra,
  };
  return { ...base, heartbeat, pid, payload: record, warnings };
}

function parseTouch(
  obs: HeartbeatFileObservation,
  opts: ParseOptions,
  base: ParsedHeartbeatFile,
  fail: (f: string) => ParsedHeartbeatFile,
): ParsedHeartbeatFile {
  if (obs.mtimeMs == null) return fail('touch file has no modification time');
  // The mtime is the beat (`touch NAME.hb`); a timestamp in the body is only
  // kept for display, because `touch` refreshes the mtime without rewriting it.
  const mtime = parseTimestamp(obs.mtimeMs, opts);
  if (!mtime.ok) return fail(`touch file modification time: ${mtime.problem.replace(/^ts /, '')}`);
  const warnings: string[] = [];
  const extra: Record<string, unknown> = {};
  const body = (obs.content ?? '').trim();
  if (body !== '') {
    const ts = parseTimestamp(body, { nowMs: opts.nowMs, maxFutureMs: Number.POSITIVE_INFINITY });
    if (ts.ok) extra.contentTs = new Date(ts.ms).toISOString();
    else warnings.push('touch file content is not a timestamp (ignored)');
  }
  const heartbeat: Heartbeat = {
    tsMs: mtime.ms,
    pid: null,
    intervalSec: null,
    status: null,
    seq: null,
    message: null,
    uptimeSec: null,
    ping: null,
    mtimeMs: obs.mtimeMs,
    extra,
  };
  return { ...base, heartbeat, warnings };
}

function parsePidfile(
  obs: HeartbeatFileObservation,
  base: ParsedHeartbeatFile,
  fail: (f: string) => ParsedHeartbeatFile,
): ParsedHeartbeatFile {
  // A pidfile holds the pid on its first line (some writers add more lines).
  const firstLine = (obs.content ?? '').split('\n', 1)[0]!.trim();
  if (firstLine === '') return fail('pidfile is empty');
  const p = parsePid(firstLine);
  if (!p.ok) return fail(`pidfile ${p.problem}`);
  return { ...base, pid: p.pid };
}

// Fields whose values parseHeartbeatFile has validated to be numbers, enums or
// ISO/epoch timestamps: nothing in them can be a secret or a control character.
const VALIDATED_SCALARS = new Set(['pid', 'ts', 'interval', 'status', 'seq', 'uptime']);

/**
 * The payload of a valid JSON heartbeat made safe to print, log and export:
 * free text (name, message, ping, meta and unknown fields) goes through the
 * shared sanitizer; validated scalars are copied, which keeps a poll over
 * thousands of fresh heartbeats cheap. Key order is the document's.
 */
export function sanitizePayload(payload: Record<string, unknown>): Record<string, unknown> {
  const free: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (!(VALIDATED_SCALARS.has(k) && (v === null || typeof v !== 'object'))) free[k] = v;
  }
  const cleaned = sanitizeValue(free) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (VALIDATED_SCALARS.has(k) && (v === null || typeof v !== 'object')) out[k] = v;
  }
  return Object.keys(out).length === 0 ? cleaned : { ...out, ...cleaned };
}
