// Talking to the agent of a state directory over its unix socket: find a
// live one (the lock's holder, alive by pid and start time, with its socket
// present), and GET from its API with a deadline and a size cap, so a hung or
// confused agent costs a client a bounded wait and never its memory.
import fs from 'node:fs';
import http from 'node:http';
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

export interface AgentGetOptions {
  timeoutMs?: number;
  maxBytes?: number;
}

export class AgentRequestError extends Error {}

/** GET a JSON document from the agent; rejects with AgentRequestError on any failure. */
export function agentGet<T>(socket: string, route: string, o: AgentGetOptions = {}): Promise<T> {
  const maxBytes = o.maxBytes ?? 32 * 1024 * 1024;
  return new Promise<T>((resolve, reject) => {
    const fail = (why: string) => reject(new AgentRequestError(`agent ${route}: ${why}`));
    const req = http.get(
      {
        socketPath: socket,
        // One request per connection: nothing lingers in a pool after a one-shot client is done.
        agent: false,
        path: route,
        headers: { Host: 'localhost' },
        timeout: o.timeoutMs ?? 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            req.destroy();
            fail(`answer larger than ${maxBytes} bytes`);
          } else chunks.push(c);
        });
        res.on('end', () => {
          if (res.statusCode !== 200) return fail(`HTTP ${res.statusCode}`);
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
          } catch {
            fail('not JSON');
          }
        });
        res.on('error', (err) => fail(err.message));
      },
    );
    req.on('timeout', () => {
      req.destroy();
      fail('no answer in time');
    });
    req.on('error', (err) => fail(err.message));
  });
}
