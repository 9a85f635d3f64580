import { pino } from 'pino';
import { expect, it } from 'vitest';
import { pollLoop, type EventStream } from './sse';

/**
 * A poll loop an hour between ticks (without the wake a test waits in vain for the second tick) over
 * the part of an EventStream it uses (no HTTP response behind it). `firstTick` runs in tick 1 and
 * gets the wake to call.
 */
function loopWithWake(firstTick: (wake: () => void) => Promise<void>): { ticks: () => number; secondTick: Promise<void>; stop: () => Promise<void> } {
  const controller = new AbortController();
  const stream = { get closed() { return controller.signal.aborted; }, signal: controller.signal, send: () => undefined, close: () => controller.abort() };
  let ticks = 0;
  let wake!: () => void;
  const woken = new Promise<void>((r) => (wake = r));
  let second!: () => void;
  const secondTick = new Promise<void>((r) => (second = r));
  const loop = pollLoop(stream as unknown as EventStream<never>, { pollMs: 3_600_000, heartbeatMs: 3_600_000 }, pino({ enabled: false }), async () => {
    ticks += 1;
    if (ticks === 1) await firstTick(wake);
    if (ticks === 2) second();
    return 'more';
  }, woken);
  return { ticks: () => ticks, secondTick, stop: () => (controller.abort(), loop) };
}

it('a wake starts the next tick at once instead of after pollMs, and only once', async () => {
  const l = loopWithWake(async (wake) => wake());
  await l.secondTick;
  // The wake is spent: the loop waits pollMs again rather than spinning on a settled promise.
  await new Promise((r) => setTimeout(r, 50));
  expect(l.ticks()).toBe(2);
  await l.stop();
});

it('a wake that settles during a tick still cuts the following wait', async () => {
  const l = loopWithWake(async (wake) => {
    wake();
    await new Promise((r) => setTimeout(r, 10)); // the tick read its state before the wake came
  });
  await l.secondTick;
  expect(l.ticks()).toBe(2);
  await l.stop();
});
