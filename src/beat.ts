// Writing a heartbeat: what a daemon (or `ghost-hb beat`) calls. The file is
// replaced atomically (temp file in the same directory, fsync, rename), so a
// reader never sees half a heartbeat.
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { DAEMON_NAME_PATTERN } from './config/schema.js';
import type { SelfReportedStatus } from './core/types.js';

export interface BeatOptions {
  status?: SelfReportedStatus;
  /** Defaults to the calling process's pid. */
  pid?: number;
  message?: string;
  /** Seconds until the next beat; overrides the configured interval for this daemon. */
  interval?: number;
  seq?: number;
  meta?: Record<string, unknown>;
  /** Time of the beat (epoch ms or Date); defaults to now. */
  now?: number | Date;
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
  if (!DAEMON_NAME_PATTERN.test(name)) {
    throw new BeatError(
      `bad daemon name ${JSON.stringify(name)}: use letters, digits, ".", "_" or "-", starting with a letter or digit (at most 128)`,
    );
  }
  const status = opts.status ?? 'ok';
  if (!STATUSES.includes(status)) {
    throw new BeatError(`bad status ${JSON.stringify(status)}: use ok, degraded or failing`);
  }
  const pid = opts.pid ?? process.pid;
  if (!Number.isInteger(pid) || pid <= 0) throw new BeatError(`bad pid ${pid}: a positive integer`);
  if (opts.interval !== undefined && !(opts.interval > 0 && Number.isFinite(opts.interval))) {
    throw new BeatError(`bad interval ${opts.interval}: a positive number of seconds`);
  }
  if (opts.seq !== undefined && !(Number.isInteger(opts.seq) && opts.seq >= 0)) {
    throw new BeatError(`bad seq ${opts.seq}: a non-negative integer`);
  }
  const tsMs = opts.now === undefined ? Date.now() : +opts.now;
  if (!Number.isFinite(tsMs)) throw new BeatError('bad time for the beat');

  const doc: Record<string, unknown> = {
    name,
    pid,
    ts: new Date(tsMs).toISOString(),
    status,
  };
  if (opts.interval !== undefined) doc.interval = opts.interval;
  if (opts.seq !== undefined) doc.seq = opts.seq;
  if (opts.message !== undefined) doc.message = opts.message;
  if (opts.meta !== undefined) doc.meta = opts.meta;

  await fs.promises.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  // write-file-atomic resolves symlinks and would replace the link's target;
  // a heartbeat file that is a link was planted by someone else: refuse.
  try {
    if ((await fs.promises.lstat(file)).isSymbolicLink()) {
      throw new BeatError(`${file} is a symlink; refusing to write through it`);
    }
  } catch (err) {
    if (err instanceof BeatError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await writeFileAtomic(file, `${JSON.stringify(doc)}\n`, { fsync: true, mode: 0o644 });
  return file;
}
