// Where ghost-hb keeps what it writes (event log, uptime log, audit log, UI state).
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/schema.js';

/** `stateDir` from config, else $XDG_STATE_HOME/ghost-hb, else ~/.local/state/ghost-hb. */
export function resolveStateDir(
  config: Pick<Config, 'stateDir'>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (config.stateDir) return config.stateDir;
  const xdg = env.XDG_STATE_HOME;
  // The XDG spec says a relative value is invalid and must be ignored.
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'ghost-hb');
  return path.join(env.HOME || os.homedir(), '.local', 'state', 'ghost-hb');
}

/** File names inside the state directory, in one place. */
export const STATE_FILES = {
  events: 'events.jsonl',
  uptime: 'uptime.jsonl',
  audit: 'audit.jsonl',
  state: 'state.json',
  ui: 'ui-state.json',
  crash: 'crash.log',
  /** Who holds the directory (src/store/lock.ts). */
  lock: 'agent.lock',
  /** The agent's API on a unix socket (src/agent/socket.ts). */
  socket: 'agent.sock',
  outbox: 'notify-outbox.jsonl',
  notifyState: 'notify-state.json',
  silences: 'silences.json',
} as const;
