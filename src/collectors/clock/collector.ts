// Clock synchronisation state, from the first source that answers:
// `chronyc -c tracking`, then `timedatectl` (show + timesync-status), then an
// SNTP query to each configured server. Polls never wait for it: `refresh()`
// starts a background sample when one is due and `current()` returns the last
// answer.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Config } from '../../config/schema.js';
import { NO_CLOCK_READING, type Snapshot } from '../../core/types.js';
import {
  parseChronyTracking,
  parseTimedatectlShow,
  parseTimesyncStatus,
  type ClockSample,
} from './parsers.js';
import { decodeSntpPacket, encodeSntpRequest, measureSntp, type SntpMeasurement } from './sntp.js';

export type { ClockSample } from './parsers.js';

/** Runs a program and resolves to its stdout; rejects with `code: 'ENOENT'` when it is not installed. */
export type CommandRunner = (file: string, args: string[], timeoutMs: number) => Promise<string>;

/**
 * The executable `name` on `PATH`, or null. A PATH entry the user cannot read
 * or a file named like the tool that cannot be executed is skipped, as a shell
 * skips it; left to execvp, either makes the whole lookup fail with EACCES,
 * which would make a missing tool look present and failing.
 */
export function findExecutable(name: string, pathEnv: string | undefined): string | null {
  for (const dir of (pathEnv ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      if (!fs.statSync(file).isFile()) continue;
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // Unreadable directory, no such file, not executable: try the next entry.
    }
  }
  return null;
}

/** Runs programs found on `env`'s PATH, with `env` (in the C locale, whose output the parsers read). */
export function commandRunner(env: NodeJS.ProcessEnv = process.env): CommandRunner {
  return (file, args, timeoutMs) =>
    new Promise((resolve, reject) => {
      const found = file.includes('/') ? file : findExecutable(file, env.PATH);
      if (found === null) {
        reject(Object.assign(new Error(`${file}: not found on PATH`), { code: 'ENOENT' }));
        return;
      }
      execFile(
        found,
        args,
        { timeout: timeoutMs, maxBuffer: 64 * 1024, env: { ...env, LC_ALL: 'C' } },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
    });
}

export const SNTP_DEFAULT_PORT = 123;

/** "host", "host:port", "[v6]:port" or a bare IPv6 address. */
export function parseServer(spec: string): { host: string; port: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec);
  if (bracket)
    return { host: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : SNTP_DEFAULT_PORT };
  if (net.isIPv6(spec)) return { host: spec, port: SNTP_DEFAULT_PORT };
  const at = spec.lastIndexOf(':');
  if (at > 0) return { host: spec.slice(0, at), port: Number(spec.slice(at + 1)) };
  return { host: spec, port: SNTP_DEFAULT_PORT };
}

/** One SNTP exchange (RFC 4330) with `host:port`, rejected after `timeoutMs`. */
export function querySntp(
  host: string,
  port: number,
  timeoutMs: number,
  clock: () => number = Date.now,
): Promise<SntpMeasurement> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (err: Error | null, m?: SntpMeasurement) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(m!);
    };
    const timer = setTimeout(
      () => finish(new Error(`SNTP ${host}:${port}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    timer.unref();
    socket.unref();
    const request = encodeSntpRequest(clock());
    socket.on('error', (err) => finish(err));
    socket.on('message', (msg) => {
      const t4 = clock();
      try {
        finish(null, measureSntp(request, decodeSntpPacket(msg), t4));
      } catch (err) {
        // A stray or malformed datagram: keep waiting for the real answer until the timeout.
        if (!(err instanceof Error) || !/originate/.test(err.message)) finish(err as Error);
      }
    });
    socket.send(request, port, host, (err) => {
      if (err) finish(err);
    });
  });
}

/**
 * Query a server `samples` times in a row and keep the reply with the least
 * round-trip delay: its offset is the most trustworthy, since an offset is only
 * known to within half the delay (the same choice NTP's clock filter makes).
 * Fails only when every query fails.
 */
export async function querySntpBest(
  host: string,
  port: number,
  timeoutMs: number,
  samples = 4,
  query: typeof querySntp = querySntp,
): Promise<SntpMeasurement> {
  let best: SntpMeasurement | null = null;
  let lastError: unknown = null;
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < samples; i++) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      const m = await query(host, port, left);
      if (!best || m.delayMs < best.delayMs) best = m;
    } catch (err) {
      lastError = err;
      // A server that does not answer once will not answer the next query in time either.
      if (!best) break;
    }
  }
  if (best) return best;
  throw lastError instanceof Error ? lastError : new Error(`SNTP ${host}:${port}: no answer`);
}

export interface ClockCollectorOptions {
  /** Default: chronyc and timedatectl as found on `env`'s PATH. */
  run?: CommandRunner;
  /** The environment the tools are looked up on and run with (default: this process's). */
  env?: NodeJS.ProcessEnv;
  sntp?: typeof querySntp;
  /** Monotonic ms, for the refresh schedule. */
  monoNow?: () => number;
}

/** Result of one attempt: a sample, or why there is none (`unavailable` when no source exists at all). */
export type ClockAttempt =
  { ok: true; sample: ClockSample } | { ok: false; unavailable: boolean; error: string };

const COMMAND_TIMEOUT_MS = 2000;

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'ENOENT';

/**
 * timedatectl installed on a host (or container) that does not run systemd:
 * the tool is there but there is no service behind it, which is the same as
 * having no timedatectl, not a failure.
 */
const NO_SYSTEMD =
  /not been booted with systemd|Failed to connect to bus|Failed to create bus connection|System has not been booted/i;
/** The part of NO_SYSTEMD that lasts until the host reboots (PID 1 is not systemd), unlike a bus error. */
const NOT_BOOTED_WITH_SYSTEMD = /not been booted with systemd/i;
const errorText = (err: unknown) =>
  `${(err as Error)?.message ?? ''}\n${String((err as { stderr?: unknown })?.stderr ?? '')}`;
const isTimedatectlMissing = (err: unknown) => isMissing(err) || NO_SYSTEMD.test(errorText(err));

/** What displays show (`clock.note`) when the host has no clock-sync source at all. */
export const NO_CLOCK_SOURCE_NOTE = 'no clock source (install chrony or set clock.sntpServers)';

export class ClockCollector {
  private readonly run: CommandRunner;
  private readonly sntp: typeof querySntp;
  private readonly monoNow: () => number;
  private last: ClockAttempt | null = null;
  /** Set once any source has answered: from then on, no answer is a failure, not "no source". */
  private answered = false;
  private inFlight: Promise<ClockAttempt> | null = null;
  private nextDueMono = -Infinity;
  /**
   * timedatectl said the host was not booted with systemd: that holds until a
   * reboot, so it is not run again (each run forks this process, ~30 ms of CPU).
   */
  private noSystemdInit = false;

  constructor(
    private readonly config: Config['clock'],
    opts: ClockCollectorOptions = {},
  ) {
    this.run = opts.run ?? commandRunner(opts.env);
    this.sntp = opts.sntp ?? ((host, port, timeoutMs) => querySntpBest(host, port, timeoutMs));
    this.monoNow = opts.monoNow ?? (() => performance.now());
  }

  /** The last answer (null until the first sample completes). */
  current(): ClockAttempt | null {
    return this.last;
  }

  /** Start a background sample when one is due; never waits for it. */
  refresh(): void {
    const now = this.monoNow();
    if (this.inFlight || now < this.nextDueMono) return;
    this.nextDueMono = now + this.config.checkInterval * 1000;
    this.inFlight = this.attempt().finally(() => {
      this.inFlight = null;
    });
    void this.inFlight;
  }

  /** Wait for a sample in flight, if any (tests, the first poll of a one-shot). */
  async settled(): Promise<ClockAttempt | null> {
    if (this.inFlight) await this.inFlight;
    return this.last;
  }

  /**
   * Ask the sources now and wait for the answer (the one-shot `status`): bounded
   * by the command timeouts and `clock.sntpTimeout` per server.
   */
  async check(): Promise<ClockAttempt> {
    // The SNTP socket and timers are unref'd (a background check must not hold
    // a monitor open); a one-shot waits for the answer, so it holds the process.
    const hold = setInterval(() => {}, 60_000);
    try {
      return await this.attempt();
    } finally {
      clearInterval(hold);
    }
  }

  /** Sample now; rejects when no source answers. */
  async sample(): Promise<ClockSample> {
    const a = await this.attempt();
    if (!a.ok) throw new Error(a.error);
    return a.sample;
  }

  private async attempt(): Promise<ClockAttempt> {
    const failures: string[] = [];
    let anyPresent = false;

    try {
      const out = await this.run('chronyc', ['-c', 'tracking'], COMMAND_TIMEOUT_MS);
      anyPresent = true;
      const s = parseChronyTracking(out);
      if (s) return this.keep({ ok: true, sample: s });
      failures.push('chronyc: unrecognised output');
    } catch (err) {
      if (!isMissing(err)) {
        anyPresent = true;
        failures.push(`chronyc: ${(err as Error).message.split('\n')[0]}`);
      }
    }

    if (!this.noSystemdInit) {
      const answer = await this.askTimedatectl(failures);
      if (answer) return this.keep(answer);
      if (answer === null) anyPresent = true;
    }

    const timeoutMs = this.config.sntpTimeout * 1000;
    for (const spec of this.config.sntpServers) {
      anyPresent = true;
      const { host, port } = parseServer(spec);
      try {
        const m = await this.sntp(host, port, timeoutMs);
        return this.keep({
          ok: true,
          sample: {
            synced: true,
            offsetMs: m.offsetMs,
            errorBoundMs: m.errorBoundMs,
            source: `sntp ${spec}`,
            stratum: m.stratum,
          },
        });
      } catch (err) {
        failures.push(`sntp ${spec}: ${(err as Error).message}`);
      }
    }

    if (!anyPresent && this.answered) {
      // A source that was answering has gone (chrony removed, systemd's bus down): a failure.
      return this.keep({
        ok: false,
        unavailable: false,
        error: 'the clock source that answered before no longer does',
      });
    }
    return this.keep({
      ok: false,
      unavailable: !anyPresent,
      error: anyPresent
        ? failures.join('; ')
        : 'no clock source: chronyc and timedatectl are absent or unusable and clock.sntpServers is empty',
    });
  }

  /**
   * timedatectl's answer; null when it is there but failed (the failure is in
   * `failures`); undefined when there is none (not installed, or no systemd).
   */
  private async askTimedatectl(failures: string[]): Promise<ClockAttempt | null | undefined> {
    try {
      const show = await this.run('timedatectl', ['show'], COMMAND_TIMEOUT_MS);
      const { synced } = parseTimedatectlShow(show);
      let status = '';
      try {
        status = await this.run('timedatectl', ['timesync-status'], COMMAND_TIMEOUT_MS);
      } catch {
        // Older systemd or no timesyncd: sync state alone is still an answer.
      }
      const s = parseTimesyncStatus(status, synced) ?? {
        synced,
        offsetMs: null,
        errorBoundMs: null,
        source: 'timedatectl',
        stratum: null,
      };
      return { ok: true, sample: s };
    } catch (err) {
      if (!isMissing(err) && NOT_BOOTED_WITH_SYSTEMD.test(errorText(err)))
        this.noSystemdInit = true;
      if (isTimedatectlMissing(err)) return undefined;
      failures.push(`timedatectl: ${(err as Error).message.split('\n')[0]}`);
      return null;
    }
  }

  private keep(a: ClockAttempt): ClockAttempt {
    this.last = a;
    if (a.ok) this.answered = true;
    return a;
  }
}

/**
 * A snapshot with the clock fields filled from a clock attempt (the engine owns
 * the jump fields). No clock-sync source at all is a configuration, not a
 * failure: no `sources.clock`, just the note. A source that exists (or answered
 * before) and errors is a failing source.
 */
export function withClockAttempt(s: Snapshot, attempt: ClockAttempt | null): Snapshot {
  if (!attempt) return s;
  if (!attempt.ok) {
    const clock = {
      ...s.clock,
      ...NO_CLOCK_READING,
      note: attempt.unavailable ? NO_CLOCK_SOURCE_NOTE : null,
    };
    return attempt.unavailable
      ? { ...s, clock }
      : { ...s, clock, sources: { ...s.sources, clock: false } };
  }
  const c = attempt.sample;
  return {
    ...s,
    clock: {
      ...s.clock,
      synced: c.synced,
      offsetMs: c.offsetMs,
      errorBoundMs: c.errorBoundMs,
      source: c.source,
      stratum: c.stratum,
      note: null,
    },
    sources: { ...s.sources, clock: true },
  };
}
