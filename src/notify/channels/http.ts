// The HTTP channels: webhook (ghost-hb's own JSON shape), slack (incoming
// webhook payload, also accepted by Mattermost and Rocket.Chat), discord
// (webhook payload) and ntfy (a topic URL; title, priority and tags as headers).
import fs from 'node:fs';
import type { Severity } from '../../core/types.js';
import { VERSION } from '../../version.js';
import { bodyText, highestSeverity, type NotifyMessage } from '../message.js';
import { DeliveryError, describeNetworkError, type Channel } from './types.js';

const USER_AGENT = `ghost-hb/${VERSION}`;

async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'user-agent': USER_AGENT, ...headers },
      signal,
      redirect: 'error',
    });
  } catch (err) {
    throw new DeliveryError(describeNetworkError(err, signal));
  }
  // The body is read (and discarded) so the connection can be reused.
  await res.arrayBuffer().catch(() => undefined);
  if (res.ok) return;
  const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
  throw new DeliveryError(`HTTP ${res.status}`, !retryable);
}

export class WebhookChannel implements Channel {
  readonly type = 'webhook';
  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  send(m: NotifyMessage, signal: AbortSignal): Promise<void> {
    return post(
      this.url,
      JSON.stringify(m),
      { ...this.headers, 'content-type': 'application/json', 'idempotency-key': m.id },
      signal,
    );
  }
}

const SLACK_EMOJI: Record<Severity, string> = {
  info: ':information_source:',
  warn: ':warning:',
  error: ':red_circle:',
  critical: ':rotating_light:',
};

/** Slack's incoming-webhook payload: `text` (mrkdwn), the one field every compatible service reads. */
export function slackPayload(m: NotifyMessage): { text: string } {
  const icon =
    m.status === 'resolved' ? ':white_check_mark:' : SLACK_EMOJI[highestSeverity(m.alerts)];
  return { text: `${icon} *${escapeSlack(m.title)}*\n\`\`\`\n${escapeSlack(bodyText(m))}\`\`\`` };
}

/** Slack wants &, < and > escaped in text. */
function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A chat service's incoming webhook: one JSON POST whose body is the service's payload. */
class ChatWebhookChannel implements Channel {
  constructor(
    readonly type: string,
    readonly name: string,
    private readonly url: string,
    private readonly payload: (m: NotifyMessage) => unknown,
  ) {}

  send(m: NotifyMessage, signal: AbortSignal): Promise<void> {
    return post(
      this.url,
      JSON.stringify(this.payload(m)),
      { 'content-type': 'application/json' },
      signal,
    );
  }
}

export class SlackChannel extends ChatWebhookChannel {
  constructor(name: string, url: string) {
    super('slack', name, url, slackPayload);
  }
}

const DISCORD_LIMIT = 2000;

/** Discord's webhook payload: `content` of at most 2,000 characters, mentions disabled. */
export function discordPayload(m: NotifyMessage): {
  content: string;
  allowed_mentions: { parse: [] };
} {
  let content = `**${m.title}**\n${bodyText(m)}`;
  if (content.length > DISCORD_LIMIT) content = `${content.slice(0, DISCORD_LIMIT - 2)}…`;
  return { content, allowed_mentions: { parse: [] } };
}

export class DiscordChannel extends ChatWebhookChannel {
  constructor(name: string, url: string) {
    super('discord', name, url, discordPayload);
  }
}

/** ntfy priorities: 1 min, 2 low, 3 default, 4 high, 5 urgent. */
const NTFY_PRIORITY: Record<Severity, number> = { info: 2, warn: 3, error: 4, critical: 5 };

export function ntfyHeaders(m: NotifyMessage): Record<string, string> {
  const severity = highestSeverity(m.alerts);
  const resolved = m.status === 'resolved';
  return {
    // Header values must be Latin-1: the title is made of ASCII names and words.
    title: m.title.replace(/[^\x20-\x7e]/g, '?'),
    priority: String(resolved ? NTFY_PRIORITY.info : NTFY_PRIORITY[severity]),
    tags: resolved
      ? 'white_check_mark'
      : severity === 'critical' || severity === 'error'
        ? 'rotating_light'
        : 'warning',
  };
}

export class NtfyChannel implements Channel {
  readonly type = 'ntfy';
  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly token: () => string | null,
  ) {}

  send(m: NotifyMessage, signal: AbortSignal): Promise<void> {
    const token = this.token();
    return post(
      this.url,
      bodyText(m),
      {
        ...ntfyHeaders(m),
        'content-type': 'text/plain; charset=utf-8',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      signal,
    );
  }
}

/** A secret from a file (trailing newline dropped) or an environment variable; read at each use. */
export function secretFrom(
  file: string | null,
  envName: string | null,
  env: NodeJS.ProcessEnv,
): string | null {
  if (file) {
    try {
      return fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new DeliveryError(
        `cannot read the secret file: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
  }
  if (envName) {
    const v = env[envName];
    if (v === undefined || v === '') throw new DeliveryError(`$${envName} is not set`);
    return v;
  }
  return null;
}
