// `ghost-hb watch`: the headless monitor (what a systemd unit runs): polls,
// detects anomalies and logs them under the state directory; with --json it
// also prints each event as a JSON line. SIGTERM and SIGINT flush and exit 0.
import { headlessFlags, defineCommand } from '../command.js';
import { formatEventLine } from '../eventText.js';
import { runAgent } from '../runtime.js';

export const watchCommand = defineCommand({
  name: 'watch',
  summary: 'run headless: poll, detect anomalies, log events (what a service runs)',
  help: `
  Usage
    $ ghost-hb watch [--dir DIR] [--config FILE] [--state-dir DIR] [--interval S] [--json]

  Options
    --dir, -d      heartbeat directory (overrides the config's heartbeatDir)
    --config, -c   config file (default: search for .heartbeatrc from here upward)
    --state-dir    where the event, uptime and audit logs go (overrides stateDir)
    --interval     seconds between polls (overrides pollInterval)
    --json         print each event as one JSON line on stdout

  Events are appended to events.jsonl in the state directory as they happen.
  SIGTERM and SIGINT flush the logs and exit 0.
`,
  flags: {
    ...headlessFlags,
    json: { type: 'boolean', default: false },
  },
  run: (ctx) =>
    runAgent(ctx, {
      command: 'watch',
      ready(runtime) {
        runtime.poller.subscribe((u) => {
          if (u.type === 'error') return;
          for (const e of u.result.events) {
            ctx.stdout.write(ctx.flags.json ? `${JSON.stringify(e)}\n` : `${formatEventLine(e)}\n`);
          }
        });
        if (!ctx.flags.json) {
          ctx.stderr.write(
            `ghost-hb: watching ${runtime.config.heartbeatDir} every ${runtime.config.pollInterval}s; events in ${runtime.monitor.eventLog.file}\n`,
          );
        }
      },
    }),
});
