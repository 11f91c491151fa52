// The exec channel: run a command with the message as JSON on stdin. argv is
// run directly (no shell, so nothing in a message can be interpreted); a
// shell only when the config asks for it. Exit 0 is delivered; a non-zero exit,
// a signal or the timeout is a failed attempt.
import { spawn } from 'node:child_process';
import type { NotifyMessage } from '../message.js';
import { DeliveryError, type Channel } from './types.js';

export class ExecChannel implements Channel {
  readonly type = 'exec';
  constructor(
    readonly name: string,
    private readonly command: string | string[],
    private readonly shell: boolean,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  send(m: NotifyMessage, signal: AbortSignal): Promise<void> {
    const [file, args] = this.argv();
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        stdio: ['pipe', 'ignore', 'ignore'],
        env: { ...this.env, GHOST_HB_NOTIFY_ID: m.id, GHOST_HB_NOTIFY_STATUS: m.status },
        signal,
        killSignal: 'SIGKILL',
      });
      child.on('error', (err: NodeJS.ErrnoException) =>
        reject(
          new DeliveryError(
            signal.aborted ? 'timed out' : `cannot run: ${err.code ?? err.message}`,
            err.code === 'ENOENT',
          ),
        ),
      );
      child.on('close', (code, sig) => {
        if (code === 0) resolve();
        else
          reject(
            new DeliveryError(
              signal.aborted ? 'timed out' : sig ? `killed by ${sig}` : `exit ${code}`,
            ),
          );
      });
      child.stdin.on('error', () => undefined); // a command that ignores stdin
      child.stdin.end(`${JSON.stringify(m)}\n`);
    });
  }

  private argv(): [string, string[]] {
    if (this.shell) {
      const script = Array.isArray(this.command) ? this.command.join(' ') : this.command;
      return ['/bin/sh', ['-c', script]];
    }
    const argv = Array.isArray(this.command) ? this.command : [this.command];
    return [argv[0]!, argv.slice(1)];
  }
}
