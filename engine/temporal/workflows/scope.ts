/**
 * Runs the nodes of one scope (a pipeline's top level, one loop item's body, a nested pipeline):
 * starts every node whose upstream nodes are final, evaluates conditions, skips what cannot or
 * should not run, and on the first failure cancels the running siblings. Deterministic: runs in
 * the workflow sandbox (no I/O, clocks or randomness), all effects go through activities and
 * child workflows.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  TimeoutFailure,
  workflowInfo,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import { toMs } from '../../../dsl/ir/duration';
import { evaluateExpr } from '../../../dsl/ir/expr';
import { isLoopNode, nodeDependencies, type PipelineIndex } from '../../../dsl/ir/graph';
import { Completions } from './completions';
import { ReadyQueue } from './readyQueue';
import type { Binding, ComponentSpec, LoopNodeSpec, NodeSpec, Operand, TaskSpec } from '../../../dsl/ir/schema';
import {
  noWorkerPickedUpError,
  taskQueueFor,
  type ApprovalDecision,
  type CachePolicy,
  type ExecuteTaskResult,
  type Json,
  type NestedPipelineInput,
  type PortValue,
  type RecordedExecution,
  type RunActivities,
  type TaskActivities,
  type TaskStatus,
  type TuneStudyInput,
  studyWorkflowId,
} from './types';

/** Defaults when neither the component nor the task says otherwise. */
const DEFAULT_ATTEMPT_TIMEOUT_MS = 60 * 60 * 1000;
/** Short enough that a SIGKILLed worker is noticed in seconds; executeTask beats every third of it. */
const DEFAULT_HEARTBEAT_TIMEOUT_MS = 15 * 1000;
const DEFAULT_MAX_ATTEMPTS = 3;
/** Nodes of one scope running at once (tasks, loops, nested pipelines, waiting gates). */
export const MAX_RUNNING_PER_SCOPE = 200;
const SCOPE_RUNNING_CAP_PATCH = 'scope-running-cap';
/**
 * Patch (issue 17): function tasks marked `execution: 'local'` run as local activities of the
 * workflow's own worker. Only tasks whose IR says so take the new path; histories recorded before
 * it never had such a task.
 */
export const LOCAL_STEPS_PATCH = 'local-steps';

/** What the whole run shares, whatever scope is running. */
export interface RunContext {
  runId: string;
  taskQueuePrefix: string;
  /** false: caching off for the whole run. */
  cache: boolean;
  components: Record<string, ComponentSpec>;
  /** Top-level results to reuse (a retried run). */
  reuse?: Record<string, ExecuteTaskResult>;
  /** Approval decisions received, by task path (top-level workflow only). */
  approvals?: Map<string, ApprovalDecision>;
  /** Runs a loop node (engine/temporal/workflows/loop.ts; passed in to keep the modules acyclic). */
  runLoop: LoopRunner;
}

export type LoopRunner = (
  ctx: RunContext,
  id: string,
  node: LoopNodeSpec,
  env: ScopeEnv,
  outcomes: Record<string, NodeOutcome>,
  report: (counts: NonNullable<TaskStatus['items']>) => void,
) => Promise<NodeOutcome>;

export type FinalState = 'succeeded' | 'cached' | 'skipped' | 'failed' | 'cancelled';

export interface NodeOutcome {
  state: FinalState;
  outputs: Record<string, PortValue>;
  executionId?: string;
  error?: string;
}

/** The values a scope can read besides its own nodes' outputs. */
export interface ScopeEnv {
  /** Task path prefix: "" at the top, "loop[3]/" in a loop item, "sub/" in a nested pipeline. */
  prefix: string;
  inputs: Record<string, PortValue>;
  /** Current items of the enclosing loops, by loop id. */
  items: Record<string, Json>;
  /** Outcomes of nodes of enclosing scopes. */
  outer: Record<string, NodeOutcome>;
  /** For exit handlers. */
  runStatus?: { status: string; error: string; failedTask: string };
}

export interface ScopeResult {
  outcomes: Record<string, NodeOutcome>;
  failure?: { task: string; error: string };
  cancelled: boolean;
}

const SKIP = Symbol('skip');
type Resolved = PortValue | undefined | typeof SKIP;

export function bookkeeping(prefix: string): RunActivities {
  return proxyActivities<RunActivities>({
    taskQueue: prefix,
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 10, initialInterval: '1 second' },
  });
}

/** Runs `nodes` to completion (or first failure / cancellation). `status` is updated as nodes move. */
export async function runScope(
  ctx: RunContext,
  nodes: Record<string, NodeSpec>,
  index: PipelineIndex,
  env: ScopeEnv,
  status: Record<string, TaskStatus>,
): Promise<ScopeResult> {
  const outcomes: Record<string, NodeOutcome> = {};
  const ids = Object.keys(nodes);
  const pending = new Set(ids);
  // Only nodes of this run of the scope count: exit handlers run as a scope of their own and
  // read the main nodes' outcomes from env.outer.
  const deps = new Map(ids.map((id) => [id, nodeDependencies(index, id).filter((d) => d in nodes)]));
  // Each node waits for a count of upstream nodes; finishing one wakes only its dependents, so a
  // run costs O(n log n) however wide or long the scope is (10,000 tasks stay well inside a
  // workflow task's time limit).
  const waitingOn = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of ids) {
    const upstream = deps.get(id) ?? [];
    waitingOn.set(id, upstream.length);
    for (const d of upstream) {
      const list = dependents.get(d);
      if (list) list.push(id);
      else dependents.set(d, [id]);
    }
  }
  const ready = new ReadyQueue(ids);
  for (const id of ids) if (waitingOn.get(id) === 0) ready.add(id);
  const finished = (id: string): void => {
    for (const w of dependents.get(id) ?? []) {
      const left = (waitingOn.get(w) ?? 0) - 1;
      waitingOn.set(w, left);
      if (left === 0) ready.add(w);
    }
  };
  // At most this many nodes of a scope run at once, so no workflow task schedules thousands of
  // activities (a 4 MB gRPC message) or runs for seconds. Runs recorded before the cap replay without it.
  const maxRunning = patched(SCOPE_RUNNING_CAP_PATCH) ? MAX_RUNNING_PER_SCOPE : Number.POSITIVE_INFINITY;
  const running = new Map<string, Promise<Settled>>();
  const completions = new Completions<Settled>();
  const scope = new CancellationScope();
  const skipped: RecordedExecution[] = [];
  let failure: ScopeResult['failure'];

  const setStatus = (id: string, patch: Partial<TaskStatus>): void => {
    status[id] = { ...(status[id] ?? { state: 'pending' }), ...patch };
  };

  while (!failure) {
    let progressed = false;
    ready.startPass();
    for (;;) {
      if (running.size >= maxRunning) {
        ready.endPass();
        break;
      }
      const id = ready.take();
      if (id === undefined) break;
      pending.delete(id);
      progressed = true;
      const node = nodes[id] as NodeSpec;
      const skipReason = whySkip(node, deps.get(id) ?? [], outcomes, env);
      if (skipReason !== undefined) {
        outcomes[id] = { state: 'skipped', outputs: {} };
        setStatus(id, { state: 'skipped', error: skipReason });
        if (!isLoopNode(node)) skipped.push(skipRecord(ctx, env, id, node, skipReason));
        finished(id);
        continue;
      }
      setStatus(id, { state: 'running', startedAt: Date.now() });
      const settling = scope.run(() => startNode(ctx, id, node, env, outcomes, status)).then(
        (outcome): Settled => ({ id, ok: true, outcome }),
        (err: unknown): Settled => ({ id, ok: false, error: describeFailure(err), cancelled: isCancellation(err) }),
      );
      running.set(id, settling);
      completions.add(settling);
    }
    if (skipped.length) await bookkeeping(ctx.taskQueuePrefix).recordExecutions({ runId: ctx.runId, executions: skipped.splice(0) });
    if (progressed) continue;
    if (running.size === 0) break;
    const settled = await completions.next();
    running.delete(settled.id);
    if (settled.ok) {
      outcomes[settled.id] = settled.outcome;
      setStatus(settled.id, {
        state: settled.outcome.state,
        finishedAt: Date.now(),
        ...(settled.outcome.executionId !== undefined ? { executionId: settled.outcome.executionId } : {}),
      });
      finished(settled.id);
    } else {
      const cancelled = settled.cancelled && CancellationScope.current().consideredCancelled;
      outcomes[settled.id] = { state: cancelled ? 'cancelled' : 'failed', outputs: {}, error: settled.error };
      setStatus(settled.id, { state: cancelled ? 'cancelled' : 'failed', finishedAt: Date.now(), error: settled.error });
      failure = { task: `${env.prefix}${settled.id}`, error: settled.error };
      if (cancelled) break;
    }
  }

  const cancelled = CancellationScope.current().consideredCancelled;
  if (failure || cancelled) {
    // Stop the siblings still running; activities see the cancellation through heartbeats.
    scope.cancel();
    for (const [id, p] of running) {
      const s = await p;
      outcomes[id] = s.ok ? s.outcome : { state: 'cancelled', outputs: {}, error: s.error };
      setStatus(id, { state: outcomes[id].state, finishedAt: Date.now() });
    }
    for (const id of pending) {
      outcomes[id] = { state: 'cancelled', outputs: {} };
      setStatus(id, { state: 'cancelled' });
    }
  }
  return { outcomes, ...(failure ? { failure } : {}), cancelled };
}

type Settled = { id: string; ok: true; outcome: NodeOutcome } | { id: string; ok: false; error: string; cancelled: boolean };

/** Why a node must be skipped: its condition is false, or what it needs was skipped. */
function whySkip(node: NodeSpec, deps: string[], outcomes: Record<string, NodeOutcome>, env: ScopeEnv): string | undefined {
  if (deps.length > 0 && deps.every((d) => outcomes[d]?.state === 'skipped')) return 'everything it depends on was skipped';
  const lookup = (b: Binding): Resolved => resolveBinding(b, outcomes, env);
  if (isLoopNode(node)) {
    if (lookup(node.loop.items) === SKIP) return `its items come from a skipped task`;
  } else {
    for (const [port, b] of Object.entries(node.inputs)) {
      if (lookup(b) === SKIP && !node.exitHandler) return `input "${port}" comes from a skipped task`;
    }
  }
  if (node.when) {
    let skippedOperand = false;
    const value = evaluateExpr(node.when, (o: Operand) => {
      const v = lookup(o);
      if (v === SKIP) {
        skippedOperand = true;
        return undefined;
      }
      return v?.kind === 'parameter' ? v.value : undefined;
    });
    if (skippedOperand) return 'its condition reads a skipped task';
    if (!value) return 'its condition is false';
  }
  return undefined;
}

function skipRecord(ctx: RunContext, env: ScopeEnv, id: string, node: TaskSpec, reason: string): RecordedExecution {
  const comp = ctx.components[node.component];
  return {
    taskId: `${env.prefix}${id}`,
    componentName: comp?.name ?? node.component,
    componentDigest: comp?.impl.digest ?? '',
    status: 'skipped',
    error: reason,
  };
}

/** A binding's value in this scope; SKIP when its source was skipped; undefined when unset. */
export function resolveBinding(b: Binding, outcomes: Record<string, NodeOutcome>, env: ScopeEnv): Resolved {
  if ('const' in b) return { kind: 'parameter', value: b.const };
  if ('pipelineInput' in b) return env.inputs[b.pipelineInput];
  if ('runStatus' in b) return env.runStatus ? { kind: 'parameter', value: env.runStatus[b.runStatus] } : undefined;
  if ('loopItem' in b) {
    const item = env.items[b.loopItem];
    if (b.field === undefined) return { kind: 'parameter', value: item ?? null };
    const obj = item !== null && typeof item === 'object' && !Array.isArray(item) ? item : {};
    const v = obj[b.field];
    return v === undefined ? undefined : { kind: 'parameter', value: v };
  }
  if ('task' in b || 'collect' in b) {
    const id = 'task' in b ? b.task : b.collect.loop;
    const port = 'task' in b ? b.output : b.collect.output;
    const o = outcomes[id] ?? env.outer[id];
    if (!o || o.state === 'skipped') return SKIP;
    return o.outputs[port];
  }
  for (const option of b.oneOf) {
    const v = resolveBinding(option, outcomes, env);
    if (v !== SKIP && v !== undefined) return v;
  }
  return SKIP;
}

function startNode(
  ctx: RunContext,
  id: string,
  node: NodeSpec,
  env: ScopeEnv,
  outcomes: Record<string, NodeOutcome>,
  status: Record<string, TaskStatus>,
): Promise<NodeOutcome> {
  if (isLoopNode(node)) {
    return ctx.runLoop(ctx, id, node, env, outcomes, (items) => {
      status[id] = { ...(status[id] ?? { state: 'running' }), items };
    });
  }
  const component = ctx.components[node.component] as ComponentSpec; // validated
  const inputs: Record<string, PortValue> = {};
  for (const [port, portSpec] of Object.entries(component.inputs)) {
    const binding = node.inputs[port];
    const value = binding ? resolveBinding(binding, outcomes, env) : undefined;
    if (value !== undefined && value !== SKIP) inputs[port] = value;
    else if (portSpec.kind === 'parameter' && portSpec.default !== undefined) inputs[port] = { kind: 'parameter', value: portSpec.default };
  }
  const taskPath = `${env.prefix}${id}`;
  // A tuning study (p.tune): its own child workflow (study.ts). Only IRs with a study reach here.
  if (node.tune) return runStudy(ctx, taskPath, component, { ...node, tune: node.tune }, inputs);
  switch (component.impl.kind) {
    case 'approval':
      return waitForApproval(ctx, taskPath, component, inputs, (patch) => {
        status[id] = { ...(status[id] ?? { state: 'running' }), ...patch };
      });
    case 'pipeline':
      return runNested(ctx, taskPath, component, inputs);
    case 'function':
    case 'command': {
      const reuse = env.prefix === '' ? ctx.reuse?.[id] : undefined;
      // Readers compare it with the queue's pollers to tell "waiting for a gpu worker" (query only: no command, replay-safe).
      // A local step runs on the control worker, so that is the queue whose pollers matter.
      const queue = isLocal(component, node) ? ctx.taskQueuePrefix : taskQueueFor(ctx.taskQueuePrefix, { resources: { ...component.resources, ...node.resources } });
      if (!reuse) status[id] = { ...(status[id] ?? { state: 'running' }), taskQueue: queue };
      return runTask(ctx, taskPath, component, node, inputs, reuse);
    }
  }
}

export async function runTask(
  ctx: RunContext,
  taskPath: string,
  component: ComponentSpec,
  task: TaskSpec,
  inputs: Record<string, PortValue>,
  reuse: ExecuteTaskResult | undefined,
): Promise<NodeOutcome> {
  if (reuse) {
    // A retried run: record the old result as this run's (status cached, linked to the original).
    const outputParams: Record<string, Json> = {};
    for (const [k, v] of Object.entries(reuse.outputs)) if (v.kind === 'parameter') outputParams[k] = v.value;
    await bookkeeping(ctx.taskQueuePrefix).recordExecutions({
      runId: ctx.runId,
      executions: [
        {
          taskId: taskPath,
          componentName: component.name,
          componentDigest: component.impl.digest,
          status: 'cached',
          params: paramValues(inputs),
          outputParams,
          cachedFrom: reuse.cachedFrom ?? reuse.executionId,
        },
      ],
    });
    return { state: 'cached', outputs: reuse.outputs };
  }
  const cache: CachePolicy = { enabled: ctx.cache && (task.cache?.enabled ?? component.cache?.enabled ?? true) };
  const maxAgeMs = task.cache?.maxAgeMs ?? component.cache?.maxAgeMs;
  if (maxAgeMs !== undefined) cache.maxAgeMs = maxAgeMs;
  const taskInput = { runId: ctx.runId, taskId: taskPath, component, inputs, cache };
  if (isLocal(component, task) && patched(LOCAL_STEPS_PATCH)) {
    // No task-queue round trip: the workflow's worker runs the attempt and the result is recorded
    // as a marker with the workflow task. executeTask makes a re-run after a lost workflow task
    // return the recorded result instead of running the component again.
    const result = await proxyLocalActivities<TaskActivities>(localActivityOptions(component, task)).executeTask(taskInput);
    return { state: result.cachedFrom ? 'cached' : 'succeeded', outputs: result.outputs, executionId: result.executionId };
  }
  const options = activityOptions(component, task, ctx.taskQueuePrefix);
  const activities = proxyActivities<TaskActivities>(options);
  let result: ExecuteTaskResult;
  try {
    result = await activities.executeTask(taskInput);
  } catch (err) {
    // Only tasks with timeout.queueMs can time out before starting, so older histories never get here.
    const queueMs = task.timeout?.queueMs ?? component.timeout?.queueMs;
    if (!(err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === 'SCHEDULE_TO_START') || queueMs === undefined) throw err;
    // The limit applies to each attempt: this attempt timed out in the queue, but earlier ones may
    // have run (and failed) on a worker. Temporal does not tell the workflow which attempt it was;
    // the execution row does, as workers write it when an attempt starts.
    const firstError = noWorkerPickedUpError(options.taskQueue ?? '?', queueMs, null);
    // Attempt 1 never reached a worker, so no execution row exists: this records one for `runs show`.
    // After a retry the earlier attempt's row exists and is finished (or abandoned by a dead worker);
    // a finished row is left as it is, with that attempt's error, and only the run gets this one.
    const recorded = await bookkeeping(ctx.taskQueuePrefix).recordExecutions({
      runId: ctx.runId,
      executions: [{ taskId: taskPath, componentName: component.name, componentDigest: component.impl.digest, status: 'failed', params: paramValues(inputs), error: firstError }],
    });
    // Histories from before recordExecutions returned anything replay with `undefined`: attempt 1's wording.
    const prior = recorded?.find((r) => r.taskId === taskPath)?.priorAttempt ?? null;
    throw ApplicationFailure.nonRetryable(prior === null ? firstError : noWorkerPickedUpError(options.taskQueue ?? '?', queueMs, prior), 'NoWorkerPickedUp');
  }
  return {
    state: result.cachedFrom ? 'cached' : 'succeeded',
    outputs: result.outputs,
    executionId: result.executionId,
  };
}

function paramValues(inputs: Record<string, PortValue>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(inputs)) if (v.kind === 'parameter') out[k] = v.value;
  return out;
}

/** Waits (durably) for an approve/reject decision for this gate; a deadline fails it. */
async function waitForApproval(
  ctx: RunContext,
  taskPath: string,
  component: ComponentSpec,
  inputs: Record<string, PortValue>,
  update: (patch: Partial<TaskStatus>) => void,
): Promise<NodeOutcome> {
  const approvals = ctx.approvals;
  if (!approvals) throw ApplicationFailure.nonRetryable(`task "${taskPath}": approval gates only run in the top-level pipeline`, 'BadApproval');
  const message = inputs.message?.kind === 'parameter' && typeof inputs.message.value === 'string' ? inputs.message.value : undefined;
  const deadlineText = inputs.deadline?.kind === 'parameter' && typeof inputs.deadline.value === 'string' ? inputs.deadline.value : undefined;
  let deadlineMs: number | undefined;
  if (deadlineText !== undefined) {
    try {
      deadlineMs = toMs(deadlineText as Parameters<typeof toMs>[0], `task "${taskPath}": deadline`);
    } catch (e) {
      throw ApplicationFailure.nonRetryable((e as Error).message, 'BadApproval');
    }
  }
  const record = async (patch: Omit<RecordedExecution, 'taskId' | 'componentName' | 'componentDigest'>): Promise<void> => {
    await bookkeeping(ctx.taskQueuePrefix).recordExecutions({
      runId: ctx.runId,
      executions: [{ taskId: taskPath, componentName: component.name, componentDigest: component.impl.digest, params: paramValues(inputs), ...patch }],
    });
  };
  await record({ status: 'waiting' });
  update({
    state: 'waiting',
    approval: { ...(message !== undefined ? { message } : {}), ...(deadlineMs !== undefined ? { deadline: Date.now() + deadlineMs } : {}) },
  });
  const decided = deadlineMs === undefined ? (await condition(() => approvals.has(taskPath)), true) : await condition(() => approvals.has(taskPath), deadlineMs);
  const decision = approvals.get(taskPath);
  if (!decided || !decision) {
    const error = `no approval decision within ${deadlineText ?? ''}`;
    await record({ status: 'failed', error });
    throw ApplicationFailure.nonRetryable(error, 'ApprovalTimedOut');
  }
  const outputParams = { approved: decision.approved, comment: decision.comment ?? '', by: decision.by ?? 'unknown' };
  if (!decision.approved) {
    const error = `rejected by ${outputParams.by}${outputParams.comment ? `: ${outputParams.comment}` : ''}`;
    await record({ status: 'failed', error, outputParams });
    throw ApplicationFailure.nonRetryable(error, 'ApprovalRejected');
  }
  await record({ status: 'succeeded', outputParams });
  return {
    state: 'succeeded',
    outputs: Object.fromEntries(Object.entries(outputParams).map(([k, v]) => [k, { kind: 'parameter', value: v }])),
  };
}

/** A study: the `tuneStudy` child workflow, addressed by run id and study path (controls find it so). */
async function runStudy(ctx: RunContext, taskPath: string, component: ComponentSpec, task: TuneStudyInput['task'], inputs: Record<string, PortValue>): Promise<NodeOutcome> {
  const outputs = await executeChild<(input: TuneStudyInput) => Promise<Record<string, PortValue>>>('tuneStudy', {
    workflowId: studyWorkflowId(ctx.runId, taskPath),
    taskQueue: ctx.taskQueuePrefix,
    args: [{ runId: ctx.runId, taskQueuePrefix: ctx.taskQueuePrefix, cache: ctx.cache, studyPath: taskPath, component, task, inputs }],
  });
  return { state: 'succeeded', outputs };
}

/** A nested pipeline: a child workflow whose task paths are prefixed with this task's path. */
async function runNested(ctx: RunContext, taskPath: string, component: ComponentSpec, inputs: Record<string, PortValue>): Promise<NodeOutcome> {
  if (component.impl.kind !== 'pipeline') throw new Error('not a pipeline');
  const outputs = await executeChild<(input: NestedPipelineInput) => Promise<Record<string, PortValue>>>('nestedPipeline', {
    workflowId: `${workflowInfo().workflowId}/${taskPath}`,
    taskQueue: ctx.taskQueuePrefix,
    args: [
      {
        runId: ctx.runId,
        taskQueuePrefix: ctx.taskQueuePrefix,
        cache: ctx.cache,
        spec: component.impl.spec,
        prefix: `${taskPath}/`,
        inputs,
      },
    ],
  });
  return { state: 'succeeded', outputs };
}

/** `execution: 'local'` on the task, or on its component unless the task says otherwise (validated: function components without GPUs only). */
export function isLocal(component: ComponentSpec, task: TaskSpec): boolean {
  return component.impl.kind === 'function' && (task.execution ?? component.execution) === 'local';
}

/**
 * A local step's options: the same attempt/total timeouts and retry policy as a queued task. No
 * heartbeat or queue timeout: a dead worker is noticed by the workflow task timing out, and the
 * attempt runs again on the worker that takes the workflow task over.
 */
function localActivityOptions(component: ComponentSpec, task: TaskSpec): LocalActivityOptions {
  const queued = activityOptions(component, task, '');
  return {
    ...(queued.startToCloseTimeout !== undefined ? { startToCloseTimeout: queued.startToCloseTimeout } : {}),
    ...(queued.scheduleToCloseTimeout !== undefined ? { scheduleToCloseTimeout: queued.scheduleToCloseTimeout } : {}),
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    ...(queued.retry ? { retry: queued.retry } : {}),
  };
}

/** Component options, overridden field by field by the task's. */
function activityOptions(component: ComponentSpec, task: TaskSpec, prefix: string): ActivityOptions {
  const retry = { ...component.retry, ...task.retry };
  const timeout = { ...component.timeout, ...task.timeout };
  const resources = { ...component.resources, ...task.resources };
  return {
    taskQueue: taskQueueFor(prefix, { resources }),
    startToCloseTimeout: timeout.attemptMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
    ...(timeout.totalMs !== undefined ? { scheduleToCloseTimeout: timeout.totalMs } : {}),
    heartbeatTimeout: timeout.heartbeatMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
    // Set only when asked for: activity options of existing tasks (and their histories) stay as they were.
    ...(timeout.queueMs !== undefined ? { scheduleToStartTimeout: timeout.queueMs } : {}),
    // Wait for the activity to stop (subprocesses killed) before the workflow moves on.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      maximumAttempts: retry.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      initialInterval: retry.initialIntervalMs ?? 1000,
      backoffCoefficient: retry.backoffCoefficient ?? 2,
      ...(retry.maxIntervalMs !== undefined ? { maximumInterval: retry.maxIntervalMs } : {}),
    },
  };
}

/** The component's own message, without Temporal's wrapping ("Activity task failed" …). */
export function describeFailure(err: unknown): string {
  let e: unknown = err;
  while ((e instanceof ActivityFailure || e instanceof ChildWorkflowFailure) && e.cause) e = e.cause;
  if (isCancellation(e)) return 'cancelled';
  return e instanceof Error ? e.message : String(e);
}
