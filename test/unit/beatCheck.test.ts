// Engine.checkBeats: after the heartbeat directory changed, a routine beat is
// only noted (no full poll, so no new snapshot and no frame), while anything
// that can change what is shown is read by a full poll at once.
import { describe, expect, it } from '@jest/globals';
import { Engine } from '../../src/runtime/engine.js';
import type { HeartbeatFileObservation } from '../../src/core/types.js';
import { config, FakeClock, FakeDir, FakeProcesses, FakeSystem, T0 } from '../helpers/fakes.js';

// Defaults: interval 5 s, tolerance 1 s: a beat up to 6 s old is up.
const PID = 4242;

/** The fake directory, readable one file at a time as the real collector is. */
class PeekDir extends FakeDir {
  peeks = 0;
  peek(_dir: string, fileName: string): HeartbeatFileObservation | null {
    this.peeks++;
    return [...this.files.values()].find((o) => o.path === `/hb/${fileName}`) ?? null;
  }
}

function setup() {
  const clock = new FakeClock();
  const dir = new PeekDir();
  const procs = new FakeProcesses();
  procs.procs.set(PID, { startTimeMs: T0 - 3_600_000 });
  procs.procs.set(PID + 1, { startTimeMs: T0 - 1000 });
  const engine = new Engine(config({ daemons: ['a', 'b'] }), {
    heartbeats: dir,
    processes: procs,
    system: new FakeSystem(),
  });
  let seq = 0;
  /** `name` beats now (wall clock of `clock`), with `extra` fields. */
  const beat = (name: string, extra: Record<string, unknown> = {}) =>
    dir.json(
      name,
      { ts: new Date(clock.wallMs).toISOString(), pid: PID, seq: seq++, ...extra },
      clock.wallMs,
    );
  beat('a');
  beat('b');
  return { clock, dir, procs, engine, beat };
}

describe('Engine.checkBeats', () => {
  it('notes a routine beat without a poll, so the daemon is not judged late for want of a read', async () => {
    const { clock, procs, engine, beat } = setup();
    await engine.poll(clock.now());
    const polls = procs.sampleCalls;
    clock.advance(4000);
    beat('a', { uptime: 4 });
    expect(await engine.checkBeats(clock.now(), ['a.json.4242.tmp', 'a.json'])).toBeNull();
    expect(procs.sampleCalls).toBe(polls);
    // 8 s after the read beat, 4 s after the noted one: a is up, b (no new beat) is late.
    clock.advance(4000);
    const live = await engine.checkLiveness(clock.now());
    const status = Object.fromEntries(live!.daemons.map((d) => [d.name, d.status]));
    expect(status).toEqual({ a: 'up', b: 'late' });
  });

  it("a routine beat after another daemon's deadline shows that daemon late at once", async () => {
    const { clock, engine, beat } = setup();
    await engine.poll(clock.now());
    // Before b's 6 s are up, a's beats change nothing; after them, a beat of a finds b late.
    clock.advance(5500);
    beat('a');
    expect(await engine.checkBeats(clock.now(), ['a.json'])).toBeNull();
    clock.advance(1000);
    beat('a');
    const snap = await engine.checkBeats(clock.now(), ['a.json']);
    const status = Object.fromEntries(snap!.daemons.map((d) => [d.name, d.status]));
    expect(status).toEqual({ a: 'up', b: 'late' });
  });

  it('keeps noting beats check after check, for a daemon a full poll added too', async () => {
    const { clock, procs, engine, beat } = setup();
    await engine.poll(clock.now());
    const polls = procs.sampleCalls;
    // Within b's 6 s: no verdict changes while a beats.
    for (let i = 0; i < 3; i++) {
      clock.advance(1500);
      beat('a');
      expect(await engine.checkBeats(clock.now(), ['a.json'])).toBeNull();
    }
    expect(procs.sampleCalls).toBe(polls);
    const live = await engine.checkLiveness(clock.advance(4000));
    expect(live!.daemons.find((d) => d.name === 'a')?.status).toBe('up');

    beat('newcomer');
    expect((await engine.checkBeats(clock.now(), ['newcomer.json']))?.daemons).toHaveLength(3);
    clock.advance(1000);
    beat('newcomer');
    expect(await engine.checkBeats(clock.now(), ['newcomer.json'])).toBeNull();
  });

  it('judges again only the daemons whose own deadline passed, not the whole fleet', async () => {
    const clock = new FakeClock();
    const dir = new PeekDir();
    const procs = new FakeProcesses();
    procs.procs.set(PID, { startTimeMs: T0 - 3_600_000 });
    const names = Array.from({ length: 10 }, (_, i) => `d${i}`);
    const engine = new Engine(config({ daemons: names }), {
      heartbeats: dir,
      processes: procs,
      system: new FakeSystem(),
    });
    const beatAt = (name: string, wallMs: number) =>
      dir.json(name, { ts: new Date(wallMs).toISOString(), pid: PID }, wallMs);
    // Beats spread over the interval: d9's is 5.5 s old, so its 6 s end first.
    names.forEach((n, i) => beatAt(n, clock.wallMs - i * 500 - 1000));
    await engine.poll(clock.now());
    clock.advance(400);
    beatAt('d9', clock.wallMs);
    expect(await engine.checkBeats(clock.now(), ['d9.json'])).toBeNull();
    const judged = engine.judgements;
    // d9's old deadline has passed: it alone is judged (up on its noted beat).
    expect(await engine.checkLiveness(clock.advance(500))).toBeNull();
    expect(engine.judgements - judged).toBe(1);
    // d8's deadline passes next, with no beat since: late at once, as before.
    const live = await engine.checkLiveness(clock.advance(1000));
    expect(live!.daemons.find((d) => d.name === 'd8')?.status).toBe('late');
    expect(live!.daemons.find((d) => d.name === 'd9')?.status).toBe('up');
  });

  it('ignores entries that are no daemon file (an atomic writer’s temp file)', async () => {
    const { clock, dir, engine } = setup();
    await engine.poll(clock.now());
    expect(
      await engine.checkBeats(clock.advance(1000), ['.a.json.swp', 'a.json.123.tmp']),
    ).toBeNull();
    expect(dir.peeks).toBe(0);
  });

  it.each([
    ['a restart (a new pid)', { pid: PID + 1 }, (d: { restarts: number }) => d.restarts === 1],
    [
      'a self-reported status',
      { status: 'degraded' },
      (d: { status: string }) => d.status === 'late',
    ],
    [
      'a new message',
      { message: 'reindexing' },
      (d: { message: string | null }) => d.message === 'reindexing',
    ],
  ])('reads %s at once in a full poll', async (_label, extra, shows) => {
    const { clock, procs, engine, beat } = setup();
    await engine.poll(clock.now());
    const polls = procs.sampleCalls;
    clock.advance(1000);
    beat('a', extra);
    const snapshot = await engine.checkBeats(clock.now(), ['a.json']);
    expect(procs.sampleCalls).toBe(polls + 1);
    expect(shows(snapshot!.daemons.find((d) => d.name === 'a') as never)).toBe(true);
  });

  it('polls in full for a new daemon, a file gone, a late daemon beating again, or an unnamed change', async () => {
    const { clock, dir, engine, beat } = setup();
    await engine.poll(clock.now());
    clock.advance(1000);
    beat('newcomer');
    expect((await engine.checkBeats(clock.now(), ['newcomer.json']))?.daemons).toHaveLength(3);

    dir.files.delete('b:json');
    expect(await engine.checkBeats(clock.advance(100), ['b.json'])).not.toBeNull();

    // a is late after 8 s without a beat; its next beat (the same fields) brings it back up.
    await engine.checkLiveness(clock.advance(8000));
    beat('a');
    const back = await engine.checkBeats(clock.now(), ['a.json']);
    expect(back?.daemons.find((d) => d.name === 'a')?.status).toBe('up');

    expect(await engine.checkBeats(clock.advance(100), null)).not.toBeNull();
  });
});
