// Talking to the agent of a state directory over its unix socket: find a
// live one (the lock's holder, alive by pid and start time, with its socket
// present), and ask its API with a deadline and a size cap, so a hung or
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
export async function agentGet<T>(
  socket: string,
  route: string,
  o: AgentGetOptions = {},
): Promise<T> {
  const answer = await agentRequest<T>(socket, { method: 'GET', route }, o);
  if (answer.status !== 200) throw new AgentRequestError(`agent ${route}: HTTP ${answer.status}`);
  return answer.body;
}

/** What the agent answered: the status and the parsed JSON body (`{error}` on a refusal). */
export interface AgentAnswer<T> {
  status: number;
  body: T;
}

/**
 * One request to the agent's API (a JSON body for POST), answered with any
 * status: the caller decides what a 404 means. Rejects with AgentRequestError
 * when there is no usable answer (no agent, a timeout, too large, not JSON).
 */
export function agentRequest<T>(
  socket: string,
  request: { method: 'GET' | 'POST' | 'DELETE'; route: string; body?: unknown },
  o: AgentGetOptions = {},
): Promise<AgentAnswer<T>> {
  const { method, route } = request;
  const maxBytes = o.maxBytes ?? 32 * 1024 * 1024;
  const payload = request.body === undefined ? null : Buffer.from(JSON.stringify(request.body));
  return new Promise<AgentAnswer<T>>((resolve, reject) => {
    const fail = (why: string) => reject(new AgentRequestError(`agent ${route}: ${why}`));
    const req = http.request(
      {
        socketPath: socket,
        method,
        // One request per connection: nothing lingers in a pool after a one-shot client is done.
        agent: false,
        path: route,
        headers: {
          Host: 'localhost',
          ...(payload
            ? { 'Content-Type': 'application/json', 'Content-Length': payload.length }
            : {}),
        },
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
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
            resolve({ status: res.statusCode ?? 0, body });
          } catch {
            fail(res.statusCode === 200 ? 'not JSON' : `HTTP ${res.statusCode}`);
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
    req.end(payload ?? undefined);
  });
}
