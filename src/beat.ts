// Writing a heartbeat: what a daemon (or `ghost-hb beat`) calls. The file is
// replaced atomically (temp file in the same directory, fsync, rename), so a
// reader never sees half a heartbeat. This module is on `beat`'s fast path:
// node built-ins only (write-file-atomic's crypto and signal-exit loads cost
// as much CPU again as a bare Node start; the write itself is a dozen lines).
import fs from 'node:fs';
import path from 'node:path';
import { DAEMON_NAME_RULE, isDaemonName } from './core/names.js';
import type { RunExit } from './core/runs.js';
import type { SelfReportedStatus } from './core/types.js';

export interface BeatOptions {
  status?: SelfReportedStatus;
  /** Defaults to the calling process's pid; null writes none (a run that has ended). */
  pid?: number | null;
  message?: string;
  /** Seconds until the next beat; overrides the configured interval for this daemon. */
  interval?: number;
  seq?: number;
  meta?: Record<string, unknown>;
  /** Time of the beat (epoch ms or Date); defaults to now. */
  now?: number | Date;
  /**
   * Create the heartbeat directory when it is missing. Off by default: a
   * mistyped directory must fail loudly, not collect beats nobody reads.
   */
  mkdir?: boolean;
  /** When the current run began (`ghost-hb run`, /ping/NAME/start). */
  startedAt?: number | Date;
  /** How the last run ended. */
  exit?: RunExit;
  /** Who wrote the beat, when not the daemon itself (`run`, `http`). */
  source?: string;
}

export class BeatError extends Error {
  override name = 'BeatError';
}

const STATUSES: readonly SelfReportedStatus[] = ['ok', 'degraded', 'failing'];

/** Write `dir/NAME.json` atomically and return its path. Throws BeatError on bad input. */
export async function writeHeartbeat(
  dir: string,
  name: string,
  opts: BeatOptions = {},
): Promise<string> {
  if (!isDaemonName(name)) {
    throw new BeatError(`bad daemon name ${JSON.stringify(name)}: ${DAEMON_NAME_RULE}`);
  }
  const status = opts.status ?? 'ok';
  if (!STATUSES.includes(status)) {
    throw new BeatError(`bad status ${JSON.stringify(status)}: use ok, degraded or failing`);
  }
  const pid = opts.pid === undefined ? process.pid : opts.pid;
  if (pid !== null && (!Number.isInteger(pid) || pid <= 0)) {
    throw new BeatError(`bad pid ${pid}: a positive integer`);
  }
  if (opts.interval !== undefined && !(opts.interval > 0 && Number.isFinite(opts.interval))) {
    throw new BeatError(`bad interval ${opts.interval}: a positive number of seconds`);
  }
  if (opts.seq !== undefined && !(Number.isInteger(opts.seq) && opts.seq >= 0)) {
    throw new BeatError(`bad seq ${opts.seq}: a non-negative integer`);
  }
  const tsMs = opts.now === undefined ? Date.now() : +opts.now;
  if (!Number.isFinite(tsMs)) throw new BeatError('bad time for the beat');

  const doc: Record<string, unknown> = { name };
  if (pid !== null) doc.pid = pid;
  doc.ts = new Date(tsMs).toISOString();
  doc.status = status;
  if (opts.interval !== undefined) doc.interval = opts.interval;
  if (opts.seq !== undefined) doc.seq = opts.seq;
  if (opts.message !== undefined) doc.message = opts.message;
  if (opts.meta !== undefined) doc.meta = opts.meta;
  if (opts.startedAt !== undefined) doc.startedAt = new Date(+opts.startedAt).toISOString();
  if (opts.exit !== undefined) doc.exit = opts.exit;
  if (opts.source !== undefined) doc.source = opts.source;

  await prepareHeartbeatDir(dir, opts.mkdir === true);
  const file = path.join(dir, `${name}.json`);
  // A heartbeat file that is a link was planted by someone else: refuse,
  // rather than silently replace it.
  try {
    if ((await fs.promises.lstat(file)).isSymbolicLink()) {
      throw new BeatError(`${file} is a symlink; refusing to write through it`);
    }
  } catch (err) {
    if (err instanceof BeatError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await replaceAtomically(file, `${JSON.stringify(doc)}\n`);
  return file;
}

let tmpCounter = 0;

/**
 * Write `data` to a fresh temp file beside `file` (a dotfile, which the
 * directory scan ignores; O_EXCL, so never through a planted link), fsync it
 * and rename it over `file`. The temp file is removed when anything fails.
 */
async function replaceAtomically(file: string, data: string): Promise<void> {
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${++tmpCounter}.tmp`,
  );
  let handle: fs.promises.FileHandle | null = null;
  try {
    handle = await fs.promises.open(tmp, 'wx', 0o644);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = null;
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await handle?.close().catch(() => {});
    await fs.promises.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

/** Create `dir` (mkdir) or check it is there; throws BeatError when it is missing or not a directory. */
export async function prepareHeartbeatDir(dir: string, mkdir: boolean): Promise<void> {
  if (mkdir) await fs.promises.mkdir(dir, { recursive: true });
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new BeatError(
        `heartbeat directory ${dir} does not exist (a typo?); create it, or pass --mkdir`,
      );
    }
    throw err;
  }
  if (!stat.isDirectory()) throw new BeatError(`${dir} is not a directory`);
}
