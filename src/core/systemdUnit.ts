// systemd units as daemons (`systemd: "nginx.service"`): the `systemctl show`
// output ghost-hb asks for, parsed, and the verdict a unit's state gives. Pure;
// collectors/systemd.ts runs systemctl.
import { escapeControl } from './sanitize.js';
import type { DaemonStatus } from './types.js';

/** The properties asked of systemctl, one batched call per poll for every unit. */
export const UNIT_PROPERTIES = [
  'Id',
  'LoadState',
  'ActiveState',
  'SubState',
  'MainPID',
  'NRestarts',
  'Result',
  'ExecMainStatus',
  'WatchdogTimestamp',
] as const;

/** One unit's state (`systemd` in the JSON). */
export interface UnitState {
  /** The unit asked for (the config's name). */
  unit: string;
  /** The unit's own name as systemd reports it (differs for an alias). */
  id: string | null;
  loadState: string | null;
  activeState: string | null;
  subState: string | null;
  /** Null when the unit has no main process (MainPID=0). */
  mainPid: number | null;
  /** Automatic restarts since the unit was last started by hand. */
  restarts: number | null;
  /** How the last run ended: success, exit-code, signal, core-dump, watchdog, timeout, ... */
  result: string | null;
  /** Exit status of the main process, or its signal number when it was killed. */
  execMainStatus: number | null;
  /** Last time the service's watchdog was fed (ISO-8601), null when unknown or unused. */
  watchdogAt: string | null;
}

export type ParsedShow = { ok: true; units: UnitState[] } | { ok: false; error: string };

/**
 * Parse `systemctl show -p Id,LoadState,... UNIT...`: one block of KEY=VALUE
 * lines per unit, in the order asked, blocks separated by a blank line. Output
 * that does not have that shape is an error for the whole source, never a
 * set of units that look down.
 */
export function parseSystemctlShow(text: string, units: readonly string[]): ParsedShow {
  const blocks = text
    .replace(/\r\n/g, '\n')
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (blocks.length !== units.length) {
    return {
      ok: false,
      error: `systemctl show gave ${blocks.length} block${blocks.length === 1 ? '' : 's'} for ${units.length} unit${units.length === 1 ? '' : 's'}`,
    };
  }
  const out: UnitState[] = [];
  for (let i = 0; i < units.length; i++) {
    const props = new Map<string, string>();
    for (const line of blocks[i]!.split('\n')) {
      const eq = line.indexOf('=');
      if (eq <= 0 || !/^[A-Za-z]+$/.test(line.slice(0, eq))) {
        return {
          ok: false,
          error: `systemctl show: unexpected line "${escapeControl(line.slice(0, 60))}"`,
        };
      }
      props.set(line.slice(0, eq), line.slice(eq + 1));
    }
    if (!props.has('ActiveState') && !props.has('LoadState')) {
      return { ok: false, error: 'systemctl show: no ActiveState or LoadState in its output' };
    }
    out.push(unitFrom(units[i]!, props));
  }
  return { ok: true, units: out };
}

function unitFrom(unit: string, p: Map<string, string>): UnitState {
  const text = (k: string) => {
    const v = p.get(k);
    return v === undefined || v === '' ? null : v;
  };
  const int = (k: string) => {
    const v = p.get(k);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
  };
  const mainPid = int('MainPID');
  return {
    unit,
    id: text('Id'),
    loadState: text('LoadState'),
    activeState: text('ActiveState'),
    subState: text('SubState'),
    mainPid: mainPid === 0 ? null : mainPid,
    restarts: int('NRestarts'),
    result: text('Result'),
    execMainStatus: int('ExecMainStatus'),
    watchdogAt: parseSystemdTimestamp(p.get('WatchdogTimestamp') ?? ''),
  };
}

/**
 * A systemd timestamp as ISO-8601: `@1733109120` (--timestamp=unix),
 * `Wed 2026-12-02 03:12:00 UTC` or with microseconds (systemctl run with
 * TZ=UTC, as the collector does); `n/a`, empty or a zone other than UTC: null.
 */
export function parseSystemdTimestamp(text: string): string | null {
  const t = text.trim();
  const unix = /^@(\d+)(?:\.(\d+))?$/.exec(t);
  if (unix) return new Date(Number(unix[1]) * 1000).toISOString();
  const m = /^(?:[A-Z][a-z]{2} )?(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? UTC$/.exec(t);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ? m[3].slice(0, 4) : ''}Z`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** Linux signal numbers of the signals a service is commonly ended by. */
const SIGNALS: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
  31: 'SIGSYS',
};

const signalName = (n: number | null) => (n === null ? null : (SIGNALS[n] ?? `signal ${n}`));

/** How the unit's last run ended, in words, or null for `success`. */
export function unitResultText(u: UnitState): string | null {
  const sig = signalName(u.execMainStatus);
  switch (u.result) {
    case null:
    case 'success':
      return null;
    case 'watchdog':
      return 'watchdog timeout';
    case 'core-dump':
      return `core dumped${sig ? ` (${sig})` : ''}`;
    case 'signal':
      return `killed${sig ? ` (${sig})` : ''}`;
    case 'exit-code':
      return `exited${u.execMainStatus !== null ? ` (code ${u.execMainStatus})` : ''}`;
    case 'timeout':
      return 'timed out';
    case 'oom-kill':
      return 'killed by the OOM killer';
    case 'start-limit-hit':
      return 'start limit hit';
    default:
      return u.result;
  }
}

export interface UnitVerdict {
  status: DaemonStatus;
  reason: string | null;
}

/** A daemon's status from its unit: active is up, (re)starting late, failed or stopped down. */
export function judgeUnit(u: UnitState): UnitVerdict {
  const ended = unitResultText(u);
  if (u.loadState === 'not-found') return { status: 'unknown', reason: 'unit not found' };
  if (u.loadState === 'masked') return { status: 'down', reason: 'unit masked' };
  const state = `${u.activeState ?? '?'}${u.subState ? ` (${u.subState})` : ''}`;
  switch (u.activeState) {
    case 'active':
      return { status: 'up', reason: null };
    case 'reloading':
    case 'refreshing':
      return { status: 'late', reason: state };
    case 'activating':
      // auto-restart: the last run ended and systemd is about to start it again.
      if (u.subState === 'auto-restart' && ended) return { status: 'down', reason: ended };
      return { status: 'late', reason: state };
    case 'deactivating':
      return { status: 'late', reason: state };
    case 'failed':
      return { status: 'down', reason: `failed: ${ended ?? state}` };
    case 'inactive':
      return { status: 'down', reason: ended ? `inactive: ${ended}` : 'inactive (dead)' };
    default:
      return { status: 'unknown', reason: state };
  }
}
