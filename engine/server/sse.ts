/**
 * Server-sent events: one stream per request, a heartbeat comment every 15 s (so proxies and
 * clients keep an idle connection), and a polling loop the server runs on the client's behalf
 * (the client never polls). Everything stops when the client goes away or the server closes.
 */
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { EventMap } from '../contract/index';
import type { Logger } from '../logging';
import { checkEvent, ContractViolation, type Encodable } from './routing';

export interface LiveSettings {
  /** How often a stream looks for changes (default 1000 ms). */
  pollMs: number;
  /** Heartbeat comment interval (default 15 s). */
  heartbeatMs: number;
}

export const DEFAULT_LIVE_SETTINGS: LiveSettings = { pollMs: 1000, heartbeatMs: 15_000 };

/** Open streams of a server, so closing the server ends them instead of waiting for clients. */
export class EventStreams {
  private readonly open = new Set<{ close(): void }>();
  add(s: { close(): void }): void {
    this.open.add(s);
  }
  delete(s: { close(): void }): void {
    this.open.delete(s);
  }
  get size(): number {
    return this.open.size;
  }
  closeAll(): void {
    for (const s of [...this.open]) s.close();
  }
}

/** What a stream needs of the server: where open streams are kept, the timings, whether events are checked. */
export interface StreamSettings {
  streams: EventStreams;
  live: LiveSettings;
  /** Check each event against the contract (tests). */
  checkResponses: boolean;
}

/** Every stream may warn that a poll failed. */
type WithWarning = EventMap & { warning: z.ZodType<{ message: string }> };

/** One stream; its events and their payloads are the contract's (engine/contract/events.ts). */
export class EventStream<E extends WithWarning> {
  private readonly controller = new AbortController();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly streams: EventStreams;
  private readonly check: boolean;
  private nextId = 1;

  constructor(
    req: Request,
    private readonly res: Response,
    server: StreamSettings,
    private readonly events: E,
  ) {
    this.streams = server.streams;
    this.check = server.checkResponses;
    const { streams } = server;
    const settings = server.live;
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    this.heartbeat = setInterval(() => this.comment('heartbeat'), settings.heartbeatMs);
    req.on('close', () => this.close());
    res.on('close', () => this.close());
    streams.add(this);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get closed(): boolean {
    return this.controller.signal.aborted;
  }

  send<K extends keyof E & string>(event: K, data: Encodable<z.input<E[K]>>): void {
    if (this.closed) return;
    if (this.check) checkEvent(this.events, event, data);
    // JSON has no raw newlines, so the data is always one `data:` line.
    this.res.write(`id: ${this.nextId++}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  comment(text: string): void {
    if (!this.closed) this.res.write(`: ${text.replace(/\n/g, ' ')}\n\n`);
  }

  close(): void {
    if (this.closed) return;
    this.controller.abort();
    clearInterval(this.heartbeat);
    this.streams.delete(this);
    if (!this.res.writableEnded) this.res.end();
  }
}

/** Resolves after `ms`, when `signal` aborts, or when `wake` settles, whichever comes first. */
const sleep = (ms: number, signal: AbortSignal, wake?: Promise<unknown>): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
    wake?.then(done, done);
  });

/**
 * Runs `tick` every `pollMs` until it returns 'done' or the stream closes. A failing tick is logged
 * and reported to the client as a `warning` event; the loop goes on (the store may come back).
 * `wake`, once it settles, starts the next tick at once instead of after the rest of `pollMs` (once:
 * after a tick that began once it had settled, the loop waits `pollMs` again, else it would spin).
 */
export async function pollLoop<E extends WithWarning>(
  stream: EventStream<E>,
  settings: LiveSettings,
  logger: Logger,
  tick: () => Promise<'more' | 'done'>,
  wake?: Promise<unknown>,
): Promise<void> {
  let pending = wake;
  let woken = false;
  void pending?.then(
    () => (woken = true),
    () => (woken = true),
  );
  try {
    while (!stream.closed) {
      let outcome: 'more' | 'done' = 'more';
      const afterWake = woken; // this tick sees what woke the loop
      try {
        outcome = await tick();
      } catch (err) {
        if (err instanceof ContractViolation) {
          // A test's check (checkResponses): the stream ends, so the test reading it fails.
          logger.error({ err }, 'an event stream sent an event its contract does not describe');
          break;
        }
        logger.warn({ err }, 'an event stream could not read the current state');
        (stream as EventStream<WithWarning>).send('warning', { message: 'the server could not read the current state; retrying' });
      }
      if (outcome === 'done') break;
      if (afterWake) pending = undefined;
      await sleep(settings.pollMs, stream.signal, pending);
    }
  } finally {
    stream.close();
  }
}
