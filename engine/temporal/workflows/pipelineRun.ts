/**
 * `pipelineRun`: the workflow of one run. A deterministic interpreter of the pipeline IR (see
 * scope.ts for the node-by-node rules, loop.ts for loops, nested.ts for nested pipelines); this
 * file adds what only the top level has: run bookkeeping, the `status` query, approval decisions,
 * cancellation, and reuse of an earlier run's results. Runs inside Temporal's workflow sandbox:
 * no I/O, clocks or randomness here.
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  defineQuery,
  defineUpdate,
  isCancellation,
  patched,
  setHandler,
} from '@temporalio/workflow';
import { formatIssue, validatePipeline } from '../../../dsl/ir/validate';
import { runPipelineBody } from './body';
import { runLoop } from './loop';
import { bookkeeping, type RunContext } from './scope';
import { APPROVE_SIGNAL, STATUS_QUERY, type ApprovalDecision, type FinishRunInput, type Json, type PipelineRunInput, type PortValue, type RunStatusView } from './types';

/**
 * Patch (issue 11): run bookkeeping is never cancelled with the run, and every way out of the
 * workflow writes the final status first. Before it, a cancel that arrived before or during
 * `markRunStarted`, during the exit handlers or during the last `finishRun` cancelled that
 * activity and left the row pending/running while the workflow closed. Histories recorded
 * before the patch replay the old path.
 */
export const BOOKKEEPING_PATCH = 'non-cancellable-run-bookkeeping';

/** Patch id: the IR validator's checks against hostile input (self-loops, reserved names, unstorable text). */
export const HOSTILE_INPUT_CHECKS_PATCH = 'ir-hostile-input-checks';

export const statusQuery = defineQuery<RunStatusView>(STATUS_QUERY);
/** Approve or reject a waiting gate; refused (with the reason) unless that gate is waiting. Returns the gate's task id. */
export const approveUpdate = defineUpdate<string, [ApprovalDecision]>(APPROVE_SIGNAL);

export async function pipelineRun(input: PipelineRunInput): Promise<Record<string, Json>> {
  // First, before any command: the marker must precede the first activity of a patched run.
  const safeBookkeeping = patched(BOOKKEEPING_PATCH);
  const book = bookkeeping(input.taskQueuePrefix);
  let finishing = false;
  /** The final-status write; under the patch it runs to completion even in a cancelled run. */
  const finish = async (final: FinishRunInput): Promise<void> => {
    finishing = true;
    await (safeBookkeeping ? CancellationScope.nonCancellable(() => book.finishRun(final)) : book.finishRun(final));
  };
  const status: RunStatusView = { runId: input.runId, pipeline: input.spec?.name ?? '<invalid>', state: 'running', tasks: {} };
  setHandler(statusQuery, () => status);
  const approvals = new Map<string, ApprovalDecision>();
  setHandler(
    approveUpdate,
    (decision: ApprovalDecision) => {
      const task = decision.task ?? waitingGates(status)[0] ?? '';
      approvals.set(task, decision);
      return task;
    },
    {
      validator: (decision: ApprovalDecision) => {
        const waiting = waitingGates(status);
        if (decision.task === undefined) {
          if (waiting.length === 0) throw new Error('no approval gate of this run is waiting');
          if (waiting.length > 1) throw new Error(`several gates are waiting (${waiting.join(', ')}); name one`);
        } else if (!waiting.includes(decision.task)) {
          const state = status.tasks[decision.task]?.state;
          throw new Error(
            state === undefined
              ? `the run has no task "${decision.task}"`
              : `task "${decision.task}" is ${state}, not waiting for approval${waiting.length ? ` (waiting: ${waiting.join(', ')})` : ''}`,
          );
        }
      },
    },
  );

  try {
    return await interpret(input, status, approvals, book, finish, safeBookkeeping);
  } catch (e) {
    // Whatever ends the run unrecorded (a bookkeeping activity that failed for good, any failure
    // or cancellation escaping the interpreter) is written before the workflow closes. A failed finishRun itself is
    // not retried here: the reconciler (engine/runs/reconcileRuns.ts) records the closed workflow.
    if (safeBookkeeping && !finishing) {
      const cancelled = isCancellation(e);
      const error = cancelled ? 'cancelled' : `the run's workflow failed: ${e instanceof Error ? e.message : String(e)}`;
      status.state = cancelled ? 'cancelled' : 'failed';
      status.error = error;
      await finish({ runId: input.runId, status: status.state, error });
    }
    throw e;
  }
}

async function interpret(
  input: PipelineRunInput,
  status: RunStatusView,
  approvals: Map<string, ApprovalDecision>,
  book: ReturnType<typeof bookkeeping>,
  finish: (final: FinishRunInput) => Promise<void>,
  safeBookkeeping: boolean,
): Promise<Record<string, Json>> {
  // The submitter validated already; an IR that still fails here fails the run at once. Runs that
  // started before the hostile-input checks (issue 11) replay under the rules they started with.
  const checked = validatePipeline(input.spec, { hostileInputChecks: patched(HOSTILE_INPUT_CHECKS_PATCH) });
  if (!checked.ok) {
    const error = `invalid pipeline IR:\n${checked.issues.map(formatIssue).join('\n')}`;
    status.state = 'failed';
    status.error = error;
    await finish({ runId: input.runId, status: 'failed', error });
    throw ApplicationFailure.nonRetryable(error, 'InvalidPipeline');
  }
  const spec = checked.spec;
  for (const id of Object.keys(spec.dag.tasks)) status.tasks[id] = { state: 'pending' };

  // Even when the cancel came first: the body then cancels its tasks, runs the exit handlers and
  // ends `cancelled`, like any cancelled run.
  if (safeBookkeeping) await CancellationScope.nonCancellable(() => book.markRunStarted({ runId: input.runId }));
  else await book.markRunStarted({ runId: input.runId });

  const ctx: RunContext = {
    runId: input.runId,
    taskQueuePrefix: input.taskQueuePrefix,
    cache: input.cache !== false,
    components: spec.components,
    approvals,
    runLoop,
    ...(input.reuse ? { reuse: input.reuse } : {}),
  };
  const params: Record<string, PortValue> = {};
  for (const [k, v] of Object.entries(input.params)) params[k] = input.artifacts?.[k] ?? { kind: 'parameter', value: v };
  const result = await runPipelineBody(ctx, spec, { prefix: '', inputs: params, items: {}, outer: {} }, status.tasks);

  status.state = result.state;
  if (result.state !== 'succeeded') {
    const error = result.failure ? `task "${result.failure.task}" failed: ${result.failure.error}` : `run ${result.state}`;
    status.error = error;
    if (result.failure) status.failedTask = result.failure.task;
    // Bookkeeping must happen even though the workflow's own scope is cancelled (also before the patch).
    const final: FinishRunInput = {
      runId: input.runId,
      status: result.state,
      error: result.state === 'cancelled' ? 'cancelled' : error,
      ...(result.failure ? { failedTask: result.failure.task } : {}),
    };
    if (safeBookkeeping) await finish(final);
    else await CancellationScope.nonCancellable(() => book.finishRun(final));
    if (result.state === 'cancelled') throw new CancelledFailure('run cancelled');
    throw ApplicationFailure.nonRetryable(error, 'TaskFailed', { task: result.failure?.task ?? null });
  }

  const outputs: Record<string, Json> = {};
  for (const [name, b] of Object.entries(spec.outputs)) {
    const v = result.outcomes[b.task]?.outputs[b.output];
    if (v?.kind === 'artifact') outputs[name] = v.artifactId;
    else if (v?.kind === 'parameter') outputs[name] = v.value;
  }
  // A cancel that arrives now (during the exit handlers or this write) no longer changes the
  // outcome: the body succeeded, the row says so, and the workflow completes.
  await finish({ runId: input.runId, status: 'succeeded', outputs });
  return outputs;
}

function waitingGates(status: RunStatusView): string[] {
  return Object.entries(status.tasks)
    .filter(([, t]) => t.state === 'waiting')
    .map(([id]) => id);
}
