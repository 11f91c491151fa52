// The one `since` grammar, for `ghost-hb events --since` and `/api/events?since=`:
//
//   a duration ago     a number (decimals allowed) and a unit, space optional:
//                      s, m, h, d, w        90s, 15m, 15 m, 1.5h, 2d, 1w
//   epoch milliseconds 10 to 13 digits      1700000000000
//   an ISO-8601 time   a date, or a date and time, with an optional zone
//                      2026-01-31, 2026-01-31T08:00, 2026-01-31 08:00:00Z,
//                      2026-01-31T08:00:00.5+01:00 (a date alone is UTC;
//                      a date and time without a zone is local time)
//
// Anything else is refused (null), never guessed at.

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** One line for error messages and help. */
export const SINCE_HELP =
  'a duration ago (90s, 15m, 1.5h, 2d, 1w), epoch milliseconds, or an ISO-8601 time (2026-01-31T08:00Z)';

const DURATION = /^(\d{1,9}(?:\.\d{1,6})?)\s*([smhdw])$/;
const EPOCH_MS = /^\d{10,13}$/;
const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** A duration in the grammar's first form ("90s", "15 m", "1.5h", "2d", "1w"): ms, or null. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : null;
}

/** Epoch ms for `text` read at `nowMs`, or null when it is not in the grammar. */
export function parseSince(text: string, nowMs: number): number | null {
  const v = text.trim();
  const ago = parseDuration(v);
  if (ago !== null) return nowMs - ago;
  if (EPOCH_MS.test(v)) return Number(v);
  if (ISO_TIME.test(v)) {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  return null;
}
