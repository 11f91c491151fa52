// The CLI's text lines that carry times and durations: `watch`/`events` event
// lines and `silence list`. Times are local and come from core/format.ts, so
// expectations are built with formatStamp rather than a fixed time zone.
import { describe, expect, it } from '@jest/globals';
import { formatEventLine } from '../../src/cli/eventText.js';
import { silenceLine } from '../../src/cli/commands/silence.js';
import { formatStamp } from '../../src/core/format.js';
import type { HbEvent } from '../../src/core/types.js';
import type { Silence } from '../../src/store/silences.js';

const AT = '2026-01-31T08:05:09.000Z';
const LATER = '2026-01-31T09:15:00.000Z';

const event = (over: Partial<HbEvent>): HbEvent => ({
  id: '1',
  at: AT,
  severity: 'warn',
  rule: 'late',
  daemon: 'relayCore',
  message: 'relayCore is late',
  ...over,
});

describe('formatEventLine', () => {
  it.each<[string, Partial<HbEvent>, string]>([
    [
      'one event, local time',
      {},
      `${formatStamp(AT)}  WARN     late           relayCore        relayCore is late`,
    ],
    [
      'no daemon: a dash',
      { daemon: undefined, rule: 'clock', severity: 'error', message: 'clock stepped' },
      `${formatStamp(AT)}  ERROR    clock          -                clock stepped`,
    ],
    [
      'a coalesced event: dated at its latest occurrence, with the count and the first',
      { data: { count: 3, lastAt: LATER, latestMessage: 'relayCore is late again' } },
      `${formatStamp(LATER)}  WARN     late           relayCore        relayCore is late again (x3, first ${formatStamp(AT)})`,
    ],
    [
      'an unreadable time is shown as it is',
      { at: 'not-a-time\x07' },
      'not-a-time\\x07  WARN     late           relayCore        relayCore is late',
    ],
    [
      'control characters in a name are escaped',
      { daemon: 'evil\x1b[2J', message: 'x' },
      `${formatStamp(AT)}  WARN     late           evil\\x1b[2J      x`,
    ],
  ])('%s', (_what, over, line) => {
    expect(formatEventLine(event(over))).toBe(line);
  });
});

describe('silenceLine', () => {
  const created = Date.parse(AT);
  const silence: Silence = {
    id: 's1',
    matcher: { daemon: 'relayCore' },
    createdAt: AT,
    endsAt: new Date(created + 2 * 3_600_000).toISOString(),
    reason: 'deploy',
    createdBy: 'ops',
  };
  it.each([
    [0, '2h left'],
    [25 * 60_000, '1h 35m left'],
    [2 * 3_600_000 - 90_000, '2m left'],
    [3 * 3_600_000, '0s left'],
  ])('%p ms after creation: %p', (elapsed, left) => {
    expect(silenceLine(silence, created + elapsed)).toBe(
      `s1  ${'daemon relayCore'.padEnd(28)}  until ${silence.endsAt} (${left})  by ops  "deploy"`,
    );
  });
});
