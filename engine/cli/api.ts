/**
 * The CLI's connection to a Sluice server (found by target.ts: a `sluice dev` through the state
 * directory's lock file, or SLUICE_URL with SLUICE_TOKEN): the contract's typed client
 * (`createApiClient`, engine/contract), every answer checked against the schemas the server uses,
 * and every failure turned into a CliError whose code sets the exit status and the advice:
 * no answer → `server-unreachable`, 5xx → `server-error`, 404 → `not-found`, 401/403 →
 * `unauthorized`, an answer the contract does not describe → `server-mismatch`, other 4xx →
 * `refused` (with the problem's detail and field errors). Run event streams: `runEvents`, opened at
 * `client.url('streamRun', …)` by sse.ts and checked event by event against the contract.
 */
import { ApiError, createApiClient, readStreamEvent, type runStreamEvents, type ApiClient, type ApiErrorCode, type EventData } from '../contract/index';
import { CliError, type CliErrorCode, type CliErrorDetails } from './CliError';
import { openEventStream } from './sse';

/** How long a run's event stream may stay silent: the server sends a heartbeat every 15 s. */
const STREAM_IDLE_MS = 45_000;

type RunEvents = EventData<typeof runStreamEvents>;
/** One event of `GET /api/runs/:id/events`, its payload checked against the contract. */
export type RunStreamEvent = { [K in keyof RunEvents]: { event: K; data: RunEvents[K]; lastEventId: string | undefined } }[keyof RunEvents];

function cliCodeOf(code: ApiErrorCode, status: number): CliErrorCode {
  if (code === 'unreachable') return 'server-unreachable';
  if (code === 'bad-response') return 'server-mismatch';
  if (code === 'not-found') return 'not-found';
  if (code === 'unauthorized' || code === 'forbidden') return 'unauthorized';
  return status >= 500 ? 'server-error' : 'refused';
}

/** What a failed connection was, in a few words: fetch says "fetch failed" and keeps the socket's error in `cause`. */
function reasonOf(e: unknown): string {
  const inner = e instanceof Error && e.cause instanceof Error ? e.cause : undefined;
  const innermost = inner?.cause instanceof Error ? inner.cause : inner;
  return (innermost?.message || (e instanceof Error ? e.message : String(e))) || 'no answer';
}

export class ServedApi {
  /** The contract's client; its methods throw CliErrors (see the file's comment). */
  readonly client: ApiClient;

  /**
   * @param via how the CLI found this server ("SLUICE_URL", or the `sluice dev` process that owns
   *   the state directory): error advice names it.
   */
  constructor(
    readonly url: string,
    private readonly token: string | undefined,
    readonly via = 'SLUICE_URL',
  ) {
    const raw = createApiClient({ baseUrl: url, ...(token ? { token } : {}) });
    // Every JSON operation, its failures mapped; `url` and `events` stay as they are.
    const wrapped: Record<string, unknown> = { ...raw };
    for (const [name, value] of Object.entries(raw)) {
      if (typeof value !== 'function' || name === 'url' || name === 'events') continue;
      const call = value as (request?: unknown) => Promise<unknown>;
      wrapped[name] = async (request?: unknown) => {
        try {
          return await call(request);
        } catch (e) {
          throw this.failure(e);
        }
      };
    }
    this.client = wrapped as unknown as ApiClient;
  }

  get details(): CliErrorDetails {
    return { url: this.url, via: this.via };
  }

  /** The CliError of a failed call (an ApiError of the client, or what fetch threw). */
  failure(e: unknown): unknown {
    if (!(e instanceof ApiError)) return e;
    if (e.code === 'unreachable') {
      const reason = reasonOf(e.cause);
      return new CliError(`cannot reach the Sluice API at ${this.url} (${this.via}): ${reason}`, { code: 'server-unreachable', details: { ...this.details, reason }, cause: e });
    }
    const fields = e.errors.filter((f) => f.message).map((f) => `  - ${f.path ? `${f.path}: ` : ''}${f.message}`);
    const said = e.code === 'bad-response' ? `the Sluice API at ${this.url} answered what this CLI does not understand: ${e.message}` : `the Sluice API answered ${e.status}: ${e.message}`;
    return new CliError(`${said}${fields.length ? `\n${fields.join('\n')}` : ''}`, { code: cliCodeOf(e.code, e.status), details: this.details, cause: e });
  }

  /** `fn`'s answer, or undefined when the API answered 404 (for "no such run" messages of the caller's own). */
  async found<T>(fn: (client: ApiClient) => Promise<T>): Promise<T | undefined> {
    try {
      return await fn(this.client);
    } catch (e) {
      if (e instanceof CliError && e.code === 'not-found') return undefined;
      throw e;
    }
  }

  /**
   * Opens `GET /api/runs/:id/events`. Undefined when the server answers 204: the run has ended and
   * this is a reconnection (Last-Event-ID). A dropped or silent connection ends the iteration with a
   * `server-unreachable` CliError, so the caller can reconnect.
   */
  async runEvents(runId: string, lastEventId?: string): Promise<AsyncGenerator<RunStreamEvent> | undefined> {
    const headers: Record<string, string> = { accept: 'text/event-stream', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const unreachable = (e: unknown): CliError => this.failure(new ApiError('unreachable', 0, 'the event stream failed', [], undefined, e)) as CliError;
    let opened;
    try {
      opened = await openEventStream(this.client.url('streamRun', { params: { runId } }), { headers, idleMs: STREAM_IDLE_MS, onLost: unreachable });
    } catch (e) {
      throw unreachable(e);
    }
    if (opened.kind === 'ended') return undefined;
    if (opened.kind === 'refused') {
      if (opened.error.code === 'not-found') throw new CliError(`no run with id "${runId}" on ${this.url} (list them with: sluice runs list)`, { code: 'not-found', details: this.details });
      throw this.failure(opened.error);
    }
    const events = this.client.events('streamRun');
    const failure = (e: unknown): unknown => this.failure(e);
    return (async function* checked(): AsyncGenerator<RunStreamEvent> {
      for await (const e of opened.events) {
        if (!(e.event in events)) continue; // an event a newer server added: not for this CLI
        const name = e.event as keyof RunEvents;
        let data;
        try {
          data = readStreamEvent(events, name, e.data);
        } catch (error) {
          throw failure(error);
        }
        yield { event: name, data, lastEventId: e.lastEventId } as RunStreamEvent;
      }
    })();
  }
}
