/**
 * A pipeline's body: its nodes, then its exit handlers (which run whatever the outcome, even after
 * a cancellation, and read the outcome through `runStatus` bindings). Shared by the top-level run
 * and nested pipelines.
 */
import { CancellationScope, isCancellation } from '@temporalio/workflow';
import { indexPipeline } from '../../../dsl/ir/graph';
import type { NodeSpec, PipelineSpec } from '../../../dsl/ir/schema';
import { runScope, type NodeOutcome, type RunContext, type ScopeEnv } from './scope';
import type { RunState, TaskStatus } from './types';

export interface BodyResult {
  state: RunState;
  outcomes: Record<string, NodeOutcome>;
  /** The failed task (path) and its error, when the body or an exit handler failed. */
  failure?: { task: string; error: string };
}

export async function runPipelineBody(
  ctx: RunContext,
  spec: PipelineSpec,
  env: ScopeEnv,
  status: Record<string, TaskStatus>,
): Promise<BodyResult> {
  const index = indexPipeline(spec);
  const main: Record<string, NodeSpec> = {};
  const exitHandlers: Record<string, NodeSpec> = {};
  for (const [id, node] of Object.entries(spec.dag.tasks)) {
    if ('component' in node && node.exitHandler) exitHandlers[id] = node;
    else main[id] = node;
  }

  let state: RunState;
  let outcomes: Record<string, NodeOutcome> = {};
  let failure: BodyResult['failure'];
  try {
    const r = await runScope(ctx, main, index, env, status);
    outcomes = r.outcomes;
    failure = r.failure;
    state = r.cancelled ? 'cancelled' : r.failure ? 'failed' : 'succeeded';
  } catch (e) {
    if (!isCancellation(e)) throw e;
    state = 'cancelled';
  }
  if (Object.keys(exitHandlers).length === 0) return { state, outcomes, ...(failure ? { failure } : {}) };

  // Exit handlers run even when the run was cancelled: outside the cancelled scope.
  const exitEnv: ScopeEnv = {
    ...env,
    outer: { ...env.outer, ...outcomes },
    runStatus: { status: state, error: failure?.error ?? (state === 'cancelled' ? 'cancelled' : ''), failedTask: failure?.task ?? '' },
  };
  const exit = await CancellationScope.nonCancellable(() => runScope(ctx, exitHandlers, index, exitEnv, status));
  Object.assign(outcomes, exit.outcomes);
  if (exit.failure && state === 'succeeded') {
    return { state: 'failed', outcomes, failure: { task: exit.failure.task, error: `exit handler failed: ${exit.failure.error}` } };
  }
  return { state, outcomes, ...(failure ? { failure } : {}) };
}
