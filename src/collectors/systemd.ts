// systemd units: one `systemctl show` per poll for every unit in the config.
// Needs a host running systemd (PID 1); elsewhere systemctl fails and the
// source is reported failing, never every unit down. A systemctl that hangs
// is killed at the timeout; output that does not parse fails the source too.
import { spawn } from 'node:child_process';
import { escapeControl } from '../core/sanitize.js';
import { parseSystemctlShow, UNIT_PROPERTIES, type ParsedShow } from '../core/systemdUnit.js';

export interface SystemdCollector {
  /** The state of `units`, or why the source failed. Never throws. */
  show(units: readonly string[]): Promise<ParsedShow>;
}

export interface SystemctlOptions {
  /** The systemctl binary (found on PATH by default). */
  command?: string;
  /** systemctl is killed after this many ms. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** More output than this is not systemctl answering for a few units. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

export class SystemctlCollector implements SystemdCollector {
  constructor(private readonly opts: SystemctlOptions = {}) {}

  show(units: readonly string[]): Promise<ParsedShow> {
    if (units.length === 0) return Promise.resolve({ ok: true, units: [] });
    const timeoutMs = this.opts.timeoutMs ?? 3000;
    const args = ['show', '--no-pager', `--property=${UNIT_PROPERTIES.join(',')}`, '--', ...units];
    return new Promise((resolve) => {
      let settled = false;
      const settle = (r: ParsedShow) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const child = spawn(this.opts.command ?? 'systemctl', args, {
        // Its own process group, so a timeout kills whatever it started too.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        // UTC timestamps the parser can read; no colours, no pager, no translations.
        env: {
          ...(this.opts.env ?? process.env),
          TZ: 'UTC',
          LC_ALL: 'C',
          SYSTEMD_COLORS: '0',
          SYSTEMD_PAGER: '',
        },
      });
      const out: Buffer[] = [];
      let size = 0;
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        size += d.length;
        if (size > MAX_OUTPUT_BYTES) {
          killGroup(child.pid);
          settle(failed('systemctl printed too much'));
        } else out.push(d);
      });
      child.stderr.on('data', (d: Buffer) => {
        if (stderr.length < 1024) stderr += d.toString('utf8');
      });
      const timer = setTimeout(() => {
        killGroup(child.pid);
        settle(failed(`systemctl timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      child.once('error', (err: NodeJS.ErrnoException) => {
        settle(
          failed(
            err.code === 'ENOENT' ? 'systemctl not found' : `systemctl: ${err.code ?? err.message}`,
          ),
        );
      });
      child.once('close', (code, signal) => {
        if (code !== 0) {
          const why = escapeControl(stderr.trim().split('\n', 1)[0]!.slice(0, 160));
          const how = signal ? `killed (${signal})` : `exit ${code}`;
          return settle(failed(`systemctl failed (${how})${why ? `: ${why}` : ''}`));
        }
        settle(parseSystemctlShow(Buffer.concat(out).toString('utf8'), units));
      });
    });
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function failed(error: string): ParsedShow {
  return { ok: false, error };
}
