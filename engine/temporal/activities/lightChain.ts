/**
 * `executeLightChain`: a fused chain of light steps (issue 17), run as ONE local activity of the
 * workflow's worker. Each step's inputs are resolved from the previous steps' outputs by the same
 * pure code as the workflow's (workflows/bindings.ts), and each step runs through executeTask, so
 * it gets its own execution row, events, metrics and logs, and a cache hit is a cache hit.
 *
 * It stops at the first step that is to be skipped or whose attempt fails and returns what ran:
 * the workflow takes that step over as an ordinary step (skip record, retries by its own policy).
 * A re-run after a lost workflow task (worker killed) starts again at the first step; executeTask
 * answers the steps whose rows say finished from those rows (local steps' countAttemptsFromRow),
 * so only the unfinished ones run again.
 */
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { taskInputs, whySkip, type ExecuteTaskInput, type ExecuteTaskResult, type LightChainInput, type LightChainResult, type NodeOutcome } from '../workflows/types';

export type ExecuteStep = (input: ExecuteTaskInput) => Promise<ExecuteTaskResult>;

export function createExecuteLightChain(executeTask: ExecuteStep) {
  return async function executeLightChain(input: LightChainInput): Promise<LightChainResult> {
    return runChain(executeTask, input, Context.current().cancellationSignal, {});
  };
}

/**
 * Runs a chain's steps in order (also each item of a light-item group, activities/lightItems.ts).
 * `checkFirst`: the first step's condition is checked here too (no workflow checked it).
 * `attemptsFromRow`: passed to executeTask (steps of a regular activity retried as a whole).
 */
export async function runChain(
  executeTask: ExecuteStep,
  input: LightChainInput,
  signal: AbortSignal,
  options: { checkFirst?: boolean; attemptsFromRow?: boolean },
): Promise<LightChainResult> {
  const { env } = input;
  // The steps' own outcomes, as the scope would see them; what else they read is in env.outer.
  const outcomes: Record<string, NodeOutcome> = {};
  const done: ExecuteTaskResult[] = [];
  let prev: string | undefined;
  for (const step of input.steps) {
    if (signal.aborted) throw new CancelledFailure(`task "${env.prefix}${step.id}" was cancelled`);
    // Unless asked, the first step's condition was checked by the workflow; each later one reads only its predecessor.
    if ((prev !== undefined || options.checkFirst) && whySkip(step.task, prev === undefined ? [] : [prev], outcomes, env) !== undefined) {
      return { done, stop: { reason: 'skip' } };
    }
    let result: ExecuteTaskResult;
    try {
      result = await executeTask({
        runId: input.runId,
        taskId: `${env.prefix}${step.id}`,
        component: step.component,
        inputs: taskInputs(step.component, step.task, outcomes, env),
        cache: step.cache,
        ...(options.attemptsFromRow ? { attemptsFromRow: true } : {}),
      });
    } catch (err) {
      if (err instanceof CancelledFailure || signal.aborted) throw err;
      const nonRetryable = err instanceof ApplicationFailure && err.nonRetryable === true;
      return { done, stop: { reason: 'failed', error: err instanceof Error ? err.message : String(err), nonRetryable } };
    }
    done.push(result);
    outcomes[step.id] = { state: result.cachedFrom ? 'cached' : 'succeeded', outputs: result.outputs, executionId: result.executionId };
    prev = step.id;
  }
  return { done };
}
