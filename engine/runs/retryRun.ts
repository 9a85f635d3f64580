/**
 * `sluice runs retry`: a new run of the same pipeline version and parameters that reuses the
 * results of the old run's top-level tasks that succeeded (or were cached), and runs the rest.
 * The reused tasks are recorded in the new run as `cached` executions linked to the originals.
 */
import { CodedError } from '../errors';
import type { PipelineSpec } from '../../dsl/ir/schema';
import type { Json, MetadataStore, RunRecord } from '../stores/metadata/index';
import type { ExecuteTaskResult } from '../temporal/workflows/types';
import { recordedResult } from './recordedResult';

/** not-found: no such run; not-finished: it is still pending or running; no-version: its pipeline version is gone. */
export type RetryRunErrorCode = 'not-found' | 'not-finished' | 'no-version';

/** Why a run cannot be retried. The message says what; each surface adds how (CLI command or API call). */
export class RetryRunError extends CodedError<RetryRunErrorCode> {
  override readonly name = 'RetryRunError';
  constructor(
    code: RetryRunErrorCode,
    readonly runId: string,
    message: string,
  ) {
    super(code, message);
  }
}

export interface RetryPlan {
  old: RunRecord;
  spec: PipelineSpec;
  params: Record<string, Json>;
  reuse: Record<string, ExecuteTaskResult>;
}

export async function planRetry(metadata: MetadataStore, runId: string): Promise<RetryPlan> {
  const old = await metadata.getRun(runId);
  if (!old) throw new RetryRunError('not-found', runId, `no run with id "${runId}"`);
  if (old.status === 'pending' || old.status === 'running') {
    throw new RetryRunError('not-finished', runId, `run ${runId} is still ${old.status}; cancel it first or wait for it to end`);
  }
  const version = await metadata.getPipelineVersion(old.pipelineVersionId);
  if (!version) throw new RetryRunError('no-version', runId, `run ${runId} has no stored pipeline version`);
  const reuse: Record<string, ExecuteTaskResult> = {};
  for (const e of await metadata.listExecutions(runId)) {
    // Top-level component tasks only: loop items and nested tasks re-run (and hit the cache).
    if (e.taskId.includes('/') || e.taskId.includes('[')) continue;
    if (e.status !== 'succeeded' && e.status !== 'cached') continue;
    const node = version.spec.dag.tasks[e.taskId];
    // A study's own execution holds only its trials Dataset, not the study's outputs: a study re-runs.
    if (!node || !('component' in node) || node.exitHandler || node.tune) continue;
    const comp = version.spec.components[node.component];
    if (comp?.impl.kind === 'approval' || comp?.impl.kind === 'pipeline') continue;
    const recorded = await recordedResult(metadata, e.id);
    if (!recorded) continue;
    reuse[e.taskId] = { executionId: e.id, outputs: recorded.outputs, cachedFrom: e.cachedFrom ?? e.id };
  }
  return { old, spec: version.spec, params: old.params, reuse };
}
