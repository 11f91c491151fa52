// Everything known about one daemon: where its heartbeat comes from, its last
// (sanitized) payload, its process, its recent beats and its events.
import React from 'react';
import { Box, Text } from 'ink';
import { Table } from '@alcalzone/ink-table';
import type { DaemonSnapshot, HbEvent } from '../../core/types.js';
import { localClock, shortBytes, shortPct } from '../model/cells.js';
import { formatAge, STATUS_GLYPHS } from '../../core/format.js';
import { beatGaps, type DaemonHistory } from '../model/history.js';
import { SEVERITY_COLOR, SEVERITY_WORD, STATUS_COLOR, tint } from '../theme.js';
import { Gauge } from './Gauge.js';
import { escapeControl } from '../../core/sanitize.js';

export interface DetailViewProps {
  daemon: DaemonSnapshot | null;
  name: string;
  history: DaemonHistory | undefined;
  events: readonly HbEvent[];
  /** Availability over 1 h / 24 h / 7 d from the uptime log, when known. */
  longAvailability?: { h1: number | null; h24: number | null; d7: number | null } | null;
  height: number;
  width?: number;
  /** First line shown, when the view is taller than `height`. */
  scrollTop?: number;
  color: boolean;
}

function Field({
  label,
  children,
}: {
  label: string;
  children: React.ReactNode;
}): React.ReactElement {
  return (
    <Text wrap="truncate-end">
      <Text bold>{label.padEnd(11)}</Text>
      {children}
    </Text>
  );
}

function pct(v: number | null): string {
  return v == null ? '-' : `${(v * 100).toFixed(1)}%`;
}

/** Lines of the process table as ink-table draws it: rules, header, rule, row, rule. */
const TABLE_LINES = 5;
/** Lines of the detail view besides its events (see `detailBlocks`). */
export const DETAIL_FIXED_LINES = 10 + TABLE_LINES;

/** The detail view's length in lines, for how far it scrolls. */
export function detailLineCount(events: number, daemon?: DaemonSnapshot | null): number {
  return DETAIL_FIXED_LINES + (daemon ? checkLines(daemon).length : 0) + Math.max(1, events);
}

const ms = (v: number | null) => (v === null ? '-' : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);

/**
 * What ghost-hb checked itself and the last run, as [label, text] lines: the
 * probe's last result and latency, the systemd unit's state, where a
 * scheduled job stands. Only the lines that apply.
 */
export function checkLines(d: DaemonSnapshot): [string, string][] {
  const lines: [string, string][] = [];
  if (d.probe) {
    const p = d.probe;
    const result = p.ok === null ? 'not probed yet' : `${p.ok ? 'ok' : 'FAILED'} ${p.detail ?? ''}`;
    lines.push([
      'probe',
      `${p.target}  ${result}  ${ms(p.latencyMs)}${p.at ? ` at ${localClock(p.at)}` : ''}  (slow over ${p.slowMs} ms, timeout ${p.timeoutMs} ms)`,
    ]);
  }
  if (d.systemd !== undefined) {
    const u = d.systemd;
    lines.push([
      'systemd',
      u === null
        ? 'no answer from systemctl'
        : `${u.id ?? u.unit} ${u.activeState ?? '?'} (${u.subState ?? '?'})  main pid ${u.mainPid ?? '-'}  restarts ${u.restarts ?? '-'}  result ${u.result ?? '-'}` +
          (u.watchdogAt ? `  watchdog fed ${localClock(u.watchdogAt)}` : ''),
    ]);
  }
  if (d.schedule) {
    const s = d.schedule;
    lines.push([
      'schedule',
      `${s.expression}${s.timezone ? ` (${s.timezone})` : ''}  next ${s.nextRunAt ? localClock(s.nextRunAt) : '-'}` +
        `  last due ${s.lastDueAt ? localClock(s.lastDueAt) : '-'}  grace ${s.graceSec}s` +
        (s.maxDurationSec !== null ? `  max ${s.maxDurationSec}s` : '') +
        (s.running ? `  running ${formatAge(s.durationMs)}` : ''),
    ]);
  }
  if (d.lastRun) {
    const r = d.lastRun;
    const how =
      r.endedAt === null
        ? 'running'
        : r.signal
          ? `killed (${r.signal})`
          : r.exitCode !== null
            ? `exit ${r.exitCode}`
            : r.ok
              ? 'ok'
              : 'failed';
    lines.push([
      'last run',
      `${how}  started ${r.startedAt ? localClock(r.startedAt) : '-'}` +
        (r.endedAt ? `  ended ${localClock(r.endedAt)}` : '') +
        `  took ${formatAge(r.durationMs)}`,
    ]);
  }
  return lines;
}

type ProcRow = Record<string, string | number>;

/**
 * The process table's columns that fit `width`: ink-table pads each cell by
 * one space each side and draws a border between cells, and it cannot
 * truncate, so columns are dropped from the right instead of letting a line
 * wrap (which would leave rules without their first column).
 */
export function fitProcessColumns(row: ProcRow, width: number): ProcRow {
  const out: ProcRow = {};
  let used = 1;
  for (const [k, v] of Object.entries(row)) {
    const w = Math.max(k.length, String(v).length) + 3;
    if (used + w > width) break;
    out[k] = v;
    used += w;
  }
  return out;
}

interface Block {
  key: string;
  lines: number;
  node: React.ReactElement;
}

function DetailViewImpl(props: DetailViewProps): React.ReactElement {
  const { daemon: d, history } = props;
  if (!d) {
    return (
      <Box flexDirection="column">
        <Text bold>{escapeControl(props.name)}</Text>
        <Text>no longer in the latest poll</Text>
      </Box>
    );
  }
  const blocks = detailBlocks(props, d, history);
  // A window of whole blocks from scrollTop; a "more" line when some are below.
  const total = blocks.reduce((n, b) => n + b.lines, 0);
  const top = Math.max(0, Math.min(props.scrollTop ?? 0, total - props.height));
  const shown: React.ReactElement[] = [];
  let line = 0;
  let used = 0;
  for (const b of blocks) {
    const at = line;
    line += b.lines;
    if (at < top) continue;
    const room = props.height - used - (line < total ? 1 : 0);
    if (b.lines > room) break;
    shown.push(<React.Fragment key={b.key}>{b.node}</React.Fragment>);
    used += b.lines;
  }
  const below = total - top - used;
  return (
    <Box flexDirection="column">
      {shown}
      {below > 0 || top > 0 ? (
        <Text wrap="truncate-end">
          {`${top > 0 ? `↑ ${top} ` : ''}${below > 0 ? `↓ ${below} more ` : ''}(↑↓ scroll)`}
        </Text>
      ) : null}
    </Box>
  );
}

function detailBlocks(
  props: DetailViewProps,
  d: DaemonSnapshot,
  history: DaemonHistory | undefined,
): Block[] {
  const { color } = props;
  const gaps = beatGaps(history);
  const payload = d.payload ? JSON.stringify(d.payload) : '-';
  const proc = processRow(d, props.width ?? 80);
  const blocks: Block[] = [
    one('title', <TitleLine d={d} color={color} />),
    one(
      'problems',
      <Field label="problems">
        {d.problems.length ? d.problems.map((p) => escapeControl(p)).join('; ') : '-'}
      </Field>,
    ),
    { key: 'proc', lines: TABLE_LINES, node: <Table data={[proc]} /> },
    one(
      'last',
      <Field label="last beat">
        {d.lastBeatAt ? `${localClock(d.lastBeatAt)} (${formatAge(d.ageMs)} ago)` : 'never'}
        {d.seq != null ? `  seq ${d.seq}` : ''}
        {d.selfStatus ? `  says ${d.selfStatus}` : ''}
        {`  interval ${d.intervalSec}s  grace ${d.graceSec}s  tolerance ${d.toleranceSec}s`}
      </Field>,
    ),
    one('message', <Field label="message">{escapeControl(d.message ?? '-')}</Field>),
    ...checkLines(d).map(([label, text]) =>
      one(`check-${label}`, <Field label={label}>{escapeControl(text)}</Field>),
    ),
    one(
      'available',
      <Field label="available">
        <Gauge fraction={history?.availability ?? null} width={20} color={color} tone="green" />{' '}
        {pct(history?.availability ?? null)} this session {history?.spark ?? ''}
        {props.longAvailability
          ? `  1h ${pct(props.longAvailability.h1)}  24h ${pct(props.longAvailability.h24)}  7d ${pct(props.longAvailability.d7)}`
          : ''}
      </Field>,
    ),
    one(
      'heartbeat',
      <Field label="heartbeat">
        {escapeControl(d.heartbeatPath ?? '-')} ({d.source})
      </Field>,
    ),
    one('command', <Field label="command">{escapeControl(d.command ?? '-')}</Field>),
    one('payload', <Field label="payload">{escapeControl(payload)}</Field>),
    one(
      'beats',
      <Field label="beats">
        {gaps.length
          ? `gaps ${gaps.map((g) => `${(g / 1000).toFixed(1)}s`).join(' ')}`
          : 'no gaps yet'}
      </Field>,
    ),
    one(
      'events',
      <Text bold wrap="truncate-end">
        events ({props.events.length}, newest last)
      </Text>,
    ),
    ...eventBlocks(props.events, color),
  ];
  return blocks;
}

const one = (key: string, node: React.ReactElement): Block => ({ key, lines: 1, node });

/** The process table's one row, its columns fitted to `width`. */
function processRow(d: DaemonSnapshot, width: number) {
  // ink-table sizes columns by string length and rules every row: fine for one row.
  return fitProcessColumns(
    {
      pid: d.pid ?? '-',
      alive: d.processAlive == null ? '-' : d.processAlive ? 'yes' : 'no',
      started: d.startedAt ? localClock(d.startedAt) : '-',
      uptime: formatAge(d.uptimeSec == null ? null : d.uptimeSec * 1000),
      cpu: shortPct(d.cpuPct),
      mem: shortBytes(d.memRssBytes),
      restarts: d.restarts,
    },
    width,
  );
}

function TitleLine({ d, color }: { d: DaemonSnapshot; color: boolean }): React.ReactElement {
  return (
    <Text wrap="truncate-end">
      <Text bold>{escapeControl(d.name)}</Text>{' '}
      <Text {...tint(color, STATUS_COLOR[d.status])}>
        {STATUS_GLYPHS[d.status]} {d.status}
      </Text>
      {d.reason ? ` (${escapeControl(d.reason)})` : ''}
      {d.critical ? '  critical' : ''}
      {d.declared ? '' : '  discovered'}
      {d.clockSuspect ? '  clock-suspect' : ''}
    </Text>
  );
}

/** One line per event of the daemon, newest last; " none" without any. */
function eventBlocks(events: DetailViewProps['events'], color: boolean): Block[] {
  if (events.length === 0) return [one('none', <Text> none</Text>)];
  return events.map((e) =>
    one(
      `e${e.id}`,
      <Text wrap="truncate-end">
        {localClock(e.at)}{' '}
        <Text {...tint(color, SEVERITY_COLOR[e.severity])}>
          {SEVERITY_WORD[e.severity].padEnd(5)}
        </Text>{' '}
        {escapeControl(e.message)}
      </Text>,
    ),
  );
}

export const DetailView = React.memo(DetailViewImpl);
