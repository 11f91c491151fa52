// A screen attached to the agent of its state directory (`watch` or `serve`
// running as a service): everything read over the agent's unix socket, so the
// screen runs no engine and writes nothing in the state directory. When the
// connection drops, the lock says whether the agent is still there (a hiccup:
// reconnect and resume) or gone (`onLost`, at once: the screen may take over).
import type { HbEvent, Snapshot } from '../core/types.js';
import type { LockHolder } from '../store/lock.js';
import { findAgent } from './client.js';
import { AgentConnection, type HostState } from './connection.js';
import { FedSource, StatusCell } from './source.js';
import { AvailabilityCache } from './availabilityCache.js';

export interface AttachedOptions {
  stateDir: string;
  socket: string;
  holder: LockHolder;
  /** The agent stopped (its lock is gone or stale); called once. */
  onLost?(holder: LockHolder): void;
  /** Events fetched at once for the pane. */
  recentEvents?: number;
}

export const attachedLabel = (h: LockHolder) => `attached to agent pid ${h.pid}`;

export class AttachedSource extends FedSource {
  private readonly connection: AgentConnection;
  protected readonly cell: StatusCell;
  protected readonly avail: AvailabilityCache;
  private holder: LockHolder;
  private lost = false;

  constructor(private readonly o: AttachedOptions) {
    super();
    this.holder = o.holder;
    this.connection = new AgentConnection(
      { kind: 'socket', socket: o.socket },
      // This host's own agent: its data is already sanitized; a hiccup is retried quickly.
      {
        sanitize: false,
        backoffMinMs: 200,
        backoffMaxMs: 2000,
        recentEvents: o.recentEvents ?? 200,
      },
    );
    this.cell = new StatusCell({ label: attachedLabel(o.holder), problem: null, hosts: null });
    this.avail = new AvailabilityCache(
      (name) => this.connection.availability(name),
      () => this.cell.notify(),
    );
  }

  get agent(): LockHolder {
    return this.holder;
  }

  /** Connect: resolves once the agent's status and recent events are in (or the first attempt failed). */
  async start(): Promise<void> {
    await this.connection.start({
      snapshot: (s) => this.onSnapshot(s),
      events: (e) => this.onEvents(e),
      state: (s) => this.onState(s),
    });
  }

  stop(): Promise<void> {
    this.connection.stop();
    return Promise.resolve();
  }

  pollNow(): Promise<void> {
    this.connection.retryNow();
    return Promise.resolve();
  }

  private onSnapshot(s: Snapshot): void {
    this.latest = s;
    this.tell(this.update(s, [], 'poll'));
  }

  private onEvents(events: HbEvent[]): void {
    for (const e of events) this.ring.push(e);
    // Before the first snapshot the ring just fills; the first update shows it.
    if (this.latest) this.tell(this.update(this.latest, events, 'liveness'));
  }

  private onState(s: HostState): void {
    if (s.state === 'connected') {
      const agent = findAgent(this.o.stateDir);
      if (agent) this.holder = agent.holder;
      this.lost = false;
      this.cell.set({ label: attachedLabel(this.holder), problem: null });
      return;
    }
    const agent = findAgent(this.o.stateDir);
    if (agent && agent.holder.pid === this.holder.pid) {
      this.cell.set({ problem: `agent pid ${this.holder.pid}: ${s.detail ?? s.state}` });
      return;
    }
    this.cell.set({ problem: `agent pid ${this.holder.pid} stopped` });
    if (!this.lost) {
      this.lost = true;
      this.o.onLost?.(this.holder);
    }
  }
}
