// `ghost-hb events` beside a running agent: the agent's view of the event log
// over its socket. The files hold the whole history; the agent also holds
// what it has not written yet (a batch not yet flushed, or events held while
// the disk refuses writes) and the latest repeat counts, so a reader merges
// the two, the agent's copy winning. `--follow` follows the agent's event
// stream, which has each event as it is raised rather than when it is flushed.
import { matchesFilter, newest, type EventFilter, type EventQuery } from '../core/events/index.js';
import type { HbEvent } from '../core/types.js';
import type { ApiError } from './endpoint.js';
import { agentGet } from './client.js';
import { openEventStream, type EventStreamHandle } from './stream.js';

/** The most events one /api/events answer holds (src/server/query.ts). */
const API_LIMIT = 1000;

function isEvent(v: unknown): v is HbEvent {
  if (!v || typeof v !== 'object') return false;
  const e = v as Partial<HbEvent>;
  return typeof e.id === 'string' && typeof e.at === 'string' && typeof e.rule === 'string';
}

/** The /api/events route for a query: the newest matches the agent has, at most API_LIMIT. */
export function eventsRoute(q: EventQuery): string {
  const p = new URLSearchParams();
  if (q.sinceMs != null) p.set('since', String(Math.floor(q.sinceMs)));
  if (q.severity) p.set('severity', q.severity);
  if (q.daemon) p.set('daemon', q.daemon);
  if (q.rule) p.set('rule', q.rule);
  p.set('limit', String(Math.max(1, Math.min(API_LIMIT, q.limit ?? API_LIMIT))));
  return `/api/events?${p.toString()}`;
}

/** The agent's newest events matching `q`, oldest first; rejects with ApiError when it does not answer. */
export async function agentEvents(socket: string, q: EventQuery): Promise<HbEvent[]> {
  const body = await agentGet<{ events?: unknown }>(socket, eventsRoute(q), { timeoutMs: 3000 });
  return Array.isArray(body.events) ? body.events.filter(isEvent) : [];
}

/**
 * The log's events and the agent's, each id once (the agent's copy: its
 * repeat count is the latest), in the log's order with what only the agent
 * has after it; then the newest `limit`.
 */
export function mergeEvents(
  fromLog: readonly HbEvent[],
  fromAgent: readonly HbEvent[],
  limit: number | null | undefined,
): HbEvent[] {
  const agent = new Map(fromAgent.map((e) => [e.id, e]));
  const merged = fromLog.map((e) => agent.get(e.id) ?? e);
  const logged = new Set(fromLog.map((e) => e.id));
  for (const e of fromAgent) if (!logged.has(e.id)) merged.push(e);
  return newest(merged, limit);
}

export interface AgentFollow {
  /** Resolves once the stream is open (or has ended): from then on nothing raised is missed. */
  ready: Promise<void>;
  /** Start printing: what arrived before is printed now (ids in `printed` skipped). */
  release(printed: ReadonlySet<string>): void;
  close(): void;
}

/**
 * Follow the agent's event stream from now: events matching `filter`, each
 * once. Frames that arrive before `release` are held, so nothing raised
 * while the history is being read is lost or printed twice. `onEnd` is told
 * once when the stream ends (the agent stopped).
 */
export function followAgent(
  socket: string,
  filter: EventFilter,
  onEvent: (e: HbEvent) => void,
  onEnd: (err: ApiError) => void,
): AgentFollow {
  let opened: () => void = () => {};
  const ready = new Promise<void>((resolve) => (opened = resolve));
  let held: HbEvent[] | null = [];
  // Ids already printed from the history; the stream itself sends each event once.
  let printedIds: ReadonlySet<string> = new Set();
  const deliver = (e: HbEvent) => {
    if (!printedIds.has(e.id) && matchesFilter(e, filter)) onEvent(e);
  };
  const stream: EventStreamHandle = openEventStream(
    { kind: 'socket', socket },
    // Snapshots are not wanted here: one an hour, status changes aside.
    { idleMs: 45_000, snapshotMs: 3_600_000 },
    {
      open: () => opened(),
      frame: (f) => {
        if (f.event !== 'anomaly') return;
        let e: unknown;
        try {
          e = JSON.parse(f.data);
        } catch {
          return;
        }
        if (!isEvent(e)) return;
        if (held) held.push(e);
        else deliver(e);
      },
      end: (err) => {
        opened();
        onEnd(err);
      },
    },
  );
  return {
    ready,
    release(printed) {
      printedIds = printed;
      const early = held ?? [];
      held = null;
      for (const e of early) deliver(e);
    },
    close: () => stream.close(),
  };
}
