// Silences (silences.json in the state directory): "do not send notifications
// about this daemon / this rule / anything until then". Written atomically
// (temp file, fsync, rename) by whoever adds or removes one (the CLI, the API,
// the screen's `m` key); the running monitor re-reads the file when it
// changes. Expired silences simply stop matching and are pruned on the next
// write, so a silence ends by itself.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { STATE_FILES } from './paths.js';

export interface SilenceMatcher {
  /** Exactly one of these: a daemon name, a rule name, or everything. */
  daemon?: string;
  rule?: string;
  all?: true;
}

export interface Silence {
  id: string;
  matcher: SilenceMatcher;
  createdAt: string;
  /** When it stops matching (ISO 8601). */
  endsAt: string;
  reason: string | null;
  /** Who added it: a user name, 'api', 'screen'. */
  createdBy: string;
}

interface SilencesFile {
  version: 1;
  silences: Silence[];
}

/** Whether `s` covers an event about `daemon` raised by `rule`, at `nowMs`. */
export function silenceMatches(
  s: Silence,
  subject: { daemon: string | null; rule: string },
  nowMs: number,
): boolean {
  if (!(Date.parse(s.endsAt) > nowMs)) return false;
  if (s.matcher.all) return true;
  if (s.matcher.daemon !== undefined) return subject.daemon === s.matcher.daemon;
  if (s.matcher.rule !== undefined) return subject.rule === s.matcher.rule;
  return false;
}

/** Longest silence accepted: a year (a forgotten "forever" is how alerts go missing). */
export const MAX_SILENCE_MS = 366 * 86_400_000;

/** The matcher for exactly one of a daemon name, a rule name or "all"; a string says what is wrong. */
export function silenceMatcher(input: {
  daemon?: unknown;
  rule?: unknown;
  all?: unknown;
}): SilenceMatcher | string {
  const given = [input.daemon !== undefined, input.rule !== undefined, input.all === true].filter(
    Boolean,
  ).length;
  if (given !== 1) return 'give exactly one of: a daemon name, a rule, or all';
  if (input.daemon !== undefined) {
    return typeof input.daemon === 'string' &&
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(input.daemon)
      ? { daemon: input.daemon }
      : 'not a daemon name';
  }
  if (input.rule !== undefined) {
    return typeof input.rule === 'string' && /^[a-z0-9-]{1,64}$/.test(input.rule)
      ? { rule: input.rule }
      : 'not a rule name';
  }
  return { all: true };
}

/** "daemon relayCore", "rule clock-jump", "everything". */
export function describeMatcher(m: SilenceMatcher): string {
  if (m.all) return 'everything';
  if (m.daemon !== undefined) return `daemon ${m.daemon}`;
  return `rule ${m.rule ?? '?'}`;
}

function isSilence(x: unknown): x is Silence {
  const s = x as Partial<Silence> | null;
  return (
    !!s &&
    typeof s.id === 'string' &&
    typeof s.endsAt === 'string' &&
    typeof s.createdAt === 'string' &&
    !!s.matcher &&
    typeof s.matcher === 'object'
  );
}

export class SilenceStore {
  readonly file: string;
  private cache: Silence[] = [];
  private cachedStamp: string | null = null;

  constructor(
    dir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.file = path.join(dir, STATE_FILES.silences);
  }

  /** Every silence in the file (re-read only when the file changed), expired ones included. */
  private all(): Silence[] {
    let stamp: string;
    try {
      const st = fs.statSync(this.file);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      this.cache = [];
      this.cachedStamp = null;
      return this.cache;
    }
    if (stamp === this.cachedStamp) return this.cache;
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<SilencesFile>;
      this.cache = Array.isArray(parsed.silences) ? parsed.silences.filter(isSilence) : [];
    } catch {
      // A damaged file silences nothing: better a notification too many than one lost.
      this.cache = [];
    }
    this.cachedStamp = stamp;
    return this.cache;
  }

  /** The silences in force now, soonest to end first. */
  active(): Silence[] {
    const now = this.now();
    return this.all()
      .filter((s) => Date.parse(s.endsAt) > now)
      .sort((a, b) => Date.parse(a.endsAt) - Date.parse(b.endsAt));
  }

  /** The silence covering this subject now, if any. */
  match(subject: { daemon: string | null; rule: string }): Silence | null {
    return this.matcher()(subject);
  }

  /**
   * `match` over the silences as they are now, the file checked once: for the
   * many events of one poll (a storm of thousands would otherwise stat the
   * file once per event, inside the poll).
   */
  matcher(): (subject: { daemon: string | null; rule: string }) => Silence | null {
    const now = this.now();
    const all = this.all();
    return (subject) => all.find((s) => silenceMatches(s, subject, now)) ?? null;
  }

  /**
   * The silence in force naming this daemon, or everything, ending last (what
   * a screen marks in its row); rule silences cover only some of its events.
   */
  coveringDaemon(daemon: string): Silence | null {
    const covering = this.active().filter(
      (s) => s.matcher.all === true || s.matcher.daemon === daemon,
    );
    return covering.at(-1) ?? null;
  }

  add(input: {
    matcher: SilenceMatcher;
    durationMs: number;
    reason: string | null;
    createdBy: string;
  }): Silence {
    const now = this.now();
    const silence: Silence = {
      id: randomBytes(4).toString('hex'),
      matcher: input.matcher,
      createdAt: new Date(now).toISOString(),
      endsAt: new Date(now + input.durationMs).toISOString(),
      reason: input.reason,
      createdBy: input.createdBy,
    };
    this.write([...this.active(), silence]);
    return silence;
  }

  /** Remove a silence by id (or unique id prefix); returns it, or null when none matched. */
  remove(id: string): Silence | null {
    const active = this.active();
    const hits = active.filter((s) => s.id === id || (id.length >= 3 && s.id.startsWith(id)));
    if (hits.length !== 1) return null;
    this.write(active.filter((s) => s !== hits[0]));
    return hits[0]!;
  }

  private write(silences: Silence[]): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const body: SilencesFile = { version: 1, silences };
    writeFileAtomic.sync(this.file, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
    this.cachedStamp = null;
  }
}
