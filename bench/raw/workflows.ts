/**
 * The baseline: plain Temporal workflows doing what the Sluice benchmarks do, with nothing of
 * Sluice in between. Bundled on its own (bench/overhead.ts) and run on a task queue of its own.
 */
import { proxyActivities } from '@temporalio/workflow';

export interface RawActivities {
  /** Returns x + 1: the same work as the Sluice no-op component. */
  noop(x: number): Promise<number>;
}

const { noop } = proxyActivities<RawActivities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 3 } });

/** N sequential activities, each taking the previous one's result. */
export async function rawChain(n: number): Promise<number> {
  let x = 0;
  for (let i = 0; i < n; i++) x = await noop(x);
  return x;
}

/**
 * The chain with its activities on another task queue, served by another worker (as Sluice runs
 * its tasks on `<prefix>-cpu`): no eager activity dispatch. Diagnostic, not the baseline.
 */
export async function rawChainSplit(n: number, activityQueue: string): Promise<number> {
  const { noop: remoteNoop } = proxyActivities<RawActivities>({
    taskQueue: activityQueue,
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 3 },
  });
  let x = 0;
  for (let i = 0; i < n; i++) x = await remoteNoop(x);
  return x;
}

/** N activities at once, all in this one workflow. */
export async function rawFanout(n: number): Promise<number> {
  const ys = await Promise.all(Array.from({ length: n }, (_, i) => noop(i)));
  return ys.length;
}

/**
 * The fan-out written the way engine/temporal/workflows/loop.ts `loopBatch` waits for its items: a map of
 * running promises, `Promise.race` over all of them after every completion, refilled up to
 * `concurrency`. Diagnostic: shows what that pattern costs on plain Temporal.
 */
export async function rawFanoutRace(n: number, concurrency: number): Promise<number> {
  const running = new Map<number, Promise<number>>();
  let next = 0;
  let done = 0;
  while (next < n || running.size > 0) {
    while (running.size < concurrency && next < n) {
      const i = next++;
      running.set(i, noop(i).then(() => i));
    }
    const finished = await Promise.race(running.values());
    running.delete(finished);
    done++;
  }
  return done;
}
