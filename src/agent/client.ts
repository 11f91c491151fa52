// Talking to the agent of a state directory over its unix socket: find a
// live one (the lock's holder, alive by pid and start time, with its socket
// present), and GET from its API with a deadline and a size cap (endpoint.ts),
// so a hung or confused agent costs a client a bounded wait and never its memory.
import fs from 'node:fs';
import http from 'node:http';
import { ApiError, getJson, readJsonAnswer, type GetOptions } from './endpoint.js';
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

/** What the agent answered: the status and the parsed JSON body (`{error}` on a refusal). */
export interface AgentAnswer<T> {
  status: number;
  body: T;
}

/**
 * One request to the agent's API over its socket (a JSON body for POST),
 * answered with any status: the caller decides what a 404 means (a change
 * such as adding a silence, where getJson only reads). Rejects with ApiError
 * when there is no usable answer (a timeout, too large, not JSON).
 */
export function agentRequest<T>(
  socket: string,
  request: { method: 'GET' | 'POST' | 'DELETE'; route: string; body?: unknown },
  o: GetOptions = {},
): Promise<AgentAnswer<T>> {
  const { method, route } = request;
  const maxBytes = o.maxBytes ?? 4 * 1024 * 1024;
  const payload = request.body === undefined ? null : Buffer.from(JSON.stringify(request.body));
  return new Promise<AgentAnswer<T>>((resolve, reject) => {
    const fail = (why: string) => reject(new ApiError('unreachable', `${route}: ${why}`));
    const req = http.request(
      {
        socketPath: socket,
        method,
        // One request per connection: nothing lingers in a pool after a one-shot client is done.
        agent: false,
        path: route,
        headers: {
          Host: 'localhost',
          Accept: 'application/json',
          ...(payload
            ? { 'Content-Type': 'application/json', 'Content-Length': payload.length }
            : {}),
        },
        timeout: o.timeoutMs ?? 5000,
      },
      (res) =>
        readJsonAnswer(res, maxBytes, {
          json: (body) => resolve({ status: res.statusCode ?? 0, body: body as T }),
          tooLarge: () => {
            req.destroy();
            fail(`answer larger than ${maxBytes} bytes`);
          },
          notJson: () => fail(`HTTP ${res.statusCode}: answer is not JSON`),
          lost: () => fail('connection lost'),
        }),
    );
    req.on('timeout', () => {
      req.destroy();
      fail('no answer in time');
    });
    req.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
    req.end(payload ?? undefined);
  });
}
