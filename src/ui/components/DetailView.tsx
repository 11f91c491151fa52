// Everything known about one daemon: where its heartbeat comes from, its last
// (sanitized) payload, its process, its recent beats and its events.
import React from 'react';
import { Box, Text } from 'ink';
import { Table } from '@alcalzone/ink-table';
import type { DaemonSnapshot, HbEvent } from '../../core/types.js';
import { localClock, safeText, shortBytes, shortPct } from '../model/cells.js';
import { formatAge, STATUS_GLYPHS } from '../../core/format.js';
import { beatGaps, type DaemonHistory } from '../model/history.js';
import { SEVERITY_COLOR, SEVERITY_WORD, STATUS_COLOR, tint } from '../theme.js';
import { Gauge } from './Gauge.js';

export interface DetailViewProps {
  daemon: DaemonSnapshot | null;
  name: string;
  history: DaemonHistory | undefined;
  events: readonly HbEvent[];
  /** Availability over 1 h / 24 h / 7 d from the uptime log, when known. */
  longAvailability?: { h1: number | null; h24: number | null; d7: number | null } | null;
  height: number;
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

function DetailViewImpl(props: DetailViewProps): React.ReactElement {
  const { daemon: d, history, color } = props;
  if (!d) {
    return (
      <Box flexDirection="column">
        <Text bold>{safeText(props.name)}</Text>
        <Text {...tint(color, 'gray')}>no longer in the latest poll</Text>
      </Box>
    );
  }
  const gaps = beatGaps(history);
  const payload = d.payload ? JSON.stringify(d.payload) : '-';
  // ink-table sizes columns by string length and rules every row: fine for one row.
  const proc = [
    {
      pid: d.pid ?? '-',
      // The scheduler state says more than alive yes/no: a stopped process is alive and hung.
      state: d.processState ?? (d.processAlive == null ? '-' : d.processAlive ? 'alive' : 'gone'),
      started: d.startedAt ? localClock(d.startedAt) : '-',
      uptime: formatAge(d.uptimeSec == null ? null : d.uptimeSec * 1000),
      cpu: shortPct(d.cpuPct),
      mem: shortBytes(d.memRssBytes),
      restarts: d.restarts,
    },
  ];
  const fixedLines = 15;
  const eventRoom = Math.max(0, props.height - fixedLines);
  const events = props.events.slice(-eventRoom);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>{safeText(d.name)}</Text>{' '}
        <Text {...tint(color, STATUS_COLOR[d.status])}>
          {STATUS_GLYPHS[d.status]} {d.status}
        </Text>
        {d.reason ? ` (${safeText(d.reason)})` : ''}
        {d.critical ? '  critical' : ''}
        {d.declared ? '' : '  discovered'}
        {d.clockSuspect ? '  clock-suspect' : ''}
      </Text>
      <Field label="heartbeat">
        {safeText(d.heartbeatPath ?? '-')} ({d.source})
      </Field>
      <Field label="last beat">
        {d.lastBeatAt ? `${localClock(d.lastBeatAt)} (${formatAge(d.ageMs)} ago)` : 'never'}
        {d.seq != null ? `  seq ${d.seq}` : ''}
        {d.selfStatus ? `  says ${d.selfStatus}` : ''}
        {`  interval ${d.intervalSec}s  grace ${d.graceSec}s  tolerance ${d.toleranceSec}s`}
      </Field>
      <Field label="message">{safeText(d.message ?? '-')}</Field>
      <Field label="problems">
        {d.problems.length ? d.problems.map((p) => safeText(p)).join('; ') : '-'}
      </Field>
      <Field label="command">{safeText(d.command ?? '-')}</Field>
      <Table data={proc} />
      <Field label="payload">{safeText(payload)}</Field>
      <Field label="beats">
        {gaps.length
          ? `gaps ${gaps.map((g) => `${(g / 1000).toFixed(1)}s`).join(' ')}`
          : 'no gaps yet'}
      </Field>
      <Field label="available">
        <Gauge fraction={history?.availability ?? null} width={20} color={color} tone="green" />{' '}
        {pct(history?.availability ?? null)} this session {history?.spark ?? ''}
        {props.longAvailability
          ? `  1h ${pct(props.longAvailability.h1)}  24h ${pct(props.longAvailability.h24)}  7d ${pct(props.longAvailability.d7)}`
          : ''}
      </Field>
      <Text bold>
        events{props.events.length > events.length ? ` (last ${events.length})` : ''}
      </Text>
      {events.length === 0 ? <Text {...tint(color, 'gray')}> none</Text> : null}
      {events.map((e) => (
        <Text key={e.id} wrap="truncate-end">
          {localClock(e.at)}{' '}
          <Text {...tint(color, SEVERITY_COLOR[e.severity])}>
            {SEVERITY_WORD[e.severity].padEnd(5)}
          </Text>{' '}
          {safeText(e.message)}
        </Text>
      ))}
    </Box>
  );
}

export const DetailView = React.memo(DetailViewImpl);
