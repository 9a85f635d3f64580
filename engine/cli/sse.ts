/**
 * Server-sent events as the CLI reads them (Node has no EventSource): the event-stream format of
 * the HTML standard — `event:`, `data:` (lines joined by "\n"), `id:`, `retry:`, `:` comments —
 * parsed from a fetch body. Reconnecting is the caller's choice (see follow.ts).
 *
 * `openEventStream` is the one place of engine/cli that calls fetch itself (the lint rule allows
 * this file only): an event stream is no JSON call, so the contract's client gives its URL
 * (`client.url('streamRun', …)`) and api.ts checks each event against the contract's schemas.
 */
import { apiErrorFromResponse, type ApiError } from '../contract/index';

export interface ServerSentEvent {
  /** `message` when the block names none. */
  event: string;
  data: string;
  /** The last `id:` seen on this stream so far (what Last-Event-ID sends on a reconnect). */
  lastEventId: string | undefined;
}

/** Yields the events of `chunks` (comments are dropped: callers see liveness through `onChunk`). */
export async function* parseEventStream(chunks: AsyncIterable<Uint8Array>, onChunk: () => void = () => undefined): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let lastEventId: string | undefined;
  /** Takes one line; returns the event a blank line dispatches. */
  const line = (text: string): ServerSentEvent | undefined => {
    if (text === '') {
      // A block without data is not an event.
      const dispatched = data.length > 0 ? { event: event || 'message', data: data.join('\n'), lastEventId } : undefined;
      event = '';
      data = [];
      return dispatched;
    }
    if (text.startsWith(':')) return undefined;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) lastEventId = value;
    // `retry:` and unknown fields: the CLI keeps its own reconnection policy.
    return undefined;
  };
  for await (const chunk of chunks) {
    onChunk();
    buffer += decoder.decode(chunk, { stream: true });
    // Lines end with \n, \r\n or \r; a trailing \r may be half of a \r\n still to come.
    let at: number;
    while ((at = buffer.search(/\r\n|\n|\r(?=[^\n])/)) !== -1) {
      const text = buffer.slice(0, at);
      buffer = buffer.slice(at + (buffer.startsWith('\r\n', at) ? 2 : 1));
      const dispatched = line(text);
      if (dispatched) yield dispatched;
    }
  }
  // The stream ended after a lone \r: that was a line end.
  if (buffer.endsWith('\r')) {
    const dispatched = line(buffer.slice(0, -1));
    if (dispatched) yield dispatched;
  }
}

export type OpenedStream =
  /** 204: the stream has nothing more to send (a run that ended, on a reconnection). */
  | { kind: 'ended' }
  /** Any other answer that is not a stream: the problem it carries. */
  | { kind: 'refused'; error: ApiError }
  | { kind: 'events'; events: AsyncGenerator<ServerSentEvent> };

/**
 * Opens an event stream at `url`. A failed connection throws what fetch threw; a connection that
 * drops, or stays silent for `idleMs`, ends the iteration with `onLost(error)`.
 */
export async function openEventStream(
  url: string,
  options: { headers: Record<string, string>; idleMs: number; onLost: (e: unknown) => unknown },
): Promise<OpenedStream> {
  const abort = new AbortController();
  let idle: NodeJS.Timeout | undefined;
  const alive = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => abort.abort(), options.idleMs);
  };
  let res: Response;
  try {
    alive();
    res = await fetch(url, { headers: options.headers, signal: abort.signal });
  } catch (e) {
    clearTimeout(idle);
    throw e;
  }
  if (res.status === 204 || !res.ok || !res.body) {
    clearTimeout(idle);
    const text = await res.text().catch(() => '');
    if (res.status === 204) return { kind: 'ended' };
    return { kind: 'refused', error: apiErrorFromResponse(res.status, text, `GET ${new URL(url).pathname}`) };
  }
  const body = res.body as unknown as AsyncIterable<Uint8Array>;
  const lost = (e: unknown): unknown => options.onLost(abort.signal.aborted ? new Error(`the event stream was silent for ${options.idleMs / 1000} s`) : e);
  const events = (async function* events(): AsyncGenerator<ServerSentEvent> {
    try {
      yield* parseEventStream(
        (async function* chunks(): AsyncGenerator<Uint8Array> {
          try {
            yield* body;
          } catch (e) {
            throw lost(e);
          }
        })(),
        alive,
      );
    } finally {
      clearTimeout(idle);
      abort.abort();
    }
  })();
  return { kind: 'events', events };
}
