/**
 * `sluice runs retry`: a new run of the same pipeline version and parameters that reuses the
 * results of the old run's top-level tasks that succeeded (or were cached), and runs the rest.
 * The reused tasks are recorded in the new run as `cached` executions linked to the originals.
 */
import type { PipelineSpec } from '../../dsl/ir/schema';
import type { Json, MetadataStore, RunRecord } from '../stores/metadata/index';
import type { ExecuteTaskResult } from '../temporal/workflows/types';
import { recordedResult } from './recordedResult';

export class RetryRunError extends Error {
  override readonly name = 'RetryRunError';
}

export interface RetryPlan {
  old: RunRecord;
  spec: PipelineSpec;
  params: Record<string, Json>;
  reuse: Record<string, ExecuteTaskResult>;
}

export async function planRetry(metadata: MetadataStore, runId: string): Promise<RetryPlan> {
  const old = await metadata.getRun(runId);
  if (!old) throw new RetryRunError(`no run with id "${runId}" (list them with: sluice runs list)`);
  if (old.status === 'pending' || old.status === 'running') {
    throw new RetryRunError(`run ${runId} is still ${old.status}; cancel it first (sluice runs cancel ${runId}) or wait for it to end`);
  }
  const version = await metadata.getPipelineVersion(old.pipelineVersionId);
  if (!version) throw new RetryRunError(`run ${runId} has no stored pipeline version`);
  const reuse: Record<string, ExecuteTaskResult> = {};
  for (const e of await metadata.listExecutions(runId)) {
    // Top-level component tasks only: loop items and nested tasks re-run (and hit the cache).
    if (e.taskId.includes('/') || e.taskId.includes('[')) continue;
    if (e.status !== 'succeeded' && e.status !== 'cached') continue;
    const node = version.spec.dag.tasks[e.taskId];
    if (!node || !('component' in node) || node.exitHandler) continue;
    const comp = version.spec.components[node.component];
    if (comp?.impl.kind === 'approval' || comp?.impl.kind === 'pipeline') continue;
    const recorded = await recordedResult(metadata, e.id);
    if (!recorded) continue;
    reuse[e.taskId] = { executionId: e.id, outputs: recorded.outputs, cachedFrom: e.cachedFrom ?? e.id };
  }
  return { old, spec: version.spec, params: old.params, reuse };
}
