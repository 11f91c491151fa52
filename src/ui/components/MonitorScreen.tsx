// The whole screen for one frame: header, table, event pane and footer, or
// the detail view, the help overlay, or the compact layout on small terminals.
import React from 'react';
import { Box, Text } from 'ink';
import type { ScreenData, ScreenModel } from '../model/screen.js';
import type { HbEvent } from '../../core/types.js';
import { localClock } from '../model/cells.js';
import { Counts, Header, Markers } from './Header.js';
import { DaemonTable } from './DaemonTable.js';
import { EventPane } from './EventPane.js';
import { Footer } from './Footer.js';
import { DetailView } from './DetailView.js';
import { HelpOverlay } from './HelpOverlay.js';
import { compactOrigin, type HostBadge } from '../model/fleet.js';
import { EventView } from './EventView.js';
import { escapeControl } from '../../core/sanitize.js';
import { tint } from '../theme.js';

export interface MonitorScreenProps {
  data: ScreenData;
  model: ScreenModel;
  width: number;
  height: number;
  color: boolean;
  intervalSec: number;
  lastPollAt: number | null;
  lastPollMs: number | null;
  stale: string | null;
  /** A transient message (a failed mute): the header's notice line. */
  notice?: string | null;
  offsetWarnMs: number;
  availability?: (
    name: string,
  ) => { h1: number | null; h24: number | null; d7: number | null } | null;
  /** Where the data comes from ("attached to agent pid 123"), after the title; null for a local monitor. */
  origin?: string | null;
  /** A fleet's hosts, for the header. */
  hosts?: readonly HostBadge[] | null;
  /** Where the settings and heartbeats come from, for the help. */
  context?: readonly string[];
}

/** Rows the detail view gets: all but the status line (compact) or header and footer. */
export function detailHeight(compact: boolean, height: number): number {
  return Math.max(1, compact ? height - 1 : height - 4);
}

/** The pane's events about one daemon, newest last (at most the last 200). */
export function detailEvents(data: ScreenData, name: string | null): HbEvent[] {
  if (name === null) return [];
  return data.events
    .filter((e) => e.event.daemon === name)
    .slice(-200)
    .map((e) => e.event);
}

/** The event the event view shows, as it is now (repeats update it in place). */
export function openedEvent(data: ScreenData, seq: number | null): HbEvent | null {
  if (seq === null) return null;
  return data.events.find((e) => e.seq === seq)?.event ?? null;
}

export function MonitorScreen(props: MonitorScreenProps): React.ReactElement {
  const { model, width, height, color } = props;
  const { view, screen } = model;
  if (view.mode === 'help') {
    return (
      <Frame width={width} height={height}>
        <HelpOverlay
          width={width}
          height={height - 1}
          color={color}
          clockNote={props.data.snapshot?.clock?.note ?? null}
          context={props.context}
          scrollTop={view.scrollTop}
        />
      </Frame>
    );
  }
  return screen.compact ? <CompactScreen {...props} /> : <FullScreen {...props} />;
}

/** The whole terminal; rows beyond it are cut. */
function Frame(props: { width: number; height: number; children: React.ReactNode }) {
  return (
    <Box flexDirection="column" width={props.width} height={props.height} overflowY="hidden">
      {props.children}
    </Box>
  );
}

/** A part that takes the rows the others leave. */
function Filler(props: { children: React.ReactNode }) {
  return (
    <Box flexDirection="column" flexGrow={1} overflowY="hidden">
      {props.children}
    </Box>
  );
}

function tableOf(props: MonitorScreenProps): React.ReactElement {
  const { data, model, color } = props;
  const { view, screen } = model;
  return (
    <DaemonTable
      daemons={model.rows}
      layout={model.table}
      history={data.history}
      cursor={view.cursor}
      top={view.top}
      rows={screen.tableRows}
      emptyReason={model.emptyReason}
      focused={view.mode !== 'events'}
      color={color}
    />
  );
}

function eventPaneOf(props: MonitorScreenProps): React.ReactElement {
  const { model, color } = props;
  const { view, screen } = model;
  return (
    <EventPane
      shown={model.events.shown}
      selected={model.events.selected}
      above={model.events.above}
      below={model.events.below}
      lines={screen.eventLines}
      focused={view.mode === 'events'}
      following={view.eventAnchor === null}
      color={color}
    />
  );
}

/** The event view or a daemon's detail view in `height` rows; null in the table's modes. */
function openedView(props: MonitorScreenProps, height: number): React.ReactElement | null {
  const { data, model, width, color } = props;
  const { view } = model;
  if (view.mode === 'event') {
    return (
      <EventView
        event={openedEvent(data, view.eventSeq)}
        width={width}
        height={height}
        scrollTop={view.scrollTop}
        color={color}
      />
    );
  }
  if (view.mode !== 'detail') return null;
  const name = view.detailName ?? '';
  return (
    <DetailView
      daemon={data.snapshot?.daemons.find((d) => d.name === name) ?? null}
      name={name}
      history={data.history.get(name)}
      events={detailEvents(data, name)}
      longAvailability={props.availability?.(name) ?? null}
      height={height}
      width={width}
      scrollTop={view.scrollTop}
      color={color}
    />
  );
}

/** Below 64x16: one status line, then the table (and the newest events) or the opened view. */
function CompactScreen(props: MonitorScreenProps): React.ReactElement {
  const { model, width, height } = props;
  const opened = openedView(props, detailHeight(true, height));
  return (
    <Frame width={width} height={height}>
      <CompactStatusLine {...props} />
      {opened ?? tableOf(props)}
      {!opened && model.screen.eventLines > 0 ? eventPaneOf(props) : null}
    </Frame>
  );
}

function CompactStatusLine(props: MonitorScreenProps): React.ReactElement {
  const { model, color } = props;
  const { view } = model;
  const snapshot = props.data.snapshot;
  // A fleet or an attached screen says so even here: the rows alone do not tell.
  const compactSource = compactOrigin(props.origin ?? null, props.hosts ?? null);
  return (
    <Text wrap="truncate-end">
      <Markers
        stale={props.stale !== null}
        paused={view.paused}
        filter={view.draft ?? view.filter}
        filterError={model.matcher.error}
        statusFilter={view.statusFilter}
        color={color}
      />
      {/* A notice takes the counts' place for its few seconds: the line is short. */}
      {props.notice ? (
        <Text {...tint(color, 'yellow')}>{`! ${escapeControl(props.notice)}`}</Text>
      ) : (
        <>
          <Counts summary={snapshot?.summary ?? null} color={color} short />
          {compactSource ? (
            <Text {...tint(color, 'cyan')}>{`  ${escapeControl(compactSource)}`}</Text>
          ) : null}
          {`  ${props.lastPollAt == null ? 'waiting for first poll' : `polled ${localClock(props.lastPollAt)}`}  ? help`}
        </>
      )}
      {view.mode === 'filter' ? ` /${escapeControl(view.draft ?? '')}_` : ''}
    </Text>
  );
}

/** Header, then the table and the event pane (or the opened view), then the key footer. */
function FullScreen(props: MonitorScreenProps): React.ReactElement {
  const { model, width, height, color } = props;
  const { view } = model;
  const opened = openedView(props, detailHeight(false, height));
  return (
    <Frame width={width} height={height}>
      <Header
        snapshot={props.data.snapshot}
        intervalSec={props.intervalSec}
        lastPollAt={props.lastPollAt}
        lastPollMs={props.lastPollMs}
        stale={props.stale}
        notice={props.notice ?? null}
        paused={view.paused}
        filter={view.draft ?? view.filter}
        filterError={model.matcher.error}
        statusFilter={view.statusFilter}
        sort={view.sort}
        reverse={view.reverse}
        offsetWarnMs={props.offsetWarnMs}
        color={color}
        origin={props.origin ?? null}
        hosts={props.hosts ?? null}
      />
      {opened ? <Filler>{opened}</Filler> : tableOf(props)}
      {opened ? null : <Filler>{eventPaneOf(props)}</Filler>}
      <Footer mode={view.mode} draft={view.draft} filterError={model.matcher.error} color={color} />
    </Frame>
  );
}
