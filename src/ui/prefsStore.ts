// The monitor's remembered choices (filter, status filter, sort), per user:
// in the user's own state directory ($XDG_STATE_HOME/ghost-hb, else
// ~/.local/state/ghost-hb), never in an agent's, so a screen attached to a
// service's agent writes nothing there. Written atomically so a crash
// mid-write leaves the old file.
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { DEFAULT_PREFS, SORT_KEYS, STATUS_FILTERS, type Prefs } from './model/view.js';
import { resolveStateDir, STATE_FILES } from '../store/paths.js';

/** The user's own state directory, whatever the config's stateDir says. */
export function userStateDir(env: NodeJS.ProcessEnv): string {
  return resolveStateDir({ stateDir: null }, env);
}

export function uiStateFile(stateDir: string): string {
  return path.join(stateDir, STATE_FILES.ui);
}

/** Read the remembered prefs; anything missing, unreadable or wrong falls back to the default. */
export function loadPrefs(file: string): Prefs {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return { ...DEFAULT_PREFS };
  }
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return {
    filter: typeof o.filter === 'string' ? o.filter.slice(0, 200) : DEFAULT_PREFS.filter,
    statusFilter: STATUS_FILTERS.includes(o.statusFilter as Prefs['statusFilter'])
      ? (o.statusFilter as Prefs['statusFilter'])
      : DEFAULT_PREFS.statusFilter,
    sort: SORT_KEYS.includes(o.sort as Prefs['sort'])
      ? (o.sort as Prefs['sort'])
      : DEFAULT_PREFS.sort,
    reverse: typeof o.reverse === 'boolean' ? o.reverse : DEFAULT_PREFS.reverse,
  };
}

/**
 * Save the prefs. Writes are chained so they land in order; a failure (read-only
 * state directory) is reported once through `onError` and never stops the UI.
 */
export function prefsSaver(file: string, onError: (err: Error) => void = () => {}) {
  let chain: Promise<void> = Promise.resolve();
  let reported = false;
  const save = (prefs: Prefs): Promise<void> => {
    chain = chain.then(async () => {
      try {
        await fs.promises.mkdir(path.dirname(file), { recursive: true });
        await writeFileAtomic(file, `${JSON.stringify(prefs)}\n`, { mode: 0o600 });
      } catch (err) {
        if (!reported) onError(err as Error);
        reported = true;
      }
    });
    return chain;
  };
  return { save, flush: () => chain };
}
