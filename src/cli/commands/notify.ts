// `ghost-hb notify test [--channel NAME]`: send a test message through each
// configured channel (or one) and print each outcome. It runs beside a
// monitor (it writes no outbox of its own: nothing here must be retried later).
import { loadConfig } from '../../config/load.js';
import { createChannel } from '../../notify/channels/index.js';
import { DeliveryError } from '../../notify/channels/types.js';
import { titleFor, type NotifyMessage } from '../../notify/message.js';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { EXIT, defineCommand } from '../command.js';

export const notifyCommand = defineCommand({
  name: 'notify',
  summary: 'send a test notification through each channel and print the outcome',
  help: `
  Usage
    $ ghost-hb notify test [--channel NAME]

  Options
    --channel      only this channel (a name from notify.channels)
    --config, -c   config file
`,
  flags: {
    config: { type: 'string', shortFlag: 'c' },
    channel: { type: 'string' },
  },
  async run(ctx) {
    if (ctx.args[0] !== 'test') {
      ctx.stderr.write(
        'ghost-hb: notify: the one action is `test` (ghost-hb notify test [--channel NAME])\n',
      );
      return EXIT.UNKNOWN;
    }
    const config = await loadConfig({
      file: ctx.flags.config ?? null,
      cwd: ctx.cwd,
    });
    const only = ctx.flags.channel;
    const chosen = config.notify.channels.filter((c) => only === undefined || c.name === only);
    if (chosen.length === 0) {
      ctx.stderr.write(
        only === undefined
          ? 'ghost-hb: notify test: no channels configured (notify.channels)\n'
          : `ghost-hb: notify test: no channel named ${JSON.stringify(only)} in notify.channels\n`,
      );
      return EXIT.UNKNOWN;
    }
    const host = os.hostname();
    const now = new Date().toISOString();
    const message: NotifyMessage = {
      version: 1,
      id: randomUUID(),
      host,
      status: 'firing',
      createdAt: now,
      title: titleFor(host, [], true),
      alerts: [],
      test: true,
    };
    const results = await Promise.all(
      chosen.map(async (c) => {
        const channel = createChannel(c, ctx.env);
        const ac = new AbortController();
        const timer = setTimeout(() => ac.abort(), c.timeoutMs);
        const started = Date.now();
        try {
          await channel.send(message, ac.signal);
          return {
            name: c.name,
            type: c.type,
            ok: true,
            detail: `delivered in ${Date.now() - started} ms`,
          };
        } catch (err) {
          const detail =
            err instanceof DeliveryError ? err.message : ac.signal.aborted ? 'timed out' : 'failed';
          return { name: c.name, type: c.type, ok: false, detail };
        } finally {
          clearTimeout(timer);
          channel.close?.();
        }
      }),
    );
    for (const r of results)
      ctx.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.name} (${r.type}): ${r.detail}\n`);
    return results.every((r) => r.ok) ? EXIT.OK : EXIT.CRITICAL;
  },
});
