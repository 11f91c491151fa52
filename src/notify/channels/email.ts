// The email channel, through nodemailer (SMTP with STARTTLS, implicit TLS or
// none; AUTH with a password read from a file or the environment at each send,
// so it is never held in the config and never logged).
import nodemailer from 'nodemailer';
import { bodyText, type NotifyMessage } from '../message.js';
import { secretFrom } from './http.js';
import { DeliveryError, describeNetworkError, type Channel } from './types.js';

export interface EmailSettings {
  host: string;
  port: number;
  security: 'starttls' | 'tls' | 'none';
  user: string | null;
  passwordFile: string | null;
  passwordEnv: string | null;
  from: string;
  to: string[];
  timeoutMs: number;
}

export class EmailChannel implements Channel {
  readonly type = 'email';
  constructor(
    readonly name: string,
    private readonly s: EmailSettings,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async send(m: NotifyMessage, signal: AbortSignal): Promise<void> {
    const pass = secretFrom(this.s.passwordFile, this.s.passwordEnv, this.env);
    const transport = nodemailer.createTransport({
      host: this.s.host,
      port: this.s.port,
      secure: this.s.security === 'tls',
      requireTLS: this.s.security === 'starttls',
      ignoreTLS: this.s.security === 'none',
      ...(this.s.user ? { auth: { user: this.s.user, pass: pass ?? '' } } : {}),
      connectionTimeout: this.s.timeoutMs,
      greetingTimeout: this.s.timeoutMs,
      socketTimeout: this.s.timeoutMs,
      logger: false,
      debug: false,
    });
    const abort = () => transport.close();
    signal.addEventListener('abort', abort, { once: true });
    try {
      await transport.sendMail({
        from: this.s.from,
        to: this.s.to,
        subject: m.title,
        text: bodyText(m),
        messageId: `<${m.id}@ghost-hb>`,
        headers: { 'X-Ghost-Hb-Id': m.id },
      });
    } catch (err) {
      const e = err as { responseCode?: number; code?: string };
      // 5xx from the server: the message itself is refused (a bad address); 4xx and network: retry.
      if (typeof e.responseCode === 'number') {
        throw new DeliveryError(
          `SMTP ${e.responseCode}`,
          e.responseCode >= 500 && e.code !== 'EAUTH',
        );
      }
      throw new DeliveryError(
        e.code === 'EAUTH' ? 'SMTP authentication failed' : describeNetworkError(err, signal),
      );
    } finally {
      signal.removeEventListener('abort', abort);
      transport.close();
    }
  }
}
