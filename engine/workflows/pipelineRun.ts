/**
 * `pipelineRun`: a deterministic interpreter of the pipeline IR. It starts every task whose
 * upstream tasks have succeeded (so independent tasks run concurrently), passes outputs on as
 * references, and on the first task failure cancels the tasks still running and fails the run
 * naming the task. Runs inside Temporal's workflow sandbox: no I/O, clocks or randomness here.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  proxyActivities,
  setHandler,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Binding, ComponentSpec, PipelineSpec, TaskSpec } from '../../dsl/ir/schema';
import { formatIssue, taskDependencies, validatePipeline } from '../../dsl/ir/validate';
import {
  STATUS_QUERY,
  taskQueueFor,
  type ExecuteTaskResult,
  type Json,
  type PipelineRunInput,
  type PortValue,
  type RunActivities,
  type RunStatusView,
  type TaskActivities,
  type TaskStatus,
} from './types';

export const statusQuery = defineQuery<RunStatusView>(STATUS_QUERY);

/** Defaults when neither the component nor the task says otherwise. */
const DEFAULT_ATTEMPT_TIMEOUT_MS = 60 * 60 * 1000;
const DEFAULT_HEARTBEAT_TIMEOUT_MS = 60 * 1000;
const DEFAULT_MAX_ATTEMPTS = 3;

export async function pipelineRun(input: PipelineRunInput): Promise<Record<string, Json>> {
  const bookkeeping = proxyActivities<RunActivities>({
    taskQueue: input.taskQueuePrefix,
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 10, initialInterval: '1 second' },
  });

  const status: RunStatusView = { runId: input.runId, pipeline: input.spec?.name ?? '<invalid>', state: 'running', tasks: {} };
  setHandler(statusQuery, () => status);

  // The submitter validated already; an IR that still fails here fails the run at once.
  const checked = validatePipeline(input.spec);
  if (!checked.ok) {
    const error = `invalid pipeline IR:\n${checked.issues.map(formatIssue).join('\n')}`;
    status.state = 'failed';
    status.error = error;
    await bookkeeping.finishRun({ runId: input.runId, status: 'failed', error });
    throw ApplicationFailure.nonRetryable(error, 'InvalidPipeline');
  }
  const spec = checked.spec;
  for (const id of Object.keys(spec.dag.tasks)) status.tasks[id] = { state: 'pending' };

  await bookkeeping.markRunStarted({ runId: input.runId });

  const results = new Map<string, ExecuteTaskResult>();
  const running = new Map<string, Promise<Settled>>();
  const scope = new CancellationScope();
  let failure: { task: string; error: string } | undefined;

  while (!failure) {
    for (const [taskId, task] of Object.entries(spec.dag.tasks)) {
      if (status.tasks[taskId]?.state !== 'pending') continue;
      if (!taskDependencies(spec, taskId).every((d) => status.tasks[d]?.state === 'succeeded')) continue;
      running.set(taskId, startTask(spec, taskId, task, input, results, status.tasks, scope));
    }
    if (running.size === 0) break;
    const settled = await Promise.race(running.values());
    running.delete(settled.taskId);
    const ts = status.tasks[settled.taskId];
    if (!ts) continue;
    ts.finishedAt = Date.now();
    if (settled.ok) {
      ts.state = 'succeeded';
      ts.executionId = settled.result.executionId;
      results.set(settled.taskId, settled.result);
    } else {
      ts.state = 'failed';
      ts.error = settled.error;
      failure = { task: settled.taskId, error: settled.error };
    }
  }

  if (failure) {
    // Stop the siblings still running; their activities see the cancellation through heartbeats.
    scope.cancel();
    const now = Date.now();
    for (const [taskId, p] of running) {
      await p;
      const ts = status.tasks[taskId];
      if (ts) Object.assign(ts, { state: 'cancelled', finishedAt: now } satisfies Partial<TaskStatus>);
    }
    for (const ts of Object.values(status.tasks)) if (ts.state === 'pending') ts.state = 'cancelled';
    const error = `task "${failure.task}" failed: ${failure.error}`;
    status.state = 'failed';
    status.failedTask = failure.task;
    status.error = error;
    await bookkeeping.finishRun({ runId: input.runId, status: 'failed', error, failedTask: failure.task });
    throw ApplicationFailure.nonRetryable(error, 'TaskFailed', { task: failure.task });
  }

  const outputs: Record<string, Json> = {};
  for (const [name, b] of Object.entries(spec.outputs)) {
    const v = results.get(b.task)?.outputs[b.output];
    if (v) outputs[name] = v.kind === 'artifact' ? v.artifactId : v.value;
  }
  status.state = 'succeeded';
  await bookkeeping.finishRun({ runId: input.runId, status: 'succeeded', outputs });
  return outputs;
}

type Settled = { taskId: string; ok: true; result: ExecuteTaskResult } | { taskId: string; ok: false; error: string };

function startTask(
  spec: PipelineSpec,
  taskId: string,
  task: TaskSpec,
  input: PipelineRunInput,
  results: Map<string, ExecuteTaskResult>,
  statuses: Record<string, TaskStatus>,
  scope: CancellationScope,
): Promise<Settled> {
  const component = spec.components[task.component] as ComponentSpec; // validated above
  const inputs: Record<string, PortValue> = {};
  for (const [port, portSpec] of Object.entries(component.inputs)) {
    const binding = task.inputs[port];
    const value = binding ? resolveBinding(binding, input.params, results) : undefined;
    if (value) inputs[port] = value;
    else if (portSpec.kind === 'parameter' && portSpec.default !== undefined) {
      inputs[port] = { kind: 'parameter', value: portSpec.default };
    }
  }
  statuses[taskId] = { state: 'running', startedAt: Date.now() };
  const activities = proxyActivities<TaskActivities>(activityOptions(component, task, input.taskQueuePrefix));
  return scope
    .run(() => activities.executeTask({ runId: input.runId, taskId, component, inputs }))
    .then(
      (result): Settled => ({ taskId, ok: true, result }),
      (err: unknown): Settled => ({ taskId, ok: false, error: describeFailure(err) }),
    );
}

function resolveBinding(
  binding: Binding,
  params: Record<string, Json>,
  results: Map<string, ExecuteTaskResult>,
): PortValue | undefined {
  if ('const' in binding) return { kind: 'parameter', value: binding.const };
  if ('pipelineInput' in binding) {
    const v = params[binding.pipelineInput];
    return v === undefined ? undefined : { kind: 'parameter', value: v };
  }
  return results.get(binding.task)?.outputs[binding.output];
}

/** Component options, overridden field by field by the task's. */
function activityOptions(component: ComponentSpec, task: TaskSpec, prefix: string): ActivityOptions {
  const retry = { ...component.retry, ...task.retry };
  const timeout = { ...component.timeout, ...task.timeout };
  const resources = { ...component.resources, ...task.resources };
  return {
    taskQueue: taskQueueFor(prefix, { resources }),
    startToCloseTimeout: timeout.attemptMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
    heartbeatTimeout: timeout.heartbeatMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
    retry: {
      maximumAttempts: retry.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      initialInterval: retry.initialIntervalMs ?? 1000,
      backoffCoefficient: retry.backoffCoefficient ?? 2,
      ...(retry.maxIntervalMs !== undefined ? { maximumInterval: retry.maxIntervalMs } : {}),
    },
  };
}

/** The component's own message, without Temporal's wrapping ("Activity task failed" …). */
function describeFailure(err: unknown): string {
  if (isCancellation(err)) return 'cancelled';
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}
