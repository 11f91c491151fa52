// Probes: ghost-hb checks a service that cannot beat by itself, over HTTP, a
// TCP connect or a command. Used by `ghost-hb run --probe` (beat only while
// the probe passes) and by daemons with `probe:` in the config (run within
// the poll). Every probe is cut at its timeout; a probe never throws.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { parseProbe, probeLabel, type ProbeResult, type ProbeSpec } from '../core/probe.js';

export type { ProbeResult, ProbeSpec };
export { parseProbe, probeLabel };

export interface ProbeOptions {
  timeoutMs: number;
  /** HTTP status expected; null accepts any 2xx or 3xx. */
  expectStatus?: number | null;
}

export async function runProbe(spec: ProbeSpec, opts: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const done = (ok: boolean, detail: string): ProbeResult => ({
    ok,
    latencyMs: Math.round((performance.now() - started) * 10) / 10,
    detail,
  });
  try {
    switch (spec.kind) {
      case 'http':
        return await httpProbe(spec.url, opts, done);
      case 'tcp':
        return await tcpProbe(spec.host, spec.port, opts.timeoutMs, done);
      case 'exec':
        return await execProbe(spec.command, opts.timeoutMs, done);
    }
  } catch (err) {
    return done(false, describeError(err));
  }
}

type Done = (ok: boolean, detail: string) => ProbeResult;

function describeError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  return code ?? (err instanceof Error ? err.message : String(err));
}

async function httpProbe(url: string, opts: ProbeOptions, done: Done): Promise<ProbeResult> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const mod = url.startsWith('https:') ? await import('node:https') : await import('node:http');
  return new Promise((resolve) => {
    const req = mod.get(url, { signal, agent: false, headers: { 'user-agent': 'ghost-hb-probe' } });
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      // The answer is the status line; the body is read off and dropped.
      res.resume();
      res.once('error', () => {});
      const want = opts.expectStatus ?? null;
      const ok = want === null ? status >= 200 && status < 400 : status === want;
      resolve(
        done(ok, ok || want === null ? `HTTP ${status}` : `HTTP ${status} (expected ${want})`),
      );
      req.destroy();
    });
    req.once('error', (err) => {
      resolve(
        done(false, signal.aborted ? `timed out after ${opts.timeoutMs} ms` : describeError(err)),
      );
    });
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number, done: Done): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(done(false, `timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(done(true, 'connected'));
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      resolve(done(false, describeError(err)));
    });
  });
}

/**
 * Run `command` with /bin/sh in its own process group, so a timeout kills the
 * probe and anything it started. Exit 0 passes; the first line of its output
 * is kept as the detail.
 */
function execProbe(command: string, timeoutMs: number, done: Done): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (d: Buffer) => {
      if (output.length < 512) output += d.toString('utf8');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve(done(false, describeError(err)));
    });
    // 'exit', not 'close': a daemon the command left behind may hold the pipes open.
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      const first = output.trim().split('\n', 1)[0]!.slice(0, 120);
      if (timedOut) resolve(done(false, `timed out after ${timeoutMs} ms`));
      else if (code === 0) resolve(done(true, first || 'exit 0'));
      else {
        const how = signal ? `killed (${signal})` : `exit ${code}`;
        resolve(done(false, first ? `${how}: ${first}` : how));
      }
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** What the engine needs of a probe runner (a fake in tests). */
export interface ProbeScheduler {
  /** Start a probe of `name` unless one is still running; resolves when that probe ends. */
  start(name: string, spec: ProbeSpec, opts: ProbeOptions): Promise<void>;
  /** The last finished probe of `name`, with when it finished (epoch ms). */
  last(name: string): { result: ProbeResult; atMs: number } | null;
  /** Forget daemons no longer probed. */
  retain(names: ReadonlySet<string>): void;
}

/**
 * Runs the config's probes for the engine: never more than one at a time per
 * daemon (a probe still running when the next poll comes is left to finish,
 * not doubled), at most `concurrency` at once in all (so a hundred exec probes
 * do not fork a hundred shells together), each cut at its timeout.
 */
export class ProbeRunner implements ProbeScheduler {
  private readonly running = new Map<string, Promise<void>>();
  private readonly results = new Map<string, { result: ProbeResult; atMs: number }>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency = 16,
    private readonly probe: typeof runProbe = runProbe,
  ) {}

  start(name: string, spec: ProbeSpec, opts: ProbeOptions): Promise<void> {
    const inFlight = this.running.get(name);
    if (inFlight) return inFlight;
    const run = this.slot()
      .then(() => this.probe(spec, opts))
      .then((result) => {
        this.results.set(name, { result, atMs: Date.now() });
      })
      .finally(() => {
        this.running.delete(name);
        this.release();
      });
    this.running.set(name, run);
    return run;
  }

  last(name: string): { result: ProbeResult; atMs: number } | null {
    return this.results.get(name) ?? null;
  }

  retain(names: ReadonlySet<string>): void {
    for (const name of this.results.keys()) if (!names.has(name)) this.results.delete(name);
  }

  private slot(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    // The slot passes straight to the next waiter: `active` stays counted.
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
