// The notifier's memory (notify-state.json): which open conditions were
// announced, and when last, so that a restart neither announces them again
// nor forgets to send their resolution and reminders. Written atomically.
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { STATE_FILES } from './paths.js';

export function loadNotifyState(dir: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, STATE_FILES.notifyState), 'utf8'));
  } catch {
    // Missing or damaged: start afresh (at worst an open condition is not reminded).
    return null;
  }
}

/** Write the state (already serialized: the caller compares it with the last one written). */
export function saveNotifyState(dir: string, body: string): void {
  writeFileAtomic.sync(path.join(dir, STATE_FILES.notifyState), body, { mode: 0o600 });
}
