// Channels from their configuration.
import type { Config } from '../../config/schema.js';
import { EmailChannel } from './email.js';
import { ExecChannel } from './exec.js';
import { DiscordChannel, NtfyChannel, SlackChannel, WebhookChannel, secretFrom } from './http.js';
import type { Channel } from './types.js';

export type ChannelConfig = Config['notify']['channels'][number];

export function createChannel(c: ChannelConfig, env: NodeJS.ProcessEnv): Channel {
  switch (c.type) {
    case 'webhook':
      return new WebhookChannel(c.name, c.url, c.headers);
    case 'slack':
      return new SlackChannel(c.name, c.url);
    case 'discord':
      return new DiscordChannel(c.name, c.url);
    case 'ntfy':
      return new NtfyChannel(c.name, c.url, () => secretFrom(c.tokenFile, c.tokenEnv, env));
    case 'email':
      return new EmailChannel(c.name, c, env);
    case 'exec':
      return new ExecChannel(c.name, c.command, c.shell, env);
  }
}

export { DeliveryError, type Channel } from './types.js';
