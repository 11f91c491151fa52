// The `ghost-hb status` table. Pure: a snapshot in, text out. Every value from
// a heartbeat file was escaped by the core already; names and reasons are
// escaped again here in case a snapshot was built elsewhere.
import { Chalk, type ChalkInstance } from 'chalk';
import {
  compareByStatus,
  describeClock,
  formatAge,
  formatBytes,
  formatDuration,
  formatPct,
  MISSING,
  STATUS_GLYPHS,
} from '../core/format.js';
import type { DaemonStatus, Snapshot } from '../core/types.js';
import { escapeControl } from '../core/sanitize.js';

function painter(chalk: ChalkInstance): Record<DaemonStatus, (s: string) => string> {
  return {
    up: chalk.green,
    late: chalk.yellow,
    down: chalk.red.bold,
    // The terminal's own foreground: bright black vanishes on Solarized-like themes.
    unknown: (s) => s,
  };
}

export interface StatusTextOptions {
  color: boolean;
}

/** Exit code of `ghost-hb status`, Nagios style: 0 all up, 1 late or unknown, 2 any down, 3 cannot run. */
export function statusExitCode(snapshot: Snapshot): 0 | 1 | 2 | 3 {
  if (snapshot.heartbeatDirError !== null) return 3;
  if (snapshot.summary.down > 0) return 2;
  if (snapshot.summary.late > 0 || snapshot.summary.unknown > 0) return 1;
  return 0;
}

export function renderStatusText(snapshot: Snapshot, opts: StatusTextOptions): string {
  const chalk = new Chalk({ level: opts.color ? 1 : 0 });
  const paint = painter(chalk);
  const sys = snapshot.system;
  const lines: string[] = [];
  const mem =
    sys.memUsedBytes != null && sys.memTotalBytes != null
      ? `${formatBytes(sys.memUsedBytes)}/${formatBytes(sys.memTotalBytes)}`
      : MISSING;
  lines.push(
    `${chalk.bold(escapeControl(sys.hostname))}  up ${formatDuration(sys.uptimeSec)}  load ${
      sys.load1 == null ? MISSING : sys.load1.toFixed(2)
    }  mem ${mem}`,
  );
  lines.push(`heartbeats ${escapeControl(snapshot.heartbeatDir)}`);
  lines.push(`config ${escapeControl(originText(snapshot.origin))}`);
  lines.push(`clock  ${escapeControl(describeClock(snapshot.clock))}`);
  if (snapshot.heartbeatDirError) {
    lines.push(
      chalk.red(
        `heartbeat directory ${escapeControl(snapshot.heartbeatDir)}: ${escapeControl(snapshot.heartbeatDirError)}`,
      ),
    );
  }

  const header = [
    'STATUS',
    'NAME',
    'REASON',
    'PID',
    'AGE',
    'EVERY',
    'UPTIME',
    'CPU',
    'MEM',
    'RST',
    'SOURCE',
  ];
  const daemons = [...snapshot.daemons].sort(compareByStatus);
  const rows = daemons.map((d) => [
    `${STATUS_GLYPHS[d.status]} ${d.status}`,
    escapeControl(d.name),
    d.reason === null ? '' : escapeControl(d.reason),
    d.pid === null ? MISSING : String(d.pid),
    formatAge(d.ageMs),
    formatDuration(d.intervalSec),
    formatDuration(d.uptimeSec),
    formatPct(d.cpuPct),
    formatBytes(d.memRssBytes),
    String(d.restarts),
    d.source,
  ]);
  // Widths from the plain text; colour is applied after padding so escapes do not count.
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const pad = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  lines.push(chalk.bold(pad(header)));
  daemons.forEach((d, i) => {
    const cells = rows[i]!;
    const padded = pad(cells);
    const statusCell = cells[0]!.padEnd(widths[0]!);
    lines.push(paint[d.status](statusCell) + padded.slice(statusCell.length));
  });

  const withProblems = daemons.filter((d) => d.problems.length > 0);
  if (withProblems.length > 0) {
    lines.push('');
    lines.push(chalk.bold('Problems'));
    for (const d of withProblems) {
      for (const p of d.problems) lines.push(`  ${escapeControl(d.name)}: ${escapeControl(p)}`);
    }
  }
  const s = snapshot.summary;
  lines.push('');
  lines.push(
    `${paint.up(`${s.up} up`)}, ${paint.late(`${s.late} late`)}, ${paint.down(`${s.down} down`)}, ${paint.unknown(`${s.unknown} unknown`)}`,
  );
  if (snapshot.origin.defaultDaemons) lines.push('', ...firstRunNote(snapshot.origin));
  return `${lines.join('\n')}\n`;
}

/** Where the settings come from, in words. */
export function originText(origin: Snapshot['origin']): string {
  const file = origin.configFile ?? 'built-in defaults (no .heartbeatrc found)';
  return origin.defaultDaemons && origin.configFile
    ? `${file} (daemon list: built-in defaults)`
    : file;
}

/** What a first run needs to know: these daemons are a default, and how to declare one's own. */
export function firstRunNote(origin: Snapshot['origin']): string[] {
  const where = origin.configFile
    ? `add a daemons: list to ${origin.configFile}`
    : 'create a .heartbeatrc';
  return [
    "The daemons above are ghost-hb's built-in default list, not ones found on this host.",
    `To watch your own, ${where}, for example:`,
    '  daemons: [myapp, worker]        # see .heartbeatrc.example for every setting',
    'and let each daemon beat:  ghost-hb beat myapp --every 5',
    '(files in the heartbeat directory are also picked up without being declared).',
  ];
}
