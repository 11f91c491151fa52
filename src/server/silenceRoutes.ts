// /api/silences (token-protected): the silences of `ghost-hb silence`, over
// HTTP. GET lists those in force; POST {daemon | rule | all, for, reason?}
// adds one; DELETE /api/silences/ID ends one. Every change is audited. A
// client may say who it acts for (`by` in the body, `?by=` on DELETE: the
// user of `ghost-hb silence`, "screen"); it is recorded as "NAME (api)".
import type { IncomingMessage } from 'node:http';
import { parseDuration } from '../core/events/index.js';
import type { AuditEntry } from '../store/audit.js';
import { MAX_SILENCE_MS, silenceMatcher, type SilenceStore } from '../store/silences.js';
import { send, sendError } from './respond.js';
import type { Route } from './routes.js';

const MAX_BODY_BYTES = 4096;

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new BodyError(415, 'send application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyError(413, `body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BodyError(400, 'body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BodyError(400, 'body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** "alice (api)" for a well-formed `by`, else "api": the API is who changed it, whoever it speaks for. */
function actor(by: unknown): string {
  return typeof by === 'string' && /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(by)
    ? `${by} (api)`
    : 'api';
}

export interface SilenceRouteDeps {
  store: SilenceStore;
  audit: { record(entry: AuditEntry): unknown };
}

export function silenceRoutes({ store, audit }: SilenceRouteDeps): Route[] {
  return [
    {
      path: '/api/silences',
      methods: ['GET', 'POST'],
      auth: 'token',
      async handle({ req, res }) {
        if (req.method !== 'POST')
          return send(res, 200, JSON.stringify({ silences: store.active() }));
        let body: Record<string, unknown>;
        try {
          body = await readJson(req);
        } catch (err) {
          if (err instanceof BodyError) return sendError(res, err.status, err.message);
          throw err;
        }
        const matcher = silenceMatcher(body);
        if (typeof matcher === 'string') return sendError(res, 400, matcher);
        const durationMs = typeof body.for === 'string' ? parseDuration(body.for) : null;
        if (durationMs === null || durationMs <= 0 || durationMs > MAX_SILENCE_MS) {
          return sendError(res, 400, '"for" must be a duration up to a year ("30m", "2h", "1d")');
        }
        const reason = typeof body.reason === 'string' ? body.reason.slice(0, 500) : null;
        const s = store.add({ matcher, durationMs, reason, createdBy: actor(body.by) });
        audit.record({
          kind: 'silence',
          action: 'add',
          id: s.id,
          matcher,
          endsAt: s.endsAt,
          reason,
          by: s.createdBy,
        });
        send(res, 201, JSON.stringify(s));
      },
    },
    {
      path: '/api/silences/:id',
      methods: ['DELETE'],
      auth: 'token',
      handle({ res, params, url }) {
        const removed = store.remove(params.id!);
        if (!removed) return sendError(res, 404, 'no silence in force with that id');
        audit.record({
          kind: 'silence',
          action: 'remove',
          id: removed.id,
          matcher: removed.matcher,
          by: actor(url.searchParams.get('by') ?? undefined),
        });
        send(res, 200, JSON.stringify(removed));
      },
    },
  ];
}
