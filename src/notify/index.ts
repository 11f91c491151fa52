// Wiring notifications to a running monitor: the notifier as an evaluation
// hook, the self-ping as a poller listener. Imported only when the config
// asks for either, so a monitor without notifications loads none of it.
import type { Config } from '../config/schema.js';
import type { Monitor } from '../runtime/monitor.js';
import type { Poller } from '../runtime/poller.js';
import { Notifier } from './notifier.js';
import { SelfPing } from './selfPing.js';

export interface AttachedNotify {
  notifier: Notifier | null;
  selfPing: SelfPing | null;
}

export function notifyWanted(config: Config): boolean {
  return config.notify.channels.length > 0 || config.notify.selfPing !== null;
}

export function attachNotify(
  config: Config,
  monitor: Monitor,
  poller: Poller,
  env: NodeJS.ProcessEnv,
): AttachedNotify {
  let notifier: Notifier | null = null;
  if (config.notify.channels.length > 0) {
    const n = new Notifier(config.notify, {
      stateDir: monitor.stateDir,
      env,
      raise: (e) => monitor.raise(e),
    });
    notifier = n;
    monitor.addHook({
      annotate: (events) => n.annotate(events),
      evaluated: (result, open, wallMs) => n.evaluated(result, open, wallMs),
      close: () => n.close(),
    });
  }
  let selfPing: SelfPing | null = null;
  const sp = config.notify.selfPing;
  if (sp) {
    const ping = new SelfPing({ url: sp.url, intervalMs: sp.interval * 1000 });
    selfPing = ping;
    const unsubscribe = poller.subscribe(ping.onUpdate);
    monitor.addHook({
      close: () => {
        unsubscribe();
        ping.close();
      },
    });
  }
  return { notifier, selfPing };
}

export { Notifier, type NotifierStats } from './notifier.js';
