/**
 * The Temporal dev server as a child process (`temporal server start-dev`), with its state in a
 * SQLite file so runs survive restarts. Used by the embedded stack, the CLI and the tests.
 *
 * A server started on a fixed port with a db file can be stopped (or killed, as a crash would) and
 * started again on the same port and file (`restart()`): clients and workers that keep retrying
 * reconnect to it, and the runs it had carry on from their persisted history.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { findTemporalCli } from './temporalCli';

export interface DevServerOptions {
  /** SQLite file for persistence; omit for an in-memory server (tests). */
  dbFilename?: string;
  /**
   * gRPC port; a free one when omitted. A given port must be free: start() waits up to
   * `portFreeTimeoutMs` for a previous server on it to let go, then refuses.
   */
  port?: number;
  /** Web UI port; no UI when omitted (unless `ui`). */
  uiPort?: number;
  /** Serve the Web UI (on `uiPort`, or a free port): for people debugging workflows. */
  ui?: boolean;
  ip?: string;
  /** Milliseconds to wait for the server to accept connections. */
  startTimeoutMs?: number;
  /** Milliseconds to wait for a given `port` to become free (default 10 s). */
  portFreeTimeoutMs?: number;
}

/**
 * Dynamic config of the dev server. The history service reads its transfer queue (the tasks that
 * hand a scheduled activity or workflow task to matching) at most 20 times a second by default: a
 * chain step needs two such reads, so after the rate limiter's burst every step took 100 ms however
 * fast the worker was (measured on a raw Temporal chain: 100 ms/step, ~30-50 ms/step with the limit
 * lifted, on a loaded 2-core machine). The limit protects a shared database from polling; the dev
 * server's is a local SQLite file. Timers (retry back-off, schedules) are read the same way.
 * And the timer queue loads timers up to `timerProcessorMaxTimeShift` (1 s by default) late: a 1 ms
 * durable timer fired after 0.8–1 s, measured with its TIMER_STARTED/TIMER_FIRED events. A loop
 * batch of light steps ends each workflow task with such a timer (`local-batch-task-cap`), so every
 * 20 light items waited ~1 s for it; with 10 ms the same timer fires in 6–12 ms.
 * Values are JSON (a duration is a string).
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, number | string>> = {
  'history.transferProcessorMaxPollRPS': 10_000,
  'history.timerProcessorMaxPollRPS': 10_000,
  'history.timerProcessorMaxTimeShift': '10ms',
};

export class DevServer {
  private exited = false;
  private stderrTail = '';

  private constructor(
    readonly address: string,
    readonly uiUrl: string | undefined,
    private readonly child: ChildProcess,
    /** The options it was started with, its port filled in: what restart() starts again. */
    readonly options: DevServerOptions & { port: number },
  ) {
    child.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-4000);
    });
    child.once('exit', () => {
      this.exited = true;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get port(): number {
    return this.options.port;
  }

  /** The SQLite file holding the server's state; undefined for an in-memory server. */
  get dbFilename(): string | undefined {
    return this.options.dbFilename;
  }

  /** False once the server process has exited (stopped, killed or crashed). */
  get running(): boolean {
    return !this.exited;
  }

  static async start(options: DevServerOptions = {}): Promise<DevServer> {
    // Ports we pick are free when picked, not when the server binds them (nor is the HTTP API port
    // the CLI picks itself): another process may take one in between, and the server exits at once.
    // Such an early exit is retried with fresh ports; a port the caller chose is not ours to change.
    const attempts = options.port === undefined && options.uiPort === undefined ? 3 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await DevServer.startOnce(options);
      } catch (e) {
        if (!(e instanceof DevServerExitedError) || attempt >= attempts) throw e;
      }
    }
  }

  private static async startOnce(options: DevServerOptions): Promise<DevServer> {
    const bin = await findTemporalCli();
    const ip = options.ip ?? '127.0.0.1';
    const port = options.port ?? (await freePort());
    const uiPort = options.uiPort ?? (options.ui ? await freePort() : undefined);
    if (options.port !== undefined) await waitForFreePort(ip, port, options.portFreeTimeoutMs ?? 10_000);
    const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', 'error'];
    for (const [key, value] of Object.entries(DEV_SERVER_DYNAMIC_CONFIG)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
    if (options.dbFilename) {
      await mkdir(path.dirname(options.dbFilename), { recursive: true });
      args.push('--db-filename', options.dbFilename);
    }
    if (uiPort) args.push('--ui-port', String(uiPort));
    else args.push('--headless');
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const server = new DevServer(`${ip}:${port}`, uiPort ? `http://${ip}:${uiPort}` : undefined, child, {
      ...options,
      ...(uiPort ? { uiPort } : {}),
      port,
    });
    try {
      await server.waitUntilReady(options.startTimeoutMs ?? 60_000);
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exited) {
        throw new DevServerExitedError(`the Temporal dev server exited while starting: ${this.stderrTail.trim() || '(no output)'}`);
      }
      try {
        const conn = await Connection.connect({ address: this.address, connectTimeout: 1000 });
        try {
          await conn.workflowService.getSystemInfo({});
          return;
        } finally {
          await conn.close();
        }
      } catch {
        if (Date.now() > deadline) {
          throw new Error(`the Temporal dev server did not accept connections on ${this.address} within ${timeoutMs} ms`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Kills the server at once, as a crash would (for durability tests). */
  async kill(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }

  /**
   * Stops this server (gracefully, or with SIGKILL when `kill` is set, as a crash would) unless it
   * has already exited, and starts a new one on the same address with the same db file and
   * options. Returns the new server; this object only reports the old process from then on.
   */
  async restart(options: { kill?: boolean; startTimeoutMs?: number } = {}): Promise<DevServer> {
    if (options.kill) await this.kill();
    else await this.stop();
    return DevServer.start({
      ...this.options,
      ...(options.startTimeoutMs !== undefined ? { startTimeoutMs: options.startTimeoutMs } : {}),
    });
  }
}

/** The dev server process exited before it accepted connections (a port taken, a bad flag). */
export class DevServerExitedError extends Error {
  override readonly name = 'DevServerExitedError';
  readonly code = 'dev-server-exited';
}

/**
 * Waits until nothing listens on ip:port. Without this, a server started on a port still held by a
 * previous one would fail to bind while the readiness check talked to the old one.
 */
async function waitForFreePort(ip: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const inUse = (): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = net.connect({ host: ip, port });
      const done = (ok: boolean): void => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(500, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
  while (await inUse()) {
    if (Date.now() > deadline) {
      throw new Error(
        `cannot start the Temporal dev server on ${ip}:${port}: something else listens there ` +
          '(another Temporal server?); stop it or choose another port',
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections at host:port. */
export function isListening(address: string, timeoutMs = 500): Promise<boolean> {
  const [host, portText] = address.split(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host: host ?? '127.0.0.1', port: Number(portText) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
