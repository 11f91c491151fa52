// Probes: ghost-hb checks a service that cannot beat by itself, over HTTP, a
// TCP connect or a command. Used by `ghost-hb run --probe` (beat only while
// the probe passes) and by daemons with `probe:` in the config (run within
// the poll). Every probe is cut at its timeout; a probe never throws.
import { spawn } from 'node:child_process';
import net from 'node:net';

export type ProbeSpec =
  | { kind: 'http'; url: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'exec'; command: string };

export interface ProbeOptions {
  timeoutMs: number;
  /** HTTP status expected; null accepts any 2xx or 3xx. */
  expectStatus?: number | null;
}

export interface ProbeResult {
  ok: boolean;
  /** Time from start to answer (or to the timeout), ms. */
  latencyMs: number;
  /** What was seen: `HTTP 200`, `connection refused`, `timed out after 2000 ms`, `exit 1`. */
  detail: string;
}

/** Parse `http(s)://...`, `tcp:HOST:PORT` or `exec:COMMAND`; a string says what is wrong. */
export function parseProbe(text: string): ProbeSpec | string {
  const t = text.trim();
  if (/^https?:\/\//i.test(t)) {
    try {
      const url = new URL(t);
      return { kind: 'http', url: url.href };
    } catch {
      return `probe "${t}" is not a valid URL`;
    }
  }
  const tcp = /^tcp:(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(t);
  if (tcp) {
    const port = Number(tcp[2]);
    if (port < 1 || port > 65535) return `probe "${t}": port must be 1-65535`;
    return { kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port };
  }
  if (t.startsWith('exec:') && t.slice(5).trim() !== '') {
    return { kind: 'exec', command: t.slice(5).trim() };
  }
  return `probe "${t}" must be http://..., https://..., tcp:HOST:PORT or exec:COMMAND`;
}

/** A short label for displays: the URL, `tcp:host:port` or `exec:command`. */
export function probeLabel(spec: ProbeSpec): string {
  switch (spec.kind) {
    case 'http':
      return spec.url;
    case 'tcp':
      return `tcp:${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`;
    case 'exec':
      return `exec:${spec.command}`;
  }
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
