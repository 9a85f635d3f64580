/**
 * Server-sent events as the CLI reads them (Node has no EventSource): the event-stream format of
 * the HTML standard — `event:`, `data:` (lines joined by "\n"), `id:`, `retry:`, `:` comments —
 * parsed from a fetch body. Reconnecting is the caller's choice (see follow.ts).
 */

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
