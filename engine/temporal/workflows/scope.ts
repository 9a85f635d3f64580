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
  sleep,
  TimeoutFailure,
  workflowInfo,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import { toMs } from '../../../dsl/ir/duration';
import { isLoopNode, nodeDependencies, ownBindings, referencedNodes, type PipelineIndex } from '../../../dsl/ir/graph';
import { taskInputs, whySkip, type NodeOutcome, type ScopeEnv } from './bindings';
import { Completions } from './completions';
import { ReadyQueue } from './readyQueue';
import type { ComponentSpec, LoopNodeSpec, NodeSpec, TaskSpec } from '../../../dsl/ir/schema';
import {
  noWorkerPickedUpError,
  taskQueueFor,
  type ApprovalDecision,
  type CachePolicy,
  type ExecuteTaskResult,
  type Json,
  type LightChainStep,
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
/**
 * Patch (issue 17): a chain of light steps of one scope (each step after the first reading only
 * its predecessor among the scope's nodes, and its predecessor read by it alone) runs as ONE local
 * activity, `executeLightChain`, each step still with its own execution row. Taken only where
 * such a chain exists, which no history recorded before it has.
 */
export const LIGHT_CHAIN_PATCH = 'light-chain-fusion';
/**
 * Steps in one fused local activity. A chain that fills it ends its workflow task (a 1 ms timer)
 * before the next part starts, so a long top-level light chain does not run as one workflow task,
 * and a lost task takes at most this many steps' results with it (executeTask answers those from
 * their rows on the re-run, without running them again).
 */
export const LIGHT_CHAIN_MAX_STEPS = 50;

export { resolveBinding, type FinalState, type NodeOutcome, type ScopeEnv } from './bindings';

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

export interface ScopeResult {
  outcomes: Record<string, NodeOutcome>;
  failure?: { task: string; error: string };
  cancelled: boolean;
}

/**
 * Patch: the control queue's bookkeeping activities (the run's, the loops', the studies': short
 * store writes that never heartbeat) time out after 30 s instead of a minute. Temporal notices a
 * control worker killed mid-write only at that timeout, so a run or study stalled for a minute
 * (seen in the durability tests); a live write takes well under a second.
 */
export const BOOKKEEPING_TIMEOUT_PATCH = 'bookkeeping-timeout-30s';

/** The timeout and retries of the control queue's bookkeeping activities. */
export function bookkeepingOptions(prefix: string): ActivityOptions {
  return {
    taskQueue: prefix,
    startToCloseTimeout: patched(BOOKKEEPING_TIMEOUT_PATCH) ? '30 seconds' : '1 minute',
    retry: { maximumAttempts: 10, initialInterval: '1 second' },
  };
}

export function bookkeeping(prefix: string): RunActivities {
  return proxyActivities<RunActivities>(bookkeepingOptions(prefix));
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
  const succeeded = (id: string, outcome: NodeOutcome): void => {
    pending.delete(id);
    outcomes[id] = outcome;
    setStatus(id, {
      state: outcome.state,
      finishedAt: Date.now(),
      ...(outcome.executionId !== undefined ? { executionId: outcome.executionId } : {}),
    });
    finished(id);
  };
  // A light step a fused chain may hold: a plain function task run locally, with no timeout of
  // its own (one local activity has one timeout) and no result to reuse from a retried run.
  const fusable = (id: string): boolean => {
    const node = nodes[id];
    return node !== undefined && fusableTask(ctx, node) && !(env.prefix === '' && ctx.reuse?.[id]);
  };
  // The chain from a ready light step: while the last step's one dependent in this scope reads
  // only it and is light too (so the chain's steps run in order, nothing else waits between them).
  // `continues`: the chain stopped at the cap, and the next step would have joined it.
  const lightChainFrom = (head: string): { chain: string[]; continues: boolean } => {
    const chain = [head];
    for (let at = head; ; ) {
      const next = dependents.get(at);
      if (next?.length !== 1) break;
      const n = next[0] as string;
      if (deps.get(n)?.length !== 1 || !pending.has(n) || !fusable(n)) break;
      if (chain.length === LIGHT_CHAIN_MAX_STEPS) return { chain, continues: true };
      chain.push(n);
      at = n;
    }
    return { chain, continues: false };
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
      // A step already run by a fused light chain became ready behind its predecessor: nothing to start.
      if (!pending.has(id)) continue;
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
      const { chain, continues } = fusable(id) ? lightChainFrom(id) : { chain: [id], continues: false };
      if (chain.length > 1 && patched(LIGHT_CHAIN_PATCH)) {
        setStatus(id, { state: 'running', startedAt: Date.now(), taskQueue: ctx.taskQueuePrefix });
        const settling = scope.run(() => runLightChain(ctx, chain, continues, nodes, env, outcomes)).then(
          (r): Settled => {
            const [first, ...more] = r.done;
            if (r.failed) return { id, ok: false, error: r.failed.error, cancelled: r.failed.cancelled, failedTask: r.failed.id, more: r.done };
            return { id, ok: true, outcome: (first as [string, NodeOutcome])[1], more };
          },
          (err: unknown): Settled => ({ id, ok: false, error: describeFailure(err), cancelled: isCancellation(err) }),
        );
        running.set(id, settling);
        completions.add(settling);
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
      succeeded(settled.id, settled.outcome);
      // The rest of a fused chain, in order: each one's predecessor is final before it.
      for (const [id, outcome] of settled.more ?? []) succeeded(id, outcome);
    } else {
      // A fused chain that failed part-way: the steps before the failed one succeeded.
      for (const [id, outcome] of settled.more ?? []) succeeded(id, outcome);
      const failed = settled.failedTask ?? settled.id;
      pending.delete(failed);
      const cancelled = settled.cancelled && CancellationScope.current().consideredCancelled;
      outcomes[failed] = { state: cancelled ? 'cancelled' : 'failed', outputs: {}, error: settled.error };
      setStatus(failed, { state: cancelled ? 'cancelled' : 'failed', finishedAt: Date.now(), error: settled.error });
      failure = { task: `${env.prefix}${failed}`, error: settled.error };
      if (cancelled) break;
    }
  }

  const cancelled = CancellationScope.current().consideredCancelled;
  if (failure || cancelled) {
    // Stop the siblings still running; activities see the cancellation through heartbeats.
    scope.cancel();
    for (const [id, p] of running) {
      const s = await p;
      for (const [done, outcome] of s.more ?? []) {
        pending.delete(done);
        outcomes[done] = outcome;
        setStatus(done, { state: outcome.state, finishedAt: Date.now() });
      }
      const last = s.ok ? id : (s.failedTask ?? id);
      pending.delete(last);
      outcomes[last] = s.ok ? s.outcome : { state: 'cancelled', outputs: {}, error: s.error };
      setStatus(last, { state: outcomes[last].state, finishedAt: Date.now() });
    }
    for (const id of pending) {
      outcomes[id] = { state: 'cancelled', outputs: {} };
      setStatus(id, { state: 'cancelled' });
    }
  }
  return { outcomes, ...(failure ? { failure } : {}), cancelled };
}

/** A plain function task run locally with no timeout of its own: a step a fused chain (or a light-item group) may hold. */
export function fusableTask(ctx: RunContext, node: NodeSpec): node is TaskSpec {
  if (isLoopNode(node) || node.tune || node.exitHandler) return false;
  const component = ctx.components[node.component];
  if (!component || !isLocal(component, node)) return false;
  const timeout = { ...component.timeout, ...node.timeout };
  return timeout.attemptMs === undefined && timeout.totalMs === undefined;
}

/** Attempts a task's retry policy allows (0: no limit). */
export function maxAttempts(component: ComponentSpec, task: TaskSpec): number {
  return activityOptions(component, task, '').retry?.maximumAttempts ?? DEFAULT_MAX_ATTEMPTS;
}

/**
 * A started node's end. For a fused light chain, `id` is its first step; `more` are the steps
 * after `id` that succeeded (ok) or those before `failedTask` that did (not ok), in order.
 */
type Settled =
  | { id: string; ok: true; outcome: NodeOutcome; more?: [string, NodeOutcome][] }
  | { id: string; ok: false; error: string; cancelled: boolean; failedTask?: string; more?: [string, NodeOutcome][] };

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
  const inputs = taskInputs(component, node, outcomes, env);
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
  /** Attempts a fused light chain already made (its step failed there): fewer are left. */
  attemptsUsed = 0,
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
  const taskInput = { runId: ctx.runId, taskId: taskPath, component, inputs, cache: cachePolicy(ctx, component, task) };
  if (isLocal(component, task) && patched(LOCAL_STEPS_PATCH)) {
    // No task-queue round trip: the workflow's worker runs the attempt and the result is recorded
    // as a marker with the workflow task. executeTask makes a re-run after a lost workflow task
    // return the recorded result instead of running the component again.
    const result = await proxyLocalActivities<TaskActivities>(localActivityOptions(component, task, attemptsUsed)).executeTask(taskInput);
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

/**
 * runTask for a queued task that cannot time out in its queue (no `timeout.queueMs`, so runTask's
 * only special error never comes), as a plain promise chain: the same command and outcome without
 * runTask's async frames, each of which costs the SDK's stack-trace hook a promise (loop.ts,
 * SINGLE_TASK_ITEMS_PATCH only). undefined: the task needs runTask.
 */
export function startQueuedTask(
  ctx: RunContext,
  taskPath: string,
  component: ComponentSpec,
  task: TaskSpec,
  inputs: Record<string, PortValue>,
): Promise<NodeOutcome> | undefined {
  if (isLocal(component, task) || (task.timeout?.queueMs ?? component.timeout?.queueMs) !== undefined) return undefined;
  const taskInput = { runId: ctx.runId, taskId: taskPath, component, inputs, cache: cachePolicy(ctx, component, task) };
  return proxyActivities<TaskActivities>(activityOptions(component, task, ctx.taskQueuePrefix))
    .executeTask(taskInput)
    .then((result): NodeOutcome => ({ state: result.cachedFrom ? 'cached' : 'succeeded', outputs: result.outputs, executionId: result.executionId }));
}

export function cachePolicy(ctx: RunContext, component: ComponentSpec, task: TaskSpec): CachePolicy {
  const cache: CachePolicy = { enabled: ctx.cache && (task.cache?.enabled ?? component.cache?.enabled ?? true) };
  const maxAgeMs = task.cache?.maxAgeMs ?? component.cache?.maxAgeMs;
  if (maxAgeMs !== undefined) cache.maxAgeMs = maxAgeMs;
  return cache;
}

interface LightChainOutcome {
  /** The steps that succeeded (or were cache hits), in order. */
  done: [string, NodeOutcome][];
  /** The step after them, when it failed (for good) or was cancelled. */
  failed?: { id: string; error: string; cancelled: boolean };
}

/**
 * A fused chain of light steps (LIGHT_CHAIN_PATCH): one `executeLightChain` local activity runs
 * them in order. Where it stops early, the step it stopped at is the workflow's again: a step to
 * skip is left pending (the scope skips it as any step); a failed attempt is retried here as an
 * ordinary light step with the attempts its retry policy has left, or fails the chain at once when
 * its error is not retryable or no attempt is left. The steps after it run as the scope finds them
 * ready (perhaps as a new chain).
 */
async function runLightChain(
  ctx: RunContext,
  chain: string[],
  /** The chain was cut at LIGHT_CHAIN_MAX_STEPS and its next part follows. */
  continues: boolean,
  nodes: Record<string, NodeSpec>,
  env: ScopeEnv,
  outcomes: Record<string, NodeOutcome>,
): Promise<LightChainOutcome> {
  const steps: LightChainStep[] = chain.map((id) => {
    const task = nodes[id] as TaskSpec;
    const component = ctx.components[task.component] as ComponentSpec;
    return { id, task, component, cache: cachePolicy(ctx, component, task) };
  });
  // Only the outcomes the steps read from outside the chain travel with the activity.
  const outer: Record<string, NodeOutcome> = {};
  const inChain = new Set(chain);
  for (const step of steps) {
    for (const ref of ownBindings(step.task).flatMap(referencedNodes)) {
      const o = inChain.has(ref) ? undefined : (outcomes[ref] ?? env.outer[ref]);
      if (o) outer[ref] = o;
    }
  }
  const result = await proxyLocalActivities<TaskActivities>({
    // Each step may take the default attempt time (fused steps have no timeout of their own).
    startToCloseTimeout: DEFAULT_ATTEMPT_TIMEOUT_MS * steps.length,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    // A step's failure comes back as a result; its retries are its own (below).
    retry: { maximumAttempts: 1 },
  }).executeLightChain({ runId: ctx.runId, steps, env: { ...env, outer } });
  const done = result.done.map((r, i): [string, NodeOutcome] => [
    chain[i] as string,
    { state: r.cachedFrom ? 'cached' : 'succeeded', outputs: r.outputs, executionId: r.executionId },
  ]);
  const stop = result.stop;
  if (stop?.reason === 'failed') {
    const step = steps[done.length] as LightChainStep;
    if (stop.nonRetryable || maxAttempts(step.component, step.task) <= 1) return { done, failed: { id: step.id, error: stop.error, cancelled: false } };
    const inputs = taskInputs(step.component, step.task, { ...outcomes, ...Object.fromEntries(done) }, env);
    try {
      done.push([step.id, await runTask(ctx, `${env.prefix}${step.id}`, step.component, step.task, inputs, undefined, 1)]);
    } catch (err) {
      return { done, failed: { id: step.id, error: describeFailure(err), cancelled: isCancellation(err) } };
    }
  } else if (!stop && continues) {
    // A chain cut at the cap ends its workflow task here, with its marker, before the next part starts.
    await CancellationScope.nonCancellable(() => sleep(1));
  }
  return { done };
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
function localActivityOptions(component: ComponentSpec, task: TaskSpec, attemptsUsed = 0): LocalActivityOptions {
  const queued = activityOptions(component, task, '');
  const retry = queued.retry && attemptsUsed > 0 ? { ...queued.retry, maximumAttempts: (queued.retry.maximumAttempts ?? DEFAULT_MAX_ATTEMPTS) - attemptsUsed } : queued.retry;
  return {
    ...(queued.startToCloseTimeout !== undefined ? { startToCloseTimeout: queued.startToCloseTimeout } : {}),
    ...(queued.scheduleToCloseTimeout !== undefined ? { scheduleToCloseTimeout: queued.scheduleToCloseTimeout } : {}),
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    ...(retry ? { retry } : {}),
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
