/** The event-stream format as the standard defines it, whatever the chunking and line endings. */
import { describe, expect, it } from 'vitest';
import { parseEventStream, type ServerSentEvent } from './sse';

async function parse(...chunks: string[]): Promise<ServerSentEvent[]> {
  const encoder = new TextEncoder();
  const events: ServerSentEvent[] = [];
  for await (const e of parseEventStream((async function* () {
    for (const c of chunks) yield encoder.encode(c);
  })())) events.push(e);
  return events;
}

describe('parseEventStream', () => {
  it('reads events split across chunks, joins data lines and keeps the last id', async () => {
    expect(await parse('retry: 3000\n\n: heartbeat\n\nid: 1\nevent: ta', 'sk\ndata: {"a":1}\n\n', 'data: x\ndata: y\n\n')).toEqual([
      { event: 'task', data: '{"a":1}', lastEventId: '1' },
      { event: 'message', data: 'x\ny', lastEventId: '1' },
    ]);
  });

  it('accepts CRLF and CR line endings, a CRLF split between chunks, and fields without a space', async () => {
    expect(await parse('id:7\r\nevent:end\r', '\ndata:{}\r\n\r\n', 'data: z\r\r')).toEqual([
      { event: 'end', data: '{}', lastEventId: '7' },
      { event: 'message', data: 'z', lastEventId: '7' },
    ]);
  });

  it('dispatches nothing for a block without data or an unfinished block', async () => {
    expect(await parse('event: run\n\nid: 3\n\nevent: run\ndata: {}')).toEqual([]);
  });
});
