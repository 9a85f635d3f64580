import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MetadataStore, TaskLogInput } from '../../stores/metadata/MetadataStore';
import { MAX_LOG_MESSAGE_CHARS, TaskLogWriter } from './taskLogs';

type Append = MetadataStore['appendTaskLogs'];

function setup(append?: Append) {
  const batches: TaskLogInput[][] = [];
  const appendTaskLogs = vi.fn<Append>(append ?? (async (_t, lines) => void batches.push(lines)));
  const logged: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logged.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const writer = new TaskLogWriter({
    metadata: { appendTaskLogs },
    runId: 'r1',
    executionId: 'r1.train',
    attempt: 2,
    logger: pino({ level: 'debug' }, sink),
  });
  return { writer, batches, appendTaskLogs, logged };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TaskLogWriter', () => {
  it('flushes after ~200 ms, with line numbers, the attempt and the fields', async () => {
    vi.useFakeTimers();
    const { writer, batches, appendTaskLogs } = setup();
    writer.write('log', 'hello', { level: 'info', fields: { epoch: 1 } });
    writer.write('stdout', 'out');
    expect(appendTaskLogs).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(199);
    expect(appendTaskLogs).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(appendTaskLogs).toHaveBeenCalledTimes(1);
    expect(appendTaskLogs.mock.calls[0]?.[0]).toEqual({ runId: 'r1', executionId: 'r1.train', attempt: 2 });
    expect(batches[0]).toEqual([
      { ts: expect.any(Date) as Date, stream: 'log', level: 'info', message: 'hello', fields: { epoch: 1 }, line: 1 },
      { ts: expect.any(Date) as Date, stream: 'stdout', message: 'out', line: 2 },
    ]);
    await writer.close();
  });

  it('flushes at once at 100 lines, and the rest on close', async () => {
    vi.useFakeTimers();
    const { writer, batches } = setup();
    for (let i = 1; i <= 250; i++) writer.write('stdout', `line ${i}`);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches.flat().length).toBeGreaterThanOrEqual(100);
    await writer.close();
    expect(batches.every((b) => b.length <= 100)).toBe(true);
    expect(batches.flat().map((l) => l.line)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    writer.write('stdout', 'after close');
    await writer.flush();
    expect(batches.flat()).toHaveLength(250);
  });

  it('never throws: a failed write is logged and retried with the same line numbers', async () => {
    let fail = true;
    const stored: TaskLogInput[] = [];
    const { writer, logged, appendTaskLogs } = setup(async (_t, lines) => {
      if (fail) throw new Error('database down');
      stored.push(...lines);
    });
    writer.write('log', 'one');
    writer.write('stderr', 'two');
    await writer.flush();
    expect(stored).toEqual([]);
    expect(logged.some((l) => l.msg === 'could not store task log lines; will retry' && JSON.stringify(l.err).includes('database down'))).toBe(true);
    fail = false;
    writer.write('log', 'three');
    await writer.close();
    expect(stored.map((l) => [l.line, l.message])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(appendTaskLogs.mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('gives up on close when the store stays down, saying how many lines were lost', async () => {
    const { writer, logged } = setup(() => Promise.reject(new Error('gone')));
    writer.write('log', 'a');
    writer.write('log', 'b');
    await expect(writer.close()).resolves.toBeUndefined();
    expect(logged.find((l) => l.msg === 'task log lines could not be stored')).toMatchObject({ lost: 2 });
  });

  it('cuts very long messages and keeps fields JSON', async () => {
    const { writer, batches } = setup();
    writer.write('stdout', 'x'.repeat(MAX_LOG_MESSAGE_CHARS + 10));
    writer.write('log', 'odd fields', { fields: { big: 1, nested: { ok: [1, 'two'] } } });
    await writer.close();
    const [long, odd] = batches.flat();
    expect(long?.message.length).toBeLessThan(MAX_LOG_MESSAGE_CHARS + 100);
    expect(long?.message).toMatch(/10 more characters cut\)$/);
    expect(odd?.fields).toEqual({ big: 1, nested: { ok: [1, 'two'] } });
  });
});
