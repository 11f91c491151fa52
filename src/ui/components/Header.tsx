// The top three lines: host figures, status counts and poll timing with the
// PAUSED / FILTER markers, and the clock drift gauge (or, for a while, a
// notice: the outcome of a key that did not work, such as a failed mute).
import React from 'react';
import { Box, Text } from 'ink';
import type { Snapshot, StatusSummary } from '../../core/types.js';
import { localClock } from '../model/cells.js';
import { formatAge, formatBytes, STATUS_GLYPHS } from '../../core/format.js';
import type { SortKey, StatusFilter } from '../model/view.js';
import { STATUS_COLOR, tint } from '../theme.js';
import { DriftGauge } from './DriftGauge.js';
import type { HostBadge } from '../model/fleet.js';
import { escapeControl } from '../../core/sanitize.js';

export interface HeaderProps {
  snapshot: Snapshot | null;
  intervalSec: number;
  /** Wall time of the last successful poll (epoch ms). */
  lastPollAt: number | null;
  lastPollMs: number | null;
  /** Why the data may be stale (poll error, failing collectors); null when fresh. */
  stale: string | null;
  paused: boolean;
  filter: string;
  filterError: string | null;
  statusFilter: StatusFilter;
  sort: SortKey;
  reverse: boolean;
  offsetWarnMs: number;
  color: boolean;
  /** Where the data comes from ("attached to agent pid 123"), after the title; null for a local monitor. */
  origin?: string | null;
  /** A fleet's hosts: their line replaces the clock gauge (clocks are per host). */
  hosts?: readonly HostBadge[] | null;
  /**
   * A transient message for the operator ("mute relayCore failed: …"): it takes
   * the third line, whole width, while it lasts. Not staleness: the data is fine.
   */
  notice?: string | null;
}

/** The notice line: a marked, escaped message that reads the same without colour. */
export function Notice({ text, color }: { text: string; color: boolean }): React.ReactElement {
  return (
    <Text wrap="truncate-end">
      <Text {...tint(color, 'yellow')} bold>
        {'! '}
      </Text>
      <Text {...tint(color, 'yellow')}>{escapeControl(text)}</Text>
    </Text>
  );
}

/** One line: each host's name, counts and connection state. */
function HostsLine({ hosts, color }: { hosts: readonly HostBadge[]; color: boolean }) {
  return (
    <Text wrap="truncate-end">
      {hosts.map((h, i) => (
        <Text key={h.name}>
          {i ? '  ' : ''}
          <Text bold>{escapeControl(h.name)}</Text>
          {h.counts ? ` ${h.counts}` : ''} <Text {...tint(color, h.tone)}>{h.connection}</Text>
        </Text>
      ))}
    </Text>
  );
}

const ORDER = ['up', 'late', 'down', 'unknown'] as const;

export function Counts({
  summary,
  color,
  short = false,
}: {
  summary: StatusSummary | null;
  color: boolean;
  /** Glyph and count only ("✔5 ▲0 ✖1 ?0"), for small terminals. */
  short?: boolean;
}): React.ReactElement {
  return (
    <>
      {ORDER.map((s, i) => (
        <Text key={s} {...tint(color, STATUS_COLOR[s])}>
          {short
            ? `${i ? ' ' : ''}${STATUS_GLYPHS[s]}${summary ? summary[s] : 0}`
            : `${i ? '  ' : ''}${STATUS_GLYPHS[s]} ${summary ? summary[s] : 0} ${s}`}
        </Text>
      ))}
    </>
  );
}

/**
 * The state markers, first on the title line so no hostname can push them off:
 * STALE (data may be old), PAUSED (frame frozen), FILTER (rows hidden).
 */
export function Markers(props: {
  stale: boolean;
  paused: boolean;
  filter: string;
  filterError: string | null;
  statusFilter: StatusFilter;
  color: boolean;
}): React.ReactElement {
  const { stale, paused, filter, filterError, statusFilter, color } = props;
  return (
    <>
      {stale ? (
        <Text {...tint(color, 'red')} bold inverse={color}>
          {color ? ' STALE ' : 'STALE '}
        </Text>
      ) : null}
      {paused ? (
        <Text inverse={color} bold>
          {color ? ' PAUSED ' : 'PAUSED '}
        </Text>
      ) : null}
      {filter || statusFilter !== 'all' ? (
        <Text {...tint(color, 'cyan')} bold>
          {color && (stale || paused) ? ' ' : ''}FILTER
          {filter ? ` "${escapeControl(filter)}"` : ''}
          {statusFilter !== 'all' ? ` [${statusFilter}]` : ''}
          {filterError ? ' (bad regex)' : ''}{' '}
        </Text>
      ) : null}
    </>
  );
}

/** Hostnames can be 64 characters; the title keeps room for the figures after it. */
const HOST_MAX = 24;

function HeaderImpl(props: HeaderProps): React.ReactElement {
  const { snapshot, color } = props;
  const sys = snapshot?.system;
  const load = sys?.load1 == null ? '-' : sys.load1.toFixed(2);
  const mem =
    sys?.memUsedBytes != null && sys.memTotalBytes
      ? `${formatBytes(sys.memUsedBytes)}/${formatBytes(sys.memTotalBytes)}`
      : '-';
  const uptime = sys?.uptimeSec == null ? '-' : formatAge(sys.uptimeSec * 1000);
  const last =
    props.lastPollAt == null
      ? 'waiting for first poll'
      : `last poll ${localClock(props.lastPollAt)}${props.lastPollMs != null ? ` (${Math.round(props.lastPollMs)}ms)` : ''}`;
  const host = escapeControl(sys?.hostname ?? '…');
  const shortHost = host.length > HOST_MAX ? `${host.slice(0, HOST_MAX - 1)}…` : host;
  // A fleet has no one uptime, load or memory: each host's line says how it is.
  const line1 = props.hosts
    ? ` ${shortHost}  sort ${props.sort}${props.reverse ? '↑' : '↓'}`
    : ` ${shortHost}  up ${uptime}  load ${load}  mem ${mem}  sort ${props.sort}${props.reverse ? '↑' : '↓'}`;
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Text wrap="truncate-end">
        <Markers
          stale={props.stale !== null}
          paused={props.paused}
          filter={props.filter}
          filterError={props.filterError}
          statusFilter={props.statusFilter}
          color={color}
        />
        <Text bold>ghost-hb</Text>
        {props.origin ? (
          <Text {...tint(color, 'cyan')}>{` ${escapeControl(props.origin)}`}</Text>
        ) : null}
        {line1}
      </Text>
      <Text wrap="truncate-end">
        <Counts summary={snapshot?.summary ?? null} color={color} />
        {`  every ${props.intervalSec}s`}
        {snapshot?.watch?.mode === 'polling' ? (
          <Text {...tint(color, 'yellow')}> polling</Text>
        ) : null}
        {`  ${last}`}
        {props.stale ? (
          <Text {...tint(color, 'red')}>{`  ${escapeControl(props.stale)}`}</Text>
        ) : null}
      </Text>
      {props.notice ? (
        <Notice text={props.notice} color={color} />
      ) : props.hosts ? (
        <HostsLine hosts={props.hosts} color={color} />
      ) : (
        <DriftGauge clock={snapshot?.clock ?? null} warnMs={props.offsetWarnMs} color={color} />
      )}
    </Box>
  );
}

export const Header = React.memo(HeaderImpl);
