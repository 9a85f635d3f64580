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
import type { LightChainResult, LightItemsInput, LightItemsResult } from '../workflows/types';
import { runChain, type ExecuteStep } from './lightChain';

/** Items of one group running at once (they share the worker's one thread and its store). */
const ITEMS_AT_ONCE = 4;

export function createExecuteLightItems(executeTask: ExecuteStep) {
  return async function executeLightItems(input: LightItemsInput): Promise<LightItemsResult> {
    const ctx = Context.current();
    const signal = ctx.cancellationSignal;
    const results = new Array<LightChainResult>(input.items.length);
    let next = 0;
    let finished = 0;
    const lane = async (): Promise<void> => {
      while (next < input.items.length && !signal.aborted) {
        const i = next++;
        const item = input.items[i] as LightItemsInput['items'][number];
        const env = { ...input.env, prefix: `${input.loopPath}[${item.index}]/`, items: { ...input.env.items, [input.loopId]: item.value } };
        results[i] = await runChain(executeTask, { runId: input.runId, steps: input.steps, env }, signal, { checkFirst: true, attemptsFromRow: true });
        // Progress, and the moment a cancellation request reaches a regular activity.
        ctx.heartbeat(++finished);
      }
    };
    const lanes = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(ITEMS_AT_ONCE, input.items.length)) }, lane));
    const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    if (signal.aborted) throw new CancelledFailure('the light-item group was cancelled');
    return { items: results };
  };
}
