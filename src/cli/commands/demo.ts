// `ghost-hb demo`: a temporary fleet of eight real daemons that crash, hang,
// beat late, degrade and write a malformed file within two minutes, watched
// by the interactive monitor. Quitting stops every daemon.
import path from 'node:path';
import { resolveConfig } from '../../config/schema.js';
import { DemoFleet } from '../../demo/fleet.js';
import { DEMO_INTERVAL_SEC } from '../../demo/script.js';
import { collectSnapshot } from '../../runtime/collectSnapshot.js';
import { EXIT, defineCommand } from '../command.js';
import { renderStatusText } from '../statusText.js';
import { runScreen, serveFlags, serveOption } from '../screen.js';
import { wantColor } from './status.js';

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'a demo fleet of eight daemons (crash, hang, late, degraded, malformed) in the monitor',
  help: `
  Usage
    $ ghost-hb demo [--no-color] [--serve [--listen HOST:PORT]]

  Starts eight real daemons in a temporary _heartbeat/ directory and opens the
  monitor on them. Within two minutes one crashes and comes back with a new pid,
  one hangs, one beats late, one reports degraded and one writes a malformed
  heartbeat. Quitting (q) stops them all and removes the directory.

  Options
    --no-color     no colour (NO_COLOR is honoured too)
    --serve        also serve the HTTP API, /metrics and the dashboard page
    --listen       address for --serve (implies it; default 127.0.0.1:9464)
`,
  flags: { color: { type: 'boolean', default: true }, ...serveFlags },
  async run(ctx) {
    const fleet = new DemoFleet();
    const config = resolveConfig(
      {
        heartbeatDir: '_heartbeat',
        stateDir: 'state',
        pollInterval: DEMO_INTERVAL_SEC,
        defaults: { interval: DEMO_INTERVAL_SEC, tolerance: 1, grace: 3 * DEMO_INTERVAL_SEC },
      },
      { baseDir: fleet.root, configFile: null },
    );
    let stopped: Promise<void> | null = null;
    const stop = () => (stopped ??= fleet.stop());
    fleet.start();
    if (!ctx.stdout.isTTY || !process.stdin.isTTY) {
      ctx.stderr.write('ghost-hb: demo needs a terminal; one status poll of the fleet instead\n');
      await new Promise((r) => setTimeout(r, 1500));
      const snapshot = await collectSnapshot({ config, cwd: ctx.cwd });
      ctx.stdout.write(renderStatusText(snapshot, { color: false }));
      await stop();
      return EXIT.OK;
    }
    ctx.stderr.write(`ghost-hb: demo fleet in ${path.join(fleet.root, '_heartbeat')}\n`);
    return runScreen({
      config,
      color: wantColor(ctx.flags.color, ctx.env, true),
      filter: null,
      serve: serveOption(ctx.flags),
      stdout: ctx.stdout,
      stdin: process.stdin,
      stderr: ctx.stderr,
      env: ctx.env,
      // The demo's own monitor and prefs, in its temporary directory.
      attach: 'never',
      prefsDir: config.stateDir ?? fleet.root,
      onStop: stop,
    });
  },
});
