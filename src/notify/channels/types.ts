// What every channel is: a name, a type, and one delivery attempt.
import type { NotifyMessage } from '../message.js';

export interface Channel {
  readonly name: string;
  readonly type: string;
  /** One attempt. Resolves when the receiver accepted the message; throws DeliveryError otherwise. */
  send(message: NotifyMessage, signal: AbortSignal): Promise<void>;
  close?(): void;
}

/**
 * A failed attempt, in words safe to log: never the URL (a Slack or Discord
 * webhook URL is a secret), never credentials. `permanent` when retrying
 * cannot help (the receiver refused the message itself: HTTP 400, 404, ...).
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** A network error's short, secret-free description ("ECONNREFUSED", "timed out"). */
export function describeNetworkError(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'timed out';
  const e = err as { cause?: { code?: string; message?: string }; code?: string; message?: string };
  return e?.cause?.code ?? e?.code ?? e?.cause?.message ?? 'network error';
}
