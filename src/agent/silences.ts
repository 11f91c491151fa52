// Changing the silences of a state directory the way its one writer allows:
// through the agent's API when an agent holds the directory (`watch`,
// `serve`, a screen), or, with nobody there, directly in silences.json while
// holding the directory's lock for the moment of the write. `ghost-hb silence`
// and the screen's `m` key both come through here, so neither ever writes the
// file behind a running monitor's back.
import { AuditLog, type AuditEntry } from '../store/audit.js';
import { explainHeld, LockHeldError, StateDirLock } from '../store/lock.js';
import { SilenceStore, type Silence, type SilenceMatcher } from '../store/silences.js';
import { agentRequest, findAgent } from './client.js';
import { ApiError } from './endpoint.js';

export interface NewSilence {
  matcher: SilenceMatcher;
  durationMs: number;
  reason: string | null;
}

/** The silences of one state directory, wherever they are kept. */
export interface SilenceAccess {
  /** "the agent (ghost-hb watch, pid 123)" or "the state directory": for messages. */
  readonly via: string;
  /** Those in force now, soonest to end first. */
  list(): Promise<Silence[]>;
  add(s: NewSilence): Promise<Silence>;
  /** Null when no silence in force has that id (or unique id prefix). */
  remove(id: string): Promise<Silence | null>;
}

/** Refused: the agent said no, or could not be asked. The message says why. */
export class SilenceAccessError extends Error {}

/**
 * The silences in a state directory this process may write: it holds the
 * lock (a screen's own monitor, or `silence` for a moment). Every change is audited.
 */
export function localSilences(
  stateDir: string,
  audit: { record(entry: AuditEntry): unknown },
  by: string,
): SilenceAccess {
  const store = new SilenceStore(stateDir);
  return {
    via: 'the state directory',
    list: () => Promise.resolve(store.active()),
    add(n) {
      const s = store.add({ ...n, createdBy: by });
      audit.record({
        kind: 'silence',
        action: 'add',
        id: s.id,
        matcher: s.matcher,
        endsAt: s.endsAt,
        reason: s.reason,
        by,
      });
      return Promise.resolve(s);
    },
    remove(id) {
      const s = store.remove(id);
      if (s) audit.record({ kind: 'silence', action: 'remove', id: s.id, matcher: s.matcher, by });
      return Promise.resolve(s);
    },
  };
}

/** The silences of the agent listening on `socket` (its /api/silences). */
export function agentSilences(socket: string, by: string, via = 'the agent'): SilenceAccess {
  const refused = (what: string, answer: { status: number; body: unknown }) =>
    new SilenceAccessError(
      `${via} refused to ${what}: ${(answer.body as { error?: string } | null)?.error ?? `HTTP ${answer.status}`}`,
    );
  const ask = async <T>(request: Parameters<typeof agentRequest>[1]) => {
    try {
      return await agentRequest<T>(socket, request, { timeoutMs: 5000, maxBytes: 4 * 1024 * 1024 });
    } catch (err) {
      if (err instanceof ApiError) {
        throw new SilenceAccessError(`${via} did not answer: ${err.message}`);
      }
      throw err;
    }
  };
  return {
    via,
    async list() {
      const a = await ask<{ silences: Silence[] }>({ method: 'GET', route: '/api/silences' });
      if (a.status !== 200 || !Array.isArray(a.body.silences)) throw refused('list silences', a);
      return a.body.silences;
    },
    async add(n) {
      const body = {
        ...n.matcher,
        for: `${Math.max(1, Math.ceil(n.durationMs / 1000))}s`,
        ...(n.reason !== null ? { reason: n.reason } : {}),
        by,
      };
      const a = await ask<Silence>({ method: 'POST', route: '/api/silences', body });
      if (a.status !== 201) throw refused('add the silence', a);
      return a.body;
    },
    async remove(id) {
      const route = `/api/silences/${encodeURIComponent(id)}?by=${encodeURIComponent(by)}`;
      const a = await ask<Silence>({ method: 'DELETE', route });
      if (a.status === 404) return null;
      if (a.status !== 200) throw refused('remove the silence', a);
      return a.body;
    },
  };
}

/**
 * Run `act` with the silences of `stateDir`: the agent's when one holds it,
 * else the file's under the lock (taken for the call, released after; a
 * reader needs none, the file is replaced atomically). A holder that serves
 * no API is a SilenceAccessError naming it.
 */
export async function withSilences<T>(
  stateDir: string,
  by: string,
  act: (access: SilenceAccess) => Promise<T>,
  o: { readOnly?: boolean } = {},
): Promise<T> {
  const agent = findAgent(stateDir);
  if (agent) {
    const h = agent.holder;
    return act(agentSilences(agent.socket, by, `the agent (ghost-hb ${h.command}, pid ${h.pid})`));
  }
  if (o.readOnly) {
    const refuse = () => Promise.reject(new Error('read-only silence access'));
    const store = new SilenceStore(stateDir);
    return act({
      via: 'the state directory',
      list: () => Promise.resolve(store.active()),
      add: refuse,
      remove: refuse,
    });
  }
  let lock: StateDirLock;
  try {
    lock = StateDirLock.acquire(stateDir, { command: 'silence' });
  } catch (err) {
    if (err instanceof LockHeldError) throw new SilenceAccessError(explainHeld(err));
    throw err;
  }
  const audit = new AuditLog(stateDir);
  try {
    return await act(localSilences(stateDir, audit, by));
  } finally {
    audit.close();
    lock.release();
  }
}

/** One hour: what the screen's `m` mutes a daemon for. */
export const MUTE_MS = 3_600_000;

/**
 * The screen's `m`: unmute `daemon` when silences name it (all of them end),
 * else mute it for `durationMs`. Returns what it did.
 */
export async function toggleMute(
  access: SilenceAccess,
  daemon: string,
  durationMs = MUTE_MS,
): Promise<{ muted: boolean; silences: Silence[] }> {
  const naming = (await access.list()).filter((s) => s.matcher.daemon === daemon);
  if (naming.length > 0) {
    const removed: Silence[] = [];
    for (const s of naming) {
      const r = await access.remove(s.id);
      if (r) removed.push(r);
    }
    return { muted: false, silences: removed };
  }
  const s = await access.add({
    matcher: { daemon },
    durationMs,
    reason: 'muted from the screen',
  });
  return { muted: true, silences: [s] };
}
