// The Prometheus exposition: no sample for an unknown value, event counters
// from 0, why a daemon is down, and the notifier's delivery counts.
import { describe, expect, it } from '@jest/globals';
import { HbMetrics, reasonLabel } from '../../src/server/metrics.js';
import { daemon, snapshot } from '../helpers/server-fixtures.js';

const lines = async (m: HbMetrics) =>
  (await m.render(0)).split('\n').filter((l) => !l.startsWith('#'));

describe('HbMetrics', () => {
  it('exports no clock sample when the clock state is unknown', async () => {
    const m = new HbMetrics({ processMetrics: false });
    const s = snapshot([daemon('a')]);
    m.updateSnapshot({ ...s, clock: { ...s.clock, synced: null, offsetMs: null } });
    const text = await lines(m);
    expect(text.filter((l) => l.startsWith('ghosthb_clock_'))).toEqual([]);
    m.updateSnapshot({ ...s, clock: { ...s.clock, synced: false, offsetMs: 12 } });
    expect(await lines(m)).toEqual(
      expect.arrayContaining(['ghosthb_clock_synced 0', 'ghosthb_clock_offset_seconds 0.012']),
    );
  });

  it('exports the known event kinds at 0 before any event, so the first one counts in increase()', async () => {
    const m = new HbMetrics({ processMetrics: false });
    const text = await lines(m);
    expect(text).toContain('ghosthb_events_total{severity="error",rule="crashed"} 0');
    expect(text).toContain('ghosthb_events_total{severity="info",rule="recovered"} 0');
  });

  it('shows the latest snapshot when read, however many came since the last read', async () => {
    const m = new HbMetrics({ processMetrics: false });
    m.updateSnapshot(snapshot([daemon('a'), daemon('gone')]));
    expect(await lines(m)).toContain('ghosthb_daemon_up{daemon="gone"} 1');
    m.updateSnapshot(snapshot([daemon('a', 'down', { reason: 'crashed' }), daemon('gone')]));
    m.updateSnapshot(snapshot([daemon('a', 'down', { reason: 'crashed' })]));
    const text = await lines(m);
    expect(text).toContain('ghosthb_daemon_up{daemon="a"} 0');
    expect(text.some((l) => l.includes('daemon="gone"'))).toBe(false);
  });

  it('labels a down daemon with its reason, valued with since when', async () => {
    const m = new HbMetrics({ processMetrics: false });
    const at = '2026-12-02T01:00:00.000Z';
    m.updateSnapshot(snapshot([daemon('a', 'down', { reason: 'crashed' }), daemon('b')], { at }));
    m.updateSnapshot(
      snapshot([daemon('a', 'down', { reason: 'crashed' }), daemon('b')], {
        at: '2026-12-02T01:05:00.000Z',
      }),
    );
    let text = await lines(m);
    expect(text).toContain(
      `ghosthb_daemon_down_reason{daemon="a",reason="crashed"} ${Date.parse(at) / 1000}`,
    );
    expect(text.some((l) => l.includes('down_reason{daemon="b"'))).toBe(false);
    m.updateSnapshot(snapshot([daemon('a'), daemon('b')]));
    text = await lines(m);
    expect(text.some((l) => l.startsWith('ghosthb_daemon_down_reason{'))).toBe(false);
    expect(reasonLabel('malformed: not JSON')).toBe('malformed');
    expect(reasonLabel('not running (check 1 of 3)')).toBe('not running');
  });

  it('exports the events held while the state directory refuses writes', async () => {
    const m = new HbMetrics({ processMetrics: false });
    const s = snapshot([daemon('a')]);
    m.updateSnapshot(s);
    expect(await lines(m)).toContain('ghosthb_events_held 0');
    const storage = { writable: false, problem: 'ENOSPC', heldEvents: 7, droppedEvents: 0 };
    m.updateSnapshot({ ...s, storage });
    expect(await lines(m)).toContain('ghosthb_events_held 7');
  });

  it('exports notification outcomes per channel and the outbox size', async () => {
    const m = new HbMetrics({ processMetrics: false });
    m.setNotifyStats(() => ({
      channels: { hook: { delivered: 3, retried: 2, dropped: 0 } },
      outbox: 1,
    }));
    const text = await lines(m);
    expect(text).toEqual(
      expect.arrayContaining([
        'ghosthb_notifications_total{channel="hook",outcome="delivered"} 3',
        'ghosthb_notifications_total{channel="hook",outcome="retried"} 2',
        'ghosthb_notifications_total{channel="hook",outcome="dropped"} 0',
        'ghosthb_outbox_messages 1',
      ]),
    );
  });
});
