/**
 * Loops. A loop node splits its items into batches, each run by a `loopBatch` child workflow, so
 * no workflow history grows with the number of items (Temporal limits a history to 50k events and
 * a workflow to 2,000 pending activities or children). At most `parallelism` items run at once
 * across all batches. Each batch records its items' outcomes in the metadata store and returns
 * counts only: `collect()` hands downstream tasks a reference that their activity resolves.
 */
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { deepBindings, indexNodes, isLoopNode, nodeDependencies, referencedNodes, type PipelineIndex } from '../../../dsl/ir/graph';
import type { Binding, ComponentSpec, LoopNodeSpec, NodeSpec, TaskSpec } from '../../../dsl/ir/schema';
import { taskOutputPort } from '../../../dsl/ir/tuneSpec';
import { taskInputs, whySkip } from './bindings';
import { Completions } from './completions';
import {
  bookkeeping,
  cachePolicy,
  describeFailure,
  fusableTask,
  isLocal,
  maxAttempts,
  resolveBinding,
  runScope,
  runTask,
  startQueuedTask,
  type NodeOutcome,
  type RunContext,
  type ScopeEnv,
} from './scope';
import type { CollectionValue, Json, LightChainResult, LightChainStep, LightItemsResult, LoopItemOutcome, PortValue, TaskActivities, TaskStatus } from './types';

/** Tasks one batch workflow may run in all: keeps its history to a few thousand events. */
const MAX_TASKS_PER_BATCH = 500;
/** Default bound on items running at once when the loop sets no parallelism. */
const DEFAULT_PARALLELISM = 1000;
/** Batches running at once: bounds the pending activities in the whole run. */
const MAX_ACTIVE_BATCHES = 8;
/**
 * Items in flight per batch. Beyond ~50 completions can pile up faster than one workflow task
 * handles them, and the server force-closes a workflow task with 100+ events queued behind it.
 */
const MAX_ITEMS_IN_FLIGHT_PER_BATCH = 50;
/**
 * Light steps (local activities) one workflow task of a batch may run. The SDK keeps a workflow
 * task open while any local activity is outstanding, so a batch that keeps starting light items
 * ran all of them in one task, recorded only when it completed (or heartbeat, at 80% of its 10 s
 * timeout). A starved worker then missed the deadline, the task timed out, and every item since
 * the last heartbeat ran again, each run slower: 17 s to 108 s for 1,000 items at load 20. Small,
 * because up to 8 batches share one control worker's CPU and its 100 local-activity slots: at 100
 * per task, a 10,000-item loop at load 15 still saw its batches' tasks time out 3 to 7 times over.
 */
export const LOCAL_STEPS_PER_WORKFLOW_TASK = 20;
/** Patch (issue 17): batches of light items end their workflow task every LOCAL_STEPS_PER_WORKFLOW_TASK steps. */
export const LOCAL_BATCH_TASK_CAP_PATCH = 'local-batch-task-cap';
/**
 * Patch (issue 17): a batch whose body is one light chain (a single light step, as in a fan-out,
 * or light steps each reading only the one before) runs its items in groups, each group ONE
 * `executeLightItems` regular activity on the control queue (activities/lightItems.ts).
 */
export const LIGHT_ITEM_GROUPS_PATCH = 'light-item-groups';
/**
 * Items per group: one dispatch, one activity slot and 6 history events (with the workflow task
 * its result wakes) for this many items instead of a local-activity marker each. These constants
 * decide the commands a batch issues: change them only behind a new patch.
 */
export const LIGHT_ITEMS_PER_GROUP = 25;
/** Every item's steps may take the default attempt time; a dead worker is noticed by the heartbeat timeout, not this. */
const LIGHT_GROUP_TIMEOUT_MS = 60 * 60 * 1000;
/** executeTask beats every third of it, and the group after each item. */
const LIGHT_GROUP_HEARTBEAT_MS = 15 * 1000;
/** Patch: a loop output that is a study's own output (collect(study.outputs.bestValue)) reaches the loop's readers. */
const LOOP_STUDY_OUTPUTS_PATCH = 'loop-study-outputs';
/**
 * Patch: a batch gets only the pipeline inputs its body reads. With all of them, a 100,000-item
 * list input (~600 KB) went into each batch's start command, and the workflow task that starts 8
 * batches passed gRPC's 4 MB message limit, failing again on every retry: the loop never started.
 */
const BATCH_READ_INPUTS_PATCH = 'loop-batch-read-inputs';
/**
 * History events after which a batch stops starting items, lets those in flight finish, records
 * its items and continues as new with the rest (patch loop-batch-continue-as-new). A workflow task
 * that times out (a worker stalled past the 10 s workflow task timeout) loses the sticky cache, and
 * its retry replays the batch's whole history: at 500 items (~1,700 events) that replay took 42-47 s
 * on a starved worker, timed out again, and a 100,000-item loop saw 36 such timeouts, one batch
 * task reaching its 8th attempt. A run of ~400 events (~100 one-task items; each item adds its
 * scheduled/started/completed events, and the items in flight when the threshold is reached add up
 * to 3 × 50 more) replays in a quarter of the time. Items per batch (MAX_TASKS_PER_BATCH) stay as
 * they were, so the run workflow starts no more children than before.
 */
export const BATCH_RUN_EVENTS = 400;
/** Patch (issue 17): a batch continues as new every BATCH_RUN_EVENTS history events. */
export const BATCH_CONTINUE_AS_NEW_PATCH = 'loop-batch-continue-as-new';
/**
 * Patch (issue 17): an item whose body is one queued task (a fan-out of function or command
 * steps) runs it without runScope (scope.ts startQueuedTask; runTask for a task with a queue timeout). Every promise made in workflow
 * code costs the SDK a stack trace (the promise hook behind its stack-trace query: ~0.05-0.1 ms
 * each), and runScope's scheduler (its own cancellation scope, completion queue, ready queue and
 * awaits) made about half of a queued item's promises; the workflow thread was the larger half of
 * a queued item's CPU (bench/queuedProfile.ts). The same commands per item, but the item's result
 * reaches the batch in fewer microtask turns, which can reorder it against other results or a
 * cancellation within one activation: hence the patch.
 */
export const SINGLE_TASK_ITEMS_PATCH = 'loop-single-task-items';

export interface LoopBatchInput {
  runId: string;
  taskQueuePrefix: string;
  cache: boolean;
  components: Record<string, ComponentSpec>;
  loopId: string;
  /** Path of the loop in the run ("sweep", "outer[2]/inner"): item i runs under "<loopPath>[i]/". */
  loopPath: string;
  body: Record<string, NodeSpec>;
  outputs: LoopNodeSpec['loop']['outputs'];
  items: { index: number; value: Json }[];
  concurrency: number;
  /** Stop at the first failed item (the loop needs every item to succeed). */
  failFast: boolean;
  env: Pick<ScopeEnv, 'inputs' | 'items' | 'outer'>;
  /** Set when the batch continued as new: what its earlier runs did (their items are recorded). */
  earlier?: { items: number; succeeded: number; firstError?: LoopBatchResult['firstError'] };
}

export interface LoopBatchResult {
  total: number;
  succeeded: number;
  failed: number;
  firstError?: { index: number; task: string; error: string };
}

/** Counts of a loop's items as batches report them. */
export type ItemCounts = NonNullable<TaskStatus['items']>;

export async function runLoop(
  ctx: RunContext,
  id: string,
  node: LoopNodeSpec,
  env: ScopeEnv,
  outcomes: Record<string, NodeOutcome>,
  report: (counts: ItemCounts) => void,
): Promise<NodeOutcome> {
  const loop = node.loop;
  const loopPath = `${env.prefix}${id}`;
  const itemsValue = resolveBinding(loop.items, outcomes, env);
  const items = typeof itemsValue === 'object' && itemsValue.kind === 'parameter' ? itemsValue.value : undefined;
  if (!Array.isArray(items)) {
    throw ApplicationFailure.nonRetryable(
      `loop "${loopPath}": items must be a list, got ${items === undefined ? 'nothing' : JSON.stringify(items).slice(0, 80)}`,
      'LoopItemsNotAList',
    );
  }
  const outputs = collectionOutputs(ctx, loopPath, node);
  const counts: ItemCounts = { total: items.length, succeeded: 0, failed: 0, done: 0 };
  report(counts);
  if (items.length === 0) return { state: 'succeeded', outputs };

  // A nested loop counts as one task here: its own items run in batches of their own.
  const bodySize = Math.max(1, Object.keys(loop.tasks).length);
  const batchSize = Math.max(1, Math.floor(MAX_TASKS_PER_BATCH / bodySize));
  const parallelism = Math.min(loop.parallelism ?? DEFAULT_PARALLELISM, items.length);
  const perBatch = Math.min(parallelism, batchSize, MAX_ITEMS_IN_FLIGHT_PER_BATCH);
  const activeBatches = Math.max(1, Math.min(MAX_ACTIVE_BATCHES, Math.ceil(parallelism / perBatch)));
  // Never more than `parallelism` items at once across the active batches.
  const concurrency = Math.max(1, Math.min(perBatch, Math.floor(parallelism / activeBatches)));
  const failFast = (loop.minSuccessRatio ?? 1) >= 1;

  // Only the outer values the body reads travel into the batches.
  const outer: Record<string, NodeOutcome> = { ...env.outer, ...outcomes };
  const inputs = patched(BATCH_READ_INPUTS_PATCH) ? pickInputs(env.inputs, loop.tasks) : env.inputs;
  const batchEnv = { inputs, items: env.items, outer: pickOuter(outer, loop.tasks) };
  const batches: LoopBatchInput['items'][] = [];
  for (let i = 0; i < items.length; i += batchSize) {
    batches.push(items.slice(i, i + batchSize).map((value, k) => ({ index: i + k, value: value })));
  }

  const scope = new CancellationScope();
  type BatchSettled = { n: number; result?: LoopBatchResult; error?: unknown };
  const running = new Map<number, Promise<BatchSettled>>();
  const batchDone = new Completions<BatchSettled>();
  let next = 0;
  let firstError: LoopBatchResult['firstError'];
  let stop = false;
  while (!stop && (next < batches.length || running.size > 0)) {
    while (running.size < activeBatches && next < batches.length) {
      const n = next++;
      const batchItems = batches[n] ?? [];
      const first = batchItems[0]?.index ?? 0;
      const last = batchItems[batchItems.length - 1]?.index ?? 0;
      const input: LoopBatchInput = {
        runId: ctx.runId,
        taskQueuePrefix: ctx.taskQueuePrefix,
        cache: ctx.cache,
        components: ctx.components,
        loopId: id,
        loopPath,
        body: loop.tasks,
        outputs: loop.outputs,
        items: batchItems,
        concurrency,
        failFast,
        env: batchEnv,
      };
      const settling = scope
        .run(() =>
          executeChild<typeof loopBatch>('loopBatch', {
            workflowId: `${workflowInfo().workflowId}/${loopPath}[${first}-${last}]`,
            taskQueue: ctx.taskQueuePrefix,
            args: [input],
          }),
        )
        .then((result): BatchSettled => ({ n, result }), (error: unknown): BatchSettled => ({ n, error }));
      running.set(n, settling);
      batchDone.add(settling);
    }
    const settled = await batchDone.next();
    running.delete(settled.n);
    if (settled.error !== undefined) {
      if (isCancellation(settled.error) && CancellationScope.current().consideredCancelled) throw settled.error as Error;
      firstError ??= { index: batches[settled.n]?.[0]?.index ?? 0, task: loopPath, error: describeFailure(settled.error) };
      counts.failed += batches[settled.n]?.length ?? 0;
      stop = failFast;
    } else if (settled.result) {
      counts.succeeded += settled.result.succeeded;
      counts.failed += settled.result.failed;
      firstError ??= settled.result.firstError;
      if (failFast && settled.result.failed > 0) stop = true;
    }
    counts.done = counts.succeeded + counts.failed;
    report({ ...counts });
  }
  if (stop) {
    scope.cancel();
    for (const p of running.values()) await p;
  }

  const ratio = counts.succeeded / items.length;
  const needed = loop.minSuccessRatio ?? 1;
  if (ratio < needed || (stop && firstError)) {
    const why = firstError ? `item ${firstError.index} failed at task "${firstError.task}": ${firstError.error}` : 'items failed';
    const summary = needed < 1 ? `${counts.succeeded} of ${items.length} items succeeded, below the required ${Math.round(needed * 100)}%; ` : '';
    throw ApplicationFailure.nonRetryable(`loop "${loopPath}": ${summary}${why}`, 'LoopFailed');
  }
  return { state: 'succeeded', outputs };
}

/** References to the loop's collected outputs (resolved by the consuming activity). */
function collectionOutputs(ctx: RunContext, loopPath: string, node: LoopNodeSpec): Record<string, PortValue> {
  const out: Record<string, PortValue> = {};
  const body = node.loop.tasks;
  for (const [name, b] of Object.entries(node.loop.outputs)) {
    const task = body[b.task];
    const comp = task && !isLoopNode(task) ? ctx.components[task.component] : undefined;
    // A study's own outputs (bestValue, trialsDataset, …) were dropped here before; the patch is
    // asked only for them, so histories of loops without studies never meet it.
    const own = comp?.outputs[b.output];
    const port = own ?? (task && !isLoopNode(task) && task.tune && comp && patched(LOOP_STUDY_OUTPUTS_PATCH) ? taskOutputPort(task, comp, b.output) : undefined);
    if (!port) continue; // validated
    const value: CollectionValue = {
      kind: 'collection',
      runId: ctx.runId,
      loop: loopPath,
      output: name,
      itemKind: port.kind,
      type: port.type,
    };
    out[name] = value;
  }
  return out;
}

/** Outcomes of outer nodes that the body reads (inputs, conditions, items, at any depth). */
function pickOuter(outer: Record<string, NodeOutcome>, body: Record<string, NodeSpec>): Record<string, NodeOutcome> {
  const out: Record<string, NodeOutcome> = {};
  for (const node of Object.values(body)) {
    for (const b of deepBindings(node)) {
      for (const id of referencedNodes(b)) {
        const o = outer[id];
        if (o) out[id] = { state: o.state, outputs: o.outputs };
      }
    }
  }
  return out;
}

/** The pipeline inputs some binding of the body reads (in a condition, an input, a nested loop's items). */
function pickInputs(inputs: ScopeEnv['inputs'], body: Record<string, NodeSpec>): ScopeEnv['inputs'] {
  const out: ScopeEnv['inputs'] = {};
  const keep = (b: Binding): void => {
    if ('pipelineInput' in b) {
      const v = inputs[b.pipelineInput];
      if (v !== undefined) out[b.pipelineInput] = v;
    } else if ('oneOf' in b) b.oneOf.forEach(keep);
  };
  for (const node of Object.values(body)) deepBindings(node).forEach(keep);
  return out;
}

/** Child workflow: runs a batch of a loop's items, at most `concurrency` at once. */
function isLocalNode(components: Record<string, ComponentSpec>, node: NodeSpec): boolean {
  const component = 'component' in node ? components[node.component] : undefined;
  return component !== undefined && isLocal(component, node as Parameters<typeof isLocal>[1]);
}

export async function loopBatch(input: LoopBatchInput): Promise<LoopBatchResult> {
  const ctx: RunContext = { runId: input.runId, taskQueuePrefix: input.taskQueuePrefix, cache: input.cache, components: input.components, runLoop };
  const index = indexNodes(input.body);
  const results: LoopItemOutcome[] = [];
  const scope = new CancellationScope();
  const running = new Map<number, Promise<LoopItemOutcome>>();
  const itemDone = new Completions<LoopItemOutcome>();
  let next = 0;
  let stop = false;
  let firstError: LoopBatchResult['firstError'];
  // Which task failed in an item, kept beside its outcome (whose `error` is the sentence shown).
  const failures = new Map<number, { task: string; error: string }>();

  const runItem = async (item: { index: number; value: Json }): Promise<LoopItemOutcome> => {
    const env: ScopeEnv = {
      prefix: `${input.loopPath}[${item.index}]/`,
      inputs: input.env.inputs,
      items: { ...input.env.items, [input.loopId]: item.value },
      outer: input.env.outer,
    };
    try {
      const r = await runScope(ctx, input.body, index, env, {});
      const outputs: LoopItemOutcome['outputs'] = {};
      for (const [name, b] of Object.entries(input.outputs)) {
        const v = r.outcomes[b.task]?.outputs[b.output];
        if (v && v.kind !== 'collection') outputs[name] = v;
      }
      if (r.failure) {
        failures.set(item.index, r.failure);
        return { index: item.index, status: r.cancelled ? 'cancelled' : 'failed', outputs, error: `task "${r.failure.task}": ${r.failure.error}` };
      }
      if (r.cancelled) return { index: item.index, status: 'cancelled', outputs };
      const allSkipped = Object.values(r.outcomes).every((o) => o.state === 'skipped');
      return { index: item.index, status: allSkipped ? 'skipped' : 'succeeded', outputs };
    } catch (e) {
      if (isCancellation(e)) return { index: item.index, status: 'cancelled', outputs: {} };
      return { index: item.index, status: 'failed', outputs: {}, error: describeFailure(e) };
    }
  };

  /**
   * runItem for a body of one queued task (SINGLE_TASK_ITEMS_PATCH): the same outcome as runScope
   * gives that body, without its scheduler, as one promise chain (no async frames: each promise in
   * workflow code costs the SDK's stack-trace hook). An item the task would be skipped in takes runItem.
   */
  const singleTaskItem =
    ({ id, node, component }: SingleTask) =>
    (item: { index: number; value: Json }): Promise<LoopItemOutcome> => {
      const env: ScopeEnv = {
        prefix: `${input.loopPath}[${item.index}]/`,
        inputs: input.env.inputs,
        items: { ...input.env.items, [input.loopId]: item.value },
        outer: input.env.outer,
      };
      const taskPath = `${env.prefix}${id}`;
      let started: Promise<NodeOutcome>;
      try {
        if (whySkip(node, [], {}, env) !== undefined) return runItem(item);
        const inputs = taskInputs(component, node, {}, env);
        started = startQueuedTask(ctx, taskPath, component, node, inputs) ?? runTask(ctx, taskPath, component, node, inputs, undefined);
      } catch (e) {
        started = Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
      return started.then(
        (outcome): LoopItemOutcome => {
          const outputs: LoopItemOutcome['outputs'] = {};
          for (const [name, b] of Object.entries(input.outputs)) {
            const v = b.task === id ? outcome.outputs[b.output] : undefined;
            if (v && v.kind !== 'collection') outputs[name] = v;
          }
          if (CancellationScope.current().consideredCancelled) return { index: item.index, status: 'cancelled', outputs };
          return { index: item.index, status: 'succeeded', outputs };
        },
        (e: unknown): LoopItemOutcome => {
          // As runScope: the task's failure is the item's, 'cancelled' once the batch is.
          const error = describeFailure(e);
          failures.set(item.index, { task: taskPath, error });
          const status = CancellationScope.current().consideredCancelled ? 'cancelled' : 'failed';
          return { index: item.index, status, outputs: {}, error: `task "${taskPath}": ${error}` };
        },
      );
    };

  const settleItem = (done: LoopItemOutcome): void => {
    results.push(done);
    if (done.status === 'failed') {
      const failure = failures.get(done.index);
      firstError ??= { index: done.index, task: failure?.task ?? input.loopPath, error: failure?.error ?? done.error ?? 'failed' };
      if (input.failFast) stop = true;
    }
  };

  // Set once the history is long (ordinary path only: a grouped batch's history stays short): no
  // more items start in this run, and it continues as new when those in flight are done.
  let draining = false;
  // A body that is one light chain runs its items in groups (LIGHT_ITEM_GROUPS_PATCH); asked only
  // for such bodies, so histories of other loops never meet the patch.
  const chain = lightBodyChain(ctx, input.body, index);
  if (chain && patched(LIGHT_ITEM_GROUPS_PATCH)) {
    const groupSize = Math.max(1, Math.min(LIGHT_ITEMS_PER_GROUP, input.concurrency));
    const groupsAtOnce = Math.max(1, Math.floor(input.concurrency / groupSize));
    const group = proxyActivities<TaskActivities>({
      taskQueue: input.taskQueuePrefix,
      startToCloseTimeout: LIGHT_GROUP_TIMEOUT_MS,
      heartbeatTimeout: LIGHT_GROUP_HEARTBEAT_MS,
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      // A failed step is an item's outcome, not the group's: these retries are for a lost worker or store.
      retry: { maximumAttempts: 3, initialInterval: 1000 },
    });
    type Event =
      | { kind: 'item'; outcome: LoopItemOutcome }
      | { kind: 'group'; items: LoopBatchInput['items']; result?: LightItemsResult; error?: unknown };
    const events = new Completions<Event>();
    let groups = 0;
    // Items whose chain stopped in their group (a step to skip, a failed attempt to retry) run again
    // the ordinary way: their finished steps answer from their rows, the rest run as in any scope.
    const again = (item: { index: number; value: Json }): void => {
      const settling = scope.run(() => runItem(item));
      running.set(item.index, settling);
      events.add(settling.then((outcome): Event => ({ kind: 'item', outcome })));
    };
    const settle = (event: Event, stopping: boolean): void => {
      if (event.kind === 'item') {
        running.delete(event.outcome.index);
        if (stopping) results.push(event.outcome);
        else settleItem(event.outcome);
        return;
      }
      groups--;
      event.items.forEach((item, k) => {
        const r = event.result?.items[k];
        const done = r ? groupedOutcome(input, chain, item.index, r) : undefined;
        if (done) {
          if (done.failure) failures.set(item.index, done.failure);
          if (stopping) results.push(done.outcome);
          else settleItem(done.outcome);
        } else if (stopping || stop || (isCancellation(event.error) && CancellationScope.current().consideredCancelled)) {
          results.push({ index: item.index, status: 'cancelled', outputs: {} });
        } else {
          // Its chain stopped, or the whole group failed (its retries spent): the item gets its own chance.
          again(item);
        }
      });
    };
    while (!stop && (next < input.items.length || running.size > 0 || groups > 0)) {
      while (groups < groupsAtOnce && next < input.items.length) {
        const items = input.items.slice(next, next + groupSize);
        next += items.length;
        groups++;
        const settling = scope.run(() =>
          group.executeLightItems({ runId: input.runId, steps: chain, env: input.env, loopId: input.loopId, loopPath: input.loopPath, items }),
        );
        events.add(settling.then((result): Event => ({ kind: 'group', items, result }), (error: unknown): Event => ({ kind: 'group', items, error })));
      }
      settle(await events.next(), false);
    }
    if (stop) {
      // Stop the groups and items still running; what they finished keeps its outcome.
      scope.cancel();
      while (groups > 0 || running.size > 0) settle(await events.next(), true);
    }
  } else {
    // A body of one queued task: each item runs it directly (SINGLE_TASK_ITEMS_PATCH); asked only
    // for such bodies, so histories of other loops never meet the patch.
    const single = singleQueuedTask(ctx, input.body);
    const start = single && patched(SINGLE_TASK_ITEMS_PATCH) ? singleTaskItem(single) : runItem;
    // Items a workflow task may start: all of them, unless the body has light steps (nested loops and
    // pipelines run in child workflows of their own and do not count).
    const localPerItem = Object.values(input.body).filter((n) => !isLoopNode(n) && 'component' in n && isLocalNode(input.components, n)).length;
    const itemsPerTask = localPerItem > 0 && patched(LOCAL_BATCH_TASK_CAP_PATCH) ? Math.max(1, Math.floor(LOCAL_STEPS_PER_WORKFLOW_TASK / localPerItem)) : Infinity;
    let startedInTask = 0;
    while (!stop && (next < input.items.length || running.size > 0)) {
      if (!draining && next < input.items.length && workflowInfo().historyLength >= BATCH_RUN_EVENTS && patched(BATCH_CONTINUE_AS_NEW_PATCH)) {
        draining = true;
      }
      if (draining && running.size === 0) {
        if (!CancellationScope.current().consideredCancelled) break;
        // Cancelled while draining: the rest end cancelled in this run and are recorded, as before.
        draining = false;
      }
      if (startedInTask >= itemsPerTask && running.size === 0) {
        // Nothing outstanding: a timer lets this workflow task complete (its local activities'
        // results recorded) and the next items start in a new one. Not cancellable: a cancelled
        // batch goes on as before the cap (its items end cancelled and are recorded).
        await CancellationScope.nonCancellable(() => sleep(1));
        startedInTask = 0;
      }
      while (!draining && running.size < input.concurrency && next < input.items.length && startedInTask < itemsPerTask) {
        const item = input.items[next++];
        if (item) {
          const settling = scope.run(() => start(item));
          running.set(item.index, settling);
          itemDone.add(settling);
          startedInTask++;
        }
      }
      if (running.size === 0) continue;
      const done = await itemDone.next();
      running.delete(done.index);
      results.push(done);
      if (done.status === 'failed') {
        const failure = failures.get(done.index);
        firstError ??= { index: done.index, task: failure?.task ?? input.loopPath, error: failure?.error ?? done.error ?? 'failed' };
        if (input.failFast) stop = true;
      }
    }
  }
  if (stop) {
    scope.cancel();
    for (const p of running.values()) results.push(await p);
  }
  results.sort((a, b) => a.index - b.index);
  await bookkeeping(input.taskQueuePrefix).recordLoopItems({ runId: input.runId, loop: input.loopPath, items: results });
  const earlier = input.earlier ?? { items: 0, succeeded: 0 };
  const succeeded = earlier.succeeded + results.filter((r) => r.status === 'succeeded' || r.status === 'skipped').length;
  firstError = earlier.firstError ?? firstError;
  if (draining && !stop) {
    // The items of this run are recorded above; the next run gets the rest and the counts so far.
    const carried = { items: earlier.items + next, succeeded, ...(firstError ? { firstError } : {}) };
    await continueAsNew<typeof loopBatch>({ ...input, items: input.items.slice(next), earlier: carried });
  }
  const total = earlier.items + input.items.length;
  return {
    total,
    succeeded,
    failed: total - succeeded,
    ...(firstError ? { firstError } : {}),
  };
}

interface SingleTask {
  id: string;
  node: TaskSpec;
  component: ComponentSpec;
}

/** The body's one node when it is a queued function or command task (no study, exit handler or light step). */
function singleQueuedTask(ctx: RunContext, body: Record<string, NodeSpec>): SingleTask | undefined {
  const ids = Object.keys(body);
  if (ids.length !== 1) return undefined;
  const id = ids[0] as string;
  const node = body[id] as NodeSpec;
  if (isLoopNode(node) || node.tune || node.exitHandler) return undefined;
  const component = ctx.components[node.component];
  if (!component || (component.impl.kind !== 'function' && component.impl.kind !== 'command') || isLocal(component, node)) return undefined;
  return { id, node, component };
}

/**
 * The loop body as one light chain (LightChainStep list in order), when every node is a light
 * step a fused chain may hold (scope.ts fusableTask) and each after the first reads only the one
 * before it among the body's nodes; otherwise undefined.
 */
function lightBodyChain(ctx: RunContext, body: Record<string, NodeSpec>, index: PipelineIndex): LightChainStep[] | undefined {
  const ids = Object.keys(body);
  const deps = new Map(ids.map((id) => [id, nodeDependencies(index, id).filter((d) => d in body)]));
  const steps: LightChainStep[] = [];
  let prev: string | undefined;
  for (let k = 0; k < ids.length; k++) {
    // The next step: the one node that reads exactly the previous one (the head reads none of the body).
    const nextIds = ids.filter((id) => {
      const d = deps.get(id) ?? [];
      return prev === undefined ? d.length === 0 : d.length === 1 && d[0] === prev;
    });
    if (nextIds.length !== 1) return undefined;
    const id = nextIds[0] as string;
    const node = body[id] as NodeSpec;
    if (!fusableTask(ctx, node)) return undefined;
    const component = ctx.components[node.component] as ComponentSpec;
    steps.push({ id, task: node, component, cache: cachePolicy(ctx, component, node) });
    prev = id;
  }
  return steps.length > 0 ? steps : undefined;
}

/**
 * An item's outcome from its group's result: succeeded when its whole chain ran; failed when a
 * step failed for good (not retryable, or no attempt left); undefined when the workflow must take
 * the item over (a step to skip, or a failed attempt its retry policy may repeat).
 */
function groupedOutcome(
  input: LoopBatchInput,
  chain: LightChainStep[],
  itemIndex: number,
  r: LightChainResult,
): { outcome: LoopItemOutcome; failure?: { task: string; error: string } } | undefined {
  const outputs: LoopItemOutcome['outputs'] = {};
  for (const [name, b] of Object.entries(input.outputs)) {
    const at = chain.findIndex((step) => step.id === b.task);
    const v = at >= 0 ? r.done[at]?.outputs[b.output] : undefined;
    if (v && v.kind !== 'collection') outputs[name] = v;
  }
  if (!r.stop && r.done.length === chain.length) return { outcome: { index: itemIndex, status: 'succeeded', outputs } };
  const step = chain[r.done.length];
  // 0 attempts is Temporal's "no limit": such a step is retried the ordinary way.
  if (r.stop?.reason !== 'failed' || !step || !(r.stop.nonRetryable || maxAttempts(step.component, step.task) === 1)) return undefined;
  const failure = { task: `${input.loopPath}[${itemIndex}]/${step.id}`, error: r.stop.error };
  return { outcome: { index: itemIndex, status: 'failed', outputs, error: `task "${failure.task}": ${failure.error}` }, failure };
}
