/**
 * `executeLightItems`: a group of a loop batch's light items (issue 17) as ONE regular activity on
 * the control queue. Each item runs the loop's body, a light chain, through the fused chain's own
 * code (lightChain.ts `runChain`), so each step goes through executeTask with its own execution
 * row, events, metrics, logs and cache check.
 *
 * A regular activity, not a local one: it holds no workflow task open while it runs (a batch's
 * workflow tasks stay short however slow the worker is), the worker's activity slots bound the
 * light work in flight, and a group's result arrives in its own workflow task, so replay sees the
 * same results in the same order. A worker that dies mid-group is noticed by the heartbeat
 * timeout and the group runs again as a whole: its steps count attempts from their rows
 * (`attemptsFromRow`), so a step the lost attempt finished answers from its row without running,
 * one it never started is attempt 1, and one it was running is attempt 2.
 */
import { CancelledFailure, Context } from '@temporalio/activity';
import type { MetadataStore } from '../../stores/metadata/index';
import type { LightChainResult, LightItemsInput, LightItemsResult } from '../workflows/types';
import { runChain, withWriteBehind, type ExecuteStep } from './lightChain';

/** Items of one group running at once (they share the worker's one thread and its store). */
export const ITEMS_AT_ONCE = 4;
/**
 * Light items running at once in one worker, all groups together: the workflow tasks of the
 * worker's batches share its one thread with them, and a backlog of light work there delays those
 * tasks towards their 10 s timeout on a starved machine (PGlite runs one statement at a time
 * anyway, so more in flight buys nothing).
 */
export const LIGHT_ITEMS_PER_WORKER = 8;

// By hand: no semaphore package is a direct dependency (p-limit only comes with eslint), and 20 lines need none.
/** A counting semaphore: callers wait in order for one of `size` slots. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(size: number) {
    this.free = size;
  }
  tryAcquire(): boolean {
    if (this.free === 0) return false;
    this.free--;
    return true;
  }
  async acquire(): Promise<void> {
    if (this.tryAcquire()) return;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

export function createExecuteLightItems(executeTask: ExecuteStep, metadata?: MetadataStore) {
  const slots = new Slots(LIGHT_ITEMS_PER_WORKER);
  return async function executeLightItems(input: LightItemsInput): Promise<LightItemsResult> {
    const ctx = Context.current();
    const signal = ctx.cancellationSignal;
    const results = new Array<LightChainResult>(input.items.length);
    let next = 0;
    let finished = 0;
    // Beats while the group waits for the worker's slots too, so a waiting group is not taken for a dead one.
    const beat = setInterval(() => ctx.heartbeat(finished), Math.max(200, Math.min(5_000, (ctx.info.heartbeatTimeoutMs ?? 30_000) / 3)));
    // Each lane sends an item's finished row with its next item's running row (WriteBehind, as in
    // a fused chain): a kill loses no more than for an unfused step (that item is still 'running'
    // and runs again as attempt 2 when the group is retried).
    const lane = (): Promise<void> =>
      withWriteBehind(metadata, async (writes) => {
        while (next < input.items.length && !signal.aborted) {
          const i = next++;
          const item = input.items[i] as LightItemsInput['items'][number];
          const env = { ...input.env, prefix: `${input.loopPath}[${item.index}]/`, items: { ...input.env.items, [input.loopId]: item.value } };
          if (!slots.tryAcquire()) {
            // Waiting may be long: what this lane finished is sent first, not held over the wait.
            await writes?.flush();
            await slots.acquire();
          }
          try {
            const options = { checkFirst: true, attemptsFromRow: true, ...(writes ? { writes } : {}) };
            results[i] = await runChain(executeTask, { runId: input.runId, steps: input.steps, env }, signal, options);
          } finally {
            slots.release();
          }
          // Progress, and the moment a cancellation request reaches a regular activity.
          ctx.heartbeat(++finished);
        }
      });
    try {
      const lanes = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(ITEMS_AT_ONCE, input.items.length)) }, lane));
      const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      clearInterval(beat);
    }
    if (signal.aborted) throw new CancelledFailure('the light-item group was cancelled');
    return { items: results };
  };
}
