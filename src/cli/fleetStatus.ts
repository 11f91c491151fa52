// `ghost-hb status --remote NAME=URL ...`: one look at every host of a fleet.
// Each host's agent is asked for its latest snapshot (this host's: its agent
// over the socket, or a poll here), all at once, each bounded by a timeout; a
// host that does not answer is its state (unreachable, auth failed, ...) and
// counts as unknown, never down. The table has a row per daemon as HOST/NAME;
// the JSON has `host` on each daemon and a `hosts` list with their states.
import type { Snapshot } from '../core/types.js';
import { checkSnapshot, stateOfError, type HostStateKind } from '../agent/connection.js';
import { ApiError, getJson, type ApiEndpoint } from '../agent/endpoint.js';
import { findAgent } from '../agent/client.js';
import { mergeFleet } from '../agent/fleet.js';
import type { RemoteSpec } from './remotes.js';

export interface HostAnswer {
  name: string;
  state: HostStateKind;
  error: string | null;
  snapshot: Snapshot | null;
}

async function askAgent(endpoint: ApiEndpoint, timeoutMs: number): Promise<Snapshot> {
  const s = checkSnapshot(
    await getJson<unknown>(endpoint, '/api/status', { timeoutMs, maxBytes: 16 * 1024 * 1024 }),
  );
  if (s === 'incompatible') throw new ApiError('incompatible', 'snapshot version is not 1');
  if (s === null) throw new ApiError('bad-answer', '/api/status: not a ghost-hb snapshot');
  return s;
}

/** Every host's snapshot or why there is none. `pollHere` polls this host when no agent runs. */
export async function askFleet(
  specs: readonly RemoteSpec[],
  o: { stateDir: string; timeoutMs: number; pollHere: () => Promise<Snapshot> },
): Promise<HostAnswer[]> {
  return Promise.all(
    specs.map(async (spec): Promise<HostAnswer> => {
      try {
        let snapshot: Snapshot;
        if (spec.url) {
          snapshot = await askAgent(
            { kind: 'http', url: spec.url, token: spec.token },
            o.timeoutMs,
          );
        } else {
          const agent = findAgent(o.stateDir);
          snapshot = agent
            ? await askAgent({ kind: 'socket', socket: agent.socket }, o.timeoutMs)
            : await o.pollHere();
        }
        return { name: spec.name, state: 'connected', error: null, snapshot };
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError('bad-answer', String(err));
        return { name: spec.name, state: stateOfError(e.kind), error: e.message, snapshot: null };
      }
    }),
  );
}

/** The fleet as one snapshot (names HOST/NAME, `host` set) with the hosts' states. */
export function fleetReport(answers: readonly HostAnswer[], nowMs: number) {
  const merged = mergeFleet(
    answers.map((a) => ({ name: a.name, snapshot: a.snapshot, unreachable: false })),
    nowMs,
  );
  const failed = answers.filter((a) => a.snapshot === null);
  return {
    merged,
    failed,
    /** Nagios-style over all hosts: 2 if any daemon is down, 1 if any late, unknown or host not answering. */
    exitCode:
      merged.summary.down > 0
        ? 2
        : merged.summary.late + merged.summary.unknown > 0 || failed.length > 0
          ? 1
          : 0,
    json: {
      version: 1,
      at: merged.at,
      hosts: answers.map((a) => ({ name: a.name, state: a.state, error: a.error })),
      summary: merged.summary,
      // Each daemon as its host reported it, with `host` added (its own name, not HOST/NAME).
      daemons: answers.flatMap((a) =>
        (a.snapshot?.daemons ?? []).map((d) => ({ host: a.name, ...d })),
      ),
    },
  };
}
