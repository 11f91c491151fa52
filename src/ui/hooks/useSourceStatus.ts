// Where the screen's data comes from (attached to an agent, a fleet's hosts),
// read from the screen data source (src/agent/source.ts) and redrawn when it
// changes. A screen without one shows its own monitor's data.
import { useCallback, useSyncExternalStore } from 'react';
import { LOCAL_STATUS, type SourceStatus } from '../../agent/source.js';

export interface StatusReader {
  status(): SourceStatus;
  watchStatus(listener: () => void): () => void;
}

const NONE: StatusReader = { status: () => LOCAL_STATUS, watchStatus: () => () => {} };

export function useSourceStatus(source: StatusReader | undefined): SourceStatus {
  const s = source ?? NONE;
  const subscribe = useCallback((l: () => void) => s.watchStatus(l), [s]);
  const read = useCallback(() => s.status(), [s]);
  return useSyncExternalStore(subscribe, read);
}
