/**
 * Submitting a run: validate the IR and the parameters (refusing bad input before any row is
 * written), record the pipeline version and the run in one transaction, then start the
 * `pipelineRun` workflow.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { PipelineValidationError } from '../../dsl/errors';
import { pipelineDigest, runLimitIssues, validatePipeline, type PipelineSpec } from '../../dsl/ir/index';
import type { MetadataStore, RunRecord } from '../stores/metadata/index';
import type { pipelineRun } from '../temporal/workflows/index';
import { STATUS_QUERY, workflowIdFor, type Json, type PipelineRunInput, type RunStatusView } from '../temporal/workflows/types';
import { resolveArtifactInputs } from './artifactInputs';
import { reconcileRun } from './reconcileRuns';
import { resolveRunParams } from './runParams';

export interface SubmitRunOptions {
  client: Client;
  metadata: MetadataStore;
  /** IR from any source; validated here. */
  spec: unknown;
  params?: Record<string, unknown>;
  /** Parameters are strings to parse by type (CLI flags, form fields). */
  paramsAsText?: boolean;
  trigger?: Record<string, Json>;
  taskQueuePrefix?: string;
  /** false: no task of this run reads or writes the cache (`--no-cache`). */
  cache?: boolean;
  /** Results of an earlier run's tasks to reuse (`sluice runs retry`). */
  reuse?: PipelineRunInput['reuse'];
  /** Add the run to this experiment (its id), in the same transaction as the run. */
  experimentId?: string;
}

export interface SubmittedRun {
  runId: string;
  workflowId: string;
  spec: PipelineSpec;
  handle: WorkflowHandle<typeof pipelineRun>;
}

export const DEFAULT_TASK_QUEUE_PREFIX = 'sluice';

export function newRunId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 12);
}

export async function submitRun(options: SubmitRunOptions): Promise<SubmittedRun> {
  const checked = validatePipeline(options.spec);
  if (!checked.ok) throw new PipelineValidationError(checked.issues);
  // Valid but too large for one workflow: refused here, before any row is written or anything starts.
  const tooLarge = runLimitIssues(checked.spec);
  if (tooLarge.length) throw new PipelineValidationError(tooLarge);
  const spec = checked.spec;
  const params = resolveRunParams(spec, options.params ?? {}, { fromText: options.paramsAsText ?? false });

  const artifacts = await resolveArtifactInputs(options.metadata, spec, params);
  const runId = newRunId();
  const workflowId = workflowIdFor(runId);
  const taskQueuePrefix = options.taskQueuePrefix ?? DEFAULT_TASK_QUEUE_PREFIX;
  // Pipeline, version, run (and experiment) in one transaction: a refused row leaves none behind.
  await options.metadata.recordSubmittedRun({
    spec,
    digest: pipelineDigest(spec),
    run: { id: runId, params, trigger: options.trigger ?? { kind: 'manual' }, workflowId },
    ...(options.experimentId !== undefined ? { experimentId: options.experimentId } : {}),
  });
  const input: PipelineRunInput = {
    runId,
    spec,
    params,
    ...(Object.keys(artifacts).length ? { artifacts } : {}),
    taskQueuePrefix,
    ...(options.cache === false ? { cache: false } : {}),
    ...(options.reuse ? { reuse: options.reuse } : {}),
  };
  try {
    const handle = await options.client.workflow.start<typeof pipelineRun>('pipelineRun', {
      taskQueue: taskQueuePrefix,
      workflowId,
      args: [input],
    });
    return { runId, workflowId, spec, handle };
  } catch (e) {
    await options.metadata.updateRun(runId, {
      status: 'failed',
      finishedAt: new Date(),
      error: `could not start the workflow: ${(e as Error).message}`,
    });
    throw e;
  }
}

/**
 * Waits for the run's workflow to close and returns the run record (whatever the outcome). A row
 * the workflow could not finish (terminated, timed out) gets the workflow's outcome first.
 */
export async function waitForRun(metadata: MetadataStore, run: Pick<SubmittedRun, 'runId' | 'handle'>): Promise<RunRecord> {
  try {
    await run.handle.result();
  } catch (e) {
    if (!(e instanceof WorkflowFailedError)) throw e;
  }
  const record = await metadata.getRun(run.runId);
  if (!record) throw new Error(`run ${run.runId} has no record in the metadata store`);
  return (await reconcileRun({ client: { workflow: run.handle.client }, metadata }, record)).run;
}

export async function queryRunStatus(handle: WorkflowHandle): Promise<RunStatusView | undefined> {
  try {
    return await handle.query<RunStatusView>(STATUS_QUERY);
  } catch {
    return undefined; // not started yet, or already closed and evicted
  }
}
