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
  const { data, model, width, height, color } = props;
  const { view, screen } = model;
  const snapshot = data.snapshot;

  if (view.mode === 'help') {
    return (
      <Box flexDirection="column" width={width} height={height} overflowY="hidden">
        <HelpOverlay
          width={width}
          height={height - 1}
          color={color}
          clockNote={snapshot?.clock?.note ?? null}
          context={props.context}
          scrollTop={view.scrollTop}
        />
      </Box>
    );
  }

  const table = (
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

  const eventPane = (
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

  if (screen.compact) {
    // A fleet or an attached screen says so even here: the rows alone do not tell.
    const compactSource = compactOrigin(props.origin ?? null, props.hosts ?? null);
    return (
      <Box flexDirection="column" width={width} height={height} overflowY="hidden">
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
        {view.mode === 'event' ? (
          <EventView
            event={openedEvent(data, view.eventSeq)}
            width={width}
            height={detailHeight(true, height)}
            scrollTop={view.scrollTop}
            color={color}
          />
        ) : view.mode === 'detail' ? (
          <DetailView
            daemon={snapshot?.daemons.find((d) => d.name === view.detailName) ?? null}
            name={view.detailName ?? ''}
            history={data.history.get(view.detailName ?? '')}
            events={detailEvents(data, view.detailName)}
            longAvailability={props.availability?.(view.detailName ?? '') ?? null}
            height={detailHeight(true, height)}
            width={width}
            scrollTop={view.scrollTop}
            color={color}
          />
        ) : (
          table
        )}
        {view.mode !== 'detail' && view.mode !== 'event' && screen.eventLines > 0
          ? eventPane
          : null}
      </Box>
    );
  }

  const header = (
    <Header
      snapshot={snapshot}
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
  );
  const footer = (
    <Footer mode={view.mode} draft={view.draft} filterError={model.matcher.error} color={color} />
  );

  if (view.mode === 'event') {
    return (
      <Box flexDirection="column" width={width} height={height} overflowY="hidden">
        {header}
        <Box flexDirection="column" flexGrow={1} overflowY="hidden">
          <EventView
            event={openedEvent(data, view.eventSeq)}
            width={width}
            height={detailHeight(false, height)}
            scrollTop={view.scrollTop}
            color={color}
          />
        </Box>
        {footer}
      </Box>
    );
  }

  if (view.mode === 'detail') {
    const name = view.detailName ?? '';
    const events = detailEvents(data, name);
    return (
      <Box flexDirection="column" width={width} height={height} overflowY="hidden">
        {header}
        <Box flexDirection="column" flexGrow={1} overflowY="hidden">
          <DetailView
            daemon={snapshot?.daemons.find((d) => d.name === name) ?? null}
            name={name}
            history={data.history.get(name)}
            events={events}
            longAvailability={props.availability?.(name) ?? null}
            height={detailHeight(false, height)}
            width={width}
            scrollTop={view.scrollTop}
            color={color}
          />
        </Box>
        {footer}
      </Box>
    );
  }

  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      {header}
      {table}
      <Box flexDirection="column" flexGrow={1} overflowY="hidden">
        {eventPane}
      </Box>
      {footer}
    </Box>
  );
}
