import { describe, expect, it } from '@jest/globals';
import { Poller, type PollerUpdate, type PollSource } from '../../src/runtime/poller.js';
import type { Instant, PollResult } from '../../src/core/types.js';
import type { DirStamp } from '../../src/runtime/dirWatch.js';

/** A manual clock and timer queue: time moves only when the test advances it. */
class FakeTime {
  mono = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  watchers: Array<(fileName?: string | null) => void> = [];
  /** Watches set up so far. */
  arms = 0;
  /** The watched directory as stat(2) sees it (null: absent). */
  dir: DirStamp | null = { dev: 1, ino: 1, mtimeMs: 0, ctimeMs: 0 };
  /** What setting up a watch throws (an exhausted inotify limit), if anything. */
  watchError: NodeJS.ErrnoException | null = null;
  env = {
    now: (): Instant => ({ wallMs: 1_700_000_000_000 + this.mono, monoMs: this.mono }),
    setTimeout: (fn: () => void, ms: number) => {
      const id = this.nextId++;
      this.timers.push({ at: this.mono + ms, fn, id });
      return id;
    },
    clearTimeout: (id: unknown) => {
      this.timers = this.timers.filter((t) => t.id !== id);
    },
    statDir: () => this.dir,
    watchDir: (_dir: string, onChange: (fileName?: string | null) => void) => {
      if (this.watchError) throw this.watchError;
      this.arms++;
      this.watchers.push(onChange);
      return () => {
        this.watchers = this.watchers.filter((w) => w !== onChange);
      };
    },
  };
  /** The watched directory changed (`fileName`: the entry the OS named, null or absent: none). */
  change(fileName?: string | null): void {
    for (const w of this.watchers) w(fileName);
  }
  get pendingTimers(): number {
    return this.timers.length;
  }
  /** Advance time, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.mono + ms;
    for (;;) {
      await flush();
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.mono = Math.max(this.mono, next.at);
      next.fn();
    }
    this.mono = end;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function result(n: number): PollResult {
  return { snapshot: { at: String(n) } as PollResult['snapshot'], events: [] };
}

/** A source that records calls and can be made slow or failing. */
function recordingSource() {
  const calls: Array<{ kind: string; at: number }> = [];
  let gate: Promise<void> | null = null;
  let failNext = false;
  let active = 0;
  let maxActive = 0;
  const source: PollSource = {
    async poll(now) {
      calls.push({ kind: 'poll', at: now.monoMs });
      active++;
      maxActive = Math.max(maxActive, active);
      try {
        if (gate) await gate;
        if (failNext) {
          failNext = false;
          throw new Error('source down');
        }
        return result(calls.length);
      } finally {
        active--;
      }
    },
    async checkLiveness(now) {
      calls.push({ kind: 'liveness', at: now.monoMs });
      return null;
    },
  };
  return {
    source,
    calls,
    hold() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
    failOnce() {
      failNext = true;
    },
    get maxActive() {
      return maxActive;
    },
    /** When the full polls ran (fake monotonic ms). */
    pollTimes() {
      return calls.filter((c) => c.kind === 'poll').map((c) => c.at);
    },
  };
}

/**
 * A poller over a recording source on fake time. `watch`: it watches /hb and
 * polls 150 ms after a change.
 */
function pollerRig(o: { pollIntervalMs: number; livenessIntervalMs: number; watch?: boolean }) {
  const time = new FakeTime();
  const src = recordingSource();
  const poller = new Poller(src.source, {
    pollIntervalMs: o.pollIntervalMs,
    livenessIntervalMs: o.livenessIntervalMs,
    ...(o.watch ? { watchDir: '/hb', watchDelayMs: 150 } : {}),
    env: time.env,
  });
  return { time, src, poller };
}

describe('Poller', () => {
  it('polls at start, then every interval, with liveness checks in between', async () => {
    const { time, src, poller } = pollerRig({
      pollIntervalMs: 5000,
      livenessIntervalMs: 1000,
    });
    poller.start();
    await time.advance(10_000);
    const polls = src.pollTimes();
    const liveness = src.calls.filter((c) => c.kind === 'liveness').map((c) => c.at);
    expect(polls).toEqual([0, 5000, 10000]);
    expect(liveness).toEqual([1000, 2000, 3000, 4000, 6000, 7000, 8000, 9000]);
    await poller.stop();
    expect(time.pendingTimers).toBe(0);
  });

  it('never overlaps polls and keeps a single timer while a poll is slow', async () => {
    const { time, src, poller } = pollerRig({
      pollIntervalMs: 1000,
      livenessIntervalMs: 0,
    });
    const release = src.hold();
    poller.start();
    await time.advance(5000); // the first poll is stuck for 5 s
    expect(src.calls).toHaveLength(1);
    expect(time.pendingTimers).toBe(0);
    release();
    await time.advance(1000);
    expect(src.maxActive).toBe(1);
    expect(src.calls.length).toBeGreaterThanOrEqual(2);
    await poller.stop();
  });

  it('coalesces pollNow requests made during a poll into one follow-up poll', async () => {
    const { src, poller } = pollerRig({
      pollIntervalMs: 60_000,
      livenessIntervalMs: 0,
    });
    const release = src.hold();
    poller.start();
    await flush();
    const a = poller.pollNow();
    const b = poller.pollNow();
    release();
    await Promise.all([a, b]);
    expect(src.calls.map((c) => c.kind)).toEqual(['poll', 'poll']);
    expect(src.maxActive).toBe(1);
    await poller.stop();
  });

  it('polls soon after the watched directory changes, not at the next interval', async () => {
    const { time, src, poller } = pollerRig({
      pollIntervalMs: 5000,
      livenessIntervalMs: 0,
      watch: true,
    });
    poller.start();
    await time.advance(2000);
    time.change();
    time.change(); // a burst of changes is one poll
    await time.advance(200);
    expect(src.calls.map((c) => c.at)).toEqual([0, 2150]);
    await poller.stop();
    expect(time.watchers).toHaveLength(0);
  });

  it('hands a burst of changed names to the beat check: routine beats wait for the scheduled poll', async () => {
    const { time, src, poller } = pollerRig({
      pollIntervalMs: 5000,
      livenessIntervalMs: 0,
      watch: true,
    });
    const checks: Array<{ at: number; names: readonly string[] | null }> = [];
    // Routine beats of known daemons are noted (null); anything about `newcomer` needs a poll.
    src.source.checkBeats = async (now, names) => {
      checks.push({ at: now.monoMs, names });
      if (names === null || names.includes('newcomer.json')) return src.source.poll(now);
      return null;
    };
    const updates: PollerUpdate[] = [];
    poller.subscribe((u) => updates.push(u));
    poller.start();
    await time.advance(1000);
    time.change('a.json.123.tmp');
    time.change('a.json');
    time.change('b.json');
    await time.advance(200);
    expect(checks).toEqual([{ at: 1150, names: ['a.json.123.tmp', 'a.json', 'b.json'] }]);
    // Nothing reported, and the schedule is the poll interval's.
    expect(updates).toHaveLength(1);
    await time.advance(3900);
    expect(src.calls.map((c) => c.at)).toEqual([0, 5000]);

    // A change that matters is a full poll, reported as one; the next poll counts from it.
    time.change('newcomer.json');
    await time.advance(200);
    expect(src.calls.map((c) => c.at)).toEqual([0, 5000, 5250]);
    expect(updates.at(-1)).toMatchObject({ type: 'result', kind: 'poll' });
    await time.advance(5000);
    expect(src.calls.map((c) => c.at)).toEqual([0, 5000, 5250, 10250]);

    // A change the OS did not name (a replaced directory, a stamp compared) asks for everything.
    time.change(null);
    await time.advance(200);
    expect(checks.at(-1)).toEqual({ at: 10450, names: null });
    await poller.stop();
  });

  it('watches a replaced directory (new inode at the same path) and polls it at once', async () => {
    const { time, src, poller } = pollerRig({
      pollIntervalMs: 5000,
      livenessIntervalMs: 1000,
      watch: true,
    });
    poller.start();
    await time.advance(1500);
    expect(time.arms).toBe(1);
    time.dir = { dev: 1, ino: 2, mtimeMs: 1, ctimeMs: 1 }; // moved away and recreated
    await time.advance(1000); // the liveness check at 2000 notices
    expect(time.arms).toBe(2);
    expect(time.watchers).toHaveLength(1); // the old one was closed
    expect(src.pollTimes()).toEqual([0, 2150]);
    time.watchers[0]!(); // the new watch works
    await time.advance(200);
    expect(src.pollTimes()).toEqual([0, 2150, 2650]);
    expect(poller.watchStatus).toEqual({ mode: 'inotify', problem: null });
    await poller.stop();
    expect(time.watchers).toHaveLength(0);
  });

  it('falls back to polling the directory when no watch can be set up, and says so', async () => {
    const { time, src, poller } = pollerRig({
      pollIntervalMs: 5000,
      livenessIntervalMs: 1000,
      watch: true,
    });
    time.watchError = Object.assign(new Error('watch limit'), { code: 'ENOSPC' });
    const results: PollResult[] = [];
    poller.subscribe((u) => u.type === 'result' && results.push(u.result));
    poller.start();
    await time.advance(100);
    expect(results[0]!.snapshot.watch).toEqual({
      mode: 'polling',
      problem: 'ENOSPC: inotify watch limit reached (fs.inotify.max_user_watches)',
    });
    time.dir = { dev: 1, ino: 1, mtimeMs: 5, ctimeMs: 5 }; // a beat renamed into place
    await time.advance(1300); // seen by the liveness check at 1000
    expect(src.pollTimes()).toEqual([0, 1150]);
    time.watchError = null; // the limit was raised: the next full poll arms the watch
    await time.advance(5000);
    expect(poller.watchStatus).toEqual({ mode: 'inotify', problem: null });
    expect(results.at(-1)!.snapshot.watch!.mode).toBe('inotify');
    await poller.stop();
  });

  it('reports errors with a failure count and recovers on the next poll', async () => {
    const { time, src, poller } = pollerRig({
      pollIntervalMs: 1000,
      livenessIntervalMs: 0,
    });
    const updates: PollerUpdate[] = [];
    poller.subscribe((u) => updates.push(u));
    src.failOnce();
    poller.start();
    await time.advance(1000);
    expect(updates.map((u) => u.type)).toEqual(['error', 'result']);
    expect(updates[0]).toMatchObject({ type: 'error', consecutiveFailures: 1 });
    expect(poller.latest).not.toBeNull();
    await poller.stop();
  });

  it('a throwing listener does not stop the others', async () => {
    const { time, poller } = pollerRig({
      pollIntervalMs: 1000,
      livenessIntervalMs: 0,
    });
    const seen: string[] = [];
    poller.subscribe(() => {
      throw new Error('bad listener');
    });
    poller.subscribe((u) => seen.push(u.type));
    poller.start();
    await time.advance(1000);
    expect(seen).toEqual(['result', 'result']);
    await poller.stop();
  });
});
