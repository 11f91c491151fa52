// `ghost-hb events`: read the event log (current file and rotations), filtered;
// --follow keeps printing new events as a running monitor appends them. When
// an agent (watch, serve, a screen) holds the state directory, its events are
// asked over its socket too (what it has not written yet included), and
// --follow follows its event stream, then the file if the agent stops.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/load.js';
import { isSeverity, parseSince, SINCE_HELP, type EventQuery } from '../../core/events/index.js';
import { EventLog, followFile, logMark } from '../../store/eventLog.js';
import { describeProblems, problemCount } from '../../store/lines.js';
import { resolveStateDir, STATE_FILES } from '../../store/paths.js';
import { SEVERITIES, type HbEvent } from '../../core/types.js';
import type { AgentFollow } from '../../agent/events.js';
import { EXIT, defineCommand } from '../command.js';
import { formatEventLine } from '../eventText.js';
import { untilStopSignal } from '../signals.js';

/** The socket of the agent holding the state directory, or null (loaded only when a lock is there). */
async function agentOf(stateDir: string): Promise<string | null> {
  if (!fs.existsSync(path.join(stateDir, STATE_FILES.lock))) return null;
  const { findAgent } = await import('../../agent/client.js');
  return findAgent(stateDir)?.socket ?? null;
}

/** The log's events with the agent's (what it has not written yet, the latest repeat counts); the log's alone when it does not answer. */
async function withAgentEvents(
  socket: string,
  logged: HbEvent[],
  query: EventQuery,
): Promise<HbEvent[]> {
  const { agentEvents, mergeEvents } = await import('../../agent/events.js');
  try {
    return mergeEvents(logged, await agentEvents(socket, query), query.limit);
  } catch {
    return logged;
  }
}

/** Follow the agent's stream; when the agent stops, say so and follow the log file instead. */
async function followAgentOf(
  socket: string,
  query: EventQuery,
  print: (e: HbEvent) => void,
  stderr: NodeJS.WritableStream,
  followLog: () => void,
): Promise<AgentFollow> {
  const { followAgent } = await import('../../agent/events.js');
  const follow = followAgent(socket, query, print, (err) => {
    stderr.write(
      `ghost-hb: the agent's event stream ended (${err.message}); following ${STATE_FILES.events}\n`,
    );
    followLog();
  });
  await follow.ready;
  return follow;
}

/**
 * Print the history, then (--follow) what comes: from the agent's stream
 * when an agent holds the state directory, else (or once it stops) from the file.
 */
async function printEvents(
  out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  stateDir: string,
  query: EventQuery,
  how: { json: boolean; follow: boolean },
): Promise<number> {
  const print = (e: HbEvent) =>
    out.stdout.write(how.json ? `${JSON.stringify(e)}\n` : `${formatEventLine(e)}\n`);
  const { follow } = how;
  const agent = await agentOf(stateDir);
  const signals = follow ? untilStopSignal() : null;
  const logFile = path.join(stateDir, STATE_FILES.events);
  let stopFollowing = () => {};
  // The file is followed once the history is printed (never twice, never before):
  // from where it ended before the history was read, passing over what that
  // printed, so nothing logged in between is lost; but from its end when the
  // agent's stream has printed what came since.
  const mark = logMark(logFile);
  const printed = new Set<string>();
  let historyDone = false;
  let streamEnded = false;
  let streamPrinted = false;
  const followLog = () => {
    streamEnded = true;
    if (!historyDone) return;
    const skip = (e: HbEvent) => printed.has(JSON.stringify(e));
    const from = streamPrinted ? {} : { from: mark, skip };
    stopFollowing = followFile(logFile, { ...query, limit: null }, print, from);
    // The first read has passed the mark: the history's lines are behind it.
    printed.clear();
  };
  // Following the agent starts before the history is read: nothing raised meanwhile is lost.
  const fromStream =
    follow && agent ? await followAgentOf(agent, query, print, out.stderr, followLog) : null;
  if (fromStream) stopFollowing = () => fromStream.close();

  // Read-only: a reader never creates, rotates or cleans up the log.
  const { events: logged, problems } = EventLog.readQueryReport(stateDir, query);
  const events = agent ? await withAgentEvents(agent, logged, query) : logged;
  for (const e of events) print(e);
  if (follow) for (const e of events) printed.add(JSON.stringify(e));
  if (problemCount(problems) > 0) {
    out.stderr.write(`ghost-hb: warning: ${describeProblems(STATE_FILES.events, problems)}\n`);
  }
  if (!signals) return EXIT.OK;
  historyDone = true;
  if (fromStream && !streamEnded) {
    streamPrinted = true;
    fromStream.release(new Set(events.map((e) => e.id)));
  } else followLog();
  await signals.stopped;
  stopFollowing();
  signals.dispose();
  return EXIT.OK;
}

export const eventsCommand = defineCommand({
  name: 'events',
  summary: 'show the event log (filter by time, severity, daemon; --follow)',
  help: `
  Usage
    $ ghost-hb events [--since 1h] [--severity warn] [--daemon NAME] [--limit N] [--json] [--follow]

  Options
    --since        only events since: a duration ago (90s, 15m, 1.5h, 2d, 1w),
                   epoch milliseconds, or an ISO-8601 time (2026-01-31T08:00Z)
    --severity     only events at or above: ${SEVERITIES.join(', ')}
    --daemon       only events about this daemon
    --rule         only events of this rule
    --limit        only the newest N matching events
    --json         one JSON event per line
    --follow, -f   keep printing events as they are logged (Ctrl-C to stop)
    --config, -c   config file (its stateDir says where the log is)
    --state-dir    read the log from this directory instead

  With an agent (watch, serve) holding the state directory, its events are
  asked over its socket too (what it has not written yet included), and
  --follow follows its event stream (then the file, if the agent stops).
`,
  flags: {
    config: { type: 'string', shortFlag: 'c' },
    stateDir: { type: 'string' },
    since: { type: 'string' },
    severity: { type: 'string' },
    daemon: { type: 'string' },
    rule: { type: 'string' },
    limit: { type: 'number' },
    json: { type: 'boolean', default: false },
    follow: { type: 'boolean', shortFlag: 'f', default: false },
  },
  async run(ctx) {
    const severity = ctx.flags.severity;
    if (severity !== undefined && !isSeverity(severity)) {
      ctx.stderr.write(`ghost-hb: --severity must be one of ${SEVERITIES.join(', ')}\n`);
      return EXIT.UNKNOWN;
    }
    let since: number | null = null;
    if (ctx.flags.since !== undefined) {
      since = parseSince(ctx.flags.since, Date.now());
      if (since === null) {
        ctx.stderr.write(`ghost-hb: --since must be ${SINCE_HELP}\n`);
        return EXIT.UNKNOWN;
      }
    }
    const limit = ctx.flags.limit;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      ctx.stderr.write('ghost-hb: --limit must be a whole number\n');
      return EXIT.UNKNOWN;
    }
    let stateDir = ctx.flags.stateDir;
    if (!stateDir) {
      const config = await loadConfig({
        file: ctx.flags.config ?? null,
        cwd: ctx.cwd,
      });
      stateDir = resolveStateDir(config, ctx.env);
    }
    stateDir = path.resolve(ctx.cwd, stateDir);
    const query: EventQuery = {
      sinceMs: since,
      severity: severity ?? null,
      daemon: ctx.flags.daemon ?? null,
      rule: ctx.flags.rule ?? null,
      limit: limit ?? null,
    };
    return printEvents(ctx, stateDir, query, {
      json: Boolean(ctx.flags.json),
      follow: Boolean(ctx.flags.follow),
    });
  },
});
