// The persisted state file (state.json): the anomaly rules' memory (known
// daemons, open conditions, restart times, flips) and the engine's (last pids,
// restart counts). Written atomically after every poll; a file that cannot be
// read back is moved aside, never silently overwritten.
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { STATE_FILES } from './paths.js';
import { stateRecord } from './records.js';

export interface PersistedState {
  version: 1;
  savedAt: string;
  rules: unknown;
  engine: unknown;
  /** Daemon name -> wall ms last seen (for forgetting daemons that left). */
  seen?: unknown;
}

export type LoadStateResult =
  | { kind: 'fresh' }
  | { kind: 'loaded'; state: PersistedState }
  | { kind: 'corrupt'; problem: string; movedTo: string };

/** A state file larger than this is not one ghost-hb wrote (its rule state is bounded). */
export const MAX_STATE_BYTES = 32 * 1024 * 1024;

export function stateFile(dir: string): string {
  return path.join(dir, STATE_FILES.state);
}

export function loadState(dir: string, now: number): LoadStateResult {
  const file = stateFile(dir);
  let text: string;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_STATE_BYTES) {
      return moveAside(file, `too large (${size} bytes; at most ${MAX_STATE_BYTES})`, now);
    }
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'fresh' };
    return moveAside(
      file,
      `unreadable: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      now,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return moveAside(file, `not valid JSON (${(err as Error).message}); truncated?`, now);
  }
  const s = stateRecord.safeParse(parsed);
  if (!s.success || !('rules' in (parsed as object))) {
    return moveAside(file, 'not a ghost-hb state file (version 1)', now);
  }
  return { kind: 'loaded', state: s.data as PersistedState };
}

function moveAside(file: string, problem: string, now: number): LoadStateResult {
  const movedTo = `${file}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  fs.renameSync(file, movedTo);
  return { kind: 'corrupt', problem, movedTo };
}

/** Atomic (temp file, fsync, rename) write of the state. */
export function saveState(dir: string, state: PersistedState): void {
  writeFileAtomic.sync(stateFile(dir), JSON.stringify(state), { mode: 0o600 });
}
