// `ghost-hb silence`: stop notifications about a daemon, a rule or everything
// for a while. Silenced events are still logged and shown (marked), only not
// sent. Silences live in the state directory (silences.json), owned like
// everything there by its one writer: with an agent running (`watch`,
// `serve`, a screen) the change goes through the agent's API; with none, it
// is written under the directory's lock. Every change is audited.
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config/load.js';
import { resolveStateDir } from '../../store/paths.js';
import {
  describeMatcher,
  MAX_SILENCE_MS,
  silenceMatcher,
  type Silence,
  type SilenceMatcher,
} from '../../store/silences.js';
import { SilenceAccessError, withSilences, type SilenceAccess } from '../../agent/silences.js';
import type { AnyFlags } from 'meow';
import { EXIT, defineCommand, type CommandContext } from '../command.js';
import { parseDuration } from '../../core/events/index.js';
import { formatDuration } from '../../core/format.js';

const silenceFlags = {
  config: { type: 'string', shortFlag: 'c' },
  stateDir: { type: 'string' },
  for: { type: 'string' },
  rule: { type: 'string' },
  all: { type: 'boolean', default: false },
  reason: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const satisfies AnyFlags;

type SilenceContext = CommandContext<typeof silenceFlags>;

async function stateDirOf(ctx: SilenceContext): Promise<string> {
  const flag = ctx.flags.stateDir;
  if (flag) return path.resolve(ctx.cwd, flag);
  const config = await loadConfig({
    file: ctx.flags.config ?? null,
    cwd: ctx.cwd,
  });
  return resolveStateDir(config, ctx.env);
}

function user(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}

export function silenceLine(s: Silence, nowMs: number): string {
  const left = Math.max(0, Date.parse(s.endsAt) - nowMs);
  const remaining = formatDuration(Math.round(left / 60_000) * 60);
  return `${s.id}  ${describeMatcher(s.matcher).padEnd(28)}  until ${s.endsAt} (${remaining} left)  by ${s.createdBy}${s.reason ? `  "${s.reason}"` : ''}`;
}

function matcherFrom(ctx: SilenceContext, name: string | undefined): SilenceMatcher | string {
  return silenceMatcher({
    daemon: name,
    rule: ctx.flags.rule,
    all: ctx.flags.all,
  });
}

async function add(ctx: SilenceContext, access: SilenceAccess): Promise<number> {
  const matcher = matcherFrom(ctx, ctx.args[1]);
  if (typeof matcher === 'string') {
    ctx.stderr.write(`ghost-hb: silence add: ${matcher}\n`);
    return EXIT.UNKNOWN;
  }
  const forText = ctx.flags.for;
  const durationMs = forText === undefined ? null : parseDuration(forText);
  if (durationMs === null || durationMs <= 0 || durationMs > MAX_SILENCE_MS) {
    ctx.stderr.write(
      'ghost-hb: silence add: --for must be a duration up to a year (30m, 2h, 1d)\n',
    );
    return EXIT.UNKNOWN;
  }
  const reason = ctx.flags.reason ?? null;
  const s = await access.add({ matcher, durationMs, reason });
  ctx.stdout.write(
    `${ctx.flags.json ? JSON.stringify(s) : `silenced ${describeMatcher(s.matcher)} until ${s.endsAt} (id ${s.id})`}\n`,
  );
  return EXIT.OK;
}

async function list(ctx: SilenceContext, access: SilenceAccess): Promise<number> {
  const active = await access.list();
  if (ctx.flags.json) ctx.stdout.write(`${JSON.stringify(active)}\n`);
  else if (active.length === 0) ctx.stdout.write('no silences in force\n');
  else for (const s of active) ctx.stdout.write(`${silenceLine(s, Date.now())}\n`);
  return EXIT.OK;
}

async function remove(ctx: SilenceContext, access: SilenceAccess): Promise<number> {
  const id = ctx.args[1]!;
  const removed = await access.remove(id);
  if (!removed) {
    ctx.stderr.write(
      `ghost-hb: silence remove: no silence in force with id ${JSON.stringify(id)}\n`,
    );
    return EXIT.UNKNOWN;
  }
  ctx.stdout.write(`removed silence ${removed.id} (${describeMatcher(removed.matcher)})\n`);
  return EXIT.OK;
}

const ACTIONS: Record<string, (ctx: SilenceContext, access: SilenceAccess) => Promise<number>> = {
  add,
  list,
  ls: list,
  remove,
  rm: remove,
};

export const silenceCommand = defineCommand({
  name: 'silence',
  summary: 'stop notifications about a daemon, a rule or everything for a while',
  help: `
  Usage
    $ ghost-hb silence add (NAME | --rule RULE | --all) --for 2h [--reason TEXT]
    $ ghost-hb silence list [--json]
    $ ghost-hb silence remove ID

  A silenced event is still logged and shown (marked), but no notification is
  sent. Silences end by themselves; every change is recorded in the audit log.
  While a monitor runs on the state directory (watch, serve, the screen), the
  change goes through its API socket; otherwise it is written under the lock.

  Options
    --for          how long: 30m, 2h, 1d (at most a year)
    --rule         silence one rule (crashed, hung, down, late, clock-jump, ...)
    --all          silence everything
    --reason       why, shown in the list and the audit log
    --json         machine-readable output
    --config, -c   config file (its stateDir says where silences are kept)
    --state-dir    the state directory to use instead
`,
  flags: silenceFlags,

  async run(ctx) {
    const sub = ctx.args[0] ?? 'list';
    const action = Object.hasOwn(ACTIONS, sub) ? ACTIONS[sub]! : null;
    if (!action) {
      ctx.stderr.write(
        `ghost-hb: silence: unknown action ${JSON.stringify(sub)}; use add, list or remove\n`,
      );
      return EXIT.UNKNOWN;
    }
    if (action === remove && !ctx.args[1]) {
      ctx.stderr.write(
        'ghost-hb: silence remove: give the silence ID (see `ghost-hb silence list`)\n',
      );
      return EXIT.UNKNOWN;
    }
    try {
      return await withSilences(await stateDirOf(ctx), user(), (access) => action(ctx, access), {
        readOnly: action === list,
      });
    } catch (err) {
      if (!(err instanceof SilenceAccessError)) throw err;
      ctx.stderr.write(`ghost-hb: silence ${sub}: ${err.message.replace(/^ghost-hb: /, '')}\n`);
      return EXIT.UNKNOWN;
    }
  },
});
