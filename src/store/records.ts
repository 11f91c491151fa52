// The shapes of what the state directory's files hold, checked on every read:
// a file edited by hand, cut short by a full disk or written by another version
// must cost the lines that are wrong, never the monitor.
import { z } from 'zod';
import { SEVERITIES, type HbEvent, type Severity } from '../core/types.js';

/**
 * Event ids are decimal strings below 10^15, far under 2^53: ids stay exact
 * integers when incremented (a hand-made id near Number.MAX_SAFE_INTEGER would
 * make every later event share one id), and a line with a larger one is invalid.
 */
export const MAX_EVENT_ID = 999_999_999_999_999;
const eventId = z.string().regex(/^\d{1,15}$/, 'id must be a decimal string of at most 15 digits');

const isoTime = z
  .string()
  .max(64)
  .refine((s) => Number.isFinite(Date.parse(s)), 'not a time');

const shortText = z.string().max(256);

export const eventRecord: z.ZodType<HbEvent> = z.object({
  id: eventId,
  at: isoTime,
  severity: z.enum(SEVERITIES as [Severity, ...Severity[]]),
  rule: shortText.min(1),
  daemon: shortText.optional(),
  message: z.string().max(64 * 1024),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const uptimeRecord = z.union([
  z.object({
    at: isoTime,
    daemon: shortText.min(1),
    status: z.enum(['up', 'late', 'down', 'unknown']),
  }),
  z.object({ at: isoTime, monitor: z.enum(['start', 'stop']) }),
]);

export const auditRecord = z.looseObject({
  at: isoTime,
  kind: shortText.min(1),
});

/** state.json's envelope; the rule and engine parts are checked field by field when revived. */
export const stateRecord = z.object({
  version: z.literal(1),
  // Informational only: nothing is computed from it.
  savedAt: z.string().max(64),
  rules: z.unknown(),
  engine: z.unknown(),
  seen: z.unknown().optional(),
});
