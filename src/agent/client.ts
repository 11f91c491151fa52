// Talking to the agent of a state directory over its unix socket: find a
// live one (the lock's holder, alive by pid and start time, with its socket
// present), and GET from its API with a deadline and a size cap (endpoint.ts),
// so a hung or confused agent costs a client a bounded wait and never its memory.
import fs from 'node:fs';
import { getJson, type GetOptions } from './endpoint.js';
import { readHolder, type LockHolder } from '../store/lock.js';
import { socketPath } from './socket.js';

export interface FoundAgent {
  holder: LockHolder;
  socket: string;
}

/** The live agent serving this state directory's socket, or null. */
export function findAgent(stateDir: string): FoundAgent | null {
  const holder = readHolder(stateDir);
  if (!holder || holder.socket === null) return null;
  const socket = socketPath(stateDir);
  try {
    if (!fs.lstatSync(socket).isSocket()) return null;
  } catch {
    return null;
  }
  return { holder, socket };
}

/** GET a JSON document from the agent over its socket; rejects with ApiError on any failure. */
export function agentGet<T>(socket: string, route: string, o: GetOptions = {}): Promise<T> {
  return getJson<T>({ kind: 'socket', socket }, route, o);
}
