// `--prometheus URL`: a fleet read from a Prometheus server's HTTP API rather
// than from agents. The flags, the endpoint they name (a bearer token from a
// file only its owner can read), and `ghost-hb status --prometheus`: one poll
// of the fleet, as a table with a HOST column or as one JSON document, with
// an exit code over every host.
import type { AnyFlags } from 'meow';
import type { PromHost } from '../core/prometheus.js';
import type { HbEvent, Snapshot, StatusSummary } from '../core/types.js';
import { summarize } from '../core/status.js';
import {
  compareByStatus,
  formatAge,
  formatBytes,
  formatPct,
  STATUS_GLYPHS,
} from '../core/format.js';
import type { PromEndpoint } from '../agent/prometheus.js';
import { EXIT, type CommandContext, type FlagValues } from './command.js';
import { escapeControl } from '../core/sanitize.js';

export const prometheusFlags = {
  prometheus: { type: 'string' },
  prometheusTokenFile: { type: 'string' },
} as const satisfies AnyFlags;

export const PROMETHEUS_HELP = `    --prometheus URL
                   the fleet from a Prometheus server's HTTP API (every
                   instance scraping ghost-hb, and its firing alerts)
    --prometheus-token-file FILE
                   bearer token for it, from a file only its owner can read`;

/** The Prometheus server the flags name, or null without --prometheus. Throws a message on a bad flag. */
export async function prometheusEndpoint(
  flags: Partial<FlagValues<typeof prometheusFlags>>,
): Promise<PromEndpoint | null> {
  const text = flags.prometheus;
  const tokenFile = flags.prometheusTokenFile;
  if (text === undefined) {
    if (tokenFile !== undefined) throw new Error('--prometheus-token-file needs --prometheus URL');
    return null;
  }
  const [{ parsePrometheusUrl }, { readTokenFile }] = await Promise.all([
    import('../agent/prometheus.js'),
    import('../server/auth.js'),
  ]);
  const url = parsePrometheusUrl(text);
  const token =
    tokenFile === undefined ? null : readTokenFile(tokenFile, '--prometheus-token-file');
  return { url, token };
}

/** The fleet as `status --prometheus --json` prints it. */
export interface FleetReport {
  version: 1;
  at: string;
  source: { kind: 'prometheus'; url: string };
  hosts: {
    host: string;
    job: string | null;
    reachable: boolean | null;
    problem: string | null;
    summary: StatusSummary;
  }[];
  daemons: (Snapshot['daemons'][number] & { host: string })[];
  summary: StatusSummary;
  /** Alerts firing now, as events. */
  alerts: HbEvent[];
}

export function fleetReport(
  url: string,
  atMs: number,
  hosts: PromHost[],
  alerts: HbEvent[],
): FleetReport {
  const daemons = hosts.flatMap((h) => h.snapshot.daemons.map((d) => ({ host: h.instance, ...d })));
  return {
    version: 1,
    at: new Date(atMs).toISOString(),
    source: { kind: 'prometheus', url },
    hosts: hosts.map((h) => ({
      host: h.instance,
      job: h.job,
      reachable: h.reachable,
      problem: h.problem,
      summary: h.snapshot.summary,
    })),
    daemons,
    summary: summarize(daemons),
    alerts,
  };
}

/** Nagios style over every host: 2 any down, 1 any late or unknown (an unreachable host's rows are), else 0. */
export function fleetExitCode(r: FleetReport): 0 | 1 | 2 {
  if (r.summary.down > 0) return 2;
  if (r.summary.late > 0 || r.summary.unknown > 0 || r.hosts.some((h) => h.problem !== null))
    return 1;
  return 0;
}

/** The fleet as a plain table: one line per daemon with its host, then host problems and firing alerts. */
export function renderFleetText(r: FleetReport): string {
  const header = ['HOST', 'STATUS', 'NAME', 'REASON', 'AGE', 'CPU', 'MEM', 'RST'];
  // Problems first, then by host and name.
  const key = (d: FleetReport['daemons'][number]) => ({ ...d, name: `${d.host}\u0000${d.name}` });
  const daemons = [...r.daemons].sort((a, b) => compareByStatus(key(a), key(b)));
  const rows = daemons.map((d) => [
    escapeControl(d.host),
    `${STATUS_GLYPHS[d.status]} ${d.status}`,
    escapeControl(d.name),
    d.reason === null ? '' : escapeControl(d.reason),
    formatAge(d.ageMs),
    formatPct(d.cpuPct),
    formatBytes(d.memRssBytes),
    String(d.restarts),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const lines = [`prometheus ${r.source.url}  ${r.hosts.length} hosts  at ${r.at}`, line(header)];
  lines.push(...rows.map(line));
  const problems = r.hosts.filter((h) => h.problem !== null);
  if (problems.length) {
    lines.push('', 'Hosts');
    for (const h of problems)
      lines.push(`  ${escapeControl(h.host)}: ${escapeControl(h.problem!)}`);
  }
  if (r.alerts.length) {
    lines.push('', 'Firing alerts');
    for (const e of r.alerts) {
      const host = typeof e.data?.host === 'string' ? `${e.data.host} ` : '';
      lines.push(`  ${e.severity.toUpperCase()} ${escapeControl(host + e.message)}`);
    }
  }
  const s = r.summary;
  lines.push('', `${s.up} up, ${s.late} late, ${s.down} down, ${s.unknown} unknown`);
  return `${lines.join('\n')}\n`;
}

/** The endpoint from the flags; a bad flag is explained on stderr and gives 'refused'. */
export async function endpointOrExplain(
  ctx: CommandContext,
): Promise<PromEndpoint | null | 'refused'> {
  try {
    return await prometheusEndpoint(ctx.flags);
  } catch (err) {
    ctx.stderr.write(`ghost-hb: ${(err as Error).message}\n`);
    return 'refused';
  }
}

/**
 * `ghost-hb status --prometheus URL [--json]`: one poll of the fleet; null
 * without --prometheus (the caller polls this host).
 */
export async function prometheusStatus(ctx: CommandContext): Promise<number | null> {
  const endpoint = await endpointOrExplain(ctx);
  if (endpoint === null) return null;
  if (endpoint === 'refused') return EXIT.UNKNOWN;
  const { PrometheusClient, PromError, describePrometheus, pollPrometheus } =
    await import('../agent/prometheus.js');
  const url = describePrometheus(endpoint.url);
  let report: FleetReport;
  try {
    const poll = await pollPrometheus(new PrometheusClient(endpoint), Date.now(), new Map());
    report = fleetReport(url, poll.atMs, poll.hosts, poll.events);
  } catch (err) {
    if (!(err instanceof PromError)) throw err;
    ctx.stderr.write(`ghost-hb: prometheus ${url}: ${err.message}\n`);
    return EXIT.UNKNOWN;
  }
  ctx.stdout.write(
    ctx.flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderFleetText(report),
  );
  return fleetExitCode(report);
}
