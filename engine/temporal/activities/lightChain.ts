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
 *
 * A step is one round trip: its finished row goes with the next step's running row, in one
 * statement (WriteBehind). A kill at any moment loses nothing more than an unfused step would: the
 * step whose finish was not yet sent is still 'running' in its row, and runs again as the next
 * attempt.
 */
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { FinishedExecution, MetadataStore, RecordedFinish } from '../../stores/metadata/index';
import { taskInputs, whySkip, type ExecuteTaskInput, type ExecuteTaskResult, type LightChainInput, type LightChainResult, type NodeOutcome } from '../workflows/types';
import type { ExecuteTaskOptions } from './executeTask';

export type ExecuteStep = (input: ExecuteTaskInput, options?: ExecuteTaskOptions) => Promise<ExecuteTaskResult>;

export function createExecuteLightChain(executeTask: ExecuteStep, metadata?: MetadataStore) {
  return async function executeLightChain(input: LightChainInput): Promise<LightChainResult> {
    const signal = Context.current().cancellationSignal;
    return withWriteBehind(metadata, (writes) => runChain(executeTask, input, signal, { ...(writes ? { writes } : {}) }));
  };
}

/**
 * Runs `body` with a WriteBehind over `metadata` (none without a store): the last held finish is
 * sent before the result is returned, and a finish that could not be written fails the whole call
 * (retried by its activity; the rows say which steps are done).
 */
export async function withWriteBehind<T>(metadata: MetadataStore | undefined, body: (writes: WriteBehind | undefined) => Promise<T>): Promise<T> {
  const writes = metadata ? new WriteBehind(metadata) : undefined;
  try {
    const result = await body(writes);
    await writes?.flush();
    if (writes?.lost !== undefined) throw writes.lost;
    return result;
  } finally {
    await writes?.flush();
  }
}

/**
 * Runs a chain's steps in order (also each item of a light-item group, activities/lightItems.ts).
 * `checkFirst`: the first step's condition is checked here too (no workflow checked it).
 * `attemptsFromRow`: passed to executeTask (steps of a regular activity retried as a whole).
 * `writes`: the WriteBehind the steps' store calls go through.
 */
export async function runChain(
  executeTask: ExecuteStep,
  input: LightChainInput,
  signal: AbortSignal,
  options: { checkFirst?: boolean; attemptsFromRow?: boolean; writes?: WriteBehind },
): Promise<LightChainResult> {
  const { env } = input;
  const { writes } = options;
  const taskOptions: ExecuteTaskOptions = writes ? { metadata: writes.store } : {};
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
      result = await executeTask(
        {
          runId: input.runId,
          taskId: `${env.prefix}${step.id}`,
          component: step.component,
          inputs: taskInputs(step.component, step.task, outcomes, env),
          cache: step.cache,
          ...(options.attemptsFromRow ? { attemptsFromRow: true } : {}),
        },
        taskOptions,
      );
    } catch (err) {
      if (writes?.lost !== undefined) throw writes.lost;
      if (err instanceof CancelledFailure || signal.aborted) throw err;
      const nonRetryable = err instanceof ApplicationFailure && err.nonRetryable === true;
      return { done, stop: { reason: 'failed', error: err instanceof Error ? err.message : String(err), nonRetryable } };
    }
    if (writes?.lost !== undefined) throw writes.lost;
    done.push(result);
    outcomes[step.id] = { state: result.cachedFrom ? 'cached' : 'succeeded', outputs: result.outputs, executionId: result.executionId };
    prev = step.id;
  }
  return { done };
}

/**
 * The chain's metadata store: holds back one step's finished row (recordFinishedExecution of a
 * step without output artifacts, whose stored records would come back from the write) and sends
 * it with the next call, in the same statement when that call is the next step's beginExecution
 * (its `after`), alone before any other call. A held finish that cannot be written, or finds its
 * row taken over by a newer attempt, is kept in `lost`: the chain then fails as a whole.
 */
export class WriteBehind {
  readonly store: MetadataStore;
  lost: Error | undefined;
  private held: FinishedExecution | undefined;

  constructor(private readonly inner: MetadataStore) {
    this.store = new Proxy(inner, {
      get: (target, name, receiver) => {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        if (name === 'recordFinishedExecution') return (e: FinishedExecution) => this.record(e);
        if (name === 'beginExecution') return (e: Parameters<MetadataStore['beginExecution']>[0]) => this.begin(e);
        return async (...args: unknown[]): Promise<unknown> => {
          await this.flush();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  private async record(e: FinishedExecution): Promise<RecordedFinish> {
    await this.flush();
    if (Object.keys(e.outputs ?? {}).length > 0) return this.inner.recordFinishedExecution(e);
    this.held = e;
    return { written: true, outputs: {} };
  }

  private async begin(e: Parameters<MetadataStore['beginExecution']>[0]): ReturnType<MetadataStore['beginExecution']> {
    const after = this.held;
    if (!after || after.id === e.id) {
      await this.flush();
      return this.inner.beginExecution(e);
    }
    this.held = undefined;
    let begun;
    try {
      begun = await this.inner.beginExecution({ ...e, after });
    } catch {
      // All or nothing: neither was written. The finish alone (if it cannot be written either, the
      // chain fails before this step runs), then the start alone (which fails with its own error,
      // if it was the one at fault).
      this.held = after;
      await this.flush();
      if (this.lost !== undefined) throw this.lost;
      return this.inner.beginExecution(e);
    }
    if (begun.finished?.written === false) this.lost ??= superseded(after);
    return begun;
  }

  /** Writes the held finish, if any; never throws (see `lost`). */
  async flush(): Promise<void> {
    const e = this.held;
    if (!e) return;
    this.held = undefined;
    try {
      if (!(await this.inner.recordFinishedExecution(e)).written) this.lost ??= superseded(e);
    } catch (err) {
      this.lost ??= err instanceof Error ? err : new Error(String(err));
    }
  }
}

function superseded(e: FinishedExecution): Error {
  return ApplicationFailure.create({
    message: `task "${e.taskId}": attempt ${e.attempt} no longer owns execution ${e.id} (a newer attempt took it over); not recording its result`,
    type: 'SupersededAttempt',
  });
}
