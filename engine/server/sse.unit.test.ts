import { pino } from 'pino';
import { expect, it } from 'vitest';
import { pollLoop, type EventStream } from './sse';

/** The part of an EventStream pollLoop uses (no HTTP response behind it). */
function fakeStream(): { stream: EventStream<never>; close: () => void } {
  const controller = new AbortController();
  const close = (): void => controller.abort();
  const stream = { get closed() { return controller.signal.aborted; }, signal: controller.signal, send: () => undefined, close };
  return { stream: stream as unknown as EventStream<never>, close };
}

it('a wake starts the next tick at once instead of after pollMs, and only once', async () => {
  const { stream, close } = fakeStream();
  let ticks = 0;
  let wake!: () => void;
  const woken = new Promise<void>((r) => (wake = r));
  let second!: () => void;
  const secondTick = new Promise<void>((r) => (second = r));
  // An hour between polls: without the wake the test would time out waiting for the second tick.
  const loop = pollLoop(stream, { pollMs: 3_600_000, heartbeatMs: 3_600_000 }, pino({ enabled: false }), async () => {
    ticks += 1;
    if (ticks === 1) wake();
    if (ticks === 2) second();
    return 'more';
  }, woken);
  await secondTick;
  // The wake is spent: the loop waits pollMs again rather than spinning on a settled promise.
  await new Promise((r) => setTimeout(r, 50));
  expect(ticks).toBe(2);
  close();
  await loop;
});

it('a wake that settles during a tick still cuts the following wait', async () => {
  const { stream, close } = fakeStream();
  let ticks = 0;
  let wake!: () => void;
  const woken = new Promise<void>((r) => (wake = r));
  let second!: () => void;
  const secondTick = new Promise<void>((r) => (second = r));
  const loop = pollLoop(stream, { pollMs: 3_600_000, heartbeatMs: 3_600_000 }, pino({ enabled: false }), async () => {
    ticks += 1;
    if (ticks === 1) {
      wake();
      await new Promise((r) => setTimeout(r, 10)); // the tick read its state before the wake came
    }
    if (ticks === 2) second();
    return 'more';
  }, woken);
  await secondTick;
  expect(ticks).toBe(2);
  close();
  await loop;
});
