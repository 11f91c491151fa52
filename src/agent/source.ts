// The screen's data source: what the interactive monitor reads, whoever
// produces it. The UI stays the same over every kind:
//   - LocalSource: this process's own monitor (it holds the state directory's lock);
//   - AttachedSource (attached.ts): the agent of this host, over its unix socket;
//   - FleetSource (fleet.ts): several agents' HTTP APIs (and this host), merged;
//   - and any other remote-style source (a Prometheus server) built the same way.
//
// The contract, kept small on purpose:
//   subscribe(listener)   poll updates, as the Poller delivers them: a 'result' per
//                         snapshot (kind 'poll' when it is a full poll, which the
//                         screen's history records) with the events new since the
//                         last one, each event once; an 'error' when data is missing.
//   pollNow()             fresh data as soon as possible (the r key); optional.
//   start() / stop()      the owner (src/cli/screen.ts) starts and stops the source;
//                         the UI only subscribes.
//   events                the event buffer the pane reads: the monitor's ring for a
//                         local source, a ring the source fills otherwise; it holds
//                         what was known before the first update (the pane fills at once).
//   availability(name)    a row's availability over 1 h / 24 h / 7 d; must answer at
//                         once, from a cache if need be (null while unknown), and
//                         may fetch in the background, then notify status listeners.
//   status()              where the data comes from (the header's title note, a
//                         problem with the source, per-host connection states);
//                         watchStatus(listener) is told of each change.
import { performance } from 'node:perf_hooks';
import { EventRing, type EventBuffer } from '../core/events/index.js';
import type { HbEvent, Snapshot } from '../core/types.js';
import type { Monitor } from '../runtime/monitor.js';
import type { Poller, PollerListener, PollerUpdate, UpdateSource } from '../runtime/poller.js';
import type { Availability } from '../store/uptimeLog.js';
import type { AvailabilityCache } from './availabilityCache.js';
import type { HostState } from './connection.js';

/** One host of a fleet, as the header shows it. */
export interface HostStatus {
  name: string;
  state: HostState;
}

export interface SourceStatus {
  /** Where the data comes from, after the title ("attached to agent pid 123"); null for a local monitor. */
  label: string | null;
  /** Why the data may be old (the attached agent stopped); shown as STALE. Null when fine. */
  problem: string | null;
  /** A fleet's hosts with their connection states; null for a single host. */
  hosts: readonly HostStatus[] | null;
  /** Wall ms the status was last refreshed, for the countdowns it implies ("retry in 4s"). */
  at?: number;
}

export interface ScreenSource extends UpdateSource {
  start(): Promise<void>;
  stop(reason: string): Promise<void>;
  /** The one event buffer the screen reads. */
  readonly events: EventBuffer;
  availability(name: string): Availability | null;
  /** The same object until something changes (the UI compares by identity). */
  status(): SourceStatus;
  watchStatus(listener: () => void): () => void;
}

export const LOCAL_STATUS: SourceStatus = { label: null, problem: null, hosts: null };

/** Status listeners, and a status object that changes identity only when set. */
export class StatusCell {
  private value: SourceStatus;
  private readonly listeners = new Set<() => void>();

  constructor(initial: SourceStatus = LOCAL_STATUS) {
    this.value = initial;
  }

  get(): SourceStatus {
    return this.value;
  }

  set(next: Partial<SourceStatus>): void {
    this.value = { ...this.value, ...next };
    this.notify();
  }

  /** Tell listeners to read again (new background data, such as availability figures). */
  notify(): void {
    // A new identity, so readers comparing by identity read again.
    this.value = { ...this.value };
    for (const l of this.listeners) l();
  }

  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * What the sources fed from elsewhere (an attached agent, a fleet of agents)
 * share: their readers (a new one hears the last snapshot at once), the ring
 * the screen reads, and the reading side of the status cell and availability
 * cache each keeps.
 */
export abstract class FedSource implements ScreenSource {
  protected readonly listeners = new Set<PollerListener>();
  protected readonly ring = new EventRing();
  protected latest: Snapshot | null = null;
  protected abstract readonly cell: StatusCell;
  protected abstract readonly avail: AvailabilityCache;

  abstract start(): Promise<void>;
  abstract stop(reason: string): Promise<void>;

  subscribe(listener: PollerListener): () => void {
    this.listeners.add(listener);
    if (this.latest) listener(this.update(this.latest, [], 'poll'));
    return () => this.listeners.delete(listener);
  }

  get events(): EventBuffer {
    return this.ring;
  }

  availability(name: string): Availability | null {
    return this.avail.get(name);
  }

  status(): SourceStatus {
    return this.cell.get();
  }

  watchStatus(listener: () => void): () => void {
    return this.cell.watch(listener);
  }

  /** Wall-clock ms that updates are stamped with. */
  protected wallNow(): number {
    return Date.now();
  }

  protected update(snapshot: Snapshot, events: HbEvent[], kind: 'poll' | 'liveness'): PollerUpdate {
    const at = { wallMs: this.wallNow(), monoMs: performance.now() };
    return { type: 'result', kind, result: { snapshot, events }, at, durationMs: snapshot.pollMs };
  }

  /** Tell every reader; one that throws does not starve the others. */
  protected tell(u: PollerUpdate): void {
    for (const l of this.listeners) {
      try {
        l(u);
      } catch {
        // A failing reader is its own problem.
      }
    }
  }
}

/** This process's own monitor, driven by its Poller. `stop` is the runtime's. */
export class LocalSource implements ScreenSource {
  private readonly cell: StatusCell;

  constructor(
    private readonly poller: Poller,
    private readonly monitor: Pick<Monitor, 'events' | 'availability'>,
    private readonly stopRuntime: (reason: string) => Promise<void>,
    status: SourceStatus = LOCAL_STATUS,
  ) {
    this.cell = new StatusCell(status);
  }

  subscribe(listener: PollerListener): () => void {
    return this.poller.subscribe(listener);
  }

  pollNow(): Promise<void> {
    return this.poller.pollNow();
  }

  start(): Promise<void> {
    this.poller.start();
    return Promise.resolve();
  }

  stop(reason: string): Promise<void> {
    return this.stopRuntime(reason);
  }

  get events(): EventBuffer {
    return this.monitor.events;
  }

  availability(name: string): Availability {
    return this.monitor.availability(name);
  }

  status(): SourceStatus {
    return this.cell.get();
  }

  watchStatus(listener: () => void): () => void {
    return this.cell.watch(listener);
  }
}

/**
 * A source that can hand over to another while the screen runs (an attached
 * screen taking over when its agent stops): subscribers stay subscribed,
 * and hear the new source from the switch on.
 */
export class HandoverSource implements ScreenSource {
  private readonly listeners = new Set<PollerListener>();
  private readonly statusListeners = new Set<() => void>();
  private unsubscribe: () => void;
  private unwatch: () => void;

  constructor(private inner: ScreenSource) {
    this.unsubscribe = this.follow(inner);
    this.unwatch = inner.watchStatus(() => this.statusChanged());
  }

  get current(): ScreenSource {
    return this.inner;
  }

  /** Read from `next` from now on; the previous source is stopped with `reason`. */
  async switchTo(next: ScreenSource, reason: string): Promise<void> {
    const previous = this.inner;
    this.unsubscribe();
    this.unwatch();
    this.inner = next;
    this.unsubscribe = this.follow(next);
    this.unwatch = next.watchStatus(() => this.statusChanged());
    this.statusChanged();
    await previous.stop(reason);
  }

  subscribe(listener: PollerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  pollNow(): Promise<void> {
    return this.inner.pollNow?.() ?? Promise.resolve();
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  stop(reason: string): Promise<void> {
    this.unsubscribe();
    this.unwatch();
    return this.inner.stop(reason);
  }

  /** The current source's: a handover changes it (the screen reads it at each update). */
  get events(): EventBuffer {
    return this.inner.events;
  }

  availability(name: string): Availability | null {
    return this.inner.availability(name);
  }

  status(): SourceStatus {
    return this.inner.status();
  }

  watchStatus(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private follow(source: ScreenSource): () => void {
    return source.subscribe((u) => {
      for (const l of this.listeners) l(u);
    });
  }

  private statusChanged(): void {
    for (const l of this.statusListeners) l();
  }
}
