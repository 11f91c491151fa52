// The interactive monitor: the poller feed, the view state driven by keys,
// and the screen. Pausing freezes what is drawn while the feed keeps
// collecting; the filter, status filter and sort are handed to `onPrefs`
// whenever they change so they can be remembered.
import React, { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { deriveScreen } from './model/screen.js';
import {
  initialViewState,
  prefsOf,
  reduceView,
  settleSelection,
  type Prefs,
  type ViewAction,
  type ViewCommand,
  type ViewContext,
  type ViewState,
} from './model/view.js';
import { usePoller, type FeedSource, type FeedState } from './hooks/usePoller.js';
import type { SnapshotSources, StorageStatus } from '../core/types.js';
import { useKeys } from './hooks/useKeys.js';
import { useSourceStatus, type StatusReader } from './hooks/useSourceStatus.js';
import { hostBadges } from './model/fleet.js';
import {
  detailEvents,
  detailHeight,
  MonitorScreen,
  openedEvent,
  type MonitorScreenProps,
} from './components/MonitorScreen.js';
import { eventViewLineCount } from './components/EventView.js';
import { detailLineCount } from './components/DetailView.js';
import { helpLineCount, helpNotes } from './components/HelpOverlay.js';
import type { ScreenData, ScreenModel } from './model/screen.js';

export interface AppProps {
  /** Poll updates and the event buffer; the app only subscribes (the caller starts and stops the source). */
  feed: FeedSource;
  width: number;
  height: number;
  color: boolean;
  intervalSec: number;
  offsetWarnMs: number;
  initialPrefs?: Partial<Prefs>;
  onPrefs?(prefs: Prefs): void;
  onQuit(): void;
  availability?: MonitorScreenProps['availability'];
  /** Where the settings and heartbeats come from ("config: FILE"), for the help. */
  context?: readonly string[];
  /**
   * `m`: mute the daemon for an hour, or unmute it, through whoever owns the
   * state directory. The row's mark follows from the next poll; a rejection's
   * message is shown for a while.
   */
  onMute?(daemon: string): Promise<void>;
  /** Where the data comes from (an attached agent, a fleet's hosts): src/agent/source.ts. */
  origin?: StatusReader;
}

/** How long a notice (a failed mute) stays in the header. */
const NOTICE_MS = 10_000;

function samePrefs(a: Prefs, b: Prefs): boolean {
  return (
    a.filter === b.filter &&
    a.statusFilter === b.statusFilter &&
    a.sort === b.sort &&
    a.reverse === b.reverse
  );
}

export function App(props: AppProps): React.ReactElement {
  const { feed: source, width, height, onQuit } = props;
  const live = usePoller(source);
  const ctxRef = useRef<ViewContext | null>(null);
  const { state, stateRef, apply } = useViewState(props.initialPrefs, props.onPrefs, ctxRef);
  const [frozen, setFrozen] = useState<FeedState | null>(null);
  const feed = state.paused && frozen ? frozen : live;

  const data = useMemo(
    () => ({ snapshot: feed.snapshot, events: feed.events, history: feed.history }),
    [feed.snapshot, feed.events, feed.history],
  );
  const model = useMemo(
    () => deriveScreen(data, state, width, height, props.color ? 0 : 1),
    [data, state, width, height, props.color],
  );

  // The reducer sees the context of the frame the key was pressed on.
  const scrollMax = scrollRoom(model, data, props.context ?? [], width, height);
  const liveRef = useRef(live);
  useLayoutEffect(() => {
    ctxRef.current = { ...model.ctx, scrollMax };
    liveRef.current = live;
  });

  const { notice, toggleMute } = useMuteToggle(source, stateRef, ctxRef, props.onMute);
  const onCommand = useCallback(
    (command: ViewCommand) => {
      if (command === 'quit') {
        onQuit();
        return;
      }
      if (command === 'mute.toggle') toggleMute();
      if (command === 'poll.now') void source.pollNow?.();
      if (command === 'pause.toggle') setFrozen(liveRef.current);
      apply({ type: 'command', command });
    },
    [source, onQuit, apply, toggleMute],
  );
  const onText = useCallback((text: string) => apply({ type: 'filter.input', text }), [apply]);
  const getMode = useCallback(() => stateRef.current.mode, [stateRef]);
  useKeys(
    getMode,
    useMemo(() => ({ onCommand, onText }), [onCommand, onText]),
  );

  const origin = useSourceStatus(props.origin);
  return (
    <MonitorScreen
      data={data}
      model={model}
      width={width}
      height={height}
      color={props.color}
      intervalSec={props.intervalSec}
      lastPollAt={feed.lastPollAt}
      lastPollMs={feed.lastPollMs}
      stale={staleReason(origin.problem, live, feed)}
      notice={notice}
      offsetWarnMs={props.offsetWarnMs}
      availability={props.availability}
      context={props.context}
      origin={origin.label}
      hosts={
        origin.hosts ? hostBadges(origin.hosts, feed.snapshot?.daemons ?? [], origin.at ?? 0) : null
      }
    />
  );
}

/**
 * The view state, with `apply` for key actions: it works on the newest state
 * synchronously (see useKeys), in the context of the frame the key was
 * pressed on, and reports changed preferences.
 */
function useViewState(
  initialPrefs: AppProps['initialPrefs'],
  onPrefs: AppProps['onPrefs'],
  ctxRef: React.RefObject<ViewContext | null>,
) {
  const [state, setState] = useState<ViewState>(() => initialViewState(initialPrefs));
  const stateRef = useRef(state);
  const onPrefsRef = useRef(onPrefs);
  useLayoutEffect(() => {
    onPrefsRef.current = onPrefs;
  });
  const apply = useCallback(
    (action: ViewAction) => {
      const ctx = ctxRef.current!;
      const prev = stateRef.current;
      const next = reduceView(settleSelection(prev, ctx), action, ctx);
      stateRef.current = next;
      setState(next);
      const prefs = prefsOf(next);
      if (!samePrefs(prefsOf(prev), prefs)) onPrefsRef.current?.(prefs);
    },
    [ctxRef],
  );
  return { state, stateRef, apply };
}

/** Mute or unmute the selected daemon; a failure shows as a notice for NOTICE_MS. */
function useMuteToggle(
  source: FeedSource,
  stateRef: React.RefObject<ViewState>,
  ctxRef: React.RefObject<ViewContext | null>,
  onMute: AppProps['onMute'],
) {
  const [notice, setNotice] = useState<string | null>(null);
  const noticeSerial = useRef(0);
  const onMuteRef = useRef(onMute);
  useLayoutEffect(() => {
    onMuteRef.current = onMute;
  });
  const toggleMute = useCallback(() => {
    const ctx = ctxRef.current!;
    const s = settleSelection(stateRef.current, ctx);
    const name = s.mode === 'detail' ? s.detailName : ctx.rows[s.cursor];
    const mute = onMuteRef.current;
    if (!name || !mute) return;
    mute(name).then(
      () => {
        noticeSerial.current++;
        setNotice(null);
        // Poll now, so the mark appears at once rather than at the next interval.
        void source.pollNow?.();
      },
      (err: unknown) => {
        setNotice(`mute ${name} failed: ${(err as Error).message}`);
        // Clear this notice only: a newer one keeps its own full time.
        const serial = ++noticeSerial.current;
        setTimeout(() => {
          if (noticeSerial.current === serial) setNotice(null);
        }, NOTICE_MS).unref?.();
      },
    );
  }, [source, stateRef, ctxRef]);
  return { notice, toggleMute };
}

/** Why the data may be old: the source's problem, a failed poll, storage or failing collectors. */
function staleReason(problem: string | null, live: FeedState, feed: FeedState): string | null {
  if (problem !== null) return `STALE: ${problem}`;
  if (live.error !== null)
    return `STALE: poll failed${live.failures > 1 ? ` ${live.failures}x` : ''}: ${live.error}`;
  return storageProblem(feed.snapshot?.storage) ?? failingSources(feed.snapshot?.sources);
}

/** The state directory refuses writes: monitoring goes on, but say what is held. */
function storageProblem(storage: StorageStatus | undefined): string | null {
  if (!storage || storage.writable) return null;
  return `STATE DIR UNWRITABLE: ${storage.problem ?? 'unknown error'} (${storage.heldEvents} events held)`;
}

/** How far the detail view or the help can scroll in this frame. */
function scrollRoom(
  model: ScreenModel,
  data: ScreenData,
  context: readonly string[],
  width: number,
  height: number,
): number {
  const { view, screen } = model;
  if (view.mode === 'help') {
    const notes = helpNotes(context, data.snapshot?.clock?.note ?? null);
    // The overlay gets the height less one row, and its title takes another.
    return Math.max(0, helpLineCount(width, notes) - (height - 2));
  }
  if (view.mode === 'event') {
    const lines = eventViewLineCount(openedEvent(data, view.eventSeq), width);
    // The view's title takes a row of its height.
    return Math.max(0, lines - (detailHeight(screen.compact, height) - 1));
  }
  if (view.mode === 'detail') {
    const events = detailEvents(data, view.detailName).length;
    const daemon = data.snapshot?.daemons.find((d) => d.name === view.detailName) ?? null;
    return Math.max(0, detailLineCount(events, daemon) - detailHeight(screen.compact, height));
  }
  return 0;
}

function failingSources(sources: SnapshotSources | undefined): string | null {
  if (!sources) return null;
  const bad = Object.entries(sources)
    .filter(([, ok]) => ok === false)
    .map(([name]) => name);
  return bad.length ? `no answer from ${bad.join(', ')}` : null;
}
