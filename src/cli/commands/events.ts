// `ghost-hb events`: read the event log (current file and rotations), filtered;
// --follow keeps printing new events as a running monitor appends them.
import path from 'node:path';
import { loadConfig } from '../../config/load.js';
import { isSeverity, parseSince, SINCE_HELP, type EventQuery } from '../../core/events/index.js';
import { EventLog, followFile } from '../../store/eventLog.js';
import { describeProblems, problemCount } from '../../store/lines.js';
import { resolveStateDir, STATE_FILES } from '../../store/paths.js';
import { SEVERITIES, type HbEvent } from '../../core/types.js';
import { EXIT, defineCommand } from '../command.js';
import { formatEventLine } from '../eventText.js';
import { untilStopSignal } from '../signals.js';

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
    const print = (e: HbEvent) =>
      ctx.stdout.write(ctx.flags.json ? `${JSON.stringify(e)}\n` : `${formatEventLine(e)}\n`);

    // Read-only: a reader never creates, rotates or cleans up the log.
    const { events, problems } = EventLog.readQueryReport(stateDir, query);
    for (const e of events) print(e);
    if (problemCount(problems) > 0) {
      ctx.stderr.write(`ghost-hb: warning: ${describeProblems(STATE_FILES.events, problems)}\n`);
    }
    if (!ctx.flags.follow) return EXIT.OK;

    const signals = untilStopSignal();
    const stop = followFile(
      path.join(stateDir, STATE_FILES.events),
      { ...query, limit: null },
      print,
    );
    await signals.stopped;
    stop();
    signals.dispose();
    return EXIT.OK;
  },
});
