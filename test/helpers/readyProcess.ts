// Server programs of the Prometheus family (prometheus, alertmanager) for the
// tests: started on a free loopback port, awaited until /-/ready answers, tried
// again on another port if that one was taken meanwhile, and stopped with
// SIGTERM (SIGKILL after 10 s).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { waitFor } from './wait.js';

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export class ReadyProcess {
  private constructor(
    /** host:port it listens on. */
    readonly address: string,
    private readonly child: ChildProcess,
    /** Everything it wrote to stdout and stderr. */
    readonly log: () => string,
  ) {}

  get url(): string {
    return `http://${this.address}`;
  }

  /** Run `command` with `args(port)` in `cwd`; resolves once it is ready. */
  static async start(
    command: string,
    args: (port: number) => string[],
    cwd: string,
  ): Promise<ReadyProcess> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      let log = '';
      const child = spawn(command, args(port), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
      const proc = new ReadyProcess(`127.0.0.1:${port}`, child, () => log);
      try {
        await waitFor(
          async () => {
            if (child.exitCode !== null) throw new Error(`${command} exited: ${log}`);
            const res = await fetch(`${proc.url}/-/ready`);
            return res.ok ? true : undefined;
          },
          `${command} to be ready`,
          60_000,
          200,
        );
        return proc;
      } catch (err) {
        lastError = err;
        await proc.stop();
      }
    }
    throw lastError;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
