// Availability figures fetched from an agent for the detail view and the
// rows: answered at once from a cache (null until the first answer), refreshed
// in the background at most once a minute per daemon, one request at a time
// per daemon; `changed` is called when an answer arrives so the screen redraws.
import type { Availability } from '../store/uptimeLog.js';

const FRESH_MS = 60_000;
/** Daemons remembered; beyond this the oldest entry goes. */
const MAX_ENTRIES = 2000;

interface Entry {
  value: Availability | null;
  fetchedAt: number;
  inFlight: boolean;
}

export class AvailabilityCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly fetch: (name: string) => Promise<Availability>,
    private readonly changed: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  get(name: string): Availability | null {
    let e = this.entries.get(name);
    if (!e) {
      e = { value: null, fetchedAt: -Infinity, inFlight: false };
      this.entries.set(name, e);
      if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    }
    if (!e.inFlight && this.now() - e.fetchedAt > FRESH_MS) this.refresh(name, e);
    return e.value;
  }

  private refresh(name: string, e: Entry): void {
    e.inFlight = true;
    this.fetch(name).then(
      (value) => {
        e.inFlight = false;
        e.fetchedAt = this.now();
        e.value = value;
        this.changed();
      },
      () => {
        // Asked again after the freshness window, not on every frame.
        e.inFlight = false;
        e.fetchedAt = this.now();
      },
    );
  }
}
